"""What flows through restoration, and the rules every restorer obeys.

A restorer gets sentences with their flagged spans (offsets into the sentence) and returns one
Suggestion per span. Whatever a model produces, the text outside the spans is never changed, and
a suggestion that changes a number or a quotation mark inside a span is refused: spinners leave
those alone, so a change there is a model error, not a restoration. The one exception is a
spinner's own stock number swap undone exactly ("2" -> "two", "remaining 12 months" -> "last
year"): the spinner put that number in, and undoing it restores the original wording.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

_DIGITS = re.compile(r"\d+")
_QUOTES = re.compile(r"[\"“”‘’']")
_NUMBERS = re.compile(
    r"\d+|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion)\b"
)


@dataclass(frozen=True)
class SpanTask:
    """One sentence and the (start, end) spans in it that may be restored."""

    sentence: str
    spans: tuple[tuple[int, int], ...]
    # The detector's probability of each span (Span.probability), when the spans are its marks:
    # evidence for a restorer on whether to leave a span alone. None for spans from elsewhere.
    probabilities: tuple[float, ...] | None = None


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


@lru_cache(maxsize=1)
def _number_swaps() -> tuple[re.Pattern, dict[str, str]]:
    """The spinner's stock swaps that put a number in (spinfix.lexicon.phrases.FUNCTION_PHRASES:
    "two" -> "2", "last year" -> "remaining 12 months"), spun form -> original, and a pattern
    finding the spun forms (longest first, whole words)."""
    # The lexicon stack, only when a number is at stake.
    from spinfix.lexicon.phrases import FUNCTION_PHRASES

    back: dict[str, str] = {}
    for original, forms in FUNCTION_PHRASES.items():
        for f in forms:
            if _DIGITS.search(f) and not _DIGITS.search(original):
                back.setdefault(f, original)
    alternatives = "|".join(re.escape(f) for f in sorted(back, key=len, reverse=True))
    # Not inside a larger number, an amount or a share ("2.5", "$2", "2%"): those are the writer's.
    return re.compile(rf"(?<![\w.,$£€#])(?:{alternatives})(?![\w%]|[.,]\d)", re.IGNORECASE), back


def _numbers_undone(text: str) -> str:
    """`text` with every spinner number swap in it undone ("in 3" -> "in three")."""
    pattern, back = _number_swaps()
    return pattern.sub(lambda m: back[m.group().lower()], text)


def safe(old: str, new: str) -> bool:
    """May `new` replace `old`? Numbers and quotation marks must survive unchanged, except the
    numbers a spinner's stock swap put in, which may go back to the words they replaced."""
    if not new.strip() and old.strip():
        return False
    if _DIGITS.findall(new) != _DIGITS.findall(old):
        # Only as the spinner's swap undone: the same numbers, as digits or words, in the same order.
        if not _DIGITS.search(old) or _NUMBERS.findall(new.lower()) != _NUMBERS.findall(_numbers_undone(old).lower()):
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


_PIECE = re.compile(r"\w+|\s+|[^\w\s]")
# Share of the pieces outside the spans that a rewrite must copy to be read at all.
MIN_COPIED = 0.8


def _pieces(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PIECE.finditer(text)]


def align_spans(
    sentence: str, spans: Sequence[tuple[int, int]], output: str
) -> list[tuple[str, list[tuple[int, int]]]]:
    """Per span: its replacement read from a rewritten sentence, and the output ranges it came from.

    The sentence and the output are aligned piece by piece (words, spaces, punctuation). A
    difference that lies inside one span is kept for that span; a difference that touches text
    outside the spans is dropped, and the text there stays as it was. So a rewrite that fixes a
    flagged word but also changes an unflagged one still restores the flagged word, and nothing
    else. A span with no kept difference comes back unchanged, with the output range that copied
    it (or no range when the alignment cannot tell).
    """
    import difflib

    a, b = _pieces(sentence), _pieces(output)
    sm = difflib.SequenceMatcher(a=[sentence[s:e] for s, e in a], b=[output[s:e] for s, e in b], autojunk=False)

    def a_pos(i: int) -> int:
        return a[i][0] if i < len(a) else len(sentence)

    def b_pos(j: int) -> int:
        return b[j][0] if j < len(b) else len(output)

    ops = sm.get_opcodes()
    unchanged: list[tuple[str, list[tuple[int, int]]]] = [(sentence[s:e], []) for s, e in spans]
    # An output that does not copy most of the text outside the spans is another sentence, not
    # a restoration of this one: coincidental alignments inside it mean nothing.
    outside = sum(1 for i, (s, e) in enumerate(a) if not any(ss <= s and e <= se for ss, se in spans))
    copied_outside = sum(
        1
        for tag, i1, i2, _, _ in ops
        if tag == "equal"
        for s, e in a[i1:i2]
        if not any(ss <= s and e <= se for ss, se in spans)
    )
    if outside and copied_outside / outside < MIN_COPIED:
        return unchanged
    edits: list[list[tuple[int, int, str, int, int]]] = [[] for _ in spans]
    copied: list[list[tuple[int, int]]] = [[] for _ in spans]
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        a_s, a_e, b_s, b_e = a_pos(i1), a_pos(i2), b_pos(j1), b_pos(j2)
        # A change counts only between two copied stretches (or the sentence's ends).
        anchored = (n == 0 or ops[n - 1][0] == "equal") and (n == len(ops) - 1 or ops[n + 1][0] == "equal")
        for k, (s, e) in enumerate(spans):
            if tag == "equal":
                lo, hi = max(a_s, s), min(a_e, e)
                if lo < hi:  # the part of the span this equal block copied
                    copied[k].append((b_s + lo - a_s, b_s + hi - a_s))
            elif anchored and s <= a_s and a_e <= e:
                edits[k].append((a_s, a_e, output[b_s:b_e], b_s, b_e))
                break
    out = []
    for (s, e), ed, cp in zip(spans, edits, copied):
        if not ed:
            out.append((sentence[s:e], cp))
            continue
        text, pos = [], s
        for a_s, a_e, new, _, _ in ed:
            text.append(sentence[pos:a_s])
            text.append(new)
            pos = a_e
        text.append(sentence[pos:e])
        out.append(("".join(text), [(b_s, b_e) for *_, b_s, b_e in ed] + cp))
    return out
