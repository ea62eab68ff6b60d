#!/usr/bin/env python
"""The reference check's figures on the test cases (data/generated/reference/test.jsonl).

    python scripts/eval_reference.py --models models --out data/eval/reference.json   # make eval-reference

1. Sentence alignment, every derived case: link precision / recall / F1 against the gold.
2. Derivation, every case: ROC AUC; the share called derived per kind of case at the released
   threshold (spun, verbatim, partial and rewritten copies, two references; the same event told
   by another item, clean and spun; unrelated items, clean and spun).
3. Restoration, a sample of spun copies (`--restore N` per kind): spun words restored and clean
   words damaged, blind (no reference), with the source as reference, and with another item on
   the same event as reference (for the spun same-event cases); how often each applied edit is
   right, by its evidence ("reference", "confirmed", "model"); for the rewritten copies (no
   word-level gold), the share of their sentences whose source sentence is back word for word.
4. Speed: compare() of a 40-sentence spun copy with its 40-sentence source, after a warm-up,
   best of 3, on this CPU.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.reference import LinkCounts, gold_links, predicted_links, roc_auc, unit_outcomes
from spinfix.report import Report
from spinfix.text.document import Document
from spinfix.train.settings import write_figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/reference"))
    ap.add_argument("--restore", type=int, default=20, help="cases per kind for the restoration figures")
    ap.add_argument("--out", type=Path, default=Path("data/eval/reference.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cases = list(read_jsonl(args.data / "test.jsonl"))
    sf = spinfix.load(args.models)
    checker = sf.reference_checker()
    result: dict = {"split": "test", "cases": len(cases)}

    counts = LinkCounts()
    probs, labels, kinds = [], [], []
    t0 = time.perf_counter()
    for n, c in enumerate(cases):
        check = checker.check(c["suspect"], c["references"])
        probs.append(check.derived)
        labels.append(bool(c["derived"]))
        kinds.append(c["kind"])
        if c["derived"]:
            counts.add(gold_links(c, check.suspect), predicted_links(check.pairs, c["source_reference"]))
        if n % 200 == 0:
            logging.info("checked %d of %d", n, len(cases))
    result["check_seconds_per_case"] = round((time.perf_counter() - t0) / len(cases), 3)
    result["alignment"] = counts.scores()
    threshold = checker.settings.derivation.threshold
    result["derivation"] = {"threshold": threshold, "roc_auc": round(roc_auc(probs, labels), 5), "by_kind": {}}
    for kind in sorted(set(kinds)):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        called = sum(probs[i] >= threshold for i in idx)
        result["derivation"]["by_kind"][kind] = {"cases": len(idx), "called_derived": called, "share": round(called / len(idx), 4)}
    logging.info("alignment %s; derivation %s", result["alignment"], json.dumps(result["derivation"]))

    # Restoration: blind, from the source, from another item on the same event.
    modes: dict[str, np.ndarray] = {}
    right: dict[str, dict[str, list[int]]] = {}

    def tally(mode: str, report: Report, case: dict) -> None:
        tot, judged = unit_outcomes(report, case)
        modes[mode] = modes.get(mode, np.zeros(4)) + tot
        for evidence, ok in judged:
            r = right.setdefault(mode, {}).setdefault(evidence, [0, 0])
            r[0] += ok
            r[1] += 1

    sample = []
    for kind in ("spun_0.15", "spun_0.3", "spun_0.5", "partial", "rewrite"):
        sample += [c for c in cases if c["kind"] == kind][: args.restore]
    given_back: dict[str, list[int]] = {}  # rewritten sentences whose reference sentence is back word for word

    def rewrites(mode: str, report: Report, case: dict) -> None:
        sentences = Document.from_text(case["references"][case["source_reference"]]).sentences
        restored = report.restored_text or report.text
        for u in case["units"]:
            if len(u["source"]) == 1:
                g = given_back.setdefault(mode, [0, 0])
                g[0] += sentences[u["source"][0]].text in restored
                g[1] += 1

    for n, c in enumerate(sample):
        ref = c["references"][c["source_reference"]]
        blind, source = sf.restore(c["suspect"]), sf.compare(c["suspect"], ref).report
        if c["kind"] == "rewrite":  # no word-level gold: the reordered sentence's original is the reference's
            rewrites("blind", blind, c)
            rewrites("source", source, c)
            continue
        tally("blind", blind, c)
        tally("source", source, c)
        if n % 20 == 0:
            logging.info("restored %d of %d", n, len(sample))
    others = [c for c in cases if c["kind"] == "same_event_spun"][: args.restore * 3]
    for c in others:
        tally("other_outlet_blind", sf.restore(c["suspect"]), c)
        tally("other_outlet", sf.compare(c["suspect"], c["references"][0]).report, c)
    result["restoration"] = {}
    for mode, t in modes.items():
        by_evidence = {k: {"edits": v[1], "right": round(v[0] / max(v[1], 1), 4)} for k, v in right.get(mode, {}).items()}
        result["restoration"][mode] = {
            "spun_words": int(t[0]), "spun_words_restored": round(t[1] / max(t[0], 1), 4),
            "clean_words": int(t[2]), "clean_words_damaged": round(t[3] / max(t[2], 1), 4),
            "edits_right_by_evidence": by_evidence,
        }
    result["rewritten_sentences_given_back"] = {
        m: {"sentences": g[1], "share": round(g[0] / max(g[1], 1), 4)} for m, g in given_back.items()
    }
    result["restoration_cases"] = {"source_and_blind": len(sample), "other_outlet": len(others)}
    logging.info("restoration %s", json.dumps(result["restoration"]))

    # Speed: a 40-sentence copy against its 40-sentence source.
    def size(c: dict) -> int:
        n_s = len(Document.from_text(c["suspect"]).sentences)
        n_r = len(Document.from_text(c["references"][c["source_reference"]]).sentences)
        return abs(n_s - 40) + abs(n_r - 40)

    long = min((c for c in cases if c["kind"] == "spun_0.3"), key=size)
    ref = long["references"][long["source_reference"]]
    sf.compare(long["suspect"], ref)  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        cmp = sf.compare(long["suspect"], ref)
        times.append(time.perf_counter() - start)
    result["speed"] = {"suspect_sentences": len(cmp.check.suspect), "reference_sentences": len(cmp.check.references[0]),
                       "compare_s_best_of_3": round(min(times), 2), "compare_s": [round(x, 2) for x in times]}
    logging.info("speed %s", result["speed"])
    write_figures(args.out, result)


if __name__ == "__main__":
    main()
