"""Sentence segmentation for news prose, with character offsets into the untouched input.

Why not pysbd: pysbd 0.3.4 was measured at roughly 5 s per MB of news text on this machine
(too slow for whole corpora), it keeps a multi-sentence quotation as one sentence
(``“We will not back down. We will win,” she said.``), and its ``char_span`` offsets are found
with ``str.find``, which is fragile for repeated sentences. The rules below are small, linear
in the input, and tuned for AP-style news copy.

How it works: every line break is a paragraph break (our corpora hold one paragraph per line),
so a sentence never crosses a newline. Within a line, a *candidate* boundary is a run of
``.``, ``?``, ``!`` or ``…`` plus any closing quotes/brackets, followed by whitespace or the end
of the line. Each candidate is accepted or rejected by looking at the word before it (is it an
abbreviation, an initial, an acronym?) and the word after it (lowercase? digit? a typical
sentence starter?).
"""
from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Segment:
    """One sentence: ``text == document_text[start:end]``, stripped of surrounding whitespace."""

    text: str
    start: int
    end: int
    paragraph: int  # 0-based index among the non-blank lines of the document


@dataclass
class Document:
    """A text and its sentences, in order, with offsets into ``text``."""

    text: str
    sentences: list[Segment]

    @classmethod
    def from_text(cls, text: str) -> Document:
        """Segment ``text`` into sentences (see :func:`split_sentences`)."""
        return cls(text=text, sentences=split_sentences(text))

    @property
    def n_paragraphs(self) -> int:
        """Number of non-blank lines (paragraphs); 0 for an empty or whitespace-only text."""
        return self.sentences[-1].paragraph + 1 if self.sentences else 0


# Line breaks: the same set str.splitlines() uses (minus the obscure \x1c-\x1e), so that
# "a sentence never crosses a newline" holds for CR-only and Unicode line separators too.
_LINE_RE = re.compile(r"[^\n\r\x0b\x0c\x85\u2028\u2029]+")

# Candidate boundary: terminators then closing quotes/brackets. No lookahead on purpose: the
# greedy runs never backtrack, so finditer stays linear even on pathological lines such as a
# million dots; the "followed by whitespace or end of line" test is done in Python.
_CANDIDATE_RE = re.compile(r"[.?!…]+[\"'”’»)\]}]*")

# What follows a candidate: whitespace, opening punctuation, then the next word (letters only)
# and the character right after it (to tell the word "A" from the initial "A.").
_NEXT_RE = re.compile(r"\s+[\"'“‘«(\[{]*([^\W\d_]+|\S?)(.?)")

_REST_IS_SPACE_RE = re.compile(r"\s*\Z")

_OPENERS = "\"'“‘«([{—–-"
_QUOTES_AND_BRACKETS = "\"'”’»)]}"

# Titles that precede a name and never end a sentence in news copy ("Sen. Warren", "Roe vs.
# Wade"). "St." is here although "Main St." can end a sentence: saints and streets inside a
# sentence are far more common in news than a sentence ending on a street name.
_NEVER_FINAL = frozenset(
    """Mr Mrs Ms Messrs Mmes Dr Drs Prof Sen Sens Rep Reps Gov Govs Gen Gens Lt Col Capt Cmdr
    Adm Maj Sgt Cpl Pvt Supt Det Insp Atty Rev Hon Pres Mt Ft St Ste Msgr Fr
    vs v cf e.g i.e E.g I.e viz""".split()
)

# Abbreviations that are normally followed by a number ("No. 5", "Feb. 24", "pp. 3-4").
_BEFORE_NUMBER = frozenset(
    """No Nos no nos Vol vol Vols pp p Art art Sec sec Ch ch Fig fig Figs Ref ref Ex Para
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec""".split()
)

# Abbreviations that can end a sentence as well as sit inside one ("Apple Inc. said" vs
# "... of Apple Inc. The company ..."). Before a capitalised word they only end the sentence
# when that word is a typical sentence starter (see _STARTERS).
_AMBIGUOUS = frozenset(
    """Inc Corp Co Cos Ltd Plc LLC LLP Bros Jr Sr Esq Ph.D etc al approx est
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec""".split()
)

# Dotted lowercase/short abbreviations and acronyms: "a.m", "p.m", "U.S", "U.K", "J.R.R", "D.C".
_DOTTED_RE = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
# A single capital letter: an initial ("Joseph R. Biden") or "World War I.", "Plan B.".
_INITIAL_RE = re.compile(r"[A-Z]")

# Words that typically open a news sentence. After an ambiguous abbreviation ("U.S.", "Inc.",
# "p.m.", an initial) we split only before one of these. This is a deliberate choice: "the U.S.
# Military leaders ..." is rare compared with "U.S. Military", "U.S. Rep.", "U.S. Attorney",
# so when the next word is a name or noun we prefer NOT splitting (an over-long sentence costs
# less downstream than a sentence cut in half); "... to the U.S. The war ..." still splits.
_STARTERS = frozenset(
    """The A An This That These Those There Here It Its He She They We I You His Her Their Our
    My Your But And Or So Yet Still Then Now Also In On At For From By With Without After
    Before When While Since As If Although Though Because Despite During Over Under Among
    However Meanwhile Instead Last Next Earlier Later Today Yesterday Tomorrow Some Many Most
    Few All Both Each Every Other Another No Not None Such What Who Why How Where Which
    Mr Mrs Ms""".split()
)

