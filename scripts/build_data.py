#!/usr/bin/env python
"""Build the detector's training data: data/generated/detector/{train,dev,test}.jsonl.

Deterministic (same corpora, seed and package versions give the same files). Usage:
    python scripts/build_data.py [--out data/generated/detector] [--train 60000] [--no-science] [--technical N]
    python scripts/build_data.py --science-mix data/generated/detector-tech --out data/generated/detector-sci
    python scripts/build_data.py --real data/real/substitutions.tsv --out data/generated/detector-real
        (the spinner's real mode, spinfix.train.real_spinner, with the real dev set's mined
        fit-part substitutions)
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from spinfix.eval.tortured_pairs import (
    load_pairs,
    phrase_table,
    swap_table,
    write_swaps,
)
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.paths import shared_data_dir
from spinfix.train.data import (
    add_science,
    add_technical,
    build,
    build_science_mix,
    iter_sotu,
    iter_wh_written,
)
from spinfix.train.real_spinner import REAL_MODE_VERSION, RealSpinner, read_mined
from spinfix.train.spinner import SPINNER_VERSION, Spinner


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--shared", type=Path, default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--train", type=int, default=60000, help="training sentences")
    ap.add_argument("--dev", type=int, default=3000)
    ap.add_argument("--test", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--real", type=Path, default=None, metavar="SUBSTITUTIONS_TSV",
                    help="spin in the real mode, with these mined substitutions (their fit part)")
    ap.add_argument("--no-science", action="store_true",
                    help="news sentences only (the data of training stage 1)")
    ap.add_argument("--technical", type=int, default=0, metavar="N",
                    help="also N docstring sentences of numpy/scipy/scikit-learn/torch (spinfix/train/technical.py)")
    ap.add_argument("--science-mix", type=Path, default=None, metavar="TECH_DIR",
                    help="build training stage 3's science-weighted mix from a --technical folder instead "
                         "(spinfix.train.data.build_science_mix)")
    ap.add_argument("--packages", nargs="+", default=None, metavar="PKG",
                    help="with --science-mix: the packages whose docstring prose it adds "
                         "(default: spinfix.train.technical.EXTRA_PACKAGES)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    shared = args.shared or shared_data_dir()
    t0 = time.time()
    pairs = [p for p in load_pairs(shared / "tortured_phrases_dev.tsv") if p.split == "spinner"]
    spinner = Spinner.default(Lexicon.load(), tortured_swaps=swap_table(pairs), tortured_phrases=phrase_table(pairs))
    version = SPINNER_VERSION
    if args.real is not None:
        spinner = RealSpinner.from_spinner(spinner, read_mined(args.real, split="fit"))
        version = f"{SPINNER_VERSION}+real{REAL_MODE_VERSION}"
    if args.science_mix:
        if not (args.science_mix / "train.jsonl").is_file():
            raise SystemExit(f"{args.science_mix} holds no train.jsonl: build it first with "
                             f"`build_data.py --technical 12000 --out {args.science_mix}` (make data)")
        counts = build_science_mix(args.science_mix, args.out, pairs, spinner, packages=args.packages)
        meta = {"counts": counts, "from": str(args.science_mix), "spinner_version": version,
                "seconds": round(time.time() - t0, 1)}
        (args.out / "meta.json").write_text(json.dumps(meta, indent=2))
        logging.info("done: %s", meta)
        return
    # The same swaps, inverted, are candidates for restoration (a packaged resource, in git).
    logging.info("wrote %d learned swaps to the package resources", write_swaps(pairs))
    articles = list(iter_wh_written(shared / "corpora" / "wh_written.txt.gz")) + list(iter_sotu())
    counts = build(articles, spinner, args.out, seed=args.seed,
                   caps={"train": args.train, "dev": args.dev, "test": args.test})
    # Technical prose with real tortured phrases (spinner share only; see spinfix/train/science.py).
    if not args.no_science:
        counts["science"] = add_science(args.out, pairs, seed=args.seed)
    if args.technical:
        counts["technical"] = add_technical(args.out, pairs, spinner, seed=args.seed, max_train=args.technical)
    meta = {"counts": counts, "seed": args.seed, "spinner_version": version,
            "sources": [[s.name, w] for s, w in spinner.sources],
            "tortured_pairs_used_by_spinner": len(pairs), "seconds": round(time.time() - t0, 1)}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2))
    logging.info("done: %s", meta)


if __name__ == "__main__":
    main()
