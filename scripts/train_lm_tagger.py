#!/usr/bin/env python
"""Train the LM tagger (spinfix/detect/tagger.py): a small head on SmolLM2-135M's hidden states that
tags spun words, read with the detector's LM reading.

    python scripts/train_lm_tagger.py --data data/generated/detector \
        --technical-from data/generated/detector-tech --out models/detector
    python scripts/fit_lm_reading.py --models models --write     # then weigh it on dev
    python scripts/fit_context.py --models models --write        # and re-pick the threshold

`--sentences` train-split sentences of `--data` (news and science-register sentences; a fixed
random choice, seed 7) and `--technical` technical-register ones of `--technical-from` (the
docstring prose the detector's second stage trained on, so that genuine technical terms are seen
clean and spun) are read once by the frozen LM
(about 11 sentences a second on this 2-core CPU: 24,000 take about 37 minutes); each word's
state at `--layer` and its surprisal are kept (fp16), then the head is trained on them (about a
minute an epoch). `--dev N` reads N dev sentences too and reports the head's word ROC AUC on
them after each epoch. `--cache FILE` keeps what the LM read (about 0.9 GB for 24,000 sentences)
so that the head can be trained again without the LM. Writes lm_tagger.safetensors (fp16) and
lm_tagger.json into `--out`.
"""
from __future__ import annotations

import argparse
import logging
import pickle
import random
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from spinfix.detect.tagger import LMTagger, TaggerSettings
from spinfix.eval.records import read_jsonl
from spinfix.lm.loading import load_base
from spinfix.lm.surprisal import SurprisalReader
from spinfix.text.tokens import tokenize
from spinfix.train.tagger import SAMPLE_SEED as SEED
from spinfix.train.tagger import train_head, word_labels

logger = logging.getLogger("train_lm_tagger")

def read(reader: SurprisalReader, records: list[dict], layer: int, what: str) -> dict:
    """What the LM makes of each record's words: states (fp16), surprisal rows, labels."""
    t0 = time.time()
    texts = [r["text"] for r in records]
    states, rows = [], []
    step = 2000
    for b in range(0, len(texts), step):  # in slices, to log progress on a long read
        chunk = texts[b : b + step]
        got = reader.read_states(chunk, [[t for t in tokenize(s) if t.is_word] for s in chunk], layer)
        states += [s.astype(np.float16) for _, s in got]
        rows += [r.astype(np.float32) for r, _ in got]
        logger.info("%s: %d of %d sentences read (%.0f s)", what, len(states), len(texts), time.time() - t0)
    return {"texts": texts, "states": states, "rows": rows, "labels": [word_labels(r) for r in records], "layer": layer}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--out", type=Path, default=Path("models/detector"))
    ap.add_argument("--sentences", type=int, default=24000)
    ap.add_argument("--technical-from", type=Path, default=None, help="a data folder with technical-register train records")
    ap.add_argument("--technical", type=int, default=4000)
    ap.add_argument("--dev", type=int, default=0, help="dev sentences to report the word ROC AUC on after each epoch")
    ap.add_argument("--layer", type=int, default=TaggerSettings.layer)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--cache", type=Path, default=None, help="keep (or reuse) what the LM read")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    t0 = time.time()
    read_s: float | None = None  # None: what the LM read came from the cache
    if args.cache is not None and args.cache.exists():
        cached = pickle.loads(args.cache.read_bytes())
        train, dev = cached["train"], cached["dev"]
        wanted = args.sentences + (args.technical if args.technical_from else 0)
        assert train["layer"] == args.layer and len(train["texts"]) == wanted, "the cache was read otherwise"
        logger.info("reusing what the LM read from %s", args.cache)
    else:
        records = list(read_jsonl(args.data / "train.jsonl"))
        random.Random(SEED).shuffle(records)
        records = records[: args.sentences]
        if args.technical_from is not None:
            tech = [r for r in read_jsonl(args.technical_from / "train.jsonl") if r["article"].split(":")[0] == "technical"]
            random.Random(SEED).shuffle(tech)
            records += tech[: args.technical]
        reader = SurprisalReader(*load_base())
        train = read(reader, records, args.layer, "train")
        dev = None
        if args.dev:
            dev_records = list(read_jsonl(args.data / "dev.jsonl"))
            random.Random(SEED).shuffle(dev_records)
            dev = read(reader, dev_records[: args.dev], args.layer, "dev")
        if args.cache is not None:
            args.cache.write_bytes(pickle.dumps({"train": train, "dev": dev}, protocol=4))
        read_s = time.time() - t0

    def report(epoch: int, loss: float, head) -> None:
        msg = f"epoch {epoch + 1}: loss {loss:.4f}"
        if dev is not None:
            z = LMTagger(head, config).logits(dev["states"], dev["rows"])
            head.train()
            msg += f", dev word ROC AUC {roc_auc_score(np.concatenate(dev['labels']), np.concatenate(z)):.4f}"
        logger.info(msg)

    config = TaggerSettings(layer=args.layer)
    t1 = time.time()
    tagger = train_head(train["states"], train["rows"], train["labels"], config, epochs=args.epochs, seed=0, log=report)
    facts = {
        "data": str(args.data), "technical_from": str(args.technical_from) if args.technical_from else None,
        "sentences": len(train["texts"]), "sample_seed": SEED, "epochs": args.epochs,
        "words": int(sum(len(y) for y in train["labels"])), "spun_words": int(sum(int(y.sum()) for y in train["labels"])),
        "lm_read_seconds": round(read_s) if read_s is not None else "from the cache", "train_seconds": round(time.time() - t1),
    }
    tagger = LMTagger(tagger.head, TaggerSettings(layer=args.layer, facts=facts))
    args.out.mkdir(parents=True, exist_ok=True)
    tagger.save(args.out)
    logger.info("wrote the LM tagger to %s: %s", args.out, facts)


if __name__ == "__main__":
    main()
