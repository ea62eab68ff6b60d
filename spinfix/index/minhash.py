"""MinHash signatures and banded LSH tables over them, in numpy.

A signature is the minimum of `num_perm` universal hashes over a document's shingles; two
signatures agree in a share of places that estimates the Jaccard similarity of the shingle sets.
Banded LSH cuts a signature into bands of `rows` values; documents that share any whole band are
candidates. With rows=2 and 64 bands, a pair of Jaccard 0.3 shares a band with probability
1 - (1 - 0.3²)⁶⁴ ≈ 0.998, one of 0.1 with 0.47: spun copies are found, and the candidates are then
ranked by their signature agreement.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
EMPTY = np.uint32(0xFFFFFFFF)  # the signature value of an empty shingle set


def shingle_hashes(shingles: Iterable[str]) -> np.ndarray:
    """32-bit hashes of the shingles (blake2b, stable across processes and machines)."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in shingles],
        dtype=np.uint64,
    )


class MinHasher:
    """Signatures of `num_perm` values, from hash functions drawn with `seed`."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.a = rng.integers(1, 1 << 32, size=num_perm, dtype=np.uint64)
        self.b = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64)

    def signature(self, shingles: Iterable[str]) -> np.ndarray:
        """The signature (uint32, num_perm) of a shingle set; all EMPTY for an empty set."""
        h = shingle_hashes(shingles)
        if h.size == 0:
            return np.full(self.num_perm, EMPTY, dtype=np.uint32)
        # a, h < 2^32, so a*h + b < 2^64: no overflow before the modulus.
        v = ((h[:, None] * self.a[None, :] + self.b[None, :]) % _PRIME) & _MAX32
        return v.min(axis=0).astype(np.uint32)


def band_keys(signatures: np.ndarray, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys: each band's `rows` values packed (rows <= 2) or hashed together.
    An empty signature's bands get key 0xFF..FF, which search never looks up."""
    n, num_perm = signatures.shape
    bands = num_perm // rows
    s = signatures[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    if rows == 1:
        keys = s[:, :, 0]
    elif rows == 2:
        keys = (s[:, :, 0] << np.uint64(32)) | s[:, :, 1]
    else:
        keys = np.zeros((n, bands), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for r in range(rows):
                keys = keys * np.uint64(0x100000001B3) ^ s[:, :, r]
    empty = (signatures == EMPTY).all(axis=1)
    keys[empty] = np.uint64(0xFFFFFFFFFFFFFFFF)
    return keys


def agreement(query: np.ndarray, signatures: np.ndarray) -> np.ndarray:
    """Share of places where each row of `signatures` agrees with `query` (estimated Jaccard);
    0 where either is empty."""
    if (query == EMPTY).all():
        return np.zeros(len(signatures), dtype=np.float32)
    agree = (signatures == query[None, :]).mean(axis=1).astype(np.float32)
    agree[(signatures == EMPTY).all(axis=1)] = 0.0
    return agree
