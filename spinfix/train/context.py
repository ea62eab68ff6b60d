"""Fit the document context (spinfix/detect/context.py) on the dev split's articles, then re-pick the
sentence threshold for the target precision with the context in use.

The weight and bias are the maximum-likelihood fit of

    P(spun_i) = sigmoid(z_i + weight * A_i + bias * B_i)

where z_i is the sentence's own logit (the detector's calibrated probability, unchanged), A_i
the shrunk sum of its neighbours' logits and B_i whether it has any. The own logit keeps weight
1: the detector's probabilities are already calibrated on their own, and a text of one
sentence must keep them. Every probability goes through the public API (`Spinfix.detect_many`
on whole articles), so the fit sees the sentences as users' texts are segmented.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinfix.detect.context import DocumentContext, logit, raw_logit
from spinfix.eval.detection import as_articles, record_verdicts
from spinfix.pipeline import Spinfix
from spinfix.train.detector import pick_threshold

logger = logging.getLogger(__name__)


@dataclass
class ContextFit:
    context: DocumentContext
    threshold: float
    dev: dict  # dev precision/recall with and without the context, at their thresholds


def _sentences(sf: Spinfix, records: Sequence[dict]) -> tuple[list[list[float]], list[list[int]], list[list[int]]]:
    """Per article: its sentences' own probabilities, labels (the label of the record a
    sentence lies in) and words outside quotations, for the sentences the pipeline weighs
    (`SentenceScorer.score_documents`)."""
    probs, labels, words = [], [], []
    groups = as_articles(records)
    for group, scored in zip(groups, sf.scorer.score_documents([g.text for g in groups])):
        p, y, w = [], [], []
        for x in scored:
            if not x.has_words:
                continue  # neither counts nor moves, as in detect_many
            rec = next(i for i, st in zip(group.indices, group.starts) if st <= x.seg.start <= st + len(records[i]["text"]))
            p.append(x.own)
            y.append(int(records[rec]["spun"]))
            w.append(x.words)
        probs.append(p)
        labels.append(y)
        words.append(w)
    return probs, labels, words


def fit_weights(
    probs: Sequence[Sequence[float]],
    labels: Sequence[Sequence[int]],
    window: int = 6,
    pseudo_count: float = 2.0,
    words: Sequence[Sequence[int]] | None = None,
) -> DocumentContext:
    """Maximum-likelihood weight and bias of the context, own logit fixed at weight 1. With
    `words` (each sentence's words outside quotations), sentences the context does not move
    (`DocumentContext.movable`) still count as neighbours but not in the likelihood."""
    from scipy.optimize import minimize

    unit_w = DocumentContext(weight=1.0, bias=0.0, window=window, pseudo_count=pseudo_count)
    unit_b = DocumentContext(weight=0.0, bias=1.0, window=window, pseudo_count=pseudo_count)
    z, a, b, y = [], [], [], []
    for k, (p, lab) in enumerate(zip(probs, labels)):
        capped = [logit(x) for x in p]
        keep = unit_w.movable(words[k]) if words is not None else [True] * len(p)
        z += [raw_logit(x) for x, m in zip(p, keep) if m]
        a += [v for v, m in zip(unit_w.shift(capped), keep) if m]
        b += [v for v, m in zip(unit_b.shift(capped), keep) if m]
        y += [v for v, m in zip(lab, keep) if m]
    z_, a_, b_, y_ = (np.array(v, dtype=float) for v in (z, a, b, y))

    def nll(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z_ + w[0] * a_ + w[1] * b_
        q = 1.0 / (1.0 + np.exp(-s))
        loss = float(np.sum(np.logaddexp(0.0, s) - y_ * s))
        return loss, np.array([np.sum((q - y_) * a_), np.sum((q - y_) * b_)])

    res = minimize(nll, np.zeros(2), jac=True, method="L-BFGS-B")
    return DocumentContext(weight=float(res.x[0]), bias=float(res.x[1]), window=window, pseudo_count=pseudo_count)


def _precision_recall(prob: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    pred = prob >= threshold
    tp = int((pred & (y == 1)).sum())
    return {
        "threshold": threshold,
        "precision": round(tp / max(int(pred.sum()), 1), 4),
        "recall": round(tp / max(int(y.sum()), 1), 4),
        "flagged_clean": int((pred & (y == 0)).sum()),
        "clean": int((y == 0).sum()),
    }


def fit_context(
    sf: Spinfix,
    articles: Sequence[dict],
    dev: Sequence[dict],
    target_precision: float = 0.98,
    window: int = 6,
    pseudo_count: float = 2.0,
) -> ContextFit:
    """Fit on `articles` (dev news records in reading order); pick the threshold on `dev` (the
    split the sentence threshold was chosen on: its articles as texts, its template sentences
    alone). `sf` must score sentences alone (context=False)."""
    probs, labels, words = _sentences(sf, articles)
    ctx = fit_weights(probs, labels, window, pseudo_count, words)
    logger.info("context: weight %.3f bias %.3f (window %d, pseudo count %.1f)", ctx.weight, ctx.bias, window, pseudo_count)
    alone = record_verdicts(sf, dev, articles=True)
    with_ctx = Spinfix(sf.detector, threshold=sf.threshold, context=ctx)
    inside = record_verdicts(with_ctx, dev, articles=True)
    y = np.array([int(r["spun"]) for r in dev])
    p_alone = np.array([v.probability for v in alone])
    p_ctx = np.array([v.probability for v in inside])
    threshold = pick_threshold(p_ctx, y, target_precision)
    report = {
        "sentences": len(dev),
        "alone": _precision_recall(p_alone, y, sf.threshold),
        "in_article": _precision_recall(p_ctx, y, threshold),
    }
    logger.info("dev: %s", report)
    return ContextFit(ctx, threshold, report)
