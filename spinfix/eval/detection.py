"""Evaluation of the detector: sentence and span metrics, clean false positives.

Every figure in models/detector/README.md comes from `scripts/eval_detector.py`, which calls
these functions through the public API (the same code path users run).
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from spinfix.pipeline import Spinfix
from spinfix.report import SentenceReport
from spinfix.text.tokens import tokenize


@dataclass
class BinaryScores:
    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> BinaryScores:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(round(p, 4), round(r, 4), round(f, 4), tp + fn)


def gold_spans(text: str, labels: list[int]) -> set[tuple[int, int]]:
    """Runs of adjacent spun word tokens as character spans (punctuation breaks no run)."""
    toks = tokenize(text)
    words = [(t, lab) for t, lab in zip(toks, labels) if t.is_word]
    spans, run = set(), None
    for t, lab in words:
        if lab:
            run = (run[0], t.end) if run else (t.start, t.end)
        elif run:
            spans.add(run)
            run = None
    if run:
        spans.add(run)
    return spans


# Records from these sources are single sentences placed in templates, not corpus articles
# (spinfix/train/science.py, spinfix/train/technical.py): each is a document of its own.
SINGLE_SENTENCE_SOURCES = ("tortured", "technical")


@dataclass
class ArticleText:
    """Records of one article joined into one text, a line each (every line break is a
    paragraph break, so no sentence crosses from one record into the next)."""

    text: str
    indices: list[int]  # the records' positions in the list they came from
    starts: list[int]  # where each record's text starts in `text`


def as_articles(records: Sequence[dict], field: str = "text") -> list[ArticleText]:
    """Group records by article, in the order they come (a split file keeps each article's
    sentences in reading order); template sentences are documents of their own."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        single = r["article"].split(":")[0] in SINGLE_SENTENCE_SOURCES
        groups.setdefault(f"#{i}" if single else r["article"], []).append(i)
    out = []
    for idx in groups.values():
        starts, pos = [], 0
        for i in idx:
            starts.append(pos)
            pos += len(records[i][field]) + 1
        out.append(ArticleText("\n".join(records[i][field] for i in idx), idx, starts))
    return out


@dataclass
class RecordVerdict:
    """What a detection said about one record: the highest sentence probability, whether any
    sentence was flagged, and its spans in the record's own offsets."""

    probability: float
    is_spun: bool
    spans: list[tuple[int, int]]
    sentences: list[SentenceReport]  # shifted to the record's offsets


def _shifted(sent: SentenceReport, offset: int) -> SentenceReport:
    return replace(
        sent,
        start=sent.start - offset,
        end=sent.end - offset,
        spans=[replace(sp, start=sp.start - offset, end=sp.end - offset) for sp in sent.spans],
    )


def record_verdicts(sf: Spinfix, records: Sequence[dict], articles: bool, field: str = "text") -> list[RecordVerdict]:
    """Detection on each record: alone (`articles=False`, one text per record) or inside its
    article (`articles=True`, the article's records as one text, so that neighbours count)."""
    if articles:
        groups = as_articles(records, field)
        reports = sf.detect_many([g.text for g in groups])
        placed_in = [(rep, g.indices, g.starts) for rep, g in zip(reports, groups)]
    else:
        reports = sf.detect_many([r[field] for r in records])
        placed_in = [(rep, [i], [0]) for i, rep in enumerate(reports)]
    out: list[RecordVerdict | None] = [None] * len(records)
    for rep, idx, starts in placed_in:
        for i, start in zip(idx, starts):
            end = start + len(records[i][field])
            sents = [_shifted(s, start) for s in rep.sentences if start <= s.start and s.end <= end]
            out[i] = RecordVerdict(
                probability=max((s.probability for s in sents), default=0.0),
                is_spun=any(s.is_spun for s in sents),
                spans=[(sp.start, sp.end) for s in sents for sp in s.spans],
                sentences=sents,
            )
    return out  # type: ignore[return-value]


