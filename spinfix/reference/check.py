"""A suspect text checked against its references: aligned sentences, their differences, the
evidence of derivation and its probability. No detection here: the reference alone speaks.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from spinfix.reference.align import align
from spinfix.reference.derive import immutables, lcs, longest_run
from spinfix.reference.embed import SentenceEmbedder
from spinfix.reference.settings import ReferenceSettings
from spinfix.reference.words import Difference, WordAlignment, align_words
from spinfix.text.document import Document, Segment
from spinfix.text.tokens import tokenize

logger = logging.getLogger(__name__)

# Sentences with fewer words are neither counted as aligned nor as unaligned (headings, credits).
MIN_WORDS = 3
# References longer than this many sentences in all (a whole archive pasted in, a 10 MB file) are
# read only where they share words with the suspect: the most similar few per suspect sentence,
# with their neighbours, are embedded; the rest cannot be where a sentence came from.
MAX_EMBEDDED = 2000
PER_SENTENCE = 12


MAX_IMMUTABLES = 2000


@dataclass(frozen=True)
class AlignedPair:
    """Suspect sentences aligned to sentences of one reference, with their word differences.
    Offsets: into the suspect text, and into that reference's text."""

    suspect: tuple[int, ...]  # the suspect's sentence indices
    suspect_start: int
    suspect_end: int
    reference: int  # which reference
    sentences: tuple[int, ...]  # the reference's sentence indices
    reference_start: int
    reference_end: int
    similarity: float
    words: WordAlignment

    @property
    def differences(self) -> tuple[Difference, ...]:
        return self.words.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "suspect_sentences": list(self.suspect), "suspect_start": self.suspect_start, "suspect_end": self.suspect_end,
            "reference": self.reference, "reference_sentences": list(self.sentences),
            "reference_start": self.reference_start, "reference_end": self.reference_end,
            "similarity": round(self.similarity, 4), "copied_share": round(self.words.copied_share, 4),
            "differences": [d.to_dict() for d in self.differences],
        }


@dataclass
class Check:
    """What the references say of the suspect."""

    suspect: list[Segment]
    references: list[list[Segment]]
    pairs: list[AlignedPair]
    evidence: dict[str, float]
    derived: float
    threshold: float

    @property
    def is_derived(self) -> bool:
        return self.derived >= self.threshold


_WORD = re.compile(r"[a-z0-9]{3,}")


def _lexical_candidates(
    suspect: Sequence[Segment], refs: Sequence[Sequence[Segment]], flat: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The reference sentences worth embedding for a long reference: for each suspect sentence
    the PER_SENTENCE sharing the most of its words (rarer words weigh more), with their
    neighbours, in reference order."""
    words = [set(_WORD.findall(refs[k][j].text.lower())) for k, j in flat]
    index: dict[str, list[int]] = {}
    for n, ws in enumerate(words):
        for w in ws:
            index.setdefault(w, []).append(n)
    keep: set[int] = set()
    for seg in suspect:
        score: dict[int, float] = {}
        for w in set(_WORD.findall(seg.text.lower())):
            hits = index.get(w, [])
            if 0 < len(hits) <= len(flat) // 4:  # a word in every other sentence says nothing
                for n in hits:
                    score[n] = score.get(n, 0.0) + 1.0 / len(hits)
        for n in sorted(score, key=lambda n: -score[n])[:PER_SENTENCE]:
            keep.update(x for x in (n - 1, n, n + 1) if 0 <= x < len(flat) and flat[x][0] == flat[n][0])
    return [flat[n] for n in sorted(keep)]


def _words(seg: Segment) -> int:
    return sum(1 for t in tokenize(seg.text) if t.is_word)


class ReferenceChecker:
    """Aligns, compares and weighs; the embedder loads on first use."""

    def __init__(
        self,
        settings: ReferenceSettings | None = None,
        related: Callable[[str, str], bool] | None = None,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.settings = settings or ReferenceSettings()
        self.related = related
        self.embedder = embedder or SentenceEmbedder()

    def check(self, text: str, references: Sequence[str]) -> Check:
        suspect = Document.from_text(text).sentences
        refs = [Document.from_text(r).sentences for r in references]
        flat = [(k, j) for k, segs in enumerate(refs) for j in range(len(segs))]
        if len(flat) > MAX_EMBEDDED:
            flat = _lexical_candidates(suspect, refs, flat)
        s_emb = self.embedder.embed([seg.text for seg in suspect])
        r_emb = self.embedder.embed([refs[k][j].text for k, j in flat])
        # Runs of consecutive reference sentences: merges and continuations stay inside one.
        runs, run = [], 0
        for n, (k, j) in enumerate(flat):
            if n and (k, j - 1) != flat[n - 1]:
                run += 1
            runs.append(run)
        raw = align(s_emb, r_emb, runs, self.settings.align)
        pairs = []
        for p in raw:
            k = flat[p.reference[0]][0]
            sentences = tuple(flat[g][1] for g in p.reference)
            a, b = suspect[p.suspect[0]].start, suspect[p.suspect[-1]].end
            ra, rb = refs[k][sentences[0]].start, refs[k][sentences[-1]].end
            words = align_words(text[a:b], references[k][ra:rb], self.related)
            pairs.append(AlignedPair(p.suspect, a, b, k, sentences, ra, rb, p.similarity, words))
        evidence = self.evidence(text, references, suspect, refs, pairs)
        derivation = self.settings.derivation
        return Check(suspect, refs, pairs, evidence, derivation.probability(evidence), derivation.threshold)

    @staticmethod
    def evidence(
        text: str, references: Sequence[str], suspect: Sequence[Segment], refs: Sequence[Sequence[Segment]], pairs: Sequence[AlignedPair]
    ) -> dict[str, float]:
        counted = [i for i, seg in enumerate(suspect) if _words(seg) >= MIN_WORDS]
        aligned = {i for p in pairs for i in p.suspect}
        # The reference most of the suspect came from speaks for coverage and immutables.
        by_ref: dict[int, int] = {}
        for p in pairs:
            by_ref[p.reference] = by_ref.get(p.reference, 0) + len(p.suspect)
        main = max(by_ref, key=lambda k: by_ref[k]) if by_ref else 0
        covered = {j for p in pairs if p.reference == main for j in p.sentences}
        n_ref = sum(1 for seg in refs[main] if _words(seg) >= MIN_WORDS) if refs else 0
        words = sum(p.words.suspect_words for p in pairs)
        # The first MAX_IMMUTABLES of each side: the share is as telling, and the LCS (quadratic,
        # in Python) stays under a second whatever the input.
        mine = immutables(text)[:MAX_IMMUTABLES]
        theirs = immutables(references[main])[:MAX_IMMUTABLES] if references else []
        return {
            "aligned_share": len(aligned & set(counted)) / len(counted) if counted else 0.0,
            "coverage": min(len(covered) / n_ref, 1.0) if n_ref else 0.0,
            "similarity": sum(p.similarity for p in pairs) / len(pairs) if pairs else 0.0,
            "copied_share": sum(p.words.shared_words for p in pairs) / words if words else 0.0,
            "explained_share": sum(p.words.shared_words + p.words.swapped_words for p in pairs) / words if words else 0.0,
            "immutables": lcs(mine, theirs) / len(mine) if mine else 0.0,
            "longest_run": longest_run([(p.suspect, p.sentences) for p in pairs if p.reference == main]) / max(len(suspect), 1),
        }
