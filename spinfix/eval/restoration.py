"""Evaluation of restoration: did the original words come back, and was clean text left alone?

Word-level figures are counted on the original (clean) sentence: a word of it is "spun" if a gold
edit replaced it, "clean" otherwise. The restored sentence is aligned with the original word by
word (difflib); an original word that comes back at its place is restored (spun) or intact
(clean). "Doing nothing" (the spun text as is) is scored the same way, as the floor.

Runs through the public API (`Spinfix.restore_many`), detector spans included: these are the
figures a user gets, not the rewriter's alone. `oracle=True` hands the restorer the gold spans
instead, to separate restoration errors from detection errors.
"""
from __future__ import annotations

import difflib
import random
from collections.abc import Sequence

import numpy as np

from spinfix.eval.detection import record_verdicts
from spinfix.eval.records import merge_edits
from spinfix.eval.tortured import placed
from spinfix.eval.tortured_pairs import TorturedPair, learned_table, load_pairs
from spinfix.pipeline import Spinfix
from spinfix.report import Report
from spinfix.restore.candidates import Unit
from spinfix.restore.rules import SpanTask, apply
from spinfix.text.tokens import tokenize


def clean_side_labels(record: dict) -> list[tuple[str, bool]]:
    """(word, was it replaced by the spinner) for each word of the original sentence."""
    regions, shift = [], 0
    for s, e, orig, _rep, _src in sorted(record["edits"], key=lambda x: x[0]):
        c_start = s + shift
        regions.append((c_start, c_start + len(orig)))
        shift += len(orig) - (e - s)
    clean = record["clean"]
    return [
        (t.text, any(a < t.end and t.start < b for a, b in regions)) for t in tokenize(clean) if t.is_word
    ]


def word_outcomes(restored: str, record: dict) -> tuple[int, int, int, int]:
    """(spun words, of them restored, clean words, of them damaged) for one sentence."""
    spun, restored_n, clean, damaged, _ = _word_counts(restored, record)
    return spun, restored_n, clean, damaged


def _word_counts(restored: str, record: dict) -> tuple[int, int, int, int, list[tuple[int, str, bool]]]:
    """word_outcomes, and for each word of `restored` its offset, its text and whether it is no
    original word at its place (a stray)."""
    labels = clean_side_labels(record) if record.get("spun") else [
        (t.text, False) for t in tokenize(record["clean"]) if t.is_word
    ]
    got = [t for t in tokenize(restored) if t.is_word]
    ok = [False] * len(labels)
    matched = [False] * len(got)
    sm = difflib.SequenceMatcher(a=[w for w, _ in labels], b=[t.text for t in got], autojunk=False)
    for a, b, n in sm.get_matching_blocks():
        for i in range(n):
            ok[a + i] = matched[b + i] = True
    spun = sum(1 for _, s in labels if s)
    restored_n = sum(1 for (_, s), k in zip(labels, ok) if s and k)
    clean = len(labels) - spun
    damaged = sum(1 for (_, s), k in zip(labels, ok) if not s and not k)
    return spun, restored_n, clean, damaged, [(t.start, t.text, not m) for t, m in zip(got, matched)]


def edit_improves(sentence: str, record: dict, start: int, end: int, new: str) -> bool:
    """Word-level verdict on one edit (offsets in `sentence`), applied alone: right when it
    brings back an original word or removes a word the spinner added, damages no clean word,
    and every word it puts in is the original's at its place. Unlike edit_outcomes' exact rule,
    an edit that undoes one of two neighbouring swaps is right, and so is one whose stretch the
    gold alignment merged with a typographic difference or a stray brace beside it."""
    after = sentence[:start] + new + sentence[end:]
    _, restored0, _, damaged0, words0 = _word_counts(sentence, record)
    _, restored1, _, damaged1, words1 = _word_counts(after, record)
    stray0, stray1 = sum(x for *_, x in words0), sum(x for *_, x in words1)
    old_words = [t.text for t in tokenize(sentence[start:end]) if t.is_word]
    put_in = [(w, x) for o, w, x in words1 if start <= o < start + len(new)]
    sm = difflib.SequenceMatcher(a=old_words, b=[w for w, _ in put_in], autojunk=False)
    changed = {j for tag, _, _, j1, j2 in sm.get_opcodes() if tag != "equal" for j in range(j1, j2)}
    foreign = any(put_in[j][1] for j in changed)
    return (restored1 > restored0 or stray1 < stray0) and damaged1 <= damaged0 and not foreign


