#!/usr/bin/env python
"""Speed and memory of `spinfix batch --task detect --no-lm-reading`.

    python scripts/bench_batch.py --models models --out data/eval/bench_batch.json   # make bench-batch

1. Throughput: a job over `--docs` documents (White House paragraphs, public domain, as JSONL)
   run in this process with the local engine, against the detector's raw forward over the same
   sentences in the same batches (each shard's sentences windowed, length-sorted and padded as
   Detector.score does; only `model(...)` timed). Both after the models are loaded; the ratio
   is the job's sentences/s over the raw forward's, so it says what reading, segmenting,
   tokenising, building reports and writing Parquet shards cost on top.
2. Memory: peak resident memory of the `spinfix batch` command, each run in a fresh process, on
   `--memory` documents (default 10,000 and 100,000), and its resident memory when the job is
   done (the peak comes while the models load; the end shows what the shards left behind). The documents are one short sentence
   each, so that 100k of them run in minutes on two cores: what could grow with the input's size
   is per-document bookkeeping, not the text of one shard.
3. Ray: the same `--ray-docs` job with `--engine ray` on a Ray started for it on this machine
   (two actors sharing the CPU) against the local engine, model loading included in both; the
   cluster's start is timed apart. Skipped when Ray is not installed (make setup-ray).

A GPU is used when torch sees one (fp16, larger batches); the figures then say so.
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import torch

import spinfix
from spinfix.batch import BatchSettings, Record, read_records, run_job
from spinfix.batch.plan import plan_input, read_shard
from spinfix.eval.speed import raw_detector_forward
from spinfix.paths import shared_data_dir
from spinfix.text.document import Document, split_sentences
from spinfix.train.settings import write_figures

CORPUS = shared_data_dir() / "corpora" / "wh_written.txt.gz"
# The memory runs' one-sentence documents come from both White House files (100k sentences).
SHORT_CORPORA = (CORPUS, shared_data_dir() / "corpora" / "wh_spoken.txt.gz")

# Runs `spinfix batch ...` in a fresh process and writes its peak resident memory, and its
# resident memory once the job is done (what it holds after every shard), to $BENCH_RSS.
CHILD = """
import json, os, resource, sys
from spinfix.cli.app import run
rc = run(sys.argv[1:])
end_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
with open(os.environ["BENCH_RSS"], "w") as f:
    json.dump({"rc": rc, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "end_rss_kb": end_kb}, f)
