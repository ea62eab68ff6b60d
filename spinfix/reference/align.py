"""Sentence alignment of a suspect text with its references, as content farms rearrange them.

Each suspect sentence is aligned to a reference sentence, to two adjacent reference sentences
(the copy merged them), or to nothing (the farm's own lead, boilerplate, a paragraph of its own);
two adjacent suspect sentences may share one reference sentence (the copy split it). Content
farms drop and reorder paragraphs, so the alignment is not monotonic: it is the best path
(Viterbi) through each suspect sentence's candidate reference units, where going on to the next
reference sentence earns a bonus and jumping elsewhere costs nothing but the bonus. Similarity is
the cosine of sentence embeddings (spinfix.reference.embed); a merged unit's embedding pools the
tokens of both sentences.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinfix.reference.embed import Embeddings


@dataclass(frozen=True)
class AlignSettings:
    """The aligner's settings (chosen on the dev cases: scripts/fit_reference.py)."""

    min_similarity: float = 0.55  # a pair less similar than this is no alignment
    continuation: float = 0.15  # the bonus for going on to the next reference sentence
    candidates: int = 8  # reference sentences considered per suspect sentence
    merge_gain: float = 0.02  # a merged unit must be this much more similar than the single one


@dataclass(frozen=True)
class Pair:
    """Suspect sentences (indices, one or two adjacent) aligned to reference sentences (global
    indices over all references, one or two adjacent in the same reference)."""

    suspect: tuple[int, ...]
    reference: tuple[int, ...]
    similarity: float


def _emission(si: int, unit: tuple[int, ...], s: Embeddings, r: Embeddings, sim: np.ndarray) -> float:
    if len(unit) == 1:
        return float(sim[si, unit[0]])
    return float(s.unit[si] @ r.joined(unit[0], unit[1]))


def align(s: Embeddings, r: Embeddings, doc_of: Sequence[int], settings: AlignSettings | None = None) -> list[Pair]:
    """The alignment of suspect sentences `s` with reference sentences `r`; `doc_of[j]` is the
    reference text sentence j belongs to (merges and continuations stay within one)."""
    settings = settings or AlignSettings()
    n, m = len(s.counts), len(r.counts)
    if n == 0 or m == 0:
        return []
    sim = s.unit @ r.unit.T
    k = min(settings.candidates, m)
    tau, bonus = settings.min_similarity, settings.continuation
    # Candidate units per suspect sentence: its k most similar reference sentences, and each of
    # them merged with its neighbour in the same reference.
    options: list[list[tuple[tuple[int, ...], float]]] = []
    for i in range(n):
        top = np.argpartition(-sim[i], k - 1)[:k] if k < m else np.arange(m)
        units: dict[tuple[int, ...], float] = {}
        for j in map(int, top):
            units[(j,)] = float(sim[i, j])
            for a in (j - 1, j):
                if 0 <= a and a + 1 < m and doc_of[a] == doc_of[a + 1]:
                    units[(a, a + 1)] = _emission(i, (a, a + 1), s, r, sim)
        options.append([(u, e) for u, e in units.items() if e >= tau])
    # Viterbi: state None is "aligned to nothing" (score 0); a unit scores its similarity over
    # the floor, plus the bonus when it follows the previous sentence's unit in its reference.
    best: list[dict[tuple[int, ...] | None, tuple[float, tuple[int, ...] | None]]] = []
    prev: dict[tuple[int, ...] | None, tuple[float, tuple[int, ...] | None]] = {None: (0.0, None)}
    for i in range(n):
        cur: dict[tuple[int, ...] | None, tuple[float, tuple[int, ...] | None]] = {}
        base_state, (base_score, _) = max(prev.items(), key=lambda kv: kv[1][0])
        cur[None] = (base_score, base_state)
        for unit, e in options[i]:
            score, back = base_score, base_state
            for p, (ps, _) in prev.items():
                if p is None:
                    continue
                follows = unit[0] == p[-1] + 1 and doc_of[unit[0]] == doc_of[p[-1]]
                same = unit == p  # a split sentence: two suspect sentences, one reference unit
                if follows or same:
                    cand = ps + bonus
                    if cand > score:
                        score, back = cand, p
            cur[unit] = (score + e - tau, back)
        best.append(cur)
        prev = cur
    # Back through the path.
    state, _ = max(prev.items(), key=lambda kv: kv[1][0])
    path: list[tuple[int, ...] | None] = [None] * n
    for i in range(n - 1, -1, -1):
        path[i] = state
        state = best[i][state][1] if state in best[i] else None
    return _merged(path, s, r, sim, settings)


def _merged(path: list[tuple[int, ...] | None], s: Embeddings, r: Embeddings, sim: np.ndarray, settings: AlignSettings) -> list[Pair]:
    """The path as pairs; two adjacent suspect sentences on one reference unit, or one whose
    neighbour is unaligned and reads better joined to it, become one pair."""
    out: list[Pair] = []
    i = 0
    n = len(path)
    while i < n:
        unit = path[i]
        if unit is None:
            i += 1
            continue
        alone = _emission(i, unit, s, r, sim)
        if i + 1 < n and (path[i + 1] == unit or path[i + 1] is None):
            joined = s.joined(i, i + 1)
            both = float(joined @ (r.unit[unit[0]] if len(unit) == 1 else r.joined(unit[0], unit[1])))
            if path[i + 1] == unit or both > alone + settings.merge_gain:
                out.append(Pair((i, i + 1), unit, both))
                i += 2
                continue
        out.append(Pair((i,), unit, alone))
        i += 1
    return out
