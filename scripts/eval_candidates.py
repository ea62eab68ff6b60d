#!/usr/bin/env python
"""How often is the true original among the restoration candidates of a spun word?

    python scripts/eval_candidates.py --data data/generated/detector

Two measures, written to data/eval/candidates.json:
- synthetic dev split: every gold edit of the first N dev sentences, by the spinner source that
  made it; hit when the original (lowercased) is among the top-k candidates of the spun text;
- held-out dev tortured phrases: every word swap of equal-length pairs ("profound learning" ->
  "deep learning" gives profound -> deep, as lemmas); the held-out share never fed the candidates.
The candidates cap what the baseline can restore: it only ever chooses among them.
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
from collections import defaultdict
from pathlib import Path

from spinfix.eval.records import read_jsonl
from spinfix.eval.tortured_pairs import load_pairs, word_swaps
from spinfix.paths import shared_data_dir
from spinfix.restore.candidates import CandidateGenerator
from spinfix.train.candidate_fit import coverage


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--sentences", type=int, default=3000)
    ap.add_argument("--max-candidates", type=int, default=None, help="candidates a unit gets (default: the generator's)")
    ap.add_argument("--out", type=Path, default=Path("data/eval/candidates.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    gen = CandidateGenerator.default(**({} if args.max_candidates is None else {"max_candidates": args.max_candidates}))
    ks = tuple(sorted({1, 8, 12, 16, 24, gen.max_candidates}))
    by_source: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in itertools.islice(read_jsonl(args.data / "dev.jsonl"), args.sentences):
        for _s, _e, orig, rep, src in r["edits"]:
            by_source[src].append((orig, rep))
    held = [p for p in load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv") if p.split == "heldout"]
    result = {
        "synthetic_dev_edits": {
            "all": coverage(gen, [e for edits in by_source.values() for e in edits], ks),
            "by_source": {s: coverage(gen, edits, ks) for s, edits in sorted(by_source.items())},
        },
        "tortured_heldout_word_swaps": coverage(gen, word_swaps(held), ks),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
