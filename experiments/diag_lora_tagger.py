#!/usr/bin/env python
"""Diagnostic (an experiment, not part of a release): does the LM tagger gain from adapting the
LM under it? LoRA on SmolLM2-135M's layers below the tagger's layer, trained jointly with the
released tagger head, against the released head on the frozen LM's states.

    python experiments/diag_lora_tagger.py               # the adapter, on sentences the head never saw
    python experiments/diag_lora_tagger.py --head-only   # the control

`--train` train-split sentences (the seed-7 shuffle the released head was trained on, from
`--offset`: the head saw the first 24,000; sentences over 60 words left out) are read once by the
frozen LM for the head's per-word surprisal inputs, then one epoch trains a LoRA adapter (rank
`--rank` on every projection of layers 0 .. layer-1; its output is the tagger's layer, as
`hidden_states[layer]` of the full model) and the head together, binary cross-entropy on every
word. Reported after every 125 steps: word ROC AUC and best word F1 on `--dev` dev sentences
(the first of the seed-7 shuffle), against the released head on the same sentences. About
0.2 s a sentence a step on this 2-core CPU (6,000 sentences: 20 minutes, plus 11 to read them).
The adapter is not saved: the result goes to `--out`. `--head-only` is the control: the same
training of the head alone on the frozen LM's states of the same sentences (what new sentences
give the head without the adapter).
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import precision_recall_curve, roc_auc_score
from torch import nn

from spinfix.detect.tagger import LMTagger, pad
from spinfix.eval.records import read_jsonl
from spinfix.lm.loading import load_base
from spinfix.lm.surprisal import SurprisalReader, per_word
from spinfix.text.tokens import tokenize
from spinfix.train.tagger import SAMPLE_SEED, word_labels

logger = logging.getLogger("diag_lora_tagger")
MAX_WORDS = 60
EVAL_EVERY = 125


def words(record: dict) -> list:
    return [t for t in tokenize(record["text"]) if t.is_word]


def scores(labels: np.ndarray, logits: list[np.ndarray]) -> tuple[float, float]:
    """Word ROC AUC and the best F1 over thresholds."""
    z = np.concatenate(logits)
    p, r, _ = precision_recall_curve(labels, z)
    return round(float(roc_auc_score(labels, z)), 4), round(float((2 * p * r / np.maximum(p + r, 1e-9)).max()), 4)


class AdaptedStates:
    """SmolLM2's first `layer` layers with a LoRA adapter; the last one's output is the tagger's
    input (hidden_states[layer] of the full model: no final norm)."""

    def __init__(self, model, tok, layer: int, rank: int) -> None:
        from peft import LoraConfig, get_peft_model

        inner = copy.deepcopy(model.model)
        inner.layers = inner.layers[:layer]
        inner.norm = nn.Identity()
        inner.config.num_hidden_layers = layer
        targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        self.lm = get_peft_model(inner, LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.05, target_modules=targets))
        self.tok = tok

    def states(self, batch: list[tuple[list[int], list[int]]]) -> list[torch.Tensor]:
        n = max(len(ids) for ids, _ in batch)
        ids = torch.full((len(batch), n), self.tok.pad_token_id)
        mask = torch.zeros_like(ids)
        for i, (seq, _) in enumerate(batch):
            ids[i, : len(seq)] = torch.tensor(seq)
            mask[i, : len(seq)] = 1
        h = self.lm(input_ids=ids, attention_mask=mask).last_hidden_state
        return [h[i, torch.tensor(last)] for i, (_, last) in enumerate(batch)]


def encode(reader: SurprisalReader, records: list[dict]) -> list[tuple[list[int], list[int]]]:
    """Per record: the LM's input ids (opened by the text-start token) and each word's last token."""
    out = []
    for r, e in zip(records, reader.encode([r["text"] for r in records])):
        _, last = per_word(e["offset_mapping"], np.zeros(len(e["input_ids"])), words(r))
        out.append(([reader.tok.eos_token_id] + list(e["input_ids"]), [k + 1 for k in last]))
    return out


def head_logits(head, states: list[torch.Tensor], rows: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    _, extra, lengths, _, mask = pad([np.zeros((len(s), 1), np.float32) for s in states], rows)
    return head(nn.utils.rnn.pad_sequence(states, batch_first=True), extra, lengths), mask


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--train", type=int, default=6000)
    ap.add_argument("--offset", type=int, default=30000, help="where in the seed-7 shuffle the training sentences start")
    ap.add_argument("--dev", type=int, default=1000)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--head-lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--head-only", action="store_true", help="the control: no adapter, the head trained on the frozen LM's states")
    ap.add_argument("--out", type=Path, default=Path("data/generated/diag_lora_tagger.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(0)
    train = list(read_jsonl(args.data / "train.jsonl"))
    random.Random(SAMPLE_SEED).shuffle(train)
    train = [r for r in train[args.offset : args.offset + args.train] if len(r["text"].split()) <= MAX_WORDS]
    dev = list(read_jsonl(args.data / "dev.jsonl"))
    random.Random(SAMPLE_SEED).shuffle(dev)
    dev = dev[: args.dev]
    model, tok = load_base()
    released = LMTagger.load(args.models / "detector")
    if released is None:
        raise SystemExit(f"{args.models / 'detector'} has no LM tagger to compare with")
    layer = released.config.layer
    reader = SurprisalReader(model, tok)

    def frozen(records: list[dict]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        got = reader.read_states([r["text"] for r in records], [words(r) for r in records], layer)
        return [g[0].astype(np.float32) for g in got], [g[1] for g in got]

    dev_rows, dev_states = frozen(dev)
    dev_y = np.concatenate([word_labels(r) for r in dev])
    baseline = scores(dev_y, released.logits(dev_states, dev_rows))
    logger.info("released head on the frozen LM: dev word ROC AUC %.4f, best F1 %.4f", *baseline)
    train_rows, train_states = frozen(train)
    train_y = [word_labels(r) for r in train]

    adapted = None if args.head_only else AdaptedStates(model, tok, layer, args.rank)
    head = copy.deepcopy(released.head)
    dev_enc, train_enc = encode(reader, dev), encode(reader, train)

    def states(which: list[int], enc: list, fixed: list[np.ndarray]) -> list[torch.Tensor]:
        if adapted is None:
            return [torch.from_numpy(np.asarray(fixed[i], dtype=np.float32)) for i in which]
        return adapted.states([enc[i] for i in which])

    def train_mode(on: bool) -> None:
        head.train(on)
        if adapted is not None:
            adapted.lm.train(on)

    def evaluate() -> tuple[float, float]:
        train_mode(False)
        logits = []
        with torch.no_grad():
            for b in range(0, len(dev_enc), 32):
                which = list(range(b, min(b + 32, len(dev_enc))))
                st = states(which, dev_enc, dev_states)
                z, _ = head_logits(head, st, dev_rows[b : b + 32])
                logits += [z[i, : len(s)].numpy() for i, s in enumerate(st)]
        train_mode(True)
        return scores(dev_y, logits)

    lora = [] if adapted is None else [p for p in adapted.lm.parameters() if p.requires_grad]
    groups = [{"params": lora, "lr": args.lr}, {"params": list(head.parameters()), "lr": args.head_lr}]
    opt = torch.optim.AdamW(groups, weight_decay=0.0)
    # Length-sorted batches in a shuffled order: little padding on the CPU.
    order = sorted(range(len(train)), key=lambda i: len(train_enc[i][0]))
    batches = [order[b : b + args.batch] for b in range(0, len(order), args.batch)]
    random.Random(0).shuffle(batches)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[args.lr, args.head_lr], total_steps=len(batches), pct_start=0.1)
    train_mode(True)
    t0, history = time.time(), []
    for k, idx in enumerate(batches):
        st = states(idx, train_enc, train_states)
        z, mask = head_logits(head, st, [train_rows[i] for i in idx])
        y = torch.zeros_like(z)
        for r, i in enumerate(idx):
            y[r, : len(train_y[i])] = torch.from_numpy(train_y[i].astype(np.float32))
        loss = (nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none") * mask).sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if (k + 1) % EVAL_EVERY == 0 or k + 1 == len(batches):
            got = evaluate()
            history.append({"step": k + 1, "dev_word_auc": got[0], "dev_best_word_f1": got[1], "train_loss": round(loss.item(), 4)})
            logger.info("step %d of %d: dev word ROC AUC %.4f, best F1 %.4f (released %.4f, %.4f)", k + 1, len(batches), *got, *baseline)
    result = {
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "train_sentences": len(train), "layer": layer,
        "released_head": {"dev_word_auc": baseline[0], "dev_best_word_f1": baseline[1]},
        "history": history, "train_seconds": round(time.time() - t0),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
