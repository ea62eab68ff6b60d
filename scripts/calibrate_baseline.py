#!/usr/bin/env python
"""Fit the baseline's confidence map on its final decisions, on dev (never test).

    python scripts/calibrate_baseline.py --models models --write

scripts/fit_baseline.py fits the map on the decisions it recorded: each unit decided once, left
to right. The released restorer can decide a unit again once the words after it are restored
(the revisit), which changes some choices and their softmax. This script refits the map on the
decisions as the released restorer finally makes them, the same way: the weights are fitted
again from the recorded trace on each half of fit_baseline.py's sentences (as released: the same
short list, the same features); each half is then restored end to end (the detector's spans, the
released settings, the revisit included) with the weights of the other half; a unit that is
exactly one gold edit is right when it became the edit's original, a unit that touches no gold
edit when it stayed; and a logistic map from the softmax of the final choice to being right is
fitted on all of them. The weights themselves are not changed. Figures (reliability before and
after) go to data/eval/baseline_calibration.json; --write stores the map in
models/rewriter/spinfix.json (`baseline.calibration`). Tune the minimum confidence afterwards:
scripts/tune_restore.py --write.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.restoration import fit_sample
from spinfix.restore.rules import SpanTask
from spinfix.train.baseline_fit import (
    attach_sentences,
    fit_on_shortlists,
    fold_weights,
    label,
    named,
    platt,
    usable,
)
from spinfix.train.baseline_trace import TracingBaselineRestorer
from spinfix.train.settings import rewriter_settings, write_figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--sentences", type=int, default=900, help="as fit_baseline.py recorded them")
    ap.add_argument("--trace", type=Path, default=Path("data/generated/baseline_trace.json"))
    ap.add_argument("--write", action="store_true", help="store the map in models/rewriter/spinfix.json")
    ap.add_argument("--out", type=Path, default=Path("data/eval/baseline_calibration.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not args.trace.exists():
        raise SystemExit(f"{args.trace} not found: record it first (scripts/fit_baseline.py, make fit-baseline)")
    sf = spinfix.load(args.models)
    cfg = sf.restore_settings.baseline
    records = fit_sample(list(read_jsonl(args.data / "dev.jsonl")), args.sentences)
    index = {r["text"]: i for i, r in enumerate(records)}

    # The halves are the records' (by their index in the sample), so that every sentence the
    # restorer reads, flagged by the trace's detector or not, belongs to one.
    units = json.loads(args.trace.read_text())
    attach_sentences(units, records)
    units = [u for u in units if u.get("sentence") in index]
    for u in units:
        u["sentence_id"] = index[u["sentence"]]
    names = sorted({k for u in units for f in u["features"] for k in f} - {"detector"})
    if set(names) != set(cfg.weights) - {"lm"}:
        raise SystemExit(f"the trace's features {names} are not the released weights' {sorted(cfg.weights)}")
    shortlisted, _ = fit_on_shortlists(units, names, cfg.shortlist, cfg.shortlist_margin)
    folds = fold_weights(usable(shortlisted), names)
    logging.info("%d recorded decisions, weights fitted on each half", len(units))

    restorer = TracingBaselineRestorer.like(sf.restorer("baseline"))
    released = restorer.calibration
    restorer.calibration = None  # the softmax itself
    reports = sf.detect_many([r["text"] for r in records])
    ps, ys = [], []
    for h in (0, 1):
        restorer.weights = named(folds[1 - h], names)
        tasks, owners = [], []
        for i, (rec, rep) in enumerate(zip(records, reports)):
            spans = tuple((sp.start, sp.end) for sp in rep.spans)
            if i % 2 == h and spans:
                tasks.append(SpanTask(rec["text"], spans))
                owners.append(rec)
        restorer.trace = []
        restorer.restore(tasks)
        for d in restorer.trace:
            rec = owners[d["task"]]
            y = label(d, rec["edits"] if rec["spun"] else [])
            if y is None or len(d["candidates"]) < 2:
                continue
            ps.append(d["p"])
            ys.append(float(d["chosen"] == y))
        logging.info("half %d: %d sentences restored, %d decisions with a known answer so far", h, len(tasks), len(ps))
    (a, b), table = platt(ps, ys)
    result = {
        "split": "dev (fit_baseline.py's sentences; none of tune_restore.py's)",
        "decisions": len(ps),
        "right": round(sum(ys) / max(len(ys), 1), 4),
        "revisit": restorer.revisit,
        "revisit_margin": restorer.revisit_margin,
        "calibration": [a, b],
        "previous_calibration": list(released) if released else None,
        "reliability": table,
    }
    logging.info("%s", json.dumps(result, indent=1))
    write_figures(args.out, result)
    if args.write:
        with rewriter_settings(args.models) as stored:
            stored.setdefault("baseline", {})["calibration"] = [a, b]
        logging.info("wrote %s", args.models / "rewriter" / "spinfix.json")

if __name__ == "__main__":
    main()
