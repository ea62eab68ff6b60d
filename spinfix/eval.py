"""Evaluation of the detector: sentence and span metrics, clean false positives, tortured phrases.

Every figure in models/detector/README.md comes from `scripts/eval_detector.py`, which calls
these functions through the public API (the same code path users run).
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from spinfix.lexicon import noun_number, same_lemma
from spinfix.pipeline import Spinfix
from spinfix.report import Report, SentenceReport
from spinfix.tokens import tokenize
from spinfix.tortured import TorturedPair

# Ordinary sentences with a slot for a phrase, written for spinfix (no third-party text). Most
# read like a methods section or a science news story, where tortured phrases are found.
TEMPLATES = (
    "In this paper, we propose a method based on {} for the analysis of clinical records.",
    "The results show that {} improves performance on both benchmark datasets.",
    "Recent work has applied {} to problems in medicine, finance and transport.",
    "We compare our approach with {} and report the accuracy on the test set.",
    "The second section reviews previous studies on {} and their main limitations.",
    "Researchers at the university said that {} could reduce the cost of the treatment.",
    "This study examines how {} affects the reliability of the proposed system.",
    "Finally, we discuss the role of {} in future applications of the framework.",
    "A growing number of companies now rely on {} to make decisions about their customers.",
    "The experiments were repeated five times, and {} was used in every run.",
)


def template_for(phrase: str) -> str:
    """A stable template per phrase, so reruns place each phrase in the same sentence."""
    return TEMPLATES[int(hashlib.sha1(phrase.encode()).hexdigest()[:8], 16) % len(TEMPLATES)]


@dataclass
class BinaryScores:
    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> "BinaryScores":
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
    out = {"pairs": len(pairs)}
    for name, which in (("clean", 0), ("spun", 1)):
        part = [[x for x in rep.sentences if (x.start < seam) == (which == 0)] for rep, seam in zip(mixed, seams)]
        n = sum(len(p) for p in part)
        out[f"{name}_flagged_mixed"] = round(sum(s.is_spun for p in part for s in p) / max(n, 1), 4)
        own = alone[which::2]
        n_own = sum(len(r.sentences) for r in own)
        out[f"{name}_flagged_alone"] = round(sum(s.is_spun for r in own for s in r.sentences) / max(n_own, 1), 4)
    return out


def placed(pairs: Sequence[TorturedPair]) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Each pair in its template: the sentences with the tortured and with the correct phrase,
    and where the tortured phrase is in the first."""
    spun_texts, clean_texts, where = [], [], []
    for p in pairs:
        tpl = template_for(p.correct)
        spun_texts.append(tpl.format(p.tortured_bare))
        clean_texts.append(tpl.format(p.correct))
        start = tpl.index("{}")
        where.append((start, start + len(p.tortured_bare)))
    return spun_texts, clean_texts, where


def tortured_flag_rate(sf: Spinfix, pairs: list[TorturedPair]) -> dict:
    """Tortured phrases placed in ordinary sentences: share flagged with a span on the phrase;
    the same sentences with the correct phrase are the control (false flags)."""
    spun_texts, clean_texts, where = placed(pairs)
    spun_reports = sf.detect_many(spun_texts)
    clean_reports = sf.detect_many(clean_texts)
    sentence_flagged = sum(r.is_spun for r in spun_reports)
    on_phrase = sum(
        any(sp.start < e and s < sp.end for sp in r.spans) for r, (s, e) in zip(spun_reports, where)
    )
    control = sum(r.is_spun for r in clean_reports)
    n = max(len(pairs), 1)
    return {
        "pairs": len(pairs),
        "sentence_flagged": round(sentence_flagged / n, 4),
        "flagged_on_phrase": round(on_phrase / n, 4),
        "control_correct_phrase_flagged": round(control / n, 4),
    }


def tortured_paper_flag_rates(sf: Spinfix, pairs: Sequence[TorturedPair], per_paper: int = 10, seed: int = 0) -> dict:
    """Tortured phrases in "papers": `per_paper` template sentences as one paragraph, half of them
    holding a tortured phrase and half the correct phrase of another pair, so that each
    sentence has neighbours, as in a paper-mill paper. Every pair is placed twice, once tortured
    and once correct (in different papers). Also all-correct papers: a clean paper's sentences
    flagged. The templates are the evaluation's own (`TEMPLATES`), never used in training."""
    order = list(pairs)
    random.Random(seed).shuffle(order)
    half = per_paper // 2
    n = len(order) - len(order) % per_paper
    papers: list[list[tuple[TorturedPair, bool]]] = []
    for i in range(0, n, per_paper):
        group = order[i : i + per_paper]
        papers.append([(p, True) for p in group[:half]] + [(p, False) for p in group[half:]])
        papers.append([(p, False) for p in group[:half]] + [(p, True) for p in group[half:]])
    for p_ in papers:
        random.Random(seed + len(papers)).shuffle(p_)

    def build(paper: list[tuple[TorturedPair, bool]]) -> tuple[str, list[tuple[int, int, bool]]]:
        parts, where, pos = [], [], 0
        for p, tortured in paper:
            tpl = template_for(p.correct)
            phrase = p.tortured_bare if tortured else p.correct
            start = pos + tpl.index("{}")
            where.append((start, start + len(phrase), tortured))
            parts.append(tpl.format(phrase))
            pos += len(parts[-1]) + 1
        return " ".join(parts), where

    mixed = [build(p) for p in papers]
    clean = [build([(p, False) for p, _ in paper]) for paper in papers[::2]]
    mixed_reports = sf.detect_many([t for t, _ in mixed])
    clean_reports = sf.detect_many([t for t, _ in clean])

    def sentence_of(rep: Report, s: int) -> SentenceReport | None:
        return next((x for x in rep.sentences if x.start <= s < x.end), None)

    hit = tortured_n = false = correct_n = 0
    for rep, (_, where) in zip(mixed_reports, mixed):
        for s, e, tortured in where:
            sent = sentence_of(rep, s)
            if tortured:
                tortured_n += 1
                hit += sent is not None and any(sp.start < e and s < sp.end for sp in sent.spans)
            else:
                correct_n += 1
                false += sent is not None and sent.is_spun
    clean_flagged = sum(x.is_spun for rep in clean_reports for x in rep.sentences)
    clean_n = sum(len(rep.sentences) for rep in clean_reports)
    return {
        "papers": len(papers),
        "sentences_per_paper": per_paper,
        "tortured_flagged_on_phrase": round(hit / max(tortured_n, 1), 4),
        "correct_in_same_papers_flagged": round(false / max(correct_n, 1), 4),
        "all_correct_papers": len(clean),
        "all_correct_papers_sentences_flagged": round(clean_flagged / max(clean_n, 1), 4),
    }


