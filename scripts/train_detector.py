#!/usr/bin/env python
"""Train the detector and write a release checkpoint (fp16 safetensors + spinfix.json).

    python scripts/train_detector.py --data data/generated/detector --out models/detector
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch

from spinfix.train.detector import recalibrate, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--out", type=Path, default=Path("models/detector"))
    ap.add_argument("--max-examples", type=int, default=None)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--max-minutes", type=float, default=None, help="stop training after this long")
    ap.add_argument("--target-precision", type=float, default=0.98)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--init", type=Path, default=None, help="continue from this spinfix checkpoint")
    ap.add_argument("--recalibrate", action="store_true",
                    help="no training: refit --out's sentence regression and thresholds on dev")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.recalibrate:
        cfg = recalibrate(args.out, args.data / "dev.jsonl", args.target_precision)
        print(json.dumps({"threshold": cfg.threshold, "span_threshold": cfg.span_threshold,
                          "calibration": cfg.calibration}, indent=2))
        return
    info = train(args.data / "train.jsonl", args.data / "dev.jsonl", args.out,
                 max_examples=args.max_examples, epochs=args.epochs, batch_size=args.batch_size,
                 lr=args.lr, max_length=args.max_length, max_minutes=args.max_minutes,
                 target_precision=args.target_precision, seed=args.seed, init=args.init)
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
