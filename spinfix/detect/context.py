"""A sentence's neighbours as evidence: spinners spin whole articles.

A content farm runs the whole copied article through its spinner, so a sentence whose neighbours
look spun is more likely spun itself, and a borderline sentence among clean ones is more likely
clean. The detector scores each sentence alone; this moves each sentence's logit by the mean
logit of the sentences around it in the same document:

    z_i' = z_i + weight * sum(z_j for j in window(i), j != i) / (n_i + pseudo_count) + bias * [n_i > 0]

`pseudo_count` shrinks the mean toward 0 (no evidence) when a sentence has few neighbours; the
window (sentences on each side) keeps a clean article pasted next to a spun one from taking on
its verdict beyond the sentences near the seam. A sentence with no neighbours (a one-sentence
text) keeps its own probability. The weight and bias are fitted on the dev split's articles
(`spinfix.train.context`) and saved with the detector (spinfix.json, "context").
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from spinfix.settings import from_dict

# Probabilities are clipped to [1e-4, 1 - 1e-4] before the logit: one sentence the model is
# certain about should count as strong evidence, not as unbounded evidence.
_LOGIT_CAP = math.log((1 - 1e-4) / 1e-4)


def logit(p: float) -> float:
    """The capped logit a sentence contributes to its neighbours."""
    return max(-_LOGIT_CAP, min(_LOGIT_CAP, raw_logit(p)))


def sigmoid(z: float) -> float:
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class DocumentContext:
    """How much a sentence's neighbours in the same document move its probability."""

    weight: float = 0.0
    bias: float = 0.0
    window: int = 6  # sentences on each side that count
    pseudo_count: float = 2.0
    # A sentence with fewer words a spinner could touch (outside quotations) is not moved: a
    # quotation followed by "she said" is usually untouched even in a spun article, and its
    # own reading says so ("said" is there). It still counts as a neighbour.
    min_words: int = 3

    @classmethod
    def from_dict(cls, d: dict | None) -> DocumentContext | None:
        """The context saved in a checkpoint's spinfix.json; None if it has none."""
        return from_dict(cls, d, "the detector's context settings") if d else None

    def to_dict(self) -> dict:
        return asdict(self)

    def shift(self, logits: Sequence[float]) -> list[float]:
        """How far each sentence's logit moves, given the own logits of a document's sentences
        in reading order (sentences without words left out by the caller)."""
        n = len(logits)
        prefix = [0.0]
        for z in logits:
            prefix.append(prefix[-1] + z)
        out = []
        for i in range(n):
            lo, hi = max(0, i - self.window), min(n, i + self.window + 1)
            k = hi - lo - 1
            if k == 0:
                out.append(0.0)
                continue
            others = prefix[hi] - prefix[lo] - logits[i]
            out.append(self.weight * others / (k + self.pseudo_count) + self.bias)
        return out

    def movable(self, words: Sequence[int]) -> list[bool]:
        """Which sentences their neighbours may move, given each one's count of words outside
        quotations."""
        return [n >= self.min_words for n in words]

    def probabilities(self, own: Sequence[float], movable: Sequence[bool] | None = None) -> list[float]:
        """Each sentence's probability given its neighbours, from the sentences' own probabilities.

        Neighbours count with capped logits; the sentence's own logit is not capped, so a
        sentence that nothing moves keeps its probability exactly, as does one not `movable`."""
        shifts = self.shift([logit(p) for p in own])
        if movable is not None:
            shifts = [s if m else 0.0 for s, m in zip(shifts, movable)]
        return [p if s == 0.0 else sigmoid(raw_logit(p) + s) for p, s in zip(own, shifts)]


def raw_logit(p: float) -> float:
    """The logit, guarded only against 0 and 1."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))