def hyphen_part_swap(correct: str, tortured: str) -> bool:
    """Whether a real swap changed a part of a hyphenated word ("x-ray" -> "x-beam")."""
    a, b = correct.split("-"), tortured.split("-")
    return correct != tortured and len(a) == len(b) > 1 and sum(x != y for x, y in zip(a, b)) < len(a)


def hyphen_part_detection(sf: Spinfix, pairs: Sequence[TorturedPair]) -> dict:
    """Tortured phrases with a swapped part of a hyphenated word (equal-length pairs), placed in
    the evaluation templates: the share of such words inside a detector span, and of the
    phrases flagged on the phrase. The synthetic spinner never makes these swaps."""
    chosen, words = [], []
    for p in pairs:
        t, c = p.tortured.split(), p.correct.split()
        hits = [tw for tw, cw in zip(t, c) if hyphen_part_swap(cw, tw)] if len(t) == len(c) else []
        if hits:
            chosen.append(p)
            words.append(hits)
    if not chosen:
        return {"pairs": 0}
    spun, _clean, where = placed(chosen)
    reports = sf.detect_many(spun)
    marked = n_words = 0
    for r, text, (s, e), hits in zip(reports, spun, where, words):
        pos = s
        for w in hits:
            i = text.index(w, pos)
            pos = i + len(w)
            n_words += 1
            marked += any(sp.start <= i < sp.end for sp in r.spans)
    on_phrase = sum(any(sp.start < e and s < sp.end for sp in r.spans) for r, (s, e) in zip(reports, where))
    return {
        "pairs": len(chosen),
        "words": n_words,
        "words_marked": round(marked / n_words, 4),
        "flagged_on_phrase": round(on_phrase / len(chosen), 4),
    }


def word_swaps(pairs: Sequence[TorturedPair]) -> list[tuple[str, str]]:
    """Real word swaps (correct word, tortured word) from the equal-length tortured pairs."""
    swaps = []
    for p in pairs:
        t, c = p.tortured.split(), p.correct.split()
        if len(t) == len(c):
            swaps += [(cw, tw) for tw, cw in zip(t, c) if tw != cw and tw.isalpha() and cw.isalpha()]
    return swaps


def number_changes(swaps: Sequence[tuple[str, str]]) -> dict:
    """How a spinner treats inflection, from (original word, spun word) pairs: the share of
    singular nouns it made plural, of plural nouns it made singular, and of swaps that are only
    another form of the same word."""
    sg = [spun for orig, spun in swaps if noun_number(orig) == "singular"]
    pl = [spun for orig, spun in swaps if noun_number(orig) == "plural"]
    return {
        "word_swaps": len(swaps),
        "singular_made_plural": round(sum(noun_number(w) == "plural" for w in sg) / max(len(sg), 1), 4),
        "plural_made_singular": round(sum(noun_number(w) == "singular" for w in pl) / max(len(pl), 1), 4),
        "same_word_other_form": round(sum(same_lemma(o, s) for o, s in swaps) / max(len(swaps), 1), 4),
    }


def spinner_number_changes(spinner, sentences: Sequence[str], pairs: Sequence[TorturedPair], seed: int = 0) -> dict:
    """`number_changes` of the real tortured swaps against the spinner's own single-word swaps
    on `sentences` (spun at rate 0.3 with a fixed seed)."""
    rng = random.Random(seed)
    synthetic = [
        (e.original.lower(), e.replacement.lower())
        for text in sentences
        for e in spinner.spin(text, 0.3, rng).edits
        if " " not in e.original and " " not in e.replacement
    ]
    return {"real_tortured": number_changes(word_swaps(pairs)), "synthetic": number_changes(synthetic)}


def spinner_realism(spinner, pairs: list[TorturedPair]) -> dict:
    """Share of real word swaps (correct word -> tortured word, from equal-length pairs) that the
    synthetic spinner can propose, per substitution source and for all sources together."""
    swaps = word_swaps(pairs)
    n = max(len(swaps), 1)
    out = {"word_swaps": len(swaps)}
    for src, _ in spinner.sources:
        out[src.name] = round(sum(tw in spinner.candidates(src, cw) for cw, tw in swaps) / n, 4)
    out["any_source"] = round(sum(tw in spinner.all_candidates(cw) for cw, tw in swaps) / n, 4)
    return out
