"""What a document is hashed into for search: shingles, each family robust to spinning or not.

A plagiarism checker hashes word n-grams; a spinner swaps one word in three and so breaks most of
them. What a spinner leaves alone survives: numbers and names (spinfix.reference.derive.
immutables: what every spinner protects), and the order they come in. Each family is a function
from a text to a set of strings; spinfix.index.minhash turns each set into a signature.

- `words`: word 5-grams, lowercased: the baseline, what a plagiarism checker matches on.
- `immutables`: runs of 3 consecutive immutables ("president|biden|1.9"), in reading order.
"""
from __future__ import annotations

from collections.abc import Callable

from spinfix.reference.derive import immutables
from spinfix.text.tokens import tokenize

WORD_N = 5
IMMUTABLE_N = 3


def _grams(items: list[str], n: int) -> set[str]:
    """The n-grams of `items` joined with "|"; a list shorter than n is one shingle."""
    if len(items) < n:
        return {"|".join(items)} if items else set()
    return {"|".join(items[i : i + n]) for i in range(len(items) - n + 1)}


def word_shingles(text: str, n: int = WORD_N) -> set[str]:
    """Word n-grams, lowercased, typographic apostrophes folded."""
    return _grams([t.text.lower().replace("’", "'") for t in tokenize(text) if t.is_word], n)


def immutable_shingles(text: str, n: int = IMMUTABLE_N) -> set[str]:
    """n-grams of the text's numbers and names in reading order."""
    return _grams(immutables(text), n)


FAMILIES: dict[str, Callable[[str], set[str]]] = {
    "words": word_shingles,
    "immutables": immutable_shingles,
}
