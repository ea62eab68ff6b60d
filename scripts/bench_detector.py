#!/usr/bin/env python
"""Throughput of `detect_many` against the raw model forward on the same batches, same process.

    python scripts/bench_detector.py --models models --n 2000

The baseline pre-tokenises the same sentences into the same length-sorted padded batches and
times only `model(...)`; the ratio says what spinfix's own work (segmentation, tokenisation,
windows, spans, reports) costs on top. `detect_many` is timed twice: on the sentences as separate
texts, and on the same sentences joined into their articles (a line each), where each sentence
is also weighed with its neighbours (spinfix/detect/context.py). Peak memory is the process's maximum resident set size.

With the LM's second reading (spinfix/detect/reading.py) the raw baseline is both forwards: the
detector's over every sentence and SmolLM2's over the sentences the pipeline reads (the same
band, the same batches), so the ratio is still spinfix's own overhead; `detect_many` without the
reading is timed too, for what the reading costs.
"""
from __future__ import annotations

import argparse
import json
import logging
import platform
import resource
import time
from pathlib import Path

import torch

import spinfix
from spinfix.eval.detection import as_articles
from spinfix.eval.records import read_jsonl
from spinfix.eval.speed import raw_detector_forward as raw_forward
from spinfix.lm.surprisal import SurprisalReader
from spinfix.text.document import Document, quotations


def raw_lm_forward(sf: spinfix.Spinfix, sentences: list[str]) -> tuple[float, int]:
    """Seconds of SmolLM2's forward over the sentences the pipeline would read, and how many."""
    if sf.lm_reading is None:
        return 0.0, 0
    # Each text's quotations with its own segments (offsets into that text), as detect_many does.
    pairs = [(seg, q) for s in sentences for q in [quotations(s)] for seg in Document.from_text(s).sentences]
    segs = [seg for seg, _ in pairs]
    scores = sf.detector.score([seg.text for seg in segs])
    todo = sf.scorer.uncertain(segs, scores, [q for _, q in pairs])
    reader = SurprisalReader(*sf.base_lm())
    batches = [(ids, att) for _, ids, att in reader.batches(reader.encode([segs[i].text for i in todo]))]
    t = time.perf_counter()
    with torch.inference_mode():
        for ids, att in batches:
            reader.model(input_ids=ids, attention_mask=att)  # the forward alone: scoring is spinfix's work
    return time.perf_counter() - t, len(todo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector/test.jsonl"))
    ap.add_argument("--n", type=int, default=2000, help="sentences")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sf = spinfix.load(args.models, device=args.device)
    records = list(read_jsonl(args.data))[: args.n]
    sentences = [r["text"] for r in records]
    articles = [a.text for a in as_articles(records)]
    plain = spinfix.Spinfix(sf.detector, context=True, lm_reading=False) if sf.lm_reading else None
    sf.detect_many(sentences[:64])  # warm-up
    raw_forward(sf, sentences[:64])
    api, api_articles, raw, api_plain = [], [], [], []
    read = 0
    for _ in range(args.repeats):  # interleaved, best of N: fair to all under machine noise
        lm_s, read = raw_lm_forward(sf, sentences)
        raw.append(raw_forward(sf, sentences) + lm_s)
        if plain is not None:
            t = time.perf_counter()
            plain.detect_many(sentences)
            api_plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        sf.detect_many(sentences)
        api.append(time.perf_counter() - t)
        t = time.perf_counter()
        sf.detect_many(articles)
        api_articles.append(time.perf_counter() - t)
    res = {
        "sentences": len(sentences),
        "device": sf.detector.device,
        "torch_threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "raw_forward_sentences_per_s": round(len(sentences) / min(raw), 1),
        "detect_many_sentences_per_s": round(len(sentences) / min(api), 1),
        "ratio_detect_many_to_raw": round(min(raw) / min(api), 3),
        "articles": len(articles),
        "detect_many_articles_sentences_per_s": round(len(sentences) / min(api_articles), 1),
        "ratio_detect_many_articles_to_raw": round(min(raw) / min(api_articles), 3),
        "lm_read_sentences": read,
        "detect_many_without_lm_reading_sentences_per_s": round(len(sentences) / min(api_plain), 1) if api_plain else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if sf.detector.device.startswith("cuda"):
        res["peak_cuda_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(res, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
