#!/usr/bin/env python
"""Find the source at scale: an index of `--documents` items (default 100,000), its search
latency, memory and size on disk, and recall on spun copies among that many documents.

    make reference-data eval-index                       # the 10,814-item index and the queries
    python scripts/bench_index_scale.py --out data/eval/index_scale.json    # make bench-index

1. The index: a copy of the evaluation's index (`--base`, every White House item and the SOTU
   speeches) filled up to `--documents` with digest pages: each 3 to 6 paragraphs drawn from
   different White House items (public domain; seeded). They are hard filler: a digest shares
   whole paragraphs, names and numbers with the items the queries were made from. They are
   added with `spinfix.index.build(..., add=True)`, the `spinfix index add` code, their vectors
   from their first `--filler-sentences` sentence (default 1, so the add takes well under an
   hour on two cores instead of several; the White House items keep the index's 16).
2. Search: `--queries` of the evaluation's derived queries (every n-th; spun at 0.15/0.3/0.5,
   partial copies, rewrites), each searched once per signal after a warm-up; mean, p50, p95 and
   max seconds per search (features included), and recall@1/@10 of each.
3. Memory and disk: the resident memory of this process after Index.open and after the searches
   (what search keeps: the faiss vectors in RAM; MinHash arrays memory-mapped, paged in as read),
   and the bytes on disk per document by file kind. Per million documents = per document × 10⁶:
   every array grows linearly with the documents, and the segments are independent.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from eval_index import DERIVED_KINDS, corpus_articles

from spinfix.batch.progress import JobProgress
from spinfix.index import Index, build
from spinfix.index.features import Featurizer
from spinfix.index.store import read_meta
from spinfix.train.settings import write_figures

log = logging.getLogger("bench_index_scale")
SIGNALS = ("combined", "immutables", "embedding", "words")
ADD_FIGURES = "bench_add.json"  # the add's figures, kept beside the index for the measuring process


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_digests(path: Path, n: int, seed: int) -> None:
    """`n` digest pages as JSONL: each 3-6 paragraphs of different White House items."""
    paragraphs = [(a.id, p) for a in corpus_articles() if a.id.startswith("wh-") for p in a.paragraphs if len(p.split()) >= 12]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            picked: dict[str, str] = {}
            while len(picked) < rng.randint(3, 6):
                src, para = rng.choice(paragraphs)
                picked.setdefault(src, para)
            f.write(json.dumps({"id": f"digest:{i}", "text": "\n".join(picked.values())}, ensure_ascii=False) + "\n")


def disk_per_document(root: Path, documents: int) -> dict[str, float]:
    """Bytes on disk per document, by file kind (summed over segments)."""
    sizes: dict[str, int] = {}
    for f in root.glob("seg-*/*"):
        kind = f.name.split(".")[0]
        sizes[kind] = sizes.get(kind, 0) + f.stat().st_size
    return {k: round(v / documents, 1) for k, v in sorted(sizes.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, default=Path("data/generated/index"))
    ap.add_argument("--index", type=Path, default=Path("data/generated/index-100k"))
    ap.add_argument("--cases", type=Path, default=Path("data/generated/reference/test.jsonl"))
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--filler-sentences", type=int, default=1)
    ap.add_argument("--queries", type=int, default=190)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    result: dict = {}
    if not (args.index / "index.json").exists():
        if args.index.exists():
            shutil.rmtree(args.index)
        shutil.copytree(args.base, args.index)
    base_docs = read_meta(args.index).documents
    missing = args.documents - base_docs
    if missing > 0:
        corpus = args.index.with_suffix(".digests.jsonl")
        write_digests(corpus, missing, args.seed)
        settings = read_meta(args.index).settings
        t = time.perf_counter()
        summary = build(corpus, args.index, add=True, featurizer=Featurizer(replace(settings, max_sentences=args.filler_sentences)),
                        progress=JobProgress(description="digests"))
        seconds = time.perf_counter() - t
        add = {"documents": summary.added, "seconds": round(seconds, 1), "documents_per_s": round(summary.added / seconds, 1),
               "filler_sentences": args.filler_sentences}
        (args.index / ADD_FIGURES).write_text(json.dumps(add))
        log.info("added %d digests in %.0f s; measuring in a fresh process", summary.added, seconds)
        # Memory is measured in a process that has done nothing but open and search.
        os.execv(sys.executable, [sys.executable, *sys.argv])
    if (args.index / ADD_FIGURES).exists():
        result["add"] = json.loads((args.index / ADD_FIGURES).read_text())
    before = rss_mb()
    t = time.perf_counter()
    ix = Index.open(args.index)
    result.update({"documents": len(ix), "segments": len(ix.segments), "open_seconds": round(time.perf_counter() - t, 3),
                   "rss_mb_before_open": round(before, 1), "rss_mb_after_open": round(rss_mb(), 1)})
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()]
    derived = [c for c in cases if c["kind"] in DERIVED_KINDS]
    per_kind = max(1, args.queries // len(DERIVED_KINDS))  # as many of each kind, evenly through its cases
    queries = []
    for kind in DERIVED_KINDS:
        of_kind = [c for c in derived if c["kind"] == kind]
        queries += of_kind[:: max(1, len(of_kind) // per_kind)][:per_kind]
    ix.search(queries[0]["suspect"], k=10)  # loads the sentence encoder
    result["rss_mb_encoder_loaded"] = round(rss_mb(), 1)
    result["queries"] = len(queries)
    result["signals"] = {}
    for signal in SIGNALS:
        times, ranks = [], []
        for c in queries:
            t = time.perf_counter()
            hits = ix.search(c["suspect"], k=10, signal=signal)
            times.append(time.perf_counter() - t)
            ids = [h.id for h in hits]
            ranks.append(ids.index(c["reference_article"]) + 1 if c["reference_article"] in ids else None)
        result["signals"][signal] = {
            "recall@1": round(float(np.mean([r == 1 for r in ranks])), 4),
            "recall@10": round(float(np.mean([r is not None for r in ranks])), 4),
            "latency_mean_s": round(float(np.mean(times)), 4), "latency_p50_s": round(float(np.percentile(times, 50)), 4),
            "latency_p95_s": round(float(np.percentile(times, 95)), 4), "latency_max_s": round(float(np.max(times)), 4),
        }
        log.info("%s: %s", signal, result["signals"][signal])
    result["rss_mb_after_searches"] = round(rss_mb(), 1)
    result["rss_mb_peak"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    per_doc = disk_per_document(args.index, len(ix))
    result["disk_bytes_per_document"] = per_doc
    arrays = sum(v for k, v in per_doc.items() if k != "docs")
    result["per_million_documents_gb"] = {
        "arrays_on_disk": round(arrays * 1e6 / 1e9, 2),
        "vectors_in_ram": round(per_doc.get("vectors", 0.0) * 1e6 / 1e9, 2),
        "texts_on_disk": round(per_doc.get("docs", 0.0) * 1e6 / 1e9, 2),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        write_figures(args.out, result)


if __name__ == "__main__":
    main()
