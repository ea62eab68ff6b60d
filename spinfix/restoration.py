"""What flows through restoration, and the rules every restorer obeys.

A restorer gets sentences with their flagged spans (offsets into the sentence) and returns one
Suggestion per span. Whatever a model produces, the text outside the spans is never changed, and
a suggestion that changes a number or a quotation mark inside a span is refused: spinners leave
those alone, so a change there is a model error, not a restoration.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

_DIGITS = re.compile(r"\d+")
_QUOTES = re.compile(r"[\"“”‘’']")


@dataclass(frozen=True)
class SpanTask:
    """One sentence and the (start, end) spans in it that may be restored."""

    sentence: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Suggestion:
    """A restorer's answer for one span: the text to put in, and how sure it is (0..1).

    `text` equal to the span's own text means "leave it".
    """

    text: str
    confidence: float


class Restorer(Protocol):
    name: str

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        """One suggestion per span of every task, in order."""
        ...


def safe(old: str, new: str) -> bool:
    """May `new` replace `old`? Numbers and quotation marks must survive unchanged."""
    if not new.strip() and old.strip():
        return False
    if _DIGITS.findall(old) != _DIGITS.findall(new):
        return False
    return _QUOTES.findall(old.replace("'", "")) == _QUOTES.findall(new.replace("'", ""))


def apply(sentence: str, spans: Sequence[tuple[int, int]], texts: Sequence[str]) -> str:
    """`sentence` with each span replaced by its text (spans sorted, non-overlapping)."""
    out, pos = [], 0
    for (s, e), t in sorted(zip(spans, texts)):
        out.append(sentence[pos:s])
        out.append(t)
        pos = e
    out.append(sentence[pos:])
    return "".join(out)


def split_output(sentence: str, spans: Sequence[tuple[int, int]], output: str) -> list[str] | None:
    """Read the span replacements out of a rewritten sentence.

    The output must be the sentence with only the span texts changed: the text between spans has
    to come back verbatim. Returns the replacement of each span, or None when the output changed
    anything outside the spans (the whole rewrite is then refused).
    """
    spans = sorted(spans)
    pieces, pos = [], 0
    for s, e in spans:
        pieces.append(re.escape(sentence[pos:s]))
        pos = e
    pieces.append(re.escape(sentence[pos:]))
    pattern = "(.*?)".join(pieces)
    m = re.fullmatch(pattern, output, flags=re.DOTALL)
    if m is None:
        return None
    return list(m.groups())
