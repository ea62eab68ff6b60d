"""Fitting the candidate ranker: which of a spun word's possible originals is likeliest, before
any language model looks at the sentence.

Every spinner edit of the train split (original -> spun) is a decision: among all candidates the
generator proposes for the spun text (no cut-off), the original is the right one. A conditional
logit over `candidates.rank_features` is fitted on the decisions whose original is proposed at
all; its weights are the ranking prior that decides which candidates the restorers see.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch

from spinfix.restore.candidates import CandidateGenerator, rank_features
from spinfix.train.baseline_fit import fit

NOT_FEATURES = ("prior", "rank")  # outputs of a ranking, not evidence for one


def decision(gen: CandidateGenerator, original: str, spun: str) -> tuple[list[str], list[dict[str, float]]] | None:
    """All candidates for `spun` and their features, when `original` is among them."""
    cands = list(gen.originals(spun)[1:])
    if original not in cands:
        return None
    feats = []
    for c in cands:
        ev = {k: v for k, v in gen.evidence(spun, c).items() if k not in NOT_FEATURES}
        feats.append(rank_features(ev, c))
    return cands, feats


def collect(gen: CandidateGenerator, edits: Iterable[tuple[str, str]]) -> tuple[list[tuple[list[dict[str, float]], int]], int]:
    """(features of every candidate, index of the original) per usable edit, and the number of
    edits seen. `gen` should return every candidate (a large max_candidates, no ranker)."""
    data, seen = [], 0
    for original, spun in edits:
        seen += 1
        d = decision(gen, original.lower(), spun.lower())
        if d is not None:
            data.append((d[1], d[0].index(original.lower())))
    return data, seen


def fit_ranker(data: list[tuple[list[dict[str, float]], int]]) -> dict[str, float]:
    """Named ranker weights, maximum likelihood with a little L2."""
    names = sorted({k for feats, _ in data for f in feats for k in f})
    design = [(torch.tensor([[f.get(k, 0.0) for k in names] for f in feats], dtype=torch.float64), y) for feats, y in data]
    w = fit(design, len(names), anchor_first=False)
    return {k: round(float(v), 4) for k, v in zip(names, w)}


def coverage(gen: CandidateGenerator, edits: Iterable[tuple[str, str]], ks: tuple[int, ...]) -> dict[str, float]:
    """Share of edits whose original is among the top-k candidates of the spun text."""
    hits, n = [0] * len(ks), 0
    for original, spun in edits:
        cands = gen.originals(spun.lower())[1:]
        n += 1
        for i, k in enumerate(ks):
            hits[i] += original.lower() in cands[:k]
    return {"n": n, **{f"top{k}": round(h / max(n, 1), 3) for k, h in zip(ks, hits)}}
