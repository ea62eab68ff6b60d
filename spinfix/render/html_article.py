"""A report (the dict of `Report.to_dict`) as what the HTML page shows: the verdict, the article
with its sentences and marked phrases, the list of marks, and the restored text as a diff.

Built from the JSON form, not the objects, so the same page comes from a live report and from a
stored one (a batch record, which has no `text`: see html_text.report_text)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spinfix.render.html_text import Run, cut, level, report_text
from spinfix.text.language import language_name

# What a mark's evidence says, in words (Span.evidence; present only when a reference was given).
EVIDENCE_WORDS = {
    "model": "suggested by the restorer; the reference is silent here",
    "reference": "the reference's own words at this place",
    "confirmed": "the restorer's suggestion, which the reference shows here too",
    "contradicted": "the reference has these words as they are, so the suggestion is not applied",
}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _p(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


@dataclass
class Mark:
    """A phrase the detector (or the reference) marked."""

    id: str
    number: int  # 1-based, in text order
    start: int
    end: int
    text: str
    probability: float
    level: int
    sentence: int  # the sentence's number, 1-based
    suggestion: str | None = None
    confidence: float | None = None
    evidence: str | None = None
    applied: bool = False

    @property
    def is_edit(self) -> bool:
        return self.suggestion is not None and self.suggestion != self.text

    @property
    def tip(self) -> list[str]:
        """What hovering or focusing the mark shows, a line each."""
        lines = [f"spin probability {self.probability:.2f}"]
        if self.suggestion is None:
            lines.append("no suggestion made (detection only)")
        elif self.is_edit:
            state = "applied" if self.applied else "not applied"
            lines.append(f"suggested original: “{self.suggestion}”")
            lines.append(f"confidence {_p(self.confidence) or '?'} ({state})")
        else:
            lines.append("the restorer would leave it as it is")
        if self.evidence is not None:
            lines.append(f"evidence: {EVIDENCE_WORDS.get(self.evidence, self.evidence)}")
        return lines


@dataclass
class Sentence:
    id: str
    number: int  # 1-based
    paragraph: int  # 1-based
    probability: float
    probability_alone: float | None
    flagged: bool
    language: str | None  # the language's name when not checked
    runs: list[Run[Mark]]
    marks: list[Mark]
    threshold: float

    @property
    def neighbours_decided(self) -> bool:
        """Flagged with its neighbours' weight only: worth a reader's second look."""
        return self.flagged and self.probability_alone is not None and self.probability_alone < self.threshold


@dataclass
class Edit:
    id: str
    old: str
    new: str
    confidence: float
    evidence: str | None

    @property
    def tip(self) -> str:
        out = f"confidence {self.confidence:.2f}"
        if self.evidence is not None:
            out += f"; evidence: {EVIDENCE_WORDS.get(self.evidence, self.evidence)}"
        return out


@dataclass
class Article:
    """One report, ready for the templates."""

    prefix: str  # ids on the page start with it (several documents share a page)
    name: str
    threshold: float
    model: str | None
    method: str | None
    gaps: list[Run[Sentence]]  # the text: sentences, and what lies between them
    sentences: list[Sentence]
    marks: list[Mark]
    restored: list[Run[Edit]] | None  # the restored text as a diff; None: not restored
    edits: int
    unchecked: list[Sentence] = field(default_factory=list)
    unchecked_languages: list[str] = field(default_factory=list)
    text_stored: bool = True  # False: rebuilt from the sentences (a batch record)

    @property
    def flagged(self) -> list[Sentence]:
        return [s for s in self.sentences if s.flagged]

    @property
    def listed(self) -> list[Sentence]:
        """The sentences the list under the text gives: the flagged ones, and any with a mark."""
        return [s for s in self.sentences if s.flagged or s.marks]

    @property
    def verdict(self) -> str:
        """The finding in one plain sentence."""
        n, flagged = len(self.sentences), len(self.flagged)
        checked = n - len(self.unchecked)
        if not n:
            return "There is no text to check."
        if not checked:
            return "spinfix did not check this text: it judges English only."
        if not flagged:
            return (f"spinfix found no sentence that reads as synonym-spun: none of the {_plural(checked, 'sentence')} "
                    f"checked reaches the threshold of {self.threshold:g}.")
        return (f"spinfix flagged {_plural(flagged, 'sentence')} of {n:,} as possibly synonym-spun (spin probability "
                f"of {self.threshold:g} or more) and marked {_plural(len(self.marks), 'phrase')} a spinner may have swapped in.")

    @property
    def restoration(self) -> str | None:
        """What restoration did, in one sentence; None when it was not run."""
        if self.restored is None:
            return None
        suggested = sum(m.is_edit for m in self.marks)
        how = f" ({self.method})" if self.method else ""
        if not self.edits and not suggested:
            return f"Restoration{how} changed nothing."
        rest = suggested - sum(m.is_edit and m.applied for m in self.marks)
        tail = f"; {_plural(rest, 'other suggestion')} {'was' if rest == 1 else 'were'} not sure enough to apply" if rest > 0 else ""
        return f"Restoration{how} made {_plural(self.edits, 'edit')}{tail}. Every edit is a suggestion for a person to check."

    @property
    def unchecked_note(self) -> str | None:
        if not self.unchecked:
            return None
        names = " and ".join(self.unchecked_languages) or "another language"
        return f"Not checked: {_plural(len(self.unchecked), 'sentence')} in {names}; spinfix judges English only."


def article(report: Mapping[str, Any], prefix: str = "", name: str | None = None) -> Article:
    """The view of one report dict (`Report.to_dict`, with or without `text`)."""
    text = report_text(report)
    threshold = float(report.get("threshold") or 0.0)
    edits_d = report.get("edits")
    applied = {(int(e["start"]), int(e["end"])) for e in edits_d or []}
    sentences: list[Sentence] = []
    marks: list[Mark] = []
    for i, s in enumerate(report.get("sentences") or []):
        start, end = int(s["start"]), int(s["end"])
        own: list[Mark] = []
        pos = start
        for sp in sorted(s.get("spans") or [], key=lambda sp: (int(sp["start"]), int(sp["end"]))):
            # A reference's rewrite of two sentences sits on the first: its mark stops at the
            # sentence's end (the restored text shows the whole edit). A span that overlaps the
            # one before keeps only what is left of it, so a mark's offsets, its text and the
            # list say what the page shows.
            a, b = max(int(sp["start"]), pos), min(int(sp["end"]), end)
            if b <= a:
                continue
            pos = b
            p = float(sp.get("probability") or 0.0)
            n = len(marks) + 1
            m = Mark(
                id=f"{prefix}m{n}", number=n, start=a, end=b, text=text[a:b], probability=p, level=level(p), sentence=i + 1,
                suggestion=sp.get("suggestion"), confidence=sp.get("confidence"), evidence=sp.get("evidence"),
                applied=(int(sp["start"]), int(sp["end"])) in applied,
            )
            own.append(m)
            marks.append(m)
        lang = s.get("language")
        sentences.append(Sentence(
            id=f"{prefix}s{i + 1}", number=i + 1, paragraph=int(s.get("paragraph") or 0) + 1,
            probability=float(s.get("probability") or 0.0), probability_alone=s.get("probability_alone"),
            flagged=bool(s.get("is_spun")), language=None if lang is None else language_name(lang),
            runs=cut(text, start, end, [(m.start, m.end, m) for m in own]), marks=own, threshold=threshold,
        ))
    gaps = cut(text, 0, len(text), [(s_d["start"], s_d["end"], s) for s_d, s in zip(report.get("sentences") or [], sentences)])
    unchecked = [s for s in sentences if s.language is not None]
    return Article(
        prefix=prefix, name=name or report.get("source") or "the text", threshold=threshold, model=report.get("model"),
        method=report.get("method"), gaps=gaps, sentences=sentences, marks=marks,
        restored=None if edits_d is None else restored_runs(text, edits_d, prefix), edits=len(edits_d or []),
        unchecked=unchecked, unchecked_languages=sorted({s.language for s in unchecked if s.language}),
        text_stored=isinstance(report.get("text"), str),
    )


def restored_runs(text: str, edits: list[Mapping[str, Any]], prefix: str = "") -> list[Run[Edit]]:
    """The whole text, each edit a run that holds its old and new wording; an insertion (an
    empty old stretch) is an empty run at its offset. One pass in text order, as
    `Report.restored_text` applies them, so the diff without its deletions is the restored text;
    an edit that overlaps the one before (never from restore()) is left out."""
    runs: list[Run[Edit]] = []
    pos = 0
    for n, e in enumerate(sorted(edits, key=lambda e: (int(e["start"]), int(e["end"])))):
        a, b = int(e["start"]), int(e["end"])
        if a < pos or b > len(text) or b < a:
            continue
        if a > pos:
            runs.append(Run(text[pos:a]))
        edit = Edit(f"{prefix}e{n + 1}", str(e.get("old", text[a:b])), str(e["new"]), float(e.get("confidence") or 0.0), e.get("evidence"))
        runs.append(Run(text[a:b], edit))
        pos = b
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return runs
