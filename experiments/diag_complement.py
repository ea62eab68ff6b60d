#!/usr/bin/env python
"""Diagnostic (an experiment, not part of a release): do the baseline and the rewriter get
different spans right? If so, a way of choosing between them per span could beat both.

    python experiments/diag_complement.py --out data/eval/diag_complement.json

Both methods restore the same spans, handed over (no detector): the 300 dev check phrases of the
tortured file's spinner share in their template sentences (the fit part's learned swaps as
candidates, as `tune_restore.py --tortured 300 --learned-from fit`), each method's edits applied
at its released minimum confidence as `restore()` applies them, a phrase right when the sentence
equals the correct one; and the gold spans (adjacent edits merged) of the spun sentences among
the 300 dev tuning sentences, a span right when the method's suggestion, whatever its
confidence, equals the original. Reported: right by each, by both, by either (the ceiling of a
perfect choice between the two), and the spans only the rewriter got. About 5 minutes on this CPU.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.records import merge_edits, read_jsonl
from spinfix.eval.restoration import check_phrases, restore_given, tuning_sample
from spinfix.eval.tortured import placed
from spinfix.restore.rules import SpanTask

logger = logging.getLogger("diag_complement")
METHODS = ("baseline", "rewriter")


def tally(right: dict[str, list[bool]]) -> dict:
    b, w = right["baseline"], right["rewriter"]
    return {"n": len(b), "baseline": sum(b), "rewriter": sum(w), "both": sum(x and y for x, y in zip(b, w)),
            "either": sum(x or y for x, y in zip(b, w))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--phrases", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path("data/eval/diag_complement.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sf = spinfix.load(args.models)

    pairs, learned = check_phrases(args.phrases, "fit")
    sf.restorer("baseline").candidates.use_learned(learned)
    spun, clean, where = placed(pairs)
    tasks = [SpanTask(t, (w,)) for t, w in zip(spun, where)]
    restored = {m: restore_given(sf, tasks, m) for m in METHODS}
    right = {m: [r == c for r, c in zip(restored[m], clean)] for m in METHODS}
    tortured = tally(right) | {"rewriter_only": [
        {"tortured": s[a:b], "correct": p.correct, "rewriter": r}
        for s, (a, b), p, x, y, r in zip(spun, where, pairs, right["baseline"], right["rewriter"], restored["rewriter"])
        if y and not x
    ]}
    logger.info("check phrases handed over: %s", {k: v for k, v in tortured.items() if k != "rewriter_only"})

    records = [r for r in tuning_sample(list(read_jsonl(args.data / "dev.jsonl"))) if r["spun"]]
    merged = [merge_edits(r["text"], r["edits"]) for r in records]
    tasks = [SpanTask(r["text"], tuple((s, e) for s, e, _ in m)) for r, m in zip(records, merged)]
    suggested = {m: sf.restorer(m).restore(tasks) for m in METHODS}
    right = {m: [g.text == orig for sugg, mm in zip(suggested[m], merged) for g, (_, _, orig) in zip(sugg, mm)] for m in METHODS}
    spans = [(t.sentence[s:e], orig, g.text) for t, mm, sugg in zip(tasks, merged, suggested["baseline"])
             for (s, e, orig), g in zip(mm, sugg)]
    synthetic = tally(right) | {"rewriter_only": [
        {"spun": sp, "original": orig, "baseline": b}
        for (sp, orig, b), x, y in zip(spans, right["baseline"], right["rewriter"]) if y and not x
    ]}
    logger.info("gold spans of dev tuning sentences: %s", {k: v for k, v in synthetic.items() if k != "rewriter_only"})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"check_phrases_as_span": tortured, "dev_gold_spans": synthetic}, indent=1) + "\n")


if __name__ == "__main__":
    main()
