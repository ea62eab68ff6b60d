"""The text as the models read it: invisible characters left out, offsets mapped back.

A soft hyphen or a zero-width joiner inside a word ("mil\\u00adit\\u00adary") splits it for the
tokenizers, and a bidirectional control can hide what a text says; a spinner (or someone evading
one) can slip them in anywhere. The models read the text without them; every offset spinfix
reports still indexes the untouched input, and a span that covers such characters covers them in
the input too.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from spinfix.report import SentenceReport

# Format characters that change nothing a reader sees: soft hyphen, zero-width space, non-joiner
# and joiner, word joiner, invisible operators, the byte-order mark inside a text, and the
# bidirectional marks, embeddings, overrides and isolates.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class TextView:
    """`text` is `original` without its invisible characters; `kept[i]` is where the view's i-th
    character is in the original (empty when nothing was left out)."""

    original: str
    text: str
    kept: tuple[int, ...] = ()

    @classmethod
    def of(cls, original: str) -> TextView:
        if not INVISIBLE.search(original):
            return cls(original, original)
        kept = tuple(i for i, c in enumerate(original) if not INVISIBLE.match(c))
        return cls(original, "".join(original[i] for i in kept), kept)

    @property
    def identity(self) -> bool:
        return not self.kept and self.text == self.original

    def start(self, pos: int) -> int:
        """The original offset where a stretch starting at view offset `pos` starts."""
        if self.identity:
            return pos
        return self.kept[pos] if pos < len(self.kept) else len(self.original)

    def end(self, pos: int) -> int:
        """The original offset where a stretch ending at view offset `pos` (exclusive) ends: just
        after its last character, so invisible characters after it stay outside."""
        if self.identity:
            return pos
        return self.kept[pos - 1] + 1 if pos > 0 else 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A view stretch [start, end) in original offsets (the invisible characters inside it
        included)."""
        return (self.start(start), self.end(end)) if end > start else (self.start(start), self.start(start))

    def to_view(self, pos: int) -> int:
        """The view offset of original offset `pos` (the next visible character's)."""
        if self.identity:
            return pos
        return bisect.bisect_left(self.kept, pos)

    def sentence(self, report: SentenceReport) -> SentenceReport:
        """A sentence report made on the view, in the original's offsets and words."""
        start, end = self.span(report.start, report.end)
        spans = []
        for sp in report.spans:
            a, b = self.span(sp.start, sp.end)
            spans.append(replace(sp, start=a, end=b, text=self.original[a:b]))
        return replace(report, start=start, end=end, text=self.original[start:end], spans=spans)
