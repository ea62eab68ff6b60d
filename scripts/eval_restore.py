#!/usr/bin/env python
"""Evaluate restoration, baseline and rewriter side by side; write data/eval/restore.json.

    python scripts/eval_restore.py --models models --data data/generated/detector

Figures per method: on a fixed sample of the synthetic test split (spun and clean sentences, as
they come), spun words restored exactly, clean words damaged, sentence exact match and chrF
against doing nothing; on held-out dev tortured phrases placed in ordinary sentences, the share
restored exactly and the control (correct phrase) changed. End to end through the detector's
spans, each synthetic sentence detected alone and inside its article; --oracle adds the same
figures with the gold spans (the tortured phrase itself) handed to the restorer, to tell restoration errors from detection errors.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.restoration import evaluate_records, evaluate_tortured, sample
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import shared_data_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--split", default="test")
    ap.add_argument("--methods", nargs="+", default=["baseline", "rewriter"])
    ap.add_argument("--sentences", type=int, default=400, help="synthetic sentences sampled (fixed seed)")
    ap.add_argument("--tortured", type=int, default=300, help="held-out tortured phrases sampled (fixed seed)")
    ap.add_argument("--oracle", action="store_true", help="also score restoration of the gold spans")
    ap.add_argument("--out", type=Path, default=Path("data/eval/restore.json"))
    ap.add_argument("--tortured-only", action="store_true",
                    help="re-measure only the tortured-phrase figures of --methods, keeping the rest of --out")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    split = list(read_jsonl(args.data / f"{args.split}.jsonl"))
    records = sample(split, args.sentences)
    held = [p for p in load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv") if p.split == "heldout"]
    pairs = sample(held, args.tortured)
    result: dict = {"split": args.split, "detector_threshold": sf.threshold, "methods": {}}
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    same = old.get("split") == args.split and old.get("detector_threshold") == sf.threshold
    if args.tortured_only and not (same and set(args.methods) <= set(old.get("methods", {}))):
        raise SystemExit(f"{args.out} holds another split, detector threshold or methods: run the whole evaluation")
    for method in args.methods:
        t0 = time.time()
        if args.tortured_only:
            r: dict = dict(old["methods"][method])
        else:
            r = {"synthetic": evaluate_records(sf, records, method)}
            r["synthetic_seconds"] = round(time.time() - t0, 1)
            if sf.context is not None:
                r["synthetic_in_article"] = evaluate_records(sf, records, method, split=split)
            if args.oracle:
                r["synthetic_gold_spans"] = evaluate_records(sf, records, method, oracle=True)
        t1 = time.time()
        r["tortured_heldout"] = evaluate_tortured(sf, pairs, method)
        r["tortured_seconds"] = round(time.time() - t1, 1)
        if args.oracle:
            r["tortured_heldout_gold_spans"] = evaluate_tortured(sf, pairs, method, oracle=True)
        result["methods"][method] = r
        logging.info("%s: %s", method, json.dumps(r))
    if old:  # keep the figures of methods not re-run (e.g. --methods baseline)
        kept = {m: r for m, r in old.get("methods", {}).items() if m not in result["methods"]}
        if kept and same:
            logging.info("keeping the figures of %s from %s", ", ".join(kept), args.out)
            result["methods"] = {**kept, **result["methods"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
