#!/usr/bin/env python
"""Evaluate a detector checkpoint; write the figures to data/eval/detector.json.

    python scripts/eval_detector.py --models models --data data/generated/detector

Figures: sentence P/R/F1/AUC, exact span F1 and word F1 on the synthetic test split, each
sentence read alone and inside its article (its article's sentences as one text, so that the
neighbours count: spinfix/detect/context.py); the share of clean held-out sentences flagged (the test
split's original sentences, never spun), alone and as whole articles; a clean and a spun article
pasted into one text (how far a verdict spreads across the seam); dev tortured
phrases placed in ordinary sentences, for the held-out half (never seen by the spinner) and the
spinner half (and the held-out phrases whose swap changed part of a hyphenated word), and the
held-out ones in ten-sentence "papers" where they have neighbours; and the
spinner's realism against the real word swaps of both halves.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import spinfix
from spinfix.eval.detection import (
    clean_article_flag_rate,
    clean_flag_rate,
    evaluate_split,
    mixed_article_flag_rates,
)
from spinfix.eval.records import read_jsonl
from spinfix.eval.tortured import (
    hyphen_part_detection,
    spinner_number_changes,
    spinner_realism,
    tortured_flag_rate,
    tortured_paper_flag_rates,
)
from spinfix.eval.tortured_pairs import load_pairs, phrase_table, swap_table
from spinfix.paths import shared_data_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None, help="models folder (default: the checkout's models/)")
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=None, help="evaluate on the first N records only")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--out", type=Path, default=Path("data/eval/detector.json"))
    ap.add_argument("--skip-realism", action="store_true")
    ap.add_argument("--tortured-only", action="store_true",
                    help="re-measure only the tortured-phrase figures, updating them in --out (same model and threshold)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    t0 = time.time()
    sf = spinfix.load(args.models, threshold=args.threshold)
    records = list(read_jsonl(args.data / f"{args.split}.jsonl"))[: args.limit]
    pairs = load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv")
    held = [p for p in pairs if p.split == "heldout"]
    seen = [p for p in pairs if p.split == "spinner"]
    if args.tortured_only:
        update_tortured(args.out, sf, held, seen, t0)
        return
    result = {
        "model": sf.detector.name,
        "threshold": sf.threshold,
        "calibration": list(sf.detector.config.calibration),
        "split": args.split,
        "context": sf.context.to_dict() if sf.context is not None else None,
        "synthetic": evaluate_split(sf, records),
        "synthetic_in_article": evaluate_split(sf, records, articles=True),
        "clean_heldout": clean_flag_rate(sf, sorted({r["clean"] for r in records})),
        "clean_heldout_in_article": clean_article_flag_rate(sf, records),
        "mixed_articles": mixed_article_flag_rates(sf, records),
        "tortured_heldout": tortured_flag_rate(sf, held),
        "tortured_heldout_papers": tortured_paper_flag_rates(sf, held),
        "tortured_spinner_share": tortured_flag_rate(sf, seen),
        "tortured_heldout_hyphen_parts": hyphen_part_detection(sf, held),
    }
    if not args.skip_realism:
        from spinfix.train.spinner import Spinner

        spinner = Spinner.default(tortured_swaps=swap_table(seen), tortured_phrases=phrase_table(seen))
        result["spinner_realism"] = {"heldout": spinner_realism(spinner, held), "spinner_share": spinner_realism(spinner, seen)}
        clean = sorted({r["clean"] for r in records})[:3000]
        result["spinner_number_changes"] = spinner_number_changes(spinner, clean, pairs)
    result["seconds"] = round(time.time() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def update_tortured(out: Path, sf: spinfix.Spinfix, held: list, seen: list, t0: float) -> None:
    """The tortured-phrase figures measured again into an existing result of the same model."""
    if not out.exists():
        raise SystemExit(f"{out} not found: run the whole evaluation first")
    result = json.loads(out.read_text())
    if (result.get("model"), result.get("threshold")) != (sf.detector.name, sf.threshold):
        raise SystemExit(f"{out} holds another model or threshold: run the whole evaluation")
    result.update({
        "tortured_heldout": tortured_flag_rate(sf, held),
        "tortured_heldout_papers": tortured_paper_flag_rates(sf, held),
        "tortured_spinner_share": tortured_flag_rate(sf, seen),
        "tortured_heldout_hyphen_parts": hyphen_part_detection(sf, held),
        "tortured_seconds": round(time.time() - t0, 1),
    })
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k.startswith("tortured")}, indent=2))


if __name__ == "__main__":
    main()