def edit_outcomes(report: Report, record: dict) -> list[tuple[float, bool]]:
    """(confidence, right?) for every edit a restorer proposed (applied or not). Right when the
    suggestion is exactly the original wording of the span's stretch: the spun text with every
    gold edit inside the span undone, where at least one gold edit lies inside it and none
    straddles its edges. A span wider than the gold one (a clean word flagged beside a spun one)
    is judged on its whole stretch; an edit of clean words only is wrong."""
    gold = record["edits"] if record.get("spun") else []
    out = []
    for sp in report.spans:
        if not sp.is_edit:
            continue
        inside = [g for g in gold if sp.start <= g[0] and g[1] <= sp.end]
        straddles = any(g[0] < sp.end and sp.start < g[1] for g in gold if g not in inside)
        original = report.text[sp.start : sp.end]
        for g_start, g_end, orig, *_ in sorted(inside, key=lambda g: -g[0]):
            original = original[: g_start - sp.start] + orig + original[g_end - sp.start :]
        out.append((sp.confidence or 0.0, bool(inside) and not straddles and sp.suggestion == original))
    return out


def reliability(outcomes: Sequence[tuple[float, bool]], width: float = 0.2) -> list[dict]:
    """Edits binned by confidence: how many, their mean confidence, the share right."""
    bins = []
    for k in range(round(1 / width)):
        lo, last = k * width, k == round(1 / width) - 1
        sel = [(c, ok) for c, ok in outcomes if lo <= c < lo + width or (last and c >= lo)]
        if sel:
            bins.append({"confidence": f"{lo:.1f}-{lo + width:.1f}", "edits": len(sel),
                         "mean_confidence": round(float(np.mean([c for c, _ in sel])), 3),
                         "right": round(float(np.mean([ok for _, ok in sel])), 3)})
    return bins


def calibration_error(bins: Sequence[dict]) -> float:
    """Expected calibration error over reliability bins: |mean confidence - share right|,
    weighted by the edits in each bin."""
    n = sum(b["edits"] for b in bins)
    return round(sum(b["edits"] * abs(b["mean_confidence"] - b["right"]) for b in bins) / max(n, 1), 4)


def restored_text(report: Report) -> str:
    """A restored report's text (the text itself for a report restoration never saw)."""
    return report.text if report.restored_text is None else report.restored_text


def _chrf(hyps: list[str], refs: list[str]) -> float:
    from sacrebleu.metrics import CHRF

    return round(CHRF().corpus_score(hyps, [refs]).score, 2)


def restore_given(sf: Spinfix, tasks: Sequence[SpanTask], method: str | None) -> list[str]:
    """Each task's sentence restored on exactly its spans, bypassing the detector; an edit below
    the method's minimum confidence is not applied, as in restore()."""
    restorer = sf.restorer(method)
    min_conf = sf.restore_settings.min_confidence.get(restorer.name, 0.0)
    out = []
    for task, sugg in zip(tasks, restorer.restore(tasks)):
        texts = [g.text if g.confidence >= min_conf else task.sentence[s:e] for (s, e), g in zip(task.spans, sugg)]
        out.append(apply(task.sentence, task.spans, texts))
    return out


def _oracle_restore(sf: Spinfix, records: Sequence[dict], method: str | None) -> list[str]:
    """Restored sentences when the restorer is given the gold spans (merged runs)."""
    where = [i for i, r in enumerate(records) if r["spun"]]
    tasks = [SpanTask(records[i]["text"], tuple((s, e) for s, e, _ in merge_edits(records[i]["text"], records[i]["edits"])))
             for i in where]
    out = [r["text"] for r in records]
    for i, text in zip(where, restore_given(sf, tasks, method)):
        out[i] = text
    return out


def _restore_in_articles(sf: Spinfix, records: Sequence[dict], split: Sequence[dict], method: str | None) -> list[Report]:
    """Each record detected inside its article (its article's records in `split`, in order, as
    one text), then restored: a report per record, in the record's own offsets."""
    wanted = {r["article"] for r in records}
    articles = [r for r in split if r["article"] in wanted]
    position = {id(r): i for i, r in enumerate(articles)}
    verdicts = record_verdicts(sf, articles, articles=True)
    reports = []
    for r in records:
        v = verdicts[position[id(r)]]
        reports.append(Report(text=r["text"], sentences=v.sentences, threshold=sf.threshold, model=sf.detector.name))
    return sf.restore_reports(reports, method=method)


