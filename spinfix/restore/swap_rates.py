"""How often a spinner swaps a word or phrase at all, when it spins a sentence.

A candidate original is likelier when a spinner would have touched it: "according to" is swapped
in most spun sentences that hold it ("in keeping with"), "with" almost never. The candidate
evidence says how a spinner gets from a candidate to the spun text (which thesaurus lists it, how
many other words the entry offers); this is the other half of that channel, P(swapped | word).
Measured on the train split's spun sentences: each original form's edits over its occurrences in
the clean sentences (`spinfix.train.swap_rates`, `scripts/fit_swap_rates.py`), shrunk toward the overall rate so a form seen
twice does not get a rate of 0 or 1, and shipped as a package resource.
"""
from __future__ import annotations

import gzip
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from spinfix.paths import RESOURCES

logger = logging.getLogger(__name__)

SWAP_RATES_RESOURCE = RESOURCES / "swap_rates.tsv.gz"
# Occurrences worth of the overall rate mixed into every form's own (additive smoothing).
PRIOR_WEIGHT = 4.0
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")


def words_of(text: str) -> list[str]:
    """Lowercase words, as the table counts them (punctuation and numbers dropped)."""
    return _WORD.findall(text.lower())


@dataclass
class SwapRates:
    """Swaps and occurrences per lowercase form (a word or a phrase of a few words)."""

    swaps: dict[str, int]
    occurrences: dict[str, int]
    overall: float  # all swaps over all word occurrences

    def rate(self, form: str) -> float:
        key = form.lower()
        if key not in self.occurrences:  # every stored key is already normalised: skip the regex on a hit
            key = " ".join(words_of(form))
        n, k = self.occurrences.get(key, 0), self.swaps.get(key, 0)
        return (k + PRIOR_WEIGHT * self.overall) / (n + PRIOR_WEIGHT)

    def log_rate(self, form: str) -> float:
        """log P(a spinner swaps `form`), for a candidate original."""
        return math.log(self.rate(form))

    def log_kept(self, form: str) -> float:
        """log P(a spinner leaves `form` alone), for the spun text kept as it is."""
        return math.log1p(-min(self.rate(form), 0.999))

    @classmethod
    def load(cls, path: Path = SWAP_RATES_RESOURCE) -> SwapRates | None:
        if not path.exists():
            logger.warning("swap rates %s missing: candidates get no swap-rate evidence", path)
            return None
        swaps, occ, overall = {}, {}, 0.0
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "#overall":
                    overall = float(parts[1])
                    continue
                form, k, n = parts
                occ[form] = int(n)
                if int(k):
                    swaps[form] = int(k)
        return cls(swaps, occ, overall)
