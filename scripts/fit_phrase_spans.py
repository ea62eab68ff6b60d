#!/usr/bin/env python
"""Pick how suspicious a phrase's words must be for a mark to grow over the whole phrase.

    python scripts/fit_phrase_spans.py --models models --write

A marked word inside a phrase a spinner emits whole grows to the whole phrase when every word of
it has at least `phrase_floor` (spinfix/detect/spans.py). The floor is the one of --floors that
gives the best exact span F1 on the dev split's news articles, each read as one text (as
make eval reads the test split); "none" (no growing) is one of the choices. With --write it goes
into the detector's spinfix.json; the sweep goes to data/eval/phrase_spans.json either way.
Run it after the span threshold and the context are fitted (make train runs it last).
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import spinfix
from spinfix.eval.detection import evaluate_split
from spinfix.eval.records import read_jsonl
from spinfix.train.settings import write_figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--articles", type=Path, default=Path("data/generated/detector-news/dev.jsonl"))
    ap.add_argument("--floors", default="none,0.0,0.05,0.1,0.15,0.2,0.3")
    ap.add_argument("--write", action="store_true", help="save the chosen floor in spinfix.json")
    ap.add_argument("--out", type=Path, default=Path("data/eval/phrase_spans.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    if sf.phrases is None:  # the release had no floor: load the phrase lexicon to try some
        sf.scorer.phrases = sf.phrase_lexicon().emitted_whole
    dev = list(read_jsonl(args.articles))
    cfg = sf.detector.config
    sweep = []
    for f in args.floors.split(","):
        cfg.phrase_floor = None if f == "none" else float(f)
        ev = evaluate_split(sf, dev, articles=True)
        sweep.append({"phrase_floor": cfg.phrase_floor, "span_exact": ev["span_exact"], "word": ev["word"]})
        logging.info("floor %s: span F1 %.4f, word F1 %.4f", f, ev["span_exact"]["f1"], ev["word"]["f1"])
    best = max(sweep, key=lambda s: s["span_exact"]["f1"])
    cfg.phrase_floor = best["phrase_floor"]
    result = {"split": str(args.articles), "sentences": len(dev), "chosen": best["phrase_floor"], "sweep": sweep}
    if args.write:
        from spinfix.detect.encoder import CONFIG_NAME

        det_dir = args.models / "detector" if (args.models / "detector").is_dir() else args.models
        cfg.save(det_dir / CONFIG_NAME)
        logging.info("wrote %s", det_dir / CONFIG_NAME)
    write_figures(args.out, result)
    print(json.dumps({"chosen": best["phrase_floor"], "span_f1": best["span_exact"]["f1"]}))


if __name__ == "__main__":
    main()
