"""Measuring the reference check on the generated cases (spinfix.train.reference_data): sentence
alignment against the gold links, and the derivation evidence of each case."""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinfix.eval.restoration import word_outcomes
from spinfix.reference.check import AlignedPair
from spinfix.report import Edit, Report
from spinfix.text.document import Segment
from spinfix.text.tokens import tokenize


def gold_links(case: dict, suspect: Sequence[Segment]) -> set[tuple[int, int]]:
    """(suspect sentence, source reference sentence) links a derived case's units give, on
    spinfix's own segmentation of the suspect (a sentence takes every unit it overlaps)."""
    links: set[tuple[int, int]] = set()
    for i, seg in enumerate(suspect):
        for u in case["units"]:
            if u["source"] and u["start"] < seg.end and seg.start < u["end"]:
                links.update((i, j) for j in u["source"])
    return links


def predicted_links(pairs: Sequence[AlignedPair], source: int | None) -> set[tuple[int, int]]:
    """The alignment's links into the source reference (links into another reference are kept
    with sentence -1, so that they count as wrong)."""
    return {(i, j if p.reference == source else -1) for p in pairs for i in p.suspect for j in p.sentences}


@dataclass
class LinkCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set, pred: set) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "links": self.tp + self.fn}


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The probability that a positive scores above a negative (ties count half)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _unit_record(u: dict) -> dict:
    return {"clean": u["clean"], "edits": u["edits"], "spun": bool(u["edits"])}


def _applied(text: str, a: int, b: int, edits: Sequence[Edit]) -> str:
    """text[a:b] with the edits inside it applied."""
    out, pos = [], a
    for e in sorted(edits, key=lambda e: e.start):
        out.append(text[pos : e.start])
        out.append(e.new)
        pos = e.end
    out.append(text[pos:b])
    return "".join(out)


def _distance(text: str, clean: str) -> int:
    """Words of either side that the other lacks (a word-level edit distance without swaps)."""
    a = [t.text for t in tokenize(clean) if t.is_word]
    b = [t.text for t in tokenize(text) if t.is_word]
    matched = sum(n for _, _, n in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
    return len(a) + len(b) - 2 * matched


def edit_right(text: str, edit: Edit, unit: dict) -> bool:
    """Is `edit`, applied alone, right for its gold unit: the unit's words closer to the original
    ones, and no more clean words damaged? (Judged on words, so that an edit that undoes a
    spinner's insertion by dropping words counts as it should.)"""
    a, b = unit["start"], unit["end"]
    record = _unit_record(unit)
    after_text = _applied(text, a, b, [edit])
    closer = _distance(after_text, unit["clean"]) < _distance(text[a:b], unit["clean"])
    return closer and word_outcomes(after_text, record)[3] <= word_outcomes(text[a:b], record)[3]


def unit_outcomes(report: Report, case: dict) -> tuple[np.ndarray, list[tuple[str, bool]]]:
    """(spun, restored, clean, damaged) words over the case's units with a gold, with the report's
    edits applied; and every applied edit inside such a unit with its evidence and whether it is
    right (edit_right)."""
    text = report.text
    edits = report.edits or []
    tot = np.zeros(4)
    judged = []
    for u in case["units"]:
        if "clean" not in u:
            continue
        inside = [e for e in edits if u["start"] <= e.start and e.end <= u["end"]]
        tot += np.array(word_outcomes(_applied(text, u["start"], u["end"], inside), _unit_record(u)))
        judged += [(e.evidence or "model", edit_right(text, e, u)) for e in inside]
    return tot, judged
