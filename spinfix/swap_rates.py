"""How often a spinner swaps a word or phrase at all, when it spins a sentence.

A candidate original is likelier when a spinner would have touched it: "according to" is swapped
in most spun sentences that hold it ("in keeping with"), "with" almost never. The candidate
evidence says how a spinner gets from a candidate to the spun text (which thesaurus lists it, how
many other words the entry offers); this is the other half of that channel, P(swapped | word).
Measured on the train split's spun sentences: each original form's edits over its occurrences in
the clean sentences (`scripts/fit_swap_rates.py`), shrunk toward the overall rate so a form seen
twice does not get a rate of 0 or 1, and shipped as a package resource.
"""
from __future__ import annotations

import gzip
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SWAP_RATES_RESOURCE = Path(__file__).resolve().parent / "resources" / "swap_rates.tsv.gz"
# Occurrences worth of the overall rate mixed into every form's own (additive smoothing).
PRIOR_WEIGHT = 4.0
# Forms seen fewer times than this are not shipped: the smoothed rate is mostly the prior anyway.
MIN_OCCURRENCES = 3
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
    def count(cls, pairs: Iterable[tuple[str, Iterable[str]]], max_words: int = 5) -> "SwapRates":
        """From (clean sentence, originals of its edits) pairs of spun sentences."""
        pairs = [(clean, [" ".join(words_of(o)) for o in originals]) for clean, originals in pairs]
        swaps = Counter(o for _, originals in pairs for o in originals if o)
        phrases = {o for o in swaps if " " in o and len(o.split()) <= max_words}
        occ: Counter[str] = Counter()
        total = 0
        for clean, _ in pairs:
            ws = words_of(clean)
            total += len(ws)
            occ.update(ws)
            for n in range(2, max_words + 1):
                occ.update(g for g in (" ".join(ws[i : i + n]) for i in range(len(ws) - n + 1)) if g in phrases)
        for o in swaps:  # an original the word pattern splits oddly still counts as seen
            occ[o] = max(occ[o], swaps[o])
        return cls(dict(swaps), dict(occ), sum(swaps.values()) / max(total, 1))

    def save(self, path: Path = SWAP_RATES_RESOURCE, min_occurrences: int = MIN_OCCURRENCES) -> int:
        """Write forms seen at least `min_occurrences` times; returns how many."""
        kept = sorted(f for f, n in self.occurrences.items() if n >= min_occurrences)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
            f.write(f"#overall\t{self.overall:.6f}\n")
            for form in kept:
                f.write(f"{form}\t{self.swaps.get(form, 0)}\t{self.occurrences[form]}\n")
        return len(kept)

    @classmethod
    def load(cls, path: Path = SWAP_RATES_RESOURCE) -> "SwapRates | None":
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