def evaluate_split(sf: Spinfix, records: list[dict], articles: bool = False) -> dict:
    """Sentence P/R/F1/AUC, span F1 (exact offsets) and word F1 on a labelled split, each record
    scored alone or inside its article (`articles`)."""
    from sklearn.metrics import roc_auc_score

    verdicts = record_verdicts(sf, records, articles)
    y, prob, pred = [], [], []
    s_tp = s_fp = s_fn = 0
    w_tp = w_fp = w_fn = 0
    for rec, v in zip(records, verdicts):
        y.append(int(rec["spun"]))
        # A record is one sentence; if the segmenter splits it, the max over parts decides.
        prob.append(v.probability)
        pred.append(int(v.is_spun))
        gold = gold_spans(rec["text"], rec["labels"])
        predicted = set(v.spans)
        s_tp += len(gold & predicted)
        s_fp += len(predicted - gold)
        s_fn += len(gold - predicted)
        gold_words = {(t.start, t.end) for t, lab in zip(tokenize(rec["text"]), rec["labels"]) if lab and t.is_word}
        pred_words = {
            (t.start, t.end)
            for s, e in v.spans
            for t in tokenize(rec["text"][s:e], offset=s)
            if t.is_word
        }
        w_tp += len(gold_words & pred_words)
        w_fp += len(pred_words - gold_words)
        w_fn += len(gold_words - pred_words)
    y_a, pred_a = np.array(y), np.array(pred)
    tp = int(((pred_a == 1) & (y_a == 1)).sum())
    fp = int(((pred_a == 1) & (y_a == 0)).sum())
    fn = int(((pred_a == 0) & (y_a == 1)).sum())
    return {
        "sentences": len(records),
        "spun_sentences": int(y_a.sum()),
        "sentence": asdict(BinaryScores.from_counts(tp, fp, fn)),
        "sentence_auc": round(float(roc_auc_score(y_a, prob)), 4) if 0 < y_a.sum() < len(y_a) else None,
        "span_exact": asdict(BinaryScores.from_counts(s_tp, s_fp, s_fn)),
        "word": asdict(BinaryScores.from_counts(w_tp, w_fp, w_fn)),
        "calibration": calibration_table(np.array(prob), y_a),
    }


def calibration_table(prob: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict]:
    """Mean predicted probability vs observed share of spun sentences, per probability bin."""
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (prob >= lo) & ((prob < hi) if hi < 1 else (prob <= hi))
        if m.sum():
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(m.sum()),
                         "mean_prob": round(float(prob[m].mean()), 3), "observed": round(float(y[m].mean()), 3)})
    return rows


def clean_flag_rate(sf: Spinfix, sentences: list[str]) -> dict:
    """Share of clean (never spun) sentences that spinfix flags: its false-accusation rate."""
    reports = sf.detect_many(sentences)
    flagged = sum(r.is_spun for r in reports)
    return {"sentences": len(sentences), "flagged": flagged, "rate": round(flagged / max(len(sentences), 1), 4)}


def clean_article_flag_rate(sf: Spinfix, records: Sequence[dict]) -> dict:
    """The same for whole clean articles: every record's original sentence, inside its article."""
    verdicts = record_verdicts(sf, records, articles=True, field="clean")
    flagged = sum(v.is_spun for v in verdicts)
    return {"sentences": len(records), "flagged": flagged, "rate": round(flagged / max(len(records), 1), 4)}


def mixed_article_flag_rates(sf: Spinfix, records: Sequence[dict], seed: int = 0) -> dict:
    """A clean article and a spun one pasted into one text (a page that mixes sources): the
    share of each one's sentences flagged there, against each article on its own. Tells how far
    the neighbours' verdict spreads across the seam."""
    by_article: dict[str, list[dict]] = {}
    for r in records:
        if r["article"].split(":")[0] not in SINGLE_SENTENCE_SOURCES:
            by_article.setdefault(r["article"], []).append(r)
    spun = [a for a in by_article.values() if all(r["spun"] for r in a)]
    clean = [a for a in by_article.values() if not any(r["spun"] for r in a)]
    rng = random.Random(seed)
    rng.shuffle(spun)
    rng.shuffle(clean)
    pairs = list(zip(clean, spun))
    texts, alone_texts, seams = [], [], []
    for c, s in pairs:
        first, second = "\n".join(r["text"] for r in c), "\n".join(r["text"] for r in s)
        texts.append(first + "\n" + second)
        alone_texts += [first, second]
        seams.append(len(first))
    mixed = sf.detect_many(texts)
    alone = sf.detect_many(alone_texts)
    out: dict[str, float] = {"pairs": len(pairs)}
    for name, which in (("clean", 0), ("spun", 1)):
        part = [[x for x in rep.sentences if (x.start < seam) == (which == 0)] for rep, seam in zip(mixed, seams)]
        n = sum(len(p) for p in part)
        out[f"{name}_flagged_mixed"] = round(sum(s.is_spun for p in part for s in p) / max(n, 1), 4)
        own = alone[which::2]
        n_own = sum(len(r.sentences) for r in own)
        out[f"{name}_flagged_alone"] = round(sum(s.is_spun for r in own for s in r.sentences) / max(n_own, 1), 4)
    return out
