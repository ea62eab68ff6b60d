#!/usr/bin/env python
"""Would the real spinners' swaps help blind restoration of real news? (issue 39, a lead)

    SPINFIX_REAL_SPUN=... python experiments/diag_news_swaps.py --models models

Restores the real dev set's stories blind twice: as released, and with the news-prose swaps of
the spinner's real mode (spinfix.train.real_spinner: NEWS_SWAPS, CONTRACTIONS and the mined
fit-part swaps) added, turned around, to the swaps the restorer already knows it may undo
(CandidateGenerator.use_learned: they become candidates with the `learned` and `phrase`
evidence, and the phrases mark whole). The baseline's weights are the released ones, not
refitted. Prints the eval_real.py restoration figures of each split for both.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import spinfix
from spinfix.eval.real_spun import SPLITS, load_stories, sentence_records
from spinfix.lexicon.morphology import analyse
from spinfix.lexicon.tortured import load_swaps
from spinfix.train.real_spinner import CONTRACTIONS, NEWS_SWAPS, read_mined

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from eval_real import restoration  # noqa: E402


def news_table(mined_path: Path) -> dict[str, list[str]]:
    """spun -> originals, word forms and (single words) lemmas."""
    table: dict[str, list[str]] = defaultdict(list)
    pairs = [(o, s) for o, reps in (*NEWS_SWAPS.items(), *CONTRACTIONS.items()) for s in reps if s != o]
    pairs += [(m.original, m.spun) for m in read_mined(mined_path, split="fit")]
    for o, s in pairs:
        keys = [(s, o)]
        if " " not in s and " " not in o:
            ls, lo = (analyse(s) or ((s, ""),))[0][0], (analyse(o) or ((o, ""),))[0][0]
            keys.append((ls, lo))
        for k, v in keys:
            if v not in table[k]:
                table[k].append(v)
    return dict(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--mined", type=Path, default=Path("data/real/substitutions.tsv"))
    args = ap.parse_args()
    sf = spinfix.load(args.models)
    built = {split: [(s, sentence_records(s)) for s in load_stories(split=split)] for split in SPLITS}
    out: dict = {}
    shipped = load_swaps()
    for name, learned in (("released", shipped), ("with_news_swaps", {**shipped, **news_table(args.mined)})):
        sf.candidate_generator().use_learned(learned)
        for split, items in built.items():
            reports = sf.restore_many([b[0] for _, b in items], min_confidence=0.0)
            use = [s.quality in ("exact", "partial") for s, _ in items]
            out[f"{name}/{split}"] = restoration(reports, [b[2] for _, b in items], use, 0.0)
            print(name, split, json.dumps(out[f"{name}/{split}"]), flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