def evaluate_records(
    sf: Spinfix, records: Sequence[dict], method: str | None, oracle: bool = False, split: Sequence[dict] | None = None
) -> dict:
    """Restoration figures on labelled synthetic sentences (spun and clean). Each sentence is
    detected alone, or, given `split` (the records' whole split, holding the records themselves),
    inside its article, as a user's article would be."""
    calibration = {}
    if oracle:
        restored = _oracle_restore(sf, records, method)
    else:
        if split is not None:
            reports = _restore_in_articles(sf, records, split, method)
        else:
            reports = sf.restore_many([r["text"] for r in records], method=method)
        restored = [restored_text(r) for r in reports]
        # Every proposed edit, applied or not: does its confidence say how often it is right?
        bins = reliability([x for rep, rec in zip(reports, records) for x in edit_outcomes(rep, rec)])
        calibration = {"edit_reliability": bins, "edit_calibration_error": calibration_error(bins)}
    tot = [0, 0, 0, 0]
    base = [0, 0, 0, 0]
    exact = exact_spun = n_spun = 0
    for r, out in zip(records, restored):
        for k, v in enumerate(word_outcomes(out, r)):
            tot[k] += v
        for k, v in enumerate(word_outcomes(r["text"], r)):
            base[k] += v
        if r["spun"]:
            n_spun += 1
            exact_spun += out == r["clean"]
        exact += out == r["clean"]
    spun_records = [(r, o) for r, o in zip(records, restored) if r["spun"]]
    return {
        "sentences": len(records),
        "spun_sentences": n_spun,
        "spun_words": tot[0],
        "spun_words_restored": round(tot[1] / max(tot[0], 1), 4),
        "clean_words": tot[2],
        "clean_words_damaged": round(tot[3] / max(tot[2], 1), 4),
        "sentence_exact": round(exact / max(len(records), 1), 4),
        "spun_sentence_exact": round(exact_spun / max(n_spun, 1), 4),
        "chrf": _chrf([o for _, o in spun_records], [r["clean"] for r, _ in spun_records]),
        **calibration,
        "do_nothing": {
            "spun_words_restored": round(base[1] / max(base[0], 1), 4),
            "chrf": _chrf([r["text"] for r, _ in spun_records], [r["clean"] for r, _ in spun_records]),
        },
    }


def phrase_edits(pair: TorturedPair, where: tuple[int, int]) -> list[list]:
    """Gold edits [start, end, original] of a tortured phrase placed at `where`: one per swapped
    word when the two phrases have as many words, else the whole phrase."""
    start, end = where
    tortured, correct = pair.tortured_bare.split(), pair.correct.split()
    if len(tortured) != len(correct):
        return [[start, end, pair.correct]]
    edits, pos = [], start
    for t, c in zip(tortured, correct):
        pos += len(t)
        if t != c:
            edits.append([pos - len(t), pos, c])
        pos += 1  # the single space between words (str.split of a clean phrase)
    return edits


def spells(units: Sequence[Unit], sentence: str, span: tuple[int, int], correct: str) -> bool:
    """Whether one candidate per unit, with the text between the units kept, spells `correct`
    in place of the span (case-insensitively): could the restorer have got it right at all?"""
    target = correct.lower()
    reach = {0}  # how much of the target the units so far can have spelled
    pos = span[0]
    for u in units:
        gap = sentence[pos : u.start].lower()
        reach = {n + len(gap) for n in reach if target.startswith(gap, n)}
        reach = {n + len(c) for n in reach for c in {c.lower() for c in u.candidates} if target.startswith(c, n)}
        pos = u.end
        if not reach:
            return False
    tail = sentence[pos : span[1]].lower()
    return any(n + len(tail) == len(target) and target.startswith(tail, n) for n in reach)


