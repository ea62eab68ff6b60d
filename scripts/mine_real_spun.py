#!/usr/bin/env python
"""Mine the real dev set: what real spinners substituted, with counts, written as facts.

    python scripts/mine_real_spun.py            # make mine-real  (SPINFIX_REAL_SPUN: the stories' folder)

Reads the stories of the real dev set (spinfix.eval.real_spun: real content-farm copies and
their originals, kept outside the repository) and writes, under data/real/:

    stories.tsv        each story's facts: id, split, quality, topic, URLs, paragraphs, words
    substitutions.tsv  original -> spun with its count, split, the stories it came from, whether
                       it sits inside a name or title, and the reference check's kind of difference
    summary.json       counts per split: stories, words, substitutions, types, spintax debris

No text of a page is written, only phrases of at most four words and their counts. The spinner's
real mode (spinfix.train.real_spinner) learns from the "fit" rows only; the "measure" rows are
what its realism is measured on (scripts/eval_real_spinner.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from spinfix.errors import InputError
from spinfix.eval.real_spun import SPLITS, load_stories, real_spun_dir
from spinfix.train.real_mining import spintax_debris, story_substitutions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=Path, default=None, help="the stories' folder (default: $SPINFIX_REAL_SPUN)")
    ap.add_argument("--out", type=Path, default=Path("data/real"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stories = load_stories(args.stories or real_spun_dir())
    args.out.mkdir(parents=True, exist_ok=True)

    with (args.out / "stories.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        cols = ["story_id", "split", "quality", "topic", "spun_url", "original_url", "paragraphs", "spun_words"]
        w.writerow(cols)
        for s in stories:
            facts = s.facts()
            w.writerow([facts[c] for c in cols])

    counts: Counter[tuple[str, str, str]] = Counter()
    where: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    in_name: dict[tuple[str, str, str], bool] = {}
    kinds: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    summary: dict[str, dict] = {sp: Counter() for sp in SPLITS}
    for s in stories:
        part = summary[s.split]
        part["stories"] += 1
        part["spun_words"] += s.facts()["spun_words"]
        part["spintax_debris"] += len(spintax_debris(s))
        for sub in story_substitutions(s):
            key = (sub.original.lower(), sub.spun.lower(), s.split)
            counts[key] += 1
            where[key].add(s.story_id)
            in_name[key] = in_name.get(key, False) or sub.in_name
            kinds[key][sub.kind] += 1
            part["substitutions"] += 1
    for sp in SPLITS:
        summary[sp]["types"] = sum(1 for k in counts if k[2] == sp)

    with (args.out / "substitutions.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["original", "spun", "count", "split", "in_name", "kind", "stories"])
        for key, n in sorted(counts.items(), key=lambda kv: (kv[0][2], -kv[1], kv[0][0], kv[0][1])):
            w.writerow([key[0], key[1], n, key[2], int(in_name[key]), kinds[key].most_common(1)[0][0], ",".join(sorted(where[key]))])
    (args.out / "summary.json").write_text(json.dumps({sp: dict(c) for sp, c in summary.items()}, indent=2) + "\n")
    logging.info("%d stories -> %s: %s", len(stories), args.out, json.dumps({sp: dict(c) for sp, c in summary.items()}))


if __name__ == "__main__":
    try:
        main()
    except InputError as exc:  # no stories here: say where they go, without a traceback
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
