#!/usr/bin/env python
"""Fit the candidate ranker on the train split's spinner edits (never dev or test).

    python scripts/fit_candidates.py --data data/generated/detector

Every edit of the first N train sentences (original -> spun) is one decision among all the
candidates the generator proposes for the spun text; a conditional logit over their evidence
(`candidates.rank_features`) is fitted on the decisions whose original is proposed at all, and
written to spinfix/resources/candidate_ranker.json, which `CandidateGenerator.default()` loads.
Measure the result with scripts/eval_candidates.py (dev edits and held-out tortured phrases).
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
from pathlib import Path

from spinfix.eval.records import read_jsonl
from spinfix.lexicon.sources import GloveSource, WordNetSource
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.lexicon.tortured import load_swaps
from spinfix.restore.candidates import RANKER_RESOURCE, CandidateGenerator
from spinfix.train.candidate_fit import collect, fit_ranker

# Enough for every candidate of any word: the fit sees the whole list, not a ranked cut.
ALL = 1_000_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--sentences", type=int, default=6000, help="train sentences whose edits are used")
    ap.add_argument("--out", type=Path, default=RANKER_RESOURCE)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    gen = CandidateGenerator(
        Lexicon.load(), WordNetSource.load(), max_candidates=ALL, glove=GloveSource.load(), learned=load_swaps(), ranker=None
    )
    edits = [
        (orig, rep)
        for r in itertools.islice(read_jsonl(args.data / "train.jsonl"), args.sentences)
        for _s, _e, orig, rep, _src in r["edits"]
    ]
    data, seen = collect(gen, edits)
    logging.info("%d of %d train edits have their original among the candidates; fitting", len(data), seen)
    weights = fit_ranker(data)
    result = {
        "what": "candidate ranking prior: conditional logit over rank_features, see scripts/fit_candidates.py",
        "command": f"python scripts/fit_candidates.py --data {args.data} --sentences {args.sentences}",
        "train_sentences": args.sentences,
        "edits": seen,
        "decisions": len(data),
        "weights": weights,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    logging.info("wrote %s: %s", args.out, weights)


if __name__ == "__main__":
    main()
