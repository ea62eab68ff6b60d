#!/usr/bin/env python
"""Pick each method's minimum confidence for applying an edit, on the dev split (never test).

    python scripts/tune_restore.py --models models --write

Restores a fixed sample of dev sentences once with every suggestion kept, then sweeps the
minimum confidence: an edit below it stays on its span as a suggestion but is not applied. The
chosen value is the lowest whose clean-word damage is at most --max-damage (precision first),
written to models/rewriter/spinfix.json with --write, together with the default method: the faster
method (the rewriter; see scripts/bench_restore.py) unless a slower one restores significantly
more spun words on dev at its own threshold (a lead of more than two standard errors of the
paired difference, sentences as the unit). The sweep and a reliability table (edits binned by
confidence: how many were right) go to data/eval/restore_tuning.json.

--tortured N adds a dev check on real spinner output: N tortured phrases of the dev file's spinner
share that the baseline's fit leaves out (its "check" part), with the swaps learned from that
share withheld from the candidates so that they stand in for unseen phrases; restored exactly
with the phrase handed over as the span, and end to end (detected, then restored) with the
sentences holding the correct phrase as the control (any change is damage). With
--learned-from fit the candidates undo the swaps of the share's "fit" part instead of none: an
unseen phrase whose words other real phrases taught, as the held-out share and real text are to
the release (the detector has seen the check phrases in its training, so end to end is kinder
than on unseen text; the phrase handed over is not).
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.restoration import (
    TUNING_SENTENCES,
    check_phrases,
    choose_default,
    edit_outcomes,
    evaluate_tortured,
    reliability,
    tuning_sample,
    word_outcomes,
)
from spinfix.report import Report
from spinfix.train.settings import rewriter_settings, write_figures

# Fastest first (data/eval/bench_restore.json): a slower method must earn the default.
BY_SPEED = ("rewriter", "baseline")


def restored_at(report: Report, min_conf: float) -> str:
    out, pos = [], 0
    for sp in sorted(report.spans, key=lambda s: s.start):
        if sp.is_edit and sp.confidence is not None and sp.confidence >= min_conf:
            out.append(report.text[pos : sp.start])
            out.append(sp.suggestion)
            pos = sp.end
    out.append(report.text[pos:])
    return "".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--methods", nargs="+", default=["rewriter", "baseline"])
    ap.add_argument("--sentences", type=int, default=TUNING_SENTENCES)
    ap.add_argument("--max-damage", type=float, default=0.005)
    ap.add_argument("--tortured", type=int, default=0, metavar="N",
                    help="also measure N spinner-share tortured phrases not used by the fit (the learned swaps: --learned-from)")
    ap.add_argument("--learned-from", choices=["none", "fit"], default="none",
                    help="the learned swaps the --tortured check may undo: none, or the fit part's")
    ap.add_argument("--write", action="store_true", help="store the chosen values in models/rewriter/spinfix.json")
    ap.add_argument("--out", type=Path, default=Path("data/eval/restore_tuning.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    records = tuning_sample(list(read_jsonl(args.data / "dev.jsonl")), args.sentences)
    result: dict = {"split": "dev", "sentences": len(records), "max_damage": args.max_damage, "methods": {}}
    chosen: dict[str, float] = {}
    per_sentence: dict[str, list[tuple[int, int]]] = {}  # (spun words, restored) at the chosen threshold
    for method in args.methods:
        sf.restore_settings.min_confidence[method] = 0.0
        reports = sf.restore_many([r["text"] for r in records], method=method)
        sweep = []
        for t in np.round(np.arange(0.0, 1.0, 0.05), 2):
            tot = np.zeros(4)
            for rep, rec in zip(reports, records):
                tot += word_outcomes(restored_at(rep, float(t)), rec)
            sweep.append({"min_confidence": float(t), "spun_words_restored": round(tot[1] / max(tot[0], 1), 4),
                          "clean_words_damaged": round(tot[3] / max(tot[2], 1), 4)})
        ok = [s for s in sweep if s["clean_words_damaged"] <= args.max_damage]
        pick = ok[0]["min_confidence"] if ok else 0.95
        chosen[method] = pick
        at_pick = next(s for s in sweep if s["min_confidence"] == pick)
        per_sentence[method] = [word_outcomes(restored_at(rep, pick), rec)[:2] for rep, rec in zip(reports, records)]
        bins = reliability([x for rep, rec in zip(reports, records) for x in edit_outcomes(rep, rec)])
        result["methods"][method] = {"chosen_min_confidence": pick, "at_chosen": at_pick, "sweep": sweep, "reliability": bins}
        logging.info("%s: min_confidence %.2f; %s", method, pick, json.dumps(bins))
    if args.tortured:
        pairs, learned = check_phrases(args.tortured, args.learned_from)
        sf.restorer("baseline").candidates.use_learned(learned)  # after the sweep, which needs the packaged swaps
        result["tortured_learned_from"] = args.learned_from
        result["tortured_check"] = {
            m: {"gold_span": evaluate_tortured(sf, pairs, m, oracle=True), "end_to_end": evaluate_tortured(sf, pairs, m)}
            for m in args.methods
        }
        logging.info("tortured check: %s", json.dumps(result["tortured_check"]))
    best, comparison = choose_default(per_sentence, BY_SPEED)
    result["default_method"], result["default_rule"] = best, comparison
    if args.write:
        with rewriter_settings(args.models) as cfg:
            # A minimum chosen on real spun news (scripts/eval_real.py --write: precision first)
            # outranks this synthetic one; refit it with `make fit-real-confidence`.
            real = cfg.get("min_confidence_source", {})
            for method in [m for m in chosen if m in real]:
                logging.info("%s: keeping the minimum chosen on real news (%s), not %.2f", method, real[method], chosen.pop(method))
            cfg.setdefault("min_confidence", {}).update(chosen)
            if len(args.methods) > 1:
                cfg["default_method"] = best
    write_figures(args.out, result)
    print(json.dumps({"default_method": best, "rule": comparison, **{m: r["at_chosen"] for m, r in result["methods"].items()},
                      **({"tortured_check": result["tortured_check"]} if args.tortured else {})}))


if __name__ == "__main__":
    main()
