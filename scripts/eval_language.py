#!/usr/bin/env python
"""The language gate's figures: other languages never flagged, English never turned away, and
what the gate costs.

    python scripts/eval_language.py --models models --out data/eval/language.json   # make eval-language

- Other languages: the test part of data/languages (paragraphs written for spinfix, ten
  languages, 20 each; the dev part chose the identifier), each paragraph one text, read by the
  released models with the LM reading, with the gate and without it: the share of paragraphs
  with a sentence flagged, and the share the gate leaves unjudged.
- English: texts that must all be judged: the test split's clean and spun sentences, each alone;
  the test split's articles, each one text (one sentence a line, as `make eval` reads them); the
  White House paragraphs of the test split's articles; held-out real tortured phrases in the
  evaluation's template sentences. Reported: the share of texts with a sentence left unjudged.
- Cost: the gate's time over all the English texts against detection without the LM reading
  over the same texts (best of 3, interleaved), on this CPU.
"""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import spinfix
from spinfix.eval.detection import as_articles
from spinfix.eval.records import read_jsonl
from spinfix.eval.tortured import placed
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import shared_data_dir
from spinfix.text.document import split_sentences
from spinfix.text.language import LanguageGate
from spinfix.train.data import article_split, iter_wh_written
from spinfix.train.settings import write_figures


def english_texts(data: Path, n: int) -> dict[str, list[str]]:
    test = list(read_jsonl(data / "test.jsonl"))
    paras: list[str] = []
    for art in iter_wh_written(shared_data_dir() / "corpora" / "wh_written.txt.gz"):
        if article_split(art.id) == "test":
            paras += art.paragraphs
    held = [p for p in load_pairs() if p.split == "heldout"]
    return {
        "clean_sentences_alone": [r["clean"] for r in test][:n],
        "spun_sentences_alone": [r["text"] for r in test if r["spun"]][:n],
        "test_articles": [a.text for a in as_articles(test)],
        "wh_test_paragraphs": paras[:n],
        "tortured_template_sentences": placed(held)[0][:n],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--languages", type=Path, default=Path("data/languages/test"))
    ap.add_argument("--n", type=int, default=3000, help="texts per English set at most")
    ap.add_argument("--out", type=Path, default=Path("data/eval/language.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    result: dict = {"other_languages": {}, "english": {}}

    sf = spinfix.load(args.models)
    ungated = spinfix.Spinfix(sf.detector, rewriter_dir=sf.rewriter_dir, phrases=sf.phrases, language_gate=False)
    totals = {"paragraphs": 0, "flagged_gated": 0, "flagged_ungated": 0, "not_judged": 0}
    for path in sorted(args.languages.glob("*.txt")):
        paras = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        gated, plain = sf.detect_many(paras), ungated.detect_many(paras)
        row = {
            "paragraphs": len(paras),
            "flagged_with_gate": sum(r.is_spun for r in gated),
            "flagged_without_gate": sum(r.is_spun for r in plain),
            "not_judged": sum(len(r.not_checked) == len(r.sentences) for r in gated),
            "languages_named": sorted({s.language for r in gated for s in r.not_checked if s.language}),
        }
        result["other_languages"][path.stem] = row
        totals["paragraphs"] += len(paras)
        totals["flagged_gated"] += row["flagged_with_gate"]
        totals["flagged_ungated"] += row["flagged_without_gate"]
        totals["not_judged"] += row["not_judged"]
        logging.info("%s: %s", path.stem, row)
    result["other_languages_total"] = totals

    gate = LanguageGate()
    sets = english_texts(args.data, args.n)
    for name, texts in sets.items():
        turned = [t for t in texts if any(v is not None for v in sf.scorer.languages(t, split_sentences(t)))]
        result["english"][name] = {"texts": len(texts), "not_judged": len(turned), "share": round(len(turned) / max(len(texts), 1), 5),
                                   "examples": [t[:120] for t in turned[:5]]}
        logging.info("%s: %d of %d with a sentence not judged", name, len(turned), len(texts))

    # The gate's cost against detection without the LM reading, on the same English texts.
    plain_sf = spinfix.load(args.models, lm_reading=False)
    texts = [t for ts in sets.values() for t in ts][:2000]
    docs = [split_sentences(t) for t in texts]
    gate_s, detect_s = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        for t, d in zip(texts, docs):
            plain_sf.scorer.languages(t, d)
        gate_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        plain_sf.detect_many(texts)
        detect_s.append(time.perf_counter() - t0)
    result["cost"] = {"texts": len(texts), "gate_s": round(min(gate_s), 3), "detect_no_lm_reading_s": round(min(detect_s), 2),
                      "gate_share_of_detect": round(min(gate_s) / min(detect_s), 4), "gate": gate.settings.__dict__}
    logging.info("cost: %s", result["cost"])
    write_figures(args.out, result)


if __name__ == "__main__":
    main()
