#!/usr/bin/env python
"""Train the rewriter's LoRA adapter on synthetic spun/original pairs; write it as fp16.

    python scripts/train_rewriter.py --data data/generated/detector --out models/rewriter

The number of pairs fixes the run (the learning-rate schedule is laid out over them);
--max-minutes is only a safety stop.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from spinfix.train.rewriter import train


def to_fp16(path: Path) -> None:
    f = path / "adapter_model.safetensors"
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(f).items()}, f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--out", type=Path, default=Path("models/rewriter"))
    ap.add_argument("--examples", type=int, default=3600, help="training pairs (one pass)")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--max-minutes", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", type=Path, default=None, help="continue training this adapter")
    ap.add_argument("--skip", type=int, default=0, help="skip the first N pairs (those --init was trained on)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    info = train(
        args.data, args.out, max_examples=args.examples, max_minutes=args.max_minutes,
        lr=args.lr, batch_size=args.batch_size, rank=args.rank, seed=args.seed,
        init=args.init, skip=args.skip,
    )
    to_fp16(args.out)
    (args.out / "README.md").unlink(missing_ok=True)  # peft's placeholder card; ours is written by hand
    cfg_path = args.out / "spinfix.json"
    cfg = json.loads(cfg_path.read_text()) if cfg_path.exists() else {"default_method": "rewriter"}
    cfg.setdefault("rewriter", {"batch_size": 16})
    cfg["training"] = info
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
