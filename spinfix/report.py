"""The objects a detection returns: Report -> SentenceReport -> Span.

One schema for everything spinfix reports. Offsets are character offsets into the text that was
passed in, untouched. Later capabilities (restoration, reference checking) add fields; they never
rename the ones here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class Span:
    """A phrase the detector believes was swapped in by a spinner."""

    start: int
    end: int
    text: str
    probability: float
    # Filled by restoration: the text the restorer would put back (equal to `text` when it would
    # leave the span alone) and its confidence in that choice (0..1). None after detect().
    suggestion: str | None = None
    confidence: float | None = None
    # With a reference (compare, restore(reference=...)): where the suggestion comes from.
    # "model": the restorer, the reference being silent here; "reference": the reference's own
    # words at this place; "confirmed": the restorer's suggestion, which the reference shows
    # here too; "contradicted": the reference shows the span's own words here, so the
    # restorer's suggestion is not applied. None without a reference.
    evidence: str | None = None

    @property
    def is_edit(self) -> bool:
        """Would restoration change this span?"""
        return self.suggestion is not None and self.suggestion != self.text

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "probability": round(self.probability, 4),
        }
        if self.suggestion is not None:
            d["suggestion"] = self.suggestion
            d["confidence"] = None if self.confidence is None else round(self.confidence, 4)
        if self.evidence is not None:
            d["evidence"] = self.evidence
        return d


@dataclass(frozen=True)
class Edit:
    """One change restoration made: replace text[start:end] (== old) with new."""

    start: int
    end: int
    old: str
    new: str
    confidence: float
    evidence: str | None = None  # as Span.evidence; None without a reference

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": self.start, "end": self.end, "old": self.old, "new": self.new, "confidence": round(self.confidence, 4),
        }
        if self.evidence is not None:
            d["evidence"] = self.evidence
        return d


@dataclass
class SentenceReport:
    """One sentence of the input with its spin probability and spun spans."""

    text: str
    start: int
    end: int
    probability: float
    is_spun: bool
    spans: list[Span] = field(default_factory=list)
    paragraph: int = 0
    # The sentence's probability on its own words only; `probability` also weighs its
    # neighbours in the same text (spinfix/detect/context.py). Equal when no context was used.
    probability_alone: float | None = None
    # The language of a sentence spinfix did not judge (ISO 639-1: "fr"): its paragraph is not
    # English, and spinfix judges English only. None: judged. A sentence not judged is never
    # spun, has no spans, and its probability (0) means nothing.
    language: str | None = None

    @property
    def checked(self) -> bool:
        """Whether spinfix judged this sentence (it is English)."""
        return self.language is None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "probability": round(self.probability, 4),
            "is_spun": self.is_spun,
            "spans": [s.to_dict() for s in self.spans],
        }
        if self.probability_alone is not None:
            d["probability_alone"] = round(self.probability_alone, 4)
        if self.language is not None:
            d["checked"] = False
            d["language"] = self.language
        return d


@dataclass
class Report:
    """Everything spinfix found in one text."""

    text: str
    sentences: list[SentenceReport]
    threshold: float
    source: str | None = None  # a file name, when the text came from one
    model: str | None = None
    # Set by restore(): the method used and the edits applied (spans whose suggestion differs
    # from their text and whose confidence reaches the restorer's minimum).
    method: str | None = None
    edits: list[Edit] | None = None

    @property
    def restored_text(self) -> str | None:
        """The text with every applied edit made; None if restoration was not run."""
        if self.edits is None:
            return None
        out, pos = [], 0
        for e in sorted(self.edits, key=lambda e: e.start):
            out.append(self.text[pos : e.start])
            out.append(e.new)
            pos = e.end
        out.append(self.text[pos:])
        return "".join(out)

    @property
    def spans(self) -> list[Span]:
        return [span for s in self.sentences for span in s.spans]

    @property
    def spun_sentences(self) -> list[SentenceReport]:
        return [s for s in self.sentences if s.is_spun]

    @property
    def is_spun(self) -> bool:
        return any(s.is_spun for s in self.sentences)

    @property
    def not_checked(self) -> list[SentenceReport]:
        """The sentences spinfix did not judge: not English (their `language` says which)."""
        return [s for s in self.sentences if not s.checked]

    @property
    def spun_share(self) -> float:
        """Share of sentences flagged as spun (0 for an empty text)."""
        return len(self.spun_sentences) / len(self.sentences) if self.sentences else 0.0

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "source": self.source,
            "model": self.model,
            "threshold": self.threshold,
            "is_spun": self.is_spun,
            "n_sentences": len(self.sentences),
            "n_spun_sentences": len(self.spun_sentences),
            "sentences": [s.to_dict() for s in self.sentences],
        }
        unchecked = self.not_checked
        if unchecked:  # said once for the whole text too, for a pipeline that reads no sentences
            d["not_checked"] = {
                "sentences": len(unchecked),
                "languages": sorted({s.language for s in unchecked if s.language is not None}),
            }
        if self.edits is not None:
            d["method"] = self.method
            d["edits"] = [e.to_dict() for e in self.edits]
            d["restored_text"] = self.restored_text
        if include_text:
            d["text"] = self.text
        return d
