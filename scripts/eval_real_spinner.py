#!/usr/bin/env python
"""How real the spinner is: of the substitutions real spinners made in the real dev set's
measuring part, the share each spinner can produce, and how likely it is to produce each.

    python scripts/eval_real_spinner.py --out data/eval/real_spinner.json   # make eval-real-spinner
    python scripts/eval_real_spinner.py --only STORY_ID ...                 # some stories only

Compares the thesaurus spinner (the one the released models learned from) with its real mode
(spinfix.train.real_spinner) on the mined fit-part substitutions (data/real/substitutions.tsv).
Measures are spinfix.train.realism's: `producible` (the spun form is among what the spinner can
put in for the original) and the probability of the exact spun form at its place when the
spinner spins the paragraph at rate 1. Needs the stories ($SPINFIX_REAL_SPUN).
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from spinfix.errors import InputError
from spinfix.eval.real_spun import load_stories
from spinfix.eval.tortured_pairs import load_pairs, phrase_table, swap_table
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.paths import shared_data_dir
from spinfix.train.real_mining import story_substitutions
from spinfix.train.real_spinner import REAL_MODE_VERSION, RealSpinner, read_mined
from spinfix.train.realism import producible, realism
from spinfix.train.spinner import SPINNER_VERSION, Spinner


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=Path, default=None, help="default: $SPINFIX_REAL_SPUN")
    ap.add_argument("--mined", type=Path, default=Path("data/real/substitutions.tsv"))
    ap.add_argument("--split", default="measure")
    ap.add_argument("--only", nargs="+", default=None, metavar="STORY_ID")
    ap.add_argument("--samples", type=int, default=50, help="spins per substitution for its probability")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stories = load_stories(args.stories, args.split) if args.stories else load_stories(split=args.split)
    if args.only:
        stories = [s for s in stories if s.story_id in set(args.only)]
    subs = [sub for s in stories for sub in story_substitutions(s)]
    pairs = [p for p in load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv") if p.split == "spinner"]
    base = Spinner.default(Lexicon.load(), tortured_swaps=swap_table(pairs), tortured_phrases=phrase_table(pairs))
    real = RealSpinner.from_spinner(base, read_mined(args.mined, split="fit"))
    result = {
        "split": args.split, "stories": [s.story_id for s in stories],
        "substitutions_all": len(subs), "insertions_deletions_or_typographic": sum(not s.is_swap for s in subs),
        f"thesaurus_{SPINNER_VERSION}": realism(base, subs, args.samples).to_dict(),
        f"real_{REAL_MODE_VERSION}": realism(real, subs, args.samples).to_dict(),
        # Counts only: which measuring-part swaps are missing is not for tuning the tables to.
        "real_not_producible_inside_names": sum(s.is_swap and s.in_name and not producible(real, s.original, s.spun) for s in subs),
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    try:
        main()
    except InputError as exc:  # no stories here: say where they go, without a traceback
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
