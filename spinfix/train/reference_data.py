"""Cases for checking a text against a clean parallel article, made from White House items.

Every case is a suspect text and one or more references, with what is known of them:
- derived copies of the reference, the way content farms make them: spun (the synthetic spinner
  at several rates), verbatim, partial (only the first paragraphs), rewritten sentence by
  sentence (clauses reordered, then spun hard: a stand-in for a machine-translation round trip or
  a paraphraser); with paragraphs dropped and reordered, sentences merged and split, their own
  lead, boilerplate lines ("Advertisement", "Also read: ...") and photo credits;
- texts not derived from the reference: another item of the same days on the same subject (a
  readout against the remarks or the fact sheet: "another outlet's article on the same event"),
  clean or spun, and an unrelated item.
For derived cases the gold is known: which reference sentences each suspect sentence came from,
and the spinner's edits in it (so spun words restored and clean words damaged can be counted).
Deterministic: the same corpus and seed make the same cases.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spinfix.text.document import split_sentences
from spinfix.train.data import Article
from spinfix.train.spinner import Spinner

# A content farm's own lines around a copy; written for spinfix.
BOILERPLATE = (
    "Advertisement",
    "ADVERTISEMENT",
    "Also read: Officials weigh new steps as talks continue",
    "Also Read: What the latest announcement means for you",
    "Read more: Five things to know this week",
    "Photo: Staff photographer",
    "Image credit: File photo",
    "Click here to subscribe to our free daily newsletter.",
    "Share this article on social media.",
    "Follow us for the latest updates.",
    "Story continues below advertisement",
    "Trending now: Local markets react to the news",
)
LEADS = (
    "In a development that has drawn attention across the country, officials made a new announcement this week.",
    "Here is everything you need to know about the latest statement from Washington.",
    "The administration has once again made headlines with a fresh move.",
    "Readers have been asking about this story, and we have the details.",
)
SPIN_RATES = (0.15, 0.3, 0.5)


@dataclass
class Unit:
    """One sentence of the suspect text as it is written out: its text, the reference
    sentences it came from (indices into the reference's sentences), and the record of its
    spinning ("clean", "edits") when it was spun from one reference sentence."""

    text: str
    source: tuple[int, ...] = ()
    clean: str | None = None
    edits: list[list[Any]] = field(default_factory=list)


def reference_sentences(article: Article) -> list[list[str]]:
    """The reference's paragraphs, each as its sentences (spinfix's segmentation)."""
    return [[s.text for s in split_sentences(p)] for p in article.paragraphs]


def _merge(a: str, b: str) -> str:
    """Two sentences as one: "A. B." -> "A, and b." (the second's capital kept for names)."""
    a = a.rstrip()
    if a.endswith("."):
        a = a[:-1]
    first = b.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first not in ("I",):
        b = b[:1].lower() + b[1:]
    return f"{a}, and {b}"


_SPLIT = re.compile(r"(?<=\w)(; |, and |, but |, which )(?=\w)")


def _split(s: str) -> list[str] | None:
    """A long sentence as two, at a semicolon or a clause boundary; None when it has none."""
    m = _SPLIT.search(s, len(s) // 3)
    if m is None or m.start() > 2 * len(s) // 3:
        return None
    head, tail = s[: m.start()].rstrip(",;") + ".", s[m.end() :]
    return [head, tail[:1].upper() + tail[1:]]


_CLAUSE = re.compile(r", ")


def _reorder_clauses(s: str, rng: random.Random) -> str:
    """The sentence's comma-separated clauses in another order ("A, B." -> "B, A."): a rewrite
    that keeps the words and changes the sentence."""
    body = s.rstrip()
    end = body[-1] if body[-1:] in ".!?" else ""
    body = body[: len(body) - len(end)]
    parts = _CLAUSE.split(body)
    if len(parts) < 2:
        return s
    order = list(range(len(parts)))
    while order == sorted(order):
        rng.shuffle(order)
    moved = [parts[i] for i in order]
    first = moved[0]
    moved[0] = first[:1].upper() + first[1:]
    for i in range(1, len(moved)):
        w = moved[i].split(" ", 1)[0]
        if w[:1].isupper() and w[1:].islower() and w not in ("I",):
            moved[i] = moved[i][:1].lower() + moved[i][1:]
    return ", ".join(moved) + end


class CaseMaker:
    """Suspect texts from one reference article (see the module doc)."""

    def __init__(self, spinner: Spinner, rng: random.Random) -> None:
        self.spinner = spinner
        self.rng = rng

    def _spun(self, sentence: str, index: int, rate: float) -> Unit:
        s = self.spinner.spin(sentence, rate, self.rng)
        edits = [[e.start, e.end, e.original, e.replacement, e.source] for e in s.edits]
        return Unit(s.spun, (index,), clean=s.clean, edits=edits)

    def copy(
        self, paragraphs: list[list[str]], rate: float, *, rewrite: bool = False, partial: bool = False,
        drops: float = 0.15, reorder: bool = True, merges: float = 0.08, splits: float = 0.08,
        boilerplate: float = 0.5, lead: float = 0.3,
    ) -> list[list[Unit]]:
        """A derived copy: its paragraphs as lists of units."""
        rng = self.rng
        numbered: list[list[tuple[int, str]]] = []
        k = 0
        for p in paragraphs:
            numbered.append([(k + i, s) for i, s in enumerate(p)])
            k += len(p)
        keep = list(range(len(numbered)))
        if partial and len(keep) > 2:
            keep = keep[: max(1, round(len(keep) * rng.uniform(0.3, 0.7)))]
        keep = [i for i in keep if i == 0 or rng.random() >= drops] or [0]
        if reorder and len(keep) > 3:  # two paragraphs after the first change places
            a, b = rng.sample(range(1, len(keep)), 2)
            keep[a], keep[b] = keep[b], keep[a]
        out: list[list[Unit]] = []
        if rng.random() < lead:
            out.append([Unit(rng.choice(LEADS))])
        for pi in keep:
            units: list[Unit] = []
            sents = numbered[pi]
            j = 0
            while j < len(sents):
                idx, s = sents[j]
                if j + 1 < len(sents) and rng.random() < merges:
                    idx2, s2 = sents[j + 1]
                    merged = self._spun(_merge(s, s2), idx, rate) if rate else Unit(_merge(s, s2))
                    units.append(Unit(merged.text, (idx, idx2)))  # no per-word gold across a merge
                    j += 2
                    continue
                if rewrite:
                    s = _reorder_clauses(s, rng)
                halves = _split(s) if rng.random() < splits else None
                if halves is not None:
                    for h in halves:
                        units.append(Unit(self._spun(h, idx, rate).text if rate else h, (idx,)))
                elif rate:
                    u = self._spun(s, idx, rate)
                    if rewrite:  # the gold original is the reference sentence, not the reordered one
                        u.clean, u.edits = None, []
                    units.append(u)
                else:
                    units.append(Unit(s, (idx,), clean=s))
                j += 1
            out.append(units)
            if rng.random() < boilerplate / max(len(keep), 1) * 2:
                out.append([Unit(rng.choice(BOILERPLATE))])
        return out

    def plain(self, paragraphs: list[list[str]], rate: float) -> list[list[Unit]]:
        """A text not derived from the reference, written out as it is (spun at `rate`), each
        sentence with the gold of its spinning (and no reference sentence)."""
        out = []
        for p in paragraphs:
            units = []
            for s in p:
                u = self._spun(s, -1, rate) if rate else Unit(s, clean=s)
                units.append(Unit(u.text, (), clean=u.clean, edits=u.edits))
            out.append(units)
        return out


def write_out(paragraphs: list[list[Unit]]) -> tuple[str, list[dict[str, Any]]]:
    """The suspect text (a paragraph a line, sentences joined by a space) and, per unit, its
    character span with its gold."""
    lines, units, pos = [], [], 0
    for para in paragraphs:
        parts: list[str] = []
        for u in para:
            if parts:
                pos += 1
            units.append({"start": pos, "end": pos + len(u.text), "source": list(u.source),
                          **({"clean": u.clean, "edits": u.edits} if u.clean is not None else {})})
            parts.append(u.text)
            pos += len(u.text)
        lines.append(" ".join(parts))
        pos += 1  # the line break
    return "\n".join(lines), units


def same_event_pairs(
    articles: Sequence[Article], similarity: Callable[[int, int], float], window: int = 20, floor: float = 0.65
) -> list[tuple[int, int]]:
    """Pairs (i, j) of items near each other in the corpus (it is sorted by date: the same days)
    whose texts are about the same subject (`similarity` at least `floor`), each item in one pair."""
    used: set[int] = set()
    pairs = []
    for i in range(len(articles)):
        if i in used:
            continue
        best, best_j = floor, -1
        for j in range(i + 1, min(len(articles), i + window + 1)):
            if j not in used:
                s = similarity(i, j)
                if s >= best:
                    best, best_j = s, j
        if best_j >= 0:
            used.update((i, best_j))
            pairs.append((i, best_j))
    return pairs
