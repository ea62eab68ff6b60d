#!/usr/bin/env python
"""Fit the baseline restorer's candidate scores on dev spans (never test).

    python scripts/fit_baseline.py --models models --write

The baseline chooses, for every unit of a flagged span, among its candidates (the spun text
first). Out of the box the LM score alone decides. This script runs the detector and the baseline
on dev sentences that scripts/tune_restore.py does not use, records every decision (candidates
and LM scores), and labels it from the spinner's gold edits: a unit that is exactly one gold edit
should become the edit's original, a unit that touches no gold edit (a detector false alarm)
should stay as it is, anything else is not used. A conditional logit over the candidates of each
unit (LM score + the candidate generator's evidence, `baseline.candidate_features`) is fitted on
those labels; its softmax, mapped by a logistic fit to how often such choices were right
(counting the decisions whose original is not among the candidates at all), is the
suggestion's confidence. The LM is the cost, so the restorer scores in full only the spun text
and the best few candidates by evidence plus the LM's log-probability of their first token: every
candidate is recorded, each shortlist setting's cost in accuracy is measured (cross-validated:
list sizes, and sizes with a margin behind the best first-token rank), the setting that scores
the fewest candidates while staying within a point of scoring all is taken (or --shortlist
and --margin), and the fit sees the lists that the released weights pick. Figures (unit accuracy of the LM alone
and of the fitted score, on the half of the sentences not fitted on) go to
data/eval/baseline_fit.json; --write stores the weights in models/rewriter/spinfix.json ("baseline").
Tune the confidence threshold afterwards: scripts/tune_restore.py --write. --readings adds
the detector's reading of each short-listed candidate in place as evidence (an experiment, not
released; its short list keeps weights fitted without it).
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.restoration import fit_sample, phrase_edits, sample
from spinfix.eval.tortured import placed
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.restore.candidates import DEFAULT_MAX_CANDIDATES
from spinfix.restore.evidence import keep_detector
from spinfix.restore.rules import SpanTask
from spinfix.restore.settings import BaselineSettings
from spinfix.train.baseline_fit import (
    attach_sentences,
    calibration,
    cheapest_shortlist,
    cross_validate,
    cross_validate_shortlists,
    fill_readings,
    fit_on_shortlists,
    fit_weights,
    fold_weights,
    label,
    read_traces,
    usable,
)
from spinfix.train.baseline_trace import TracingBaselineRestorer
from spinfix.train.settings import rewriter_settings, write_figures


def collect(sf: spinfix.Spinfix, records: list[dict]) -> list[dict]:
    """Detector spans on each record, the baseline's decisions on them, labelled."""
    reports = sf.detect_many([r["text"] for r in records])
    tasks, edits, probs = [], [], []
    for rec, rep in zip(records, reports):
        spans = tuple((sp.start, sp.end) for sp in rep.spans)
        if spans:
            tasks.append(SpanTask(rec["text"], spans))
            edits.append(rec["edits"] if rec["spun"] else [])
            probs.append([sp.probability for sp in rep.spans])
    logging.info("%d of %d sentences flagged; restoring their spans", len(tasks), len(records))
    units = record_decisions(sf, tasks, edits, "synthetic")
    for u in units:  # the detector's probability of the span the unit is in (an experiment's evidence)
        task = tasks[u["sentence_id"]]
        u["span_probability"] = next(p for (a, b), p in zip(task.spans, probs[u["sentence_id"]]) if a <= u["start"] and u["end"] <= b)
    return units


def collect_tortured(sf: spinfix.Spinfix, n: int) -> list[dict]:
    """The baseline's decisions on real tortured phrases of the dev file's spinner share (its
    "fit" part; `tune_restore.py --tortured` checks on the other), each in its evaluation
    template with the phrase as the span, labelled by the word alignment with the correct
    phrase. The swaps learned from that share are withheld from the candidates, so the phrases
    stand in for the unseen ones spinfix is judged on."""
    pairs = sample([p for p in load_pairs() if p.split == "spinner" and p.spinner_part == "fit"], n)
    sf.restorer("baseline").candidates.withhold_learned()
    spun, _, where = placed(pairs)
    edits = [phrase_edits(p, w) for p, w in zip(pairs, where)]
    return record_decisions(sf, [SpanTask(t, (w,)) for t, w in zip(spun, where)], edits, "tortured")


