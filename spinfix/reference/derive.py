"""Was the suspect derived from the reference? The evidence a person checks, and a probability.

Evidence (each 0..1 unless said otherwise):
- `aligned_share`: the suspect's sentences (of three words or more) aligned to the reference;
- `coverage`: the reference's sentences some suspect sentence was aligned to;
- `similarity`: the aligned pairs' mean similarity;
- `copied_share`: the words of the aligned suspect sentences that are the reference's own;
- `explained_share`: the words of the aligned suspect sentences that are the reference's own or
  a spinner-style swap of them (a copy, spun or not, is nearly all explained; another account of
  the same event says the same things in its own words);
- `immutables`: the suspect's numbers, names and quoted words found in the reference, in order
  (the longest common subsequence over their count);
- `longest_run`: the longest run of suspect sentences aligned to consecutive reference
  sentences, over the suspect's sentences.
An independent article on the same event shares names, numbers and quotations, and a few
sentences close in meaning; a copy, spun or not, shares its sentences one for one and most of
their words. The probability is a logistic regression on the evidence, fitted on the dev cases
(scripts/fit_reference.py), saved in models/reference/spinfix.json.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from spinfix.text.tokens import tokenize

EVIDENCE = ("aligned_share", "coverage", "similarity", "copied_share", "explained_share", "immutables", "longest_run")


@dataclass
class DerivationSettings:
    """The fitted regression: a weight per piece of evidence (EVIDENCE; a search's has more) and
    a bias; `threshold` on the probability for `is_derived`."""

    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EVIDENCE, 0.0))
    bias: float = 0.0
    threshold: float = 0.5

    def probability(self, evidence: dict[str, float]) -> float:
        z = self.bias + sum(w * evidence.get(k, 0.0) for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))


def immutables(text: str) -> list[str]:
    """A text's numbers and names (capitalised words that do not open a sentence), in order:
    what a spinner leaves alone and an independent article on the same event shares too."""
    out = []
    prev = "."
    for t in tokenize(text):
        if any(c.isdigit() for c in t.text):
            out.append(t.text)
        elif t.is_word and t.text[:1].isupper() and prev not in (".", "!", "?", "“", '"', "\n"):
            out.append(t.text.lower())
        prev = t.text
    return out


def lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence (a row at a time; the lists are short)."""
    if not a or not b:
        return 0
    row = [0] * (len(b) + 1)
    for x in a:
        diag = 0
        for j, y in enumerate(b, 1):
            keep = row[j]
            row[j] = diag + 1 if x == y else max(row[j], row[j - 1])
            diag = keep
    return row[-1]


def longest_run(pairs: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> int:
    """Suspect sentences in the longest run of pairs that follow one another in the suspect
    and in the reference (pairs as (suspect indices, reference indices), in suspect order)."""
    best = run = 0
    last: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    for s, r in pairs:
        if last is not None and s[0] == last[0][-1] + 1 and r[0] in (last[1][-1] + 1, last[1][-1]):
            run += len(s)
        else:
            run = len(s)
        best = max(best, run)
        last = (s, r)
    return best
