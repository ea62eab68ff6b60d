#!/usr/bin/env python
"""How short inputs are read: a sentence or a phrase alone, against the same in more text.

    python scripts/eval_short_inputs.py --models models --out data/eval/short_inputs.json   # make eval-short

1. The held-out real tortured phrases (the dev file's held-out half) each in a plain short
   carrier (spinfix.eval.tortured.PLAIN_CARRIERS: "We used {}.", written for spinfix, never
   trained on): flagged on the phrase, and the control (the correct phrase in the same carrier)
   flagged. `make eval` gives the same in the evaluation's longer templates.
2. The real dev set's spun sentences (spinfix.eval.real_spun; needs $SPINFIX_REAL_SPUN, else
   skipped) each read alone, against the same sentences read in their articles; and the
   originals' sentences alone.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.errors import InputError
from spinfix.eval.real_spun import load_stories, sentence_records
from spinfix.eval.tortured import PLAIN_CARRIERS, tortured_flag_rate
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import shared_data_dir
from spinfix.text.document import Document
from spinfix.train.settings import write_figures


def real_sentences(sf: spinfix.Spinfix, split: str) -> dict | None:
    try:
        stories = load_stories(split=split)
    except InputError as exc:
        logging.warning("real stories skipped: %s", exc)
        return None
    built = [sentence_records(s) for s in stories]
    spun = [r["text"] for b in built for r in b[2] if r["spun"]]
    in_article = {(i, r["start"]): r for i, b in enumerate(built) for r in b[2] if r["spun"]}
    reports = sf.detect_many([b[0] for b in built])
    flagged_in_article = sum(
        s.is_spun for i, rep in enumerate(reports) for s in rep.sentences if (i, s.start) in in_article
    )
    alone = sf.detect_many(spun)
    originals = [seg.text for b in built for seg in Document.from_text(b[1]).sentences]
    originals_alone = sf.detect_many(originals)
    return {
        "split": split, "spun_sentences": len(spun),
        "flagged_alone": round(sum(r.is_spun for r in alone) / len(spun), 4) if spun else None,
        "flagged_in_article": round(flagged_in_article / len(spun), 4) if spun else None,
        "original_sentences": len(originals),
        "originals_flagged_alone": round(sum(r.is_spun for r in originals_alone) / len(originals), 4) if originals else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    held = [p for p in load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv") if p.split == "heldout"]
    result: dict = {"threshold": sf.threshold, "tortured_heldout_plain_carriers": tortured_flag_rate(sf, held, PLAIN_CARRIERS)}
    logging.info("%s", result)
    for split in ("measure", "fit"):
        got = real_sentences(sf, split)
        if got is not None:
            result[f"real_{split}"] = got
    print(json.dumps(result, indent=2))
    if args.out:
        write_figures(args.out, result)


if __name__ == "__main__":
    main()