def record_decisions(sf: spinfix.Spinfix, tasks: list[SpanTask], edits: list[list], source: str) -> list[dict]:
    """Every decision of the baseline on the tasks' spans, every candidate scored, labelled from
    each task's gold edits."""
    restorer = TracingBaselineRestorer.like(sf.restorer("baseline"))
    units = []
    restorer.shortlist = restorer.shortlist_margin = None  # every candidate, with its first-token score: the fit shortlists
    chunk = 64
    for a in range(0, len(tasks), chunk):
        restorer.trace = []
        restorer.restore(tasks[a : a + chunk])
        for u in restorer.trace:
            i = a + u.pop("task")
            u["label"] = label(u, edits[i])
            u["sentence_id"] = i
            u["sentence"] = tasks[i].sentence
            u["source"] = source
            u["right_context"] = restorer.right_context  # what the LM scores were read with
            u["max_candidates"] = restorer.candidates.max_candidates
            units.append(u)
        logging.info("%d/%d sentences, %d decisions", min(a + chunk, len(tasks)), len(tasks), len(units))
    return units


def _recorded_with(units: list[dict], key: str, default: int, wanted: int | None, trace: Path) -> int:
    """The one value of `key` the trace's decisions were recorded with (traces before 0.1.5 do not
    say: `default`); it must be `wanted` when that is given."""
    seen = {u.get(key, default) for u in units}
    if len(seen) > 1 or (wanted is not None and seen != {wanted}):
        raise SystemExit(f"{trace} was recorded with {key} {sorted(seen)}, not {wanted}: record it again")
    return seen.pop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--sentences", type=int, default=900)
    ap.add_argument("--trace", type=Path, nargs="+", default=[Path("data/generated/baseline_trace.json")],
                    help="decisions recorded here, and read back with --reuse (several: fitted together)")
    ap.add_argument("--tortured", type=int, default=None, metavar="N",
                    help="record N real tortured phrases of the dev file's spinner share instead of dev sentences "
                         "(their learned swaps withheld); fit on it together with a synthetic trace via --reuse")
    ap.add_argument("--reuse", action="store_true", help="fit on a recorded trace (no LM runs)")
    ap.add_argument("--shortlist", type=int, default=None,
                    help="candidates per unit scored in full besides the spun text (0: all; default: the "
                         "cheapest setting within a point of scoring all, cross-validated)")
    ap.add_argument("--margin", type=float, default=None,
                    help="with --shortlist: score only candidates within this much of the best first-token rank")
    ap.add_argument("--right-context", type=int, default=None,
                    help="words scored after each candidate (default: the restorer's); stored with --write")
    ap.add_argument("--max-candidates", type=int, default=None,
                    help="candidates a unit gets (default: the generator's); stored with --write")
    ap.add_argument("--readings", action="store_true",
                    help="also weigh the detector's reading of each short-listed candidate in place (the 'detector' "
                         "evidence; not released: docs/history/restoration.md)")
    ap.add_argument("--keep-detector", action="store_true",
                    help="with --reuse: weigh the detector's span probability against leaving a unit alone (the "
                         "'keep_detector' evidence, from each decision's recorded span_probability)")
    ap.add_argument("--write", action="store_true", help="store the weights in models/rewriter/spinfix.json")
    ap.add_argument("--out", type=Path, default=Path("data/eval/baseline_fit.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.keep_detector and not args.reuse:
        raise SystemExit("--keep-detector refits a recorded trace: add --reuse (a new trace records the span probabilities anyway)")
    sf = records = None
    if not args.reuse or args.readings:  # a refit from the trace alone needs neither models nor data
        sf = spinfix.load(args.models)
        records = fit_sample(list(read_jsonl(args.data / "dev.jsonl")), args.sentences)  # none of tune_restore.py's
    if args.reuse:
        units = read_traces(args.trace)
        if args.keep_detector:
            if any("span_probability" not in u for u in units):
                traces = ", ".join(map(str, args.trace))
                raise SystemExit(f"{traces} has no span probabilities (traces before 2026-12-04 lack them): record it again")
            for u in units:  # the spun text is candidate 0
                u["features"][0]["keep_detector"] = keep_detector(u["span_probability"])
    else:
        if len(args.trace) != 1:
            raise SystemExit("record one trace at a time (several --trace paths go with --reuse)")
        baseline = sf.restore_settings.baseline
        baseline.weights = {}  # record the LM alone (no readings: --readings adds them afterwards)
        baseline.keep_bonus = 0.0
        if args.right_context is not None:
            baseline.right_context = args.right_context
        if args.max_candidates is not None:
            baseline.max_candidates = args.max_candidates
        units = collect_tortured(sf, args.tortured) if args.tortured else collect(sf, records)
        args.trace[0].parent.mkdir(parents=True, exist_ok=True)
        args.trace[0].write_text(json.dumps(units))
    right_context = _recorded_with(units, "right_context", BaselineSettings().right_context, args.right_context, args.trace)
    max_candidates = _recorded_with(units, "max_candidates", DEFAULT_MAX_CANDIDATES, args.max_candidates, args.trace)
    if any("first" not in u for u in units):
        raise SystemExit(f"{args.trace} has no first-token scores (recorded before spinfix 0.1.4): record it again")
    names = sorted({k for u in units for f in u["features"] for k in f} - {"detector"})
    by_setting = cross_validate_shortlists(units, names)  # the short list is the LM's: no readings there
    read = None
    if args.readings:
        logging.info("%d of %d decisions have their sentence", attach_sentences(units, records), len(units))
        units = [u for u in units if "sentence" in u]
        read = sf.detector.readings
        names = sorted([*names, "detector"])
    logging.info("shortlists, cross-validated: %s", json.dumps(by_setting))
    if args.shortlist is None:
        best = cheapest_shortlist(by_setting) or {"shortlist": None, "margin": None}
        args.shortlist, args.margin = best["shortlist"], best["margin"]
    elif args.shortlist == 0:
        args.shortlist = None
    full = units
    w_short = None  # the short list's own weights, when they differ from the final score's
    if args.shortlist is not None or args.margin is not None:
        # The released weights pick the shortlists, so fit on the lists they pick: twice, starting
        # from the weights fitted on every candidate.
        # The short list is ranked before the detector reads anything, so its weights are fitted
        # without the readings; the final score's, with them, on the lists those pick.
        units, w_short = fit_on_shortlists(full, [n for n in names if n != "detector"], args.shortlist, args.margin)
    if read is not None:
        logging.info("%d detector readings", fill_readings(units, full, read))
    known_right = usable(units)
    if len(known_right) < 20:
        raise SystemExit(f"only {len(known_right)} labelled decisions with the original among the candidates: use more --sentences")
    folds = fold_weights(known_right, names)  # one fit per half, shared by both measurements
    held_out = cross_validate(known_right, names, folds)
    weights = fit_weights(known_right, names)
    known = [u for u in units if u["label"] is not None and len(u["candidates"]) > 1]
    calib, reliability = calibration(known, names, folds)
    labels = [u["label"] for u in units if len(u["candidates"]) > 1]
    result = {
        "split": "dev (sentences not used by tune_restore.py)",
        "decisions": len(labels),
        "decisions_keep_right": sum(1 for y in labels if y == 0),
        "decisions_original_listed": sum(1 for y in labels if y is not None and y > 0),
        "decisions_original_missing": sum(1 for y in labels if y == -1),
        "decisions_unlabelled": sum(1 for y in labels if y is None),
        "cross_validated": held_out,
        "weights": weights,
        "shortlist_weights": w_short if read is not None else None,
        "shortlist": args.shortlist,
        "shortlist_margin": args.margin,
        "right_context": right_context,
        "max_candidates": max_candidates,
        "shortlists_cross_validated": by_setting,
        "calibration": list(calib),
        "reliability": reliability,
    }
    logging.info("%s", json.dumps(result, indent=1))
    write_figures(args.out, result)
    if not args.write:
        return
    with rewriter_settings(args.models) as cfg:
        cfg.setdefault("baseline", {}).update(
            weights=weights, shortlist_weights=result["shortlist_weights"], shortlist=result["shortlist"],
            shortlist_margin=result["shortlist_margin"], calibration=result["calibration"],
            right_context=right_context, max_candidates=max_candidates,
        )


if __name__ == "__main__":
    main()
