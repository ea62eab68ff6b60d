#!/usr/bin/env python
"""Count how often the spinner swaps each word or phrase (train split only, never dev or test).

    python scripts/fit_swap_rates.py --data data/generated/detector

Every spun train sentence gives its clean words (occurrences) and its edits' originals (swaps);
the counts go to spinfix/resources/swap_rates.tsv.gz, which the restorers' candidate evidence
reads (`spinfix.restore.swap_rates`). Deterministic: the same data gives the same file.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from spinfix.eval.records import read_jsonl
from spinfix.restore.swap_rates import SWAP_RATES_RESOURCE
from spinfix.train.swap_rates import count_swap_rates, save_swap_rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--out", type=Path, default=SWAP_RATES_RESOURCE)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    pairs = [(r["clean"], [e[2] for e in r["edits"]]) for r in read_jsonl(args.data / "train.jsonl") if r["spun"]]
    rates = count_swap_rates(pairs)
    kept = save_swap_rates(rates, args.out)
    probe = {w: round(rates.rate(w), 4) for w in ("with", "the", "said", "according to", "military", "since", "by")}
    logging.info("%d spun sentences, overall rate %.4f, %d forms written to %s; e.g. %s",
                 len(pairs), rates.overall, kept, args.out, json.dumps(probe))


if __name__ == "__main__":
    main()
