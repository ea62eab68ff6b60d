#!/usr/bin/env python
"""Build the reference-check cases (spinfix.train.reference_data) from the White House items.

    python scripts/build_reference_data.py --out data/generated/reference     # make reference-data

Writes dev.jsonl (for fitting the derivation probability and the thresholds) and test.jsonl
(only for measuring), split by the reference article's split (train/data.py's hash), plus
same_event_sample.txt: the first same-event pairs' openings, for a person to check by eye.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
from pathlib import Path

import numpy as np

from spinfix.eval.tortured_pairs import load_pairs, phrase_table, swap_table
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.paths import shared_data_dir
from spinfix.reference.embed import SentenceEmbedder
from spinfix.train.data import Article, article_split, iter_wh_written
from spinfix.train.reference_data import SPIN_RATES, CaseMaker, reference_sentences, same_event_pairs, write_out
from spinfix.train.spinner import Spinner

logger = logging.getLogger(__name__)


def shared_sentences(a: Article, b: Article, min_words: int = 6) -> bool:
    """Whether two items have a sentence of `min_words` words or more in common, word for word."""
    def sentences(art: Article) -> set[str]:
        return {" ".join(s.lower().split()) for p in reference_sentences(art) for s in p if len(s.split()) >= min_words}

    return bool(sentences(a) & sentences(b))


def usable(article: Article) -> bool:
    sents = sum(len(p) for p in reference_sentences(article))
    return len(article.paragraphs) >= 4 and 8 <= sents <= 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("data/generated/reference"))
    ap.add_argument("--dev", type=int, default=120, help="reference articles for dev")
    ap.add_argument("--test", type=int, default=200, help="reference articles for test")
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    articles = list(iter_wh_written(shared_data_dir() / "corpora" / "wh_written.txt.gz"))
    pairs = [p for p in load_pairs() if p.split == "spinner"]
    spinner = Spinner.default(Lexicon.load(), tortured_swaps=swap_table(pairs), tortured_phrases=phrase_table(pairs))
    embedder = SentenceEmbedder()
    vectors: dict[int, np.ndarray] = {}

    def doc_vector(i: int) -> np.ndarray:
        if i not in vectors:
            e = embedder.embed(articles[i].paragraphs[:4]).unit.mean(0)
            vectors[i] = e / max(float(np.linalg.norm(e)), 1e-8)
        return vectors[i]

    args.out.mkdir(parents=True, exist_ok=True)
    sample_lines = []
    for split, n in (("dev", args.dev), ("test", args.test)):
        rng = random.Random(f"{args.seed}:{split}")
        # Neighbours may come from this split or from train, never from the other one.
        allowed = {i for i, a in enumerate(articles) if article_split(a.id) in (split, "train")}
        sources = [i for i, a in enumerate(articles) if article_split(a.id) == split and usable(a)]
        rng.shuffle(sources)
        sources = sorted(sources[:n])
        neighbours = {}
        for i in sources:
            near = [j for j in range(max(0, i - 20), min(len(articles), i + 21)) if j != i and j in allowed and usable(articles[j])]
            items = [i, *near]
            def sim(a: int, b: int, items: list[int] = items) -> float:
                # Items built from one template (fact sheets sharing paragraphs) are copies of
                # each other in part, not independent accounts of one event: never a pair.
                if shared_sentences(articles[items[a]], articles[items[b]]):
                    return 0.0
                return float(doc_vector(items[a]) @ doc_vector(items[b]))

            found = same_event_pairs([articles[k] for k in items], sim)
            hit = next((items[b] for a, b in found if a == 0), None)
            if hit is not None:
                neighbours[i] = hit
        maker = CaseMaker(spinner, rng)
        cases = []
        far = [i for i in allowed if usable(articles[i])]
        for i in sources:
            ref = articles[i]
            paras = reference_sentences(ref)
            ref_text = "\n".join(ref.paragraphs)
            base = {"split": split, "reference_article": ref.id}

            def add(kind: str, units_paras, derived: bool, rate: float, references: list[str] | None = None,
                    ref=ref, ref_text=ref_text, base=base, cases=cases, **extra) -> None:
                text, units = write_out(units_paras)
                refs = references or [ref_text]
                cases.append({"id": f"{ref.id}:{kind}", "kind": kind, "rate": rate, "derived": derived, "suspect": text,
                              "references": refs, "source_reference": refs.index(ref_text) if derived else None,
                              "units": units, **base, **extra})

            for rate in SPIN_RATES:
                add(f"spun_{rate}", maker.copy(paras, rate), True, rate)
            add("verbatim", maker.copy(paras, 0.0, merges=0.0, splits=0.0), True, 0.0)
            add("partial", maker.copy(paras, 0.3, partial=True), True, 0.3)
            add("rewrite", maker.copy(paras, 0.5, rewrite=True), True, 0.5)
            other = articles[rng.choice([j for j in far if abs(j - i) > 200])]
            refs = [ref_text, "\n".join(other.paragraphs)]
            rng.shuffle(refs)
            add("two_references", maker.copy(paras, 0.3), True, 0.3, references=refs)
            j = neighbours.get(i)
            if j is not None:
                nb = reference_sentences(articles[j])
                add("same_event", maker.plain(nb, 0.0), False, 0.0, suspect_article=articles[j].id)
                add("same_event_spun", maker.plain(nb, 0.3), False, 0.3, suspect_article=articles[j].id)
                if len(sample_lines) < 60:
                    sample_lines += [f"{split} {ref.id} ~ {articles[j].id}:", "  R: " + ref.paragraphs[0][:200],
                                     "  S: " + articles[j].paragraphs[0][:200], ""]
            u = articles[rng.choice([k for k in far if abs(k - i) > 200])]
            ur = reference_sentences(u)
            add("unrelated", maker.plain(ur, 0.0), False, 0.0, suspect_article=u.id)
            add("unrelated_spun", maker.plain(ur, 0.3), False, 0.3, suspect_article=u.id)
        with (args.out / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for c in cases:
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
        kinds: dict[str, int] = {}
        for c in cases:
            kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
        logger.info("%s: %d cases from %d references (%d with a same-event neighbour): %s",
                    split, len(cases), len(sources), len(neighbours), kinds)
    (args.out / "same_event_sample.txt").write_text("\n".join(sample_lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
