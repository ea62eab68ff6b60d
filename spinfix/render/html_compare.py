"""A comparison (the dict of `Comparison.to_dict`) as what the HTML page shows: the verdict and its
evidence, the aligned sentences side by side with their differences by kind, the quotations
and numbers both sides share, the suspect's sentences that align to nothing, and the report."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spinfix.render.compare import EVIDENCE_NAMES
from spinfix.render.html_article import Article, article
from spinfix.render.html_text import Run, cut, report_text

# Each kind of difference, in words (spinfix.reference.words.KINDS), in the legend's order.
KIND_NAMES = {
    "swap": "spinner swap",
    "rewording": "rewording",
    "fact": "changed fact",
    "insertion": "inserted",
    "deletion": "dropped",
}
KIND_HELP = {
    "swap": "a few words for related ones, as a synonym spinner swaps them",
    "rewording": "a few words for unrelated ones",
    "fact": "a number, a name or a quotation differs",
    "insertion": "words only the suspect text has",
    "deletion": "words only the reference has",
}

# What a spinner leaves alone, so what a copy shares with its source: numbers and quotations.
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
_QUOTE = re.compile(r"“[^”\n]{1,400}”|\"[^\"\n]{1,400}\"")


@dataclass(frozen=True)
class Tag:
    """What marks a stretch of one side of a pair: a kind of difference, or "shared"."""

    kind: str
    label: str
    title: str


@dataclass
class Pair:
    id: str
    number: int
    reference_name: str
    similarity: float
    copied_share: float
    suspect: list[Run[Tag]]
    reference: list[Run[Tag]] | None  # None: the reference's text was not kept (a batch record)
    differences: list[tuple[str, str, str]]  # (kind, suspect words, reference words)

    @property
    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for kind, _, _ in self.differences:
            out[kind] = out.get(kind, 0) + 1
        return out


@dataclass
class ComparisonView:
    prefix: str
    derived: float
    is_derived: bool
    threshold: float
    evidence: list[tuple[str, str]]  # (value, what it is)
    references: list[str]  # names
    pairs: list[Pair]
    unaligned: list[tuple[str, str]]  # (sentence id, text) of the suspect's sentences aligned to nothing
    article: Article

    @property
    def verdict(self) -> str:
        if self.is_derived:
            return (f"The text was probably derived from the reference (probability {self.derived:.2f}, "
                    f"threshold {self.threshold:g}): its sentences line up with the reference's, and the words that "
                    "differ are largely the kind a synonym spinner swaps.")
        return (f"The texts share too little to say one was made from the other (probability of derivation "
                f"{self.derived:.2f}, threshold {self.threshold:g}).")

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KIND_NAMES, 0)
        for p in self.pairs:
            for kind, n in p.kinds.items():
                out[kind] = out.get(kind, 0) + n
        return out


def _title(kind: str, here: str, there: str, side: str) -> str:
    other = "reference" if side == "suspect" else "suspect text"
    if kind == "insertion":
        return "inserted: only the suspect text has these words"
    if kind == "deletion":
        return "dropped: only the reference has these words"
    return f"{KIND_NAMES.get(kind, kind)}: the {other} has “{there}”" if there else KIND_NAMES.get(kind, kind)


def _shared(text: str, other: str, busy: Sequence[tuple[int, int]]) -> list[tuple[int, int, Tag]]:
    """The quotations and numbers of `text` that `other` has too, outside the differences."""
    out = []
    for rx, what in ((_QUOTE, "quotation"), (_NUMBER, "number")):
        # Whole numbers and quotations of the other side, not substrings: "4" is not in "42".
        theirs = set(rx.findall(other))
        for m in rx.finditer(text):
            a, b = m.span()
            if m.group() in theirs and not any(x < b and a < y for x, y in busy):
                out.append((a, b, Tag("shared", f"shared {what}", f"shared {what}: the other side has it as it is")))
    return out


def _side(text: str, diffs: list[tuple[int, int, str, str, str]], other: str, side: str) -> list[Run[Tag]]:
    marks = [(a, b, Tag(kind, KIND_NAMES.get(kind, kind), _title(kind, here, there, side))) for a, b, kind, here, there in diffs]
    busy = [(a, b) for a, b, *_ in diffs]
    return cut(text, 0, len(text), marks + _shared(text, other, busy))


def comparison(d: Mapping[str, Any], names: Sequence[str] | None = None, prefix: str = "", name: str | None = None) -> ComparisonView:
    """The view of a comparison dict (`Comparison.to_dict`, with or without the texts)."""
    report = d.get("report") or {}
    text = report_text(report)
    refs: Sequence[str] | None = d.get("reference_texts")
    n_refs = int(d.get("references") or (len(refs) if refs else 1))
    given = list(names or d.get("reference_names") or [])
    ref_names = [given[k] if k < len(given) else "reference" if n_refs == 1 else f"reference {k + 1}" for k in range(n_refs)]
    pairs: list[Pair] = []
    for n, p in enumerate(d.get("pairs") or []):
        s_text = text[int(p["suspect_start"]) : int(p["suspect_end"])]
        k = int(p.get("reference") or 0)
        r_text = refs[k][int(p["reference_start"]) : int(p["reference_end"])] if refs and k < len(refs) else None
        diffs = p.get("differences") or []
        s_diffs = [(int(x["suspect_start"]), int(x["suspect_end"]), x["kind"], x["suspect_text"], x["reference_text"])
                   for x in diffs if x["kind"] != "deletion"]
        r_diffs = [(int(x["reference_start"]), int(x["reference_end"]), x["kind"], x["reference_text"], x["suspect_text"])
                   for x in diffs if x["kind"] != "insertion"]
        pairs.append(Pair(
            id=f"{prefix}p{n + 1}", number=n + 1, reference_name=ref_names[k] if k < n_refs else f"reference {k + 1}",
            similarity=float(p.get("similarity") or 0.0), copied_share=float(p.get("copied_share") or 0.0),
            suspect=_side(s_text, s_diffs, r_text if r_text is not None else " ".join(x["reference_text"] for x in diffs), "suspect"),
            reference=None if r_text is None else _side(r_text, r_diffs, s_text, "reference"),
            differences=[(x["kind"], x["suspect_text"], x["reference_text"]) for x in diffs],
        ))
    view = article(report, prefix=prefix, name=name)
    covered = [(int(p["suspect_start"]), int(p["suspect_end"])) for p in d.get("pairs") or []]
    unaligned = [
        (s.id, "".join(r.text for r in s.runs))
        for s, s_d in zip(view.sentences, report.get("sentences") or [])
        if not any(a <= int(s_d["start"]) and int(s_d["end"]) <= b for a, b in covered)
    ]
    evidence = d.get("evidence") or {}
    return ComparisonView(
        prefix=prefix, derived=float(d.get("derived") or 0.0), is_derived=bool(d.get("is_derived")),
        threshold=float(d.get("threshold") or 0.0),
        evidence=[(f"{100 * float(evidence[k]):.0f} %", v) for k, v in EVIDENCE_NAMES.items() if k in evidence],
        references=ref_names, pairs=pairs, unaligned=unaligned, article=view,
    )
