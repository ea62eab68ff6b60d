"""The evidence for a candidate original, and the short list the baseline scores in full.

A candidate's score is the LM's log-probability of it in place, times its weight, plus weighted
evidence from the candidate generator (which sources propose it, how common it is, its rank, how
often a spinner swaps it, a head start for leaving the span alone): a conditional logit fitted on
dev spans by `scripts/fit_baseline.py` (spinfix.train.baseline_fit). Only a short list of each
unit's candidates is scored in full: the best few by the evidence plus the LM's log-probability
of their first token, and of those only the ones within a margin of the best.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from spinfix.lexicon.morphology import zipf
from spinfix.restore.candidates import CandidateGenerator

# The short list ranks a candidate by the LM's log-probability of its first token, which
# overrates candidates of several tokens (the rest of them costs too): each further token is
# charged this much score. 1.0 kept the most right answers of 1, 2 and 4 on dev decisions.
EXTRA_TOKEN_COST = 1.0
# Evidence that only the short-listed candidates get, after the LM's first-token ranking: the
# detector's reading of the candidate in place (a forward pass per candidate sentence).
AFTER_SHORTLIST = ("detector",)


def candidate_features(
    gen: CandidateGenerator, spun: str, candidate: str, span_probability: float | None = None
) -> dict[str, float]:
    """The evidence for one candidate of a unit, as named features (the LM score aside).

    Leaving the unit as it is gets `keep`, and the spun word's own frequency: a rare word in
    news prose is more likely a spinner's choice. With the generator's swap rates, `swap_rate`
    is the log-probability that a spinner swaps the candidate at all (for the spun text kept, that
    it leaves it alone): "with" is almost never swapped, "according to" in most spun sentences.
    With the detector's probability of the span the unit is in, `keep_detector` is its logit: a
    mark the detector is sure of is less likely a word to leave alone.
    """
    rates = gen.swap_rates
    if candidate == spun:
        words = spun.lower().split()
        ev = {"keep": 1.0, "keep_zipf": sum(zipf(w) for w in words) / len(words)}
        if rates is not None:
            ev["swap_rate"] = rates.log_kept(spun)
        if span_probability is not None:
            ev["keep_detector"] = keep_detector(span_probability)
        return ev
    ev = dict(gen.evidence(spun, candidate))
    rank = ev.pop("rank", gen.max_candidates)
    ev["log_rank"] = math.log(rank)
    ev["extra_words"] = len(candidate.split()) - len(spun.split())
    if rates is not None:
        ev["swap_rate"] = rates.log_rate(candidate)
    return ev


def keep_detector(span_probability: float) -> float:
    """The `keep_detector` evidence: the logit of the detector's span probability, clipped."""
    p = min(max(span_probability, 0.01), 0.99)
    return math.log(p / (1 - p))


def evidence_score(features: dict[str, float], weights: dict[str, float]) -> float:
    """The score of a candidate without its LM part, as the short list sees it: evidence that
    only short-listed candidates get (the detector's reading) is added afterwards."""
    return sum(weights.get(k, 0.0) * v for k, v in features.items() if k not in AFTER_SHORTLIST)


def needs_shortlist(n: int, k: int | None, margin: float | None) -> bool:
    """Whether a unit of n candidates (the spun text first) is cut before it is scored in full."""
    return (k is not None and n > k + 1) or (margin is not None and n > 1)


def shortlist_rank(w_lm: float, first: Sequence[float], prior: Sequence[float], extra_tokens: Sequence[float]) -> list[float]:
    """What the shortlist ranks candidates by: evidence + w_lm * first-token log-probability,
    less EXTRA_TOKEN_COST for each further token."""
    return [w_lm * f + p - EXTRA_TOKEN_COST * t for f, p, t in zip(first, prior, extra_tokens)]


def shortlisted(rank: Sequence[float], k: int | None, margin: float | None) -> list[int]:
    """Indices kept, in order: the spun text (0), and of the rest the k best ranked (all when k
    is None) that are within `margin` of the best of all (the spun text included)."""
    top = sorted(range(1, len(rank)), key=lambda j: -rank[j])[:k]
    if margin is not None and top:
        floor = max(rank[0], rank[top[0]]) - margin
        top = [j for j in top if rank[j] >= floor]
    return [0, *sorted(top)]
