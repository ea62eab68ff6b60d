#!/usr/bin/env python
"""Diagnostic: where real tortured phrases are lost when the baseline is handed the phrase.

    python experiments/diag_tortured.py --models models --phrases 300   # ~1 min

N phrases of the dev file's spinner share, its "check" part (never the held-out share), each in
its evaluation template and handed to the baseline as the one span; the candidates undo the
learned swaps of the share's "fit" part only (`--learned-from none`: none), so these phrases
stand in for unseen ones whose words other real phrases taught. Each phrase falls in one class:

- restored: the sentence comes back exactly;
- unequal, unreachable: the phrases differ in word count and no choice of the units'
  candidates spells the correct phrase ("radio recurrence recognizable proof");
- unreachable: the same word count, and some word's original is missing from its unit's
  candidates (or a unit spans words the correct phrase does not group so);
- reachable, wrong: some choice spells it, and the scores preferred another.

Writes data/eval/diag_tortured.json with the counts and examples of each class. Not a release
figure: where to work next.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.restoration import check_phrases, restore_given, spells
from spinfix.eval.tortured import placed
from spinfix.restore.rules import SpanTask

EXAMPLES = 12


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--phrases", type=int, default=300)
    ap.add_argument("--learned-from", choices=["none", "fit"], default="fit")
    ap.add_argument("--out", type=Path, default=Path("data/eval/diag_tortured.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    pairs, learned = check_phrases(args.phrases, args.learned_from)  # tune_restore.py --tortured's phrases
    gen = sf.restorer("baseline").candidates
    gen.use_learned(learned)
    spun, clean, where = placed(pairs)
    restored = restore_given(sf, [SpanTask(t, (w,)) for t, w in zip(spun, where)], "baseline")
    classes: dict[str, list[dict]] = {"restored": [], "unequal, unreachable": [], "unreachable": [], "reachable, wrong": []}
    for p, s, c, w, r in zip(pairs, spun, clean, where, restored):
        units = gen.span_units(s, [w])[0]
        if r == c:
            cls = "restored"
        elif spells(units, s, w, p.correct):
            cls = "reachable, wrong"
        elif len(p.tortured_bare.split()) != len(p.correct.split()):
            cls = "unequal, unreachable"
        else:
            cls = "unreachable"
        got = r[w[0] : len(r) - (len(s) - w[1])]
        classes[cls].append({"tortured": p.tortured_bare, "correct": p.correct, "restored": got,
                             "units": [u.text for u in units], "candidates": [len(u.candidates) - 1 for u in units]})
    n = max(len(pairs), 1)
    out = {
        "phrases": len(pairs), "learned_from": args.learned_from,
        "classes": {k: {"count": len(v), "share": round(len(v) / n, 4), "examples": v[:EXAMPLES]} for k, v in classes.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps({k: (v["count"], v["share"]) for k, v in out["classes"].items()}))


if __name__ == "__main__":
    main()