# How far back to look for the word before a terminator: abbreviations are short, and the cap
# keeps the scan bounded on lines with no spaces at all.
_MAX_WORD_LOOKBACK = 40


def _word_before(line: str, pos: int) -> str:
    """The token ending at ``pos`` (exclusive), without leading quotes/brackets/dashes."""
    i = pos
    lo = max(0, pos - _MAX_WORD_LOOKBACK)
    while i > lo and not line[i - 1].isspace():
        i -= 1
    return line[i:pos].lstrip(_OPENERS)


def _is_abbreviation(word: str) -> bool:
    return (
        word in _NEVER_FINAL
        or word in _BEFORE_NUMBER
        or word in _AMBIGUOUS
        or _DOTTED_RE.fullmatch(word) is not None
        or _INITIAL_RE.fullmatch(word) is not None
    )


def _is_boundary(line: str, start: int, end: int) -> bool:
    """Decide whether the candidate ``line[start:end]`` (terminators + closers) ends a sentence."""
    if _REST_IS_SPACE_RE.match(line, end):
        return True  # end of the paragraph (matched in place: slicing the rest would be quadratic)
    nxt = _NEXT_RE.match(line, end)
    if nxt is None:  # no whitespace after the candidate: "3.5", "U.S.-led", "over.”Then"
        return False
    word, after = nxt.group(1), nxt.group(2)
    first = word[:1]
    if not first or not first.isalnum():
        # Next token starts with a dash, another dot (". . ."), a comma...: a continuation.
        return False
    if first.islower():
        # "U.S. economy", "9 a.m. on", "“Why?” she asked", "“It is over.” he said":
        # a lowercase word never starts a news sentence, so the attribution stays attached.
        return False

    marks = line[start:end]
    terminators = marks.rstrip(_QUOTES_AND_BRACKETS)
    has_closer = len(terminators) < len(marks)
    if "?" in terminators or "!" in terminators or "…" in terminators or terminators.count(".") > 1:
        return True  # "?", "!" and ellipses before a capital or digit end the sentence
    if has_closer:
        return True  # He said: “It is over.” Then he left.

    prev = _word_before(line, start)
    if first.isdigit():
        # "No. 5", "Feb. 24", "U.S. 1"; otherwise "... in 2019. 2020 was ..." is a boundary.
        return not _is_abbreviation(prev)
    if prev in _NEVER_FINAL:
        return False
    if prev in _AMBIGUOUS or _DOTTED_RE.fullmatch(prev) or _INITIAL_RE.fullmatch(prev):
        # "the U.S. The war" splits; "the U.S. Military", "J.R.R. Tolkien", "Joseph R. Biden",
        # "5 p.m. Eastern" do not. A starter followed by "." is itself an initial ("J. A. Smith").
        return word in _STARTERS and after != "."
    return True


def _split_line(text: str, line_start: int, line_end: int, paragraph: int) -> list[Segment]:
    line = text[line_start:line_end]
    segments: list[Segment] = []
    seg_start = 0

    def emit(a: int, b: int) -> None:
        chunk = line[a:b]
        stripped = chunk.strip()
        if not stripped:
            return
        lead = len(chunk) - len(chunk.lstrip())
        s = line_start + a + lead
        segments.append(Segment(stripped, s, s + len(stripped), paragraph))

    for m in _CANDIDATE_RE.finditer(line):
        if _is_boundary(line, m.start(), m.end()):
            emit(seg_start, m.end())
            seg_start = m.end()
    emit(seg_start, len(line))
    return segments


def split_sentences(text: str) -> list[Segment]:
    """Split ``text`` into sentences with offsets into ``text``.

    Every line break is a paragraph break; blank lines do not count as paragraphs. Sentences
    are stripped of surrounding whitespace, so the gaps between them are whitespace only and
    every non-space character belongs to exactly one sentence.
    """
    sentences: list[Segment] = []
    paragraph = 0
    for line in _LINE_RE.finditer(text):
        found = _split_line(text, line.start(), line.end(), paragraph)
        if found:
            sentences.extend(found)
            paragraph += 1
    logger.debug("split %d characters into %d sentences in %d paragraphs", len(text), len(sentences), paragraph)
    return sentences


# Double quotation marks only: a single ’ is also an apostrophe ("it’s"), so single quotes
# cannot be paired reliably.
_QUOTE_RE = re.compile("[\"“”]")


def quotations(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in ``text``, its marks included.

    “ opens and ” closes; a straight " opens when none is open and closes when one is. A
    quotation never crosses a line break: one left open ends with its paragraph (news style
    leaves a quote that runs on into the next paragraph unclosed, and opens it again there).
    Spinners leave quoted speech alone, so spinfix marks no spans inside these.
    """
    out: list[tuple[int, int]] = []
    for line in _LINE_RE.finditer(text):
        start = None
        for m in _QUOTE_RE.finditer(text, line.start(), line.end()):
            q = m.group()
            if start is None:
                if q != "”":  # a stray closing mark opens nothing
                    start = m.start()
            elif q != "“":  # ” or " closes; a second “ inside an open quote changes nothing
                out.append((start, m.end()))
                start = None
        if start is not None:
            out.append((start, line.end()))
    return out


def in_quotation(quotes: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether offset `pos` lies inside one of `quotes` (as :func:`quotations` returns them)."""
    k = bisect.bisect_right(quotes, (pos, float("inf"))) - 1
    return k >= 0 and pos < quotes[k][1]
