#!/usr/bin/env python
"""Fit how neighbouring sentences move a sentence's probability, and re-pick the threshold.

    python scripts/fit_context.py --models models

The weight and bias of the document context (spinfix/detect/context.py) are fitted on the dev split's
news articles (`--articles`, a split file that keeps each article's sentences in reading order),
then the sentence threshold is re-picked, as train_detector.py picks it, for the target
precision on `--dev` with the context in use (articles as texts, template sentences alone).
Writes both into the detector's spinfix.json with --write; prints the dev figures either way.
With a checkpoint that carries an LM reading (spinfix/detect/reading.py), the fit is for the detector
with the reading; --no-lm-reading fits the detector alone and writes into `without_reading`, the
settings used when a user switches the reading off.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.train.context import fit_context


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--articles", type=Path, default=Path("data/generated/detector-news/dev.jsonl"))
    ap.add_argument("--dev", type=Path, default=Path("data/generated/detector-tech/dev.jsonl"))
    ap.add_argument("--target-precision", type=float, default=0.98)
    ap.add_argument("--window", type=int, default=6, help="sentences on each side that count")
    ap.add_argument("--pseudo-count", type=float, default=2.0)
    ap.add_argument("--write", action="store_true", help="save the context and threshold in spinfix.json")
    ap.add_argument("--no-lm-reading", dest="lm_reading", action="store_false",
                    help="fit the detector alone (for `without_reading` where the checkpoint has a reading)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models, context=False, lm_reading=args.lm_reading)
    fit = fit_context(
        sf, list(read_jsonl(args.articles)), list(read_jsonl(args.dev)),
        target_precision=args.target_precision, window=args.window, pseudo_count=args.pseudo_count,
    )
    out = {"context": fit.context.to_dict(), "threshold": fit.threshold, "dev": fit.dev}
    if args.write:
        from spinfix.detect.encoder import CONFIG_NAME

        det_dir = args.models / "detector" if (args.models / "detector").is_dir() else args.models
        cfg = sf.detector.config
        if cfg.lm_reading is not None and not args.lm_reading:
            cfg.without_reading = {"threshold": fit.threshold, "context": fit.context.to_dict()}
            cfg.extra = {**cfg.extra, "context_dev_without_reading": fit.dev}
        else:
            cfg.context = fit.context.to_dict()
            cfg.threshold = fit.threshold
            cfg.extra = {**cfg.extra, "context_dev": fit.dev}
        cfg.save(det_dir / CONFIG_NAME)
        logging.info("wrote %s", det_dir / CONFIG_NAME)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