"""


def paragraphs(corpus: Path) -> Iterator[str]:
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if len(line.split()) >= 8:
                yield line


def write_docs(path: Path, texts: Iterator[str], n: int) -> int:
    written = 0
    with path.open("w", encoding="utf-8") as f:
        for text in texts:
            if written == n:
                break
            f.write(json.dumps({"id": f"d{written}", "text": text}) + "\n")
            written += 1
    if written < n:
        raise SystemExit(f"the corpus has only {written} usable texts, {n} asked for")
    return written


def short_sentences(corpora: tuple[Path, ...]) -> Iterator[str]:
    for corpus in corpora:
        for p in paragraphs(corpus):
            for s in split_sentences(p):
                if 6 <= len(s.text.split()) <= 16:
                    yield s.text


def throughput(models: Path | None, docs: Path, work: Path, device: str | None) -> dict:
    sf = spinfix.load(models, lm_reading=False, device=device)
    settings = BatchSettings(input=str(docs), out=str(work / "throughput"), task="detect", lm_reading=False, device=device)
    plan = plan_input(str(docs), settings.shard_size)
    shards = [[seg.text for d in read_shard(t) for seg in Document.from_text(d.text or "").sentences] for t in plan.tasks]
    sentences = sum(len(s) for s in shards)
    sf.detect_many([d for d in shards[0][:64]])  # warm-up
    raw_detector_forward(sf, shards[0][:64])
    raw = sum(raw_detector_forward(sf, s) for s in shards)
    t = time.perf_counter()
    summary = run_job(settings, sf)
    job = time.perf_counter() - t
    assert summary.documents == plan.documents and summary.errors == 0, summary
    return {
        "documents": plan.documents, "sentences": sentences, "shards": len(plan.tasks),
        "job_seconds": round(job, 1), "job_documents_per_s": round(plan.documents / job, 1),
        "job_sentences_per_s": round(sentences / job, 1),
        "raw_forward_seconds": round(raw, 1), "raw_forward_sentences_per_s": round(sentences / raw, 1),
        "ratio_job_to_raw": round(raw / job, 3),
    }


def peak_memory(models: Path | None, docs: Path, out: Path, device: str | None) -> dict:
    """Peak RSS of `spinfix batch` over `docs`, in a process of its own."""
    rss = out.with_suffix(".rss.json")
    cmd = [sys.executable, "-c", CHILD, "batch", str(docs), "--out", str(out), "--no-lm-reading", "--quiet"]
    cmd += ["--models", str(models)] if models else []
    cmd += ["--device", device] if device else []
    t = time.perf_counter()
    subprocess.run(cmd, check=False, env={**os.environ, "BENCH_RSS": str(rss)})
    got = json.loads(rss.read_text())
    if got["rc"] not in (0, 1):
        raise SystemExit(f"spinfix batch over {docs} exited {got['rc']}")
    return {
        "peak_rss_mb": round(got["peak_rss_kb"] / 1024, 1), "end_rss_mb": round(got["end_rss_kb"] / 1024, 1),
        "seconds": round(time.perf_counter() - t, 1),
    }


def ray_overhead(models: Path | None, docs: Path, work: Path, device: str | None) -> dict:
    try:
        import ray
    except ImportError:
        return {"skipped": "Ray is not installed (make setup-ray)"}
    from spinfix.batch.ray_engine import RaySettings, run_ray_job

    t = time.perf_counter()
    settings = BatchSettings(input=str(docs), out=str(work / "local"), task="detect", lm_reading=False, device=device,
                             models=str(models) if models else None, shard_size=250)
    summary = run_job(settings, spinfix.load(models, lm_reading=False, device=device))
    local = time.perf_counter() - t
    t = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), logging_level=logging.WARNING)
    start = time.perf_counter() - t
    try:
        t = time.perf_counter()
        ray_summary = run_ray_job(replace(settings, out=str(work / "ray")), ray_settings=RaySettings(actors=2))
        on_ray = time.perf_counter() - t
    finally:
        ray.shutdown()
    same = _records(work / "local") == _records(work / "ray")
    assert summary.documents == ray_summary.documents
    return {
        "documents": summary.documents, "actors": 2, "local_seconds": round(local, 1), "ray_seconds": round(on_ray, 1),
        "ray_start_seconds": round(start, 1), "ratio_ray_to_local": round(on_ray / local, 3), "identical_records": same,
    }


def _records(out: Path) -> list[Record]:
    return sorted((r for f in out.rglob("*.parquet") for r in read_records(f)), key=lambda r: r.index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--docs", type=int, default=10_000, help="documents of the throughput job")
    ap.add_argument("--memory", default="10000,100000", help="document counts of the memory runs ('' to skip)")
    ap.add_argument("--ray-docs", type=int, default=2000, help="documents of the Ray comparison (0 to skip)")
    ap.add_argument("--device", default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("bench_batch")
    log.setLevel(logging.INFO)
    work = Path(tempfile.mkdtemp(prefix="spinfix-bench-batch-"))
    try:
        res: dict = {
            "device": spinfix.load(args.models, lm_reading=False, device=args.device).detector.device,
            "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
        }
        docs = work / "docs.jsonl"
        write_docs(docs, paragraphs(args.corpus), args.docs)  # also when 0: the file exists
        if args.docs:
            log.info("throughput: %d documents", args.docs)
            res["throughput"] = throughput(args.models, docs, work, args.device)
            log.info("%s", res["throughput"])
        res["memory"] = {}
        for n in [int(x) for x in args.memory.split(",") if x.strip()]:
            short = work / f"short-{n}.jsonl"
            write_docs(short, short_sentences(SHORT_CORPORA), n)
            log.info("memory: %d one-sentence documents", n)
            res["memory"][str(n)] = peak_memory(args.models, short, work / f"memory-{n}", args.device)
            log.info("%s", res["memory"][str(n)])
        counts = sorted(res["memory"], key=int)
        if len(counts) >= 2:
            lo, hi = res["memory"][counts[0]]["peak_rss_mb"], res["memory"][counts[-1]]["peak_rss_mb"]
            res["memory_growth"] = round(hi / lo - 1.0, 4)
            lo, hi = res["memory"][counts[0]]["end_rss_mb"], res["memory"][counts[-1]]["end_rss_mb"]
            res["end_memory_growth"] = round(hi / lo - 1.0, 4)
        if args.ray_docs:
            ray_docs = work / "ray-docs.jsonl"
            write_docs(ray_docs, paragraphs(args.corpus), args.ray_docs)
            log.info("ray: %d documents", args.ray_docs)
            res["ray"] = ray_overhead(args.models, ray_docs, work, args.device)
        res["peak_rss_mb_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res, indent=2))
    if args.out:
        write_figures(args.out, res)


if __name__ == "__main__":
    main()
