"""Evaluation on real tortured phrases (the Problematic Paper Screener's dev file): placed in
ordinary sentences, in paragraphs of a "paper", inside hyphenated words; and how the synthetic
spinner's swaps compare with the real ones.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from spinfix.eval.tortured_pairs import TorturedPair
from spinfix.lexicon.morphology import noun_number, same_lemma
from spinfix.pipeline import Spinfix
from spinfix.report import Report, SentenceReport

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


# Plain short carriers, as a user pastes a phrase or a one-line claim (written for spinfix; not
# used in training nor by the evaluation's own templates): how well a short input is read.
PLAIN_CARRIERS = (
    "We used {}.",
    "This is about {}.",
    "{} is widely used today.",
    "The paper studies {}.",
    "They applied {} to the data.",
    "Our focus is {}.",
    "{} remains an open problem.",
    "The model relies on {}.",
)


def template_for(phrase: str, templates: Sequence[str] = TEMPLATES) -> str:
    """A stable template per phrase, so reruns place each phrase in the same sentence."""
    return templates[int(hashlib.sha1(phrase.encode()).hexdigest()[:8], 16) % len(templates)]


def placed(pairs: Sequence[TorturedPair], templates: Sequence[str] = TEMPLATES) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Each pair in its template: the sentences with the tortured and with the correct phrase,
    and where the tortured phrase is in the first. A phrase that opens its sentence is
    capitalised there, as it would be written."""
    spun_texts, clean_texts, where = [], [], []
    for p in pairs:
        tpl = template_for(p.correct, templates)
        if tpl.startswith("{}"):
            spun_texts.append(tpl.format(p.tortured_bare[:1].upper() + p.tortured_bare[1:]))
            clean_texts.append(tpl.format(p.correct[:1].upper() + p.correct[1:]))
            where.append((0, len(p.tortured_bare)))
            continue
        spun_texts.append(tpl.format(p.tortured_bare))
        clean_texts.append(tpl.format(p.correct))
        start = tpl.index("{}")
        where.append((start, start + len(p.tortured_bare)))
    return spun_texts, clean_texts, where


def tortured_flag_rate(sf: Spinfix, pairs: list[TorturedPair], templates: Sequence[str] = TEMPLATES) -> dict:
    """Tortured phrases placed in ordinary sentences: share flagged with a span on the phrase;
    the same sentences with the correct phrase are the control (false flags)."""
    spun_texts, clean_texts, where = placed(pairs, templates)
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
    for r, text, (s, _e), hits in zip(reports, spun, where, words):
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
    out: dict[str, float] = {"word_swaps": len(swaps)}
    for src, _ in spinner.sources:
        out[src.name] = round(sum(tw in spinner.candidates(src, cw) for cw, tw in swaps) / n, 4)
    out["any_source"] = round(sum(tw in spinner.all_candidates(cw) for cw, tw in swaps) / n, 4)
    return out
