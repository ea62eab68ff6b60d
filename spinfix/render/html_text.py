"""Text cut at character offsets for the HTML report: plain runs and marked runs, and the text of
a report that was stored without it.

Everything is placed by the offsets in the report, never by searching for the words: the same
phrase can occur twice in a sentence.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Span probabilities in steps: the colour and the underline's weight of a marked phrase. The
# lowest step is open below: a mark the reference made carries its sentence's probability,
# which may be low.
LEVELS = (0.6, 0.8, 0.95)
LEVEL_NAMES = ("below 0.6", "0.6 to 0.8", "0.8 to 0.95", "0.95 or more")


def level(probability: float) -> int:
    """The step (1..4) a probability falls in."""
    return 1 + sum(probability >= bound for bound in LEVELS)


@dataclass(frozen=True)
class Run(Generic[T]):
    """A stretch of text, with what marks it (None: plain text)."""

    text: str
    mark: T | None = None


def cut(text: str, start: int, end: int, marks: Iterable[tuple[int, int, T]]) -> list[Run[T]]:
    """``text[start:end]`` as plain and marked runs.

    Marks are clipped to the range; a mark that overlaps one placed before it, or is empty, is
    left out, so the runs always add up to the text exactly."""
    runs: list[Run[T]] = []
    pos = start
    for a, b, mark in sorted(marks, key=lambda m: (m[0], m[1])):
        a, b = max(a, pos), min(b, end)
        if b <= a:
            continue
        if a > pos:
            runs.append(Run(text[pos:a]))
        runs.append(Run(text[a:b], mark))
        pos = b
    if end > pos:
        runs.append(Run(text[pos:end]))
    return runs


def report_text(report: Mapping[str, Any]) -> str:
    """The text a report dict's offsets index: its own `text`, or, for a report stored without
    it (a batch record), one rebuilt from its sentences.

    The rebuilt text has every sentence at its offsets; what lay between them is unknown, and
    becomes a space, or a line break where a paragraph ends."""
    text = report.get("text")
    if isinstance(text, str):
        return text
    sentences: Sequence[Mapping[str, Any]] = report.get("sentences") or []
    out: list[str] = []
    pos, paragraph = 0, None
    for s in sentences:
        gap = int(s["start"]) - pos
        if gap < 0:  # overlapping sentences: never from the pipeline; the first one stands
            continue
        if gap > 0:
            breaks = min(gap, 2) if paragraph is not None and s.get("paragraph") != paragraph else 0
            out.append("\n" * breaks + " " * (gap - breaks))
        out.append(str(s["text"]))
        pos, paragraph = int(s["end"]), s.get("paragraph")
    return "".join(out)
