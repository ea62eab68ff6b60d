#!/usr/bin/env python
"""Diagnostic (an experiment, not part of a release): which language identifier should the
language gate use? Each candidate package that carries its model and runs offline (py3langid,
cld3-py, pycld2, lingua) reads the same texts, and says per text its top language and how sure it
is. Reported per package and per set: the share called English and the share called another
language at several levels of sureness, and the time per text.

    pip install cld3-py pycld2 lingua-language-detector   # py3langid comes with spinfix
    python experiments/diag_language_ids.py --out data/eval/diag_language_ids.json   # ~2 min

English sets (none of them may be called another language): the test split's clean sentences
alone, its spun sentences alone, the White House paragraphs of the test split's articles (their
lines as they stand), and held-out real tortured phrases in the evaluation's template sentences.
Other languages: data/languages/dev (paragraphs written for spinfix, ten languages). The test
part of that set is not read here: it measures the chosen gate (scripts/eval_language.py).

Result (2026-12-06, 1,000 texts per English set): py3langid called no English text another
language at 0.5 or more (the most it gave another language was 0.44, Nigerian Pidgin) and named
every dev paragraph of the ten languages, the lowest at 0.61 (Indonesian); pycld2 was as clean on
English and faster but missed 2 of 10 Spanish and 1 of 10 Indonesian paragraphs; cld3-py called
0.5 % of English sentences another language; lingua was as good on both sides, 20x slower and
96 MB. The gate uses py3langid at 0.5.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from spinfix.eval.records import read_jsonl
from spinfix.eval.tortured import placed
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import shared_data_dir
from spinfix.train.data import article_split, iter_wh_written

LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99)


def identifiers() -> dict[str, Callable[[str], tuple[str, float]]]:
    """Package name -> text -> (ISO 639-1 code, probability)."""
    out: dict[str, Callable[[str], tuple[str, float]]] = {}
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    out["py3langid"] = lambda t: ident.classify(t)

    import gcld3

    cld3 = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=4000)

    def by_cld3(t: str) -> tuple[str, float]:
        r = cld3.FindLanguage(text=t)
        return r.language.split("-")[0], float(r.probability)

    out["cld3-py"] = by_cld3

    import pycld2

    def by_cld2(t: str) -> tuple[str, float]:
        try:
            reliable, _, details = pycld2.detect(t)
        except pycld2.error:
            return "un", 0.0
        code, percent = details[0][1], details[0][2]
        return ("un" if code == "un" else code.split("-")[0]), percent / 100.0 if reliable else percent / 200.0

    out["pycld2"] = by_cld2

    from lingua import LanguageDetectorBuilder

    lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def by_lingua(t: str) -> tuple[str, float]:
        conf = lingua.compute_language_confidence_values(t)
        if not conf:
            return "un", 0.0
        best = conf[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)

    out["lingua"] = by_lingua
    return out


def english_sets(data: Path, n: int) -> dict[str, list[str]]:
    test = list(read_jsonl(data / "test.jsonl"))
    clean = sorted({r["clean"] for r in test})[:n]
    spun = [r["text"] for r in test if r["spun"]][:n]
    paras: list[str] = []
    for art in iter_wh_written(shared_data_dir() / "corpora" / "wh_written.txt.gz"):
        if article_split(art.id) == "test":
            paras += art.paragraphs
        if len(paras) >= n:
            break
    held = [p for p in load_pairs() if p.split == "heldout"][:n]
    return {"en_clean_sentences": clean, "en_spun_sentences": spun, "en_wh_paragraphs": paras[:n],
            "en_tortured_sentences": placed(held)[0]}


def other_sets(folder: Path) -> dict[str, list[str]]:
    return {f"{p.stem}_dev": [line for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in sorted(folder.glob("*.txt"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--other", type=Path, default=Path("data/languages/dev"))
    ap.add_argument("--n", type=int, default=1000, help="texts per English set")
    ap.add_argument("--out", type=Path, default=Path("data/eval/diag_language_ids.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sets = {**english_sets(args.data, args.n), **other_sets(args.other)}
    result: dict = {"sets": {k: len(v) for k, v in sets.items()}, "levels": LEVELS, "packages": {}}
    for name, ident in identifiers().items():
        per: dict = {}
        seconds, texts = 0.0, 0
        for set_name, items in sets.items():
            truth = "en" if set_name.startswith("en_") else set_name.split("_")[0]
            t = time.perf_counter()
            got = [ident(x) for x in items]
            seconds += time.perf_counter() - t
            texts += len(items)
            n = max(len(got), 1)
            row = {"right": round(sum(lang == truth for lang, _ in got) / n, 4)}
            if truth == "en":  # what the gate must never do: call English another language
                row["other_at"] = {str(lv): round(sum(lang != "en" and p >= lv for lang, p in got) / n, 4) for lv in LEVELS}
                row["examples"] = [(x[:90], lang, round(p, 3)) for x, (lang, p) in zip(items, got) if lang != "en"][:5]
            else:  # and what it is for: another language called so
                row["not_english_at"] = {str(lv): round(sum(lang != "en" and p >= lv for lang, p in got) / n, 4) for lv in LEVELS}
            per[set_name] = row
        per["ms_per_text"] = round(1000 * seconds / max(texts, 1), 3)
        result["packages"][name] = per
        logging.info("%s: %s", name, json.dumps(per)[:1500])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
