#!/usr/bin/env python
"""Fit the LM's second reading of uncertain sentences (spinfix/detect/reading.py).

    python scripts/fit_lm_reading.py --models models --write
    python scripts/fit_context.py --models models --write      # then re-pick the threshold

Each dev sentence (`--dev`, read alone) whose detector-only probability lies in `--band` is read
by SmolLM2-135M; a logistic regression of the words' spun labels on the FEATURES (the detector's
logit and the LM's surprise) gives the word combination, and a second one of the sentences'
labels on their top-3 combined word logits gives the read sentences' regression. Words inside
quotations are left out of both, as at inference. Writes `lm_reading` into the detector's
spinfix.json with --write; prints the fit and the dev figures of the read sentences either way,
with the word ROC AUC also fitted on half the sentences and read on the other half.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import spinfix
from spinfix.detect.encoder import CONFIG_NAME, WordScores, features
from spinfix.detect.reading import FEATURES, LMReading, read_with_tagger, word_features
from spinfix.detect.spans import quoted_words
from spinfix.eval.records import read_jsonl
from spinfix.lm.surprisal import SurprisalReader
from spinfix.text.document import Segment, quotations
from spinfix.text.tokens import tokenize

logger = logging.getLogger("fit_lm_reading")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--dev", type=Path, default=Path("data/generated/detector-tech/dev.jsonl"))
    # Without a tagger 0.97, not 0.99: a spun article's sentences crowd at 0.97-0.99, where no
    # verdict flipped in the dev diagnostic; leaving them unread nearly halves a spun article's
    # reading. With the tagger every sentence over 0.1 is read: it marks the sure ones' words
    # better (detector 0.6.0; docs/history/detector.md).
    ap.add_argument("--band", type=float, nargs=2, default=None, metavar=("LO", "HI"),
                    help="detector probabilities of the sentences read (default 0.1 1.0 with a "
                         "tagger in the checkpoint, 0.1 0.97 without)")
    ap.add_argument("--write", action="store_true", help="save lm_reading in the detector's spinfix.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sf = spinfix.load(args.models, context=False, lm_reading=False)
    det = sf.detector
    if args.band is None:
        args.band = (0.1, 1.0) if det.lm_tagger is not None else (0.1, 0.97)
    records = list(read_jsonl(args.dev))
    texts = [r["text"] for r in records]
    scores = det.score(texts)
    # The pipeline's own rule for which sentences are read (SentenceScorer.uncertain), with this band.
    sf.scorer.reading = LMReading((0.0,) * len(FEATURES), 0.0, (1.0, 0.0, 0.0, 0.0), tuple(args.band))
    segs = [Segment(text, 0, len(text), 0) for text in texts]
    quotes = [quotations(text) for text in texts]
    chosen: list[tuple[int, np.ndarray | None]] = [
        (i, quoted_words(segs[i], scores[i], quotes[i]) if quotes[i] else None)
        for i in sf.scorer.uncertain(segs, scores, quotes)
    ]
    logger.info("%d of %d dev sentences in the band %s; reading them with the LM", len(chosen), len(texts), args.band)
    t0 = time.time()
    reader = SurprisalReader(*sf.base_lm())
    chosen_texts, chosen_tokens = [texts[i] for i, _ in chosen], [scores[i].tokens for i, _ in chosen]
    tagger = det.lm_tagger  # the checkpoint's LM tagger, if it has one: weighed here like the rest
    lm, tagged = read_with_tagger(reader, chosen_texts, chosen_tokens, tagger)
    logger.info("read in %.0f s%s", time.time() - t0, " (with the LM tagger)" if tagger is not None else "")

    X, y, owner = [], [], []
    for k, ((i, quoted), rows, tag) in enumerate(zip(chosen, lm, tagged)):
        labels = [lab for t, lab in zip(tokenize(texts[i]), records[i]["labels"]) if t.is_word]
        f = word_features(scores[i].tokens, scores[i].probs, rows, tag)
        keep = np.ones(len(f), dtype=bool) if quoted is None else ~quoted
        X.append(f[keep])
        y += [lab for lab, kp in zip(labels, keep) if kp]
        owner += [k] * int(keep.sum())
    X_all, y_all = np.concatenate(X), np.array(y)
    groups = np.array(owner)
    cv = {"detector": _cv_auc(X_all[:, :1], y_all, groups), "with_lm": _cv_auc(X_all, y_all, groups)}
    if tagger is not None:  # what the tagger adds to the surprisal features
        cv["with_lm_without_tagger"] = _cv_auc(X_all[:, :-1], y_all, groups)
    logger.info("word ROC AUC in the band, fitted on half the sentences and read on the other: %s", cv)
    words = LogisticRegression(C=1.0, max_iter=5000).fit(X_all, y_all)
    det_only = LogisticRegression(max_iter=5000).fit(X_all[:, :1], y_all)
    z = words.decision_function(X_all)
    logger.info(
        "word ROC AUC in the band: detector %.4f, with the LM %.4f (%d words, in sample)",
        roc_auc_score(y_all, X_all[:, 0]), roc_auc_score(y_all, z), len(y_all),
    )
    reading = LMReading(tuple(float(w) for w in words.coef_[0]), float(words.intercept_[0]), (1.0, 0.0, 0.0, 0.0), tuple(args.band))
    # The read sentences' own regression, on the top-3 logits of their combined word scores.
    S, ys = [], []
    for (i, quoted), rows, tag in zip(chosen, lm, tagged):
        sc = scores[i]
        combined = WordScores(sc.tokens, reading.word_probs(word_features(sc.tokens, sc.probs, rows, tag)))
        S.append(features(combined, quoted))
        ys.append(bool(records[i]["spun"]))
    sent = LogisticRegression(max_iter=5000).fit(np.array(S), np.array(ys))
    reading = LMReading(reading.weights, reading.bias, (*map(float, sent.coef_[0]), float(sent.intercept_[0])), reading.band)
    span_sweep: dict[float, float] = {}
    if tagger is not None:
        # The read words' probabilities are the reading's, not the detector's: their own span
        # threshold, by the detector's rule (best exact span F1, marks before growing over phrases).
        span_sweep = _span_sweep(chosen, lm, tagged, scores, records, reading)
        best = max(span_sweep, key=lambda t: (span_sweep[t], -abs(t - 0.5)))
        reading = dataclasses.replace(reading, span_threshold=best)
        logger.info("span threshold for read sentences: %.3f (exact span F1 %.4f on the read spun sentences)", best, span_sweep[best])
    out = {
        "lm_reading": reading.to_dict(),
        "dev": {
            "sentences": len(texts), "read": len(chosen), "words": len(y_all),
            "word_auc_detector": round(float(roc_auc_score(y_all, X_all[:, 0])), 4),
            "word_auc_with_lm": round(float(roc_auc_score(y_all, z)), 4),
            "word_auc_cross_validated": cv,
            "detector_only_word_fit": [round(float(det_only.coef_[0][0]), 4), round(float(det_only.intercept_[0]), 4)],
            "features": list(FEATURES),
            "span_f1_by_threshold": {f"{t:.3f}": round(f, 4) for t, f in span_sweep.items()},
        },
    }
    if args.write:
        det_dir = args.models / "detector" if (args.models / "detector").is_dir() else args.models
        cfg = det.config
        if cfg.lm_reading is None:  # the first reading: what was fitted so far is the detector alone's
            cfg.without_reading = {"threshold": cfg.threshold, "context": cfg.context}
        cfg.lm_reading = reading.to_dict()
        cfg.extra = {**cfg.extra, "lm_reading_dev": out["dev"]}
        cfg.save(det_dir / CONFIG_NAME)
        logger.info("wrote %s; re-pick the threshold with scripts/fit_context.py", det_dir / CONFIG_NAME)
    print(json.dumps(out, indent=2))


def _runs(marked: np.ndarray) -> set[tuple[int, int]]:
    """Runs of adjacent marked words, as (first, last + 1) word indices."""
    out, start = set(), None
    for j, m in enumerate(marked):
        if m and start is None:
            start = j
        elif not m and start is not None:
            out.add((start, j))
            start = None
    if start is not None:
        out.add((start, len(marked)))
    return out


def _span_sweep(chosen, lm, tagged, scores, records, reading: LMReading) -> dict[float, float]:
    """Exact span F1 of the read spun sentences' marks at each span threshold (0.2 to 0.8)."""
    grid = [round(float(t), 3) for t in np.arange(0.2, 0.8001, 0.025)]
    counts = {t: [0, 0, 0] for t in grid}
    for (i, quoted), rows, tag in zip(chosen, lm, tagged):
        if not records[i]["spun"]:
            continue
        sc = scores[i]
        p = reading.word_probs(word_features(sc.tokens, sc.probs, rows, tag))
        if quoted is not None:
            p = np.where(quoted, -1.0, p)
        labels = np.array([lab for t, lab in zip(tokenize(records[i]["text"]), records[i]["labels"]) if t.is_word])
        gold = _runs(labels == 1)
        for t in grid:
            pred = _runs(p >= t)
            c = counts[t]
            c[0] += len(gold & pred)
            c[1] += len(pred - gold)
            c[2] += len(gold - pred)
    return {t: 2 * tp / max(2 * tp + fp + fn, 1) for t, (tp, fp, fn) in counts.items()}


def _cv_auc(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Word ROC AUC of the combination fitted on half the sentences, read on the other half."""
    z = np.zeros(len(y))
    half = groups % 2 == 0
    for fit in (half, ~half):
        z[~fit] = LogisticRegression(C=1.0, max_iter=5000).fit(X[fit], y[fit]).decision_function(X[~fit])
    return round(float(roc_auc_score(y, z)), 4)


if __name__ == "__main__":
    main()
