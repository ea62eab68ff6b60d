"""Counting how often the spinner swaps each word or phrase, and writing the shipped table
(spinfix.restore.swap_rates reads it)."""
from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spinfix.restore.swap_rates import SWAP_RATES_RESOURCE, SwapRates, words_of

# Forms seen fewer times than this are not shipped: the smoothed rate is mostly the prior anyway.
MIN_OCCURRENCES = 3


def count_swap_rates(pairs: Iterable[tuple[str, Iterable[str]]], max_words: int = 5) -> SwapRates:
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
    return SwapRates(dict(swaps), dict(occ), sum(swaps.values()) / max(total, 1))


def save_swap_rates(rates: SwapRates, path: Path = SWAP_RATES_RESOURCE, min_occurrences: int = MIN_OCCURRENCES) -> int:
    """Write forms seen at least `min_occurrences` times; returns how many."""
    kept = sorted(f for f, n in rates.occurrences.items() if n >= min_occurrences)
    lines = [f"#overall\t{rates.overall:.6f}\n", *(f"{form}\t{rates.swaps.get(form, 0)}\t{rates.occurrences[form]}\n" for form in kept)]
    # No name or time in the gzip header: the same counts give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        f.write("".join(lines).encode("utf-8"))
    return len(kept)