def evaluate_tortured(sf: Spinfix, pairs: Sequence[TorturedPair], method: str | None, oracle: bool = False) -> dict:
    """Tortured phrases in ordinary sentences: restored exactly (the whole sentence equals the
    one with the correct phrase); the correct-phrase sentences are the control (any change is
    damage). `oracle=True` hands the restorer the tortured phrase as the one span instead of the
    detector's spans (no control: there is no phrase to hand it there)."""
    spun, clean, where = placed(pairs)
    n = max(len(pairs), 1)
    if oracle:
        restored_texts = restore_given(sf, [SpanTask(t, (w,)) for t, w in zip(spun, where)], method)
        return {
            "pairs": len(pairs),
            "restored_exactly": round(sum(r == c for r, c in zip(restored_texts, clean)) / n, 4),
            "chrf": _chrf(restored_texts, clean),
            "do_nothing_chrf": _chrf(spun, clean),
        }
    out_spun = sf.restore_many(spun, method=method)
    out_clean = sf.restore_many(clean, method=method)
    restored = sum(r.restored_text == c for r, c in zip(out_spun, clean))
    changed = sum(r.restored_text != c for r, c in zip(out_clean, clean))
    return {
        "pairs": len(pairs),
        "restored_exactly": round(restored / n, 4),
        "flagged": round(sum(r.is_spun for r in out_spun) / n, 4),
        "control_changed": round(changed / n, 4),
        "chrf": _chrf([restored_text(r) for r in out_spun], clean),
        "do_nothing_chrf": _chrf(spun, clean),
    }


def sample(items: Sequence, n: int | None, seed: int = 0) -> list:
    """A fixed random sample (the same on every run)."""
    items = list(items)
    if n is None or n >= len(items):
        return items
    return random.Random(seed).sample(items, n)


def check_phrases(n: int, learned_from: str = "none") -> tuple[list[TorturedPair], dict[str, list[str]]]:
    """The dev check on real spinner output (`tune_restore.py --tortured`, `diag_tortured.py`):
    a fixed sample of n phrases of the spinner share's "check" part, and the learned swaps the
    candidates may undo meanwhile: none ("none": they stand in for phrases whose swaps nothing
    taught), or the "fit" part's ("fit": unseen phrases whose words other real phrases taught)."""
    share = [p for p in load_pairs() if p.split == "spinner"]
    taught = [p for p in share if p.spinner_part == "fit"] if learned_from == "fit" else []
    return sample([p for p in share if p.spinner_part == "check"], n), learned_table(taught)


# scripts/tune_restore.py's dev sentences: a fixed sample, which the baseline's fit leaves out.
TUNING_SENTENCES = 300


def tuning_sample(dev: Sequence[dict], n: int = TUNING_SENTENCES) -> list[dict]:
    """The dev sentences that thresholds and the default method are chosen on."""
    return sample(dev, n, seed=1)


def fit_sample(dev: Sequence[dict], n: int) -> list[dict]:
    """The dev sentences the baseline's scores and confidence map are fitted on
    (scripts/fit_baseline.py, scripts/calibrate_baseline.py): none of the tuning sentences."""
    tuning = {r["text"] for r in tuning_sample(dev)}
    return sample([r for r in dev if r["text"] not in tuning], n, seed=2)


def choose_default(per_sentence: dict[str, list[tuple[int, int]]], by_speed: Sequence[str]) -> tuple[str, dict]:
    """The default restoration method: the fastest (first in `by_speed`), unless a slower one
    restores more spun words by over two standard errors of the paired difference.

    `per_sentence[method]` holds (spun words, of them restored) for the same sentences, in the
    same order; sentences are the unit of the standard error (words in a sentence are not
    independent). Returns the method and, per comparison, the lead and its standard error.
    """
    methods = sorted(per_sentence, key=lambda m: list(by_speed).index(m) if m in by_speed else len(by_speed))
    best = methods[0]
    notes = {}
    for other in methods[1:]:
        a, b = np.array(per_sentence[best], dtype=float), np.array(per_sentence[other], dtype=float)
        words = a[:, 0].sum()
        d = b[:, 1] - a[:, 1]  # per sentence: how many more spun words `other` restored
        lead = d.sum() / words
        se = float(np.sqrt(len(d) * d.var(ddof=1)) / words)
        notes[f"{other}_minus_{best}"] = {"lead": round(float(lead), 4), "standard_error": round(se, 4)}
        if lead > 2 * se:
            best = other
    return best, notes
