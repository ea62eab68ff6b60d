#!/usr/bin/env python
"""Restoration speed: sentences per second per restorer and decoder, and a 40-sentence article.

    python scripts/bench_restore.py --models models --data data/generated/detector/test.jsonl

All figures come from one process on the same inputs:
- the detector's spans for N spun test sentences are computed first (not timed); then each
  restorer restores exactly those sentences: the rewriter with batched greedy decoding, the
  rewriter one sentence at a time with and without prompt-lookup decoding, and the baseline, as
  released and scoring every candidate in full (no shortlist);
- the reference unit is the raw forward pass of the rewriter's model over the same prompts
  (prefill only, batched), so the ratios say how many "prompt reads" a restoration costs;
- the article: 40 consecutive test-split sentences (spun and clean as they come) joined into one
  text and restored end to end (`Spinfix.restore`, detection included), per method.
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
from spinfix.eval.records import read_jsonl
from spinfix.restore import prompt as fmt
from spinfix.restore.rules import SpanTask


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def raw_prefill(rw, tasks: list[SpanTask]) -> float:
    prompts = [fmt.prompt(fmt.mark(t.sentence, t.spans)) for t in tasks]
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    batches = [
        rw.tok([prompts[i] for i in order[b : b + rw.batch_size]], return_tensors="pt", padding=True, add_special_tokens=False)
        for b in range(0, len(order), rw.batch_size)
    ]
    with torch.inference_mode():
        return _timed(lambda: [rw.model(**enc) for enc in batches])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector/test.jsonl"))
    ap.add_argument("--n", type=int, default=48, help="spun sentences restored per configuration")
    ap.add_argument("--article-sentences", type=int, default=40)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--article-only", action="store_true", help="only time the 40-sentence article")
    ap.add_argument("--method", default="rewriter", help="the method --article-only times")
    ap.add_argument("--out", type=Path, default=Path("data/eval/bench_restore.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models)
    records = list(read_jsonl(args.data))
    reports = sf.detect_many([r["text"] for r in records if r["spun"]][: args.n * 3])
    tasks = [
        SpanTask(s.text, tuple((sp.start - s.start, sp.end - s.start) for sp in s.spans))
        for rep in reports
        for s in rep.sentences
        if s.spans
    ][: args.n]
    n = len(tasks)
    if args.article_only:
        sf.restorer(args.method).restore(tasks[:2])  # warm-up
        article = " ".join(r["text"] for r in records[: args.article_sentences])
        t = _timed(lambda: sf.restore(article, method=args.method))
        print(json.dumps({"article_sentences": args.article_sentences, f"{args.method}_s": round(t, 2)}))
        return
    rw = sf.restorer("rewriter")
    rw.restore(tasks[:2])  # warm-up
    res: dict = {
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "cpu": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "sentences": n,
        "spans": sum(len(t.spans) for t in tasks),
    }
    prefill = raw_prefill(rw, tasks)
    res["raw_prefill_s"] = round(prefill, 2)
    batched = _timed(lambda: rw.restore(tasks))
    rw.batch_size, keep = 1, rw.batch_size
    single = _timed(lambda: rw.restore(tasks))
    rw.prompt_lookup = True
    lookup = _timed(lambda: rw.restore(tasks))
    rw.prompt_lookup, rw.batch_size = False, keep
    def timing(s: float) -> dict:
        return {"s": round(s, 2), "sentences_per_s": round(n / s, 2), "x_raw_prefill": round(s / prefill, 1)}

    res["rewriter"] = {f"batched_{keep}": timing(batched), "one_at_a_time": timing(single), "one_at_a_time_prompt_lookup": timing(lookup)}
    methods = ["rewriter"]
    if not args.skip_baseline:
        bl = sf.restorer("baseline")
        t = _timed(lambda: bl.restore(tasks))
        res["baseline"] = {"s": round(t, 2), "sentences_per_s": round(n / t, 2), "x_raw_prefill": round(t / prefill, 1),
                           "shortlist": bl.shortlist, "shortlist_margin": bl.shortlist_margin}
        # The same restorer scoring every candidate in full: what the shortlist saves.
        keep_list = bl.shortlist, bl.shortlist_margin
        bl.shortlist = bl.shortlist_margin = None
        t = _timed(lambda: bl.restore(tasks))
        bl.shortlist, bl.shortlist_margin = keep_list
        res["baseline_every_candidate"] = {"s": round(t, 2), "sentences_per_s": round(n / t, 2), "x_raw_prefill": round(t / prefill, 1)}
        methods.append("baseline")
    article = " ".join(r["text"] for r in records[: args.article_sentences])
    res["article"] = {"sentences": len(sf.detect(article).sentences), "words": len(article.split())}
    for m in methods:
        rep = None

        def run(method: str = m) -> None:
            nonlocal rep
            rep = sf.restore(article, method=method)

        res["article"][f"{m}_s"] = round(_timed(run), 2)
        res["article"][f"{m}_flagged_sentences"] = len(rep.spun_sentences)
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
