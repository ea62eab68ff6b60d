"""Searching an index for the source of a suspect text.

Each signal ranks the indexed documents on its own:
- a MinHash family (`immutables`, `words`): the documents sharing an LSH band with the suspect,
  ranked by their signatures' agreement (the estimated Jaccard similarity of the shingle sets);
- `embedding`: the documents nearest the suspect's vector (inner product of normalised
  sentence-embedding means; faiss).
`combined` fuses the rankings of the signals the index holds (reciprocal rank fusion, k = 60),
the spin-robust ones only (`words` is the baseline, not part of it).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spinfix.errors import InputError
from spinfix.index.features import Featurizer
from spinfix.index.minhash import agreement, band_keys
from spinfix.index.settings import IndexSettings
from spinfix.index.store import Segment, read_meta
from spinfix.reference.derive import EVIDENCE
from spinfix.reference.embed import SentenceEmbedder

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

RRF_K = 60
# Signals that survive spinning; `words` is the plagiarism checker's baseline.
ROBUST = ("immutables", "embedding")
# What Index.verify weighs (ReferenceSettings.search): the reference check's evidence and the
# spin-robust signals' similarities.
SEARCH_EVIDENCE = (*EVIDENCE, *(f"search_{name}" for name in ROBUST))
# How many documents each signal hands to the fusion.
DEPTH = 100


@dataclass
class Hit:
    """A document of the index as a search found it: its id, its place in the index, the
    fused score, and each signal's own score (MinHash agreement, cosine similarity)."""

    id: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    segment: int = 0
    row: int = 0
    # Set by Index.verify: the probability that the suspect was derived from this document, the
    # verdict, and the evidence they rest on.
    derived: float | None = None
    is_derived: bool | None = None
    evidence: dict[str, float] | None = None  # the reference check's, as `spinfix compare` shows it

    def to_dict(self) -> dict:
        d = {"id": self.id, "score": round(self.score, 6), "signals": {k: round(v, 4) for k, v in self.signals.items()}}
        if self.derived is not None:
            d["derived"] = round(self.derived, 4)
            d["evidence"] = {k: round(v, 4) for k, v in (self.evidence or {}).items()}
            d["is_derived"] = self.is_derived
        return d


class Index:
    """An index on disk, opened for search (`Index.open(DIR)`)."""

    def __init__(self, root: Path, settings: IndexSettings, segments: list[Segment], embedder: SentenceEmbedder | None = None) -> None:
        self.root = root
        self.settings = settings
        self.segments = segments
        self.featurizer = Featurizer(settings, embedder)

    @classmethod
    def open(cls, root: str | Path, embedder: SentenceEmbedder | None = None) -> Index:
        root = Path(root)
        meta = read_meta(root)
        segments = [Segment(root, name, meta.settings) for name, _ in meta.segments]
        logger.info("opened index %s: %d documents in %d segment(s)", root, meta.documents, len(segments))
        return cls(root, meta.settings, segments, embedder)

    def __len__(self) -> int:
        return sum(s.size for s in self.segments)

    @property
    def signals(self) -> tuple[str, ...]:
        return (*self.settings.families, *(("embedding",) if self.settings.embed else ()))

    def document(self, hit: Hit) -> str:
        """The text of a hit's document."""
        return self.segments[hit.segment].document(hit.row)[1]

    def search(self, text: str, k: int = 10, signal: str = "combined") -> list[Hit]:
        """The `k` documents most likely to be `text`'s source, best first, by `signal`
        ("combined" or one of `signals`)."""
        return self.search_many([text], k, signal)[0]

    def verify(self, text: str, hits: Sequence[Hit], sf: Spinfix, n: int = 3) -> list[Hit]:
        """The first `n` hits checked as `spinfix compare` checks a suspect against a reference
        (the aligner and the derivation's regression; no detection or restoration) and re-ranked
        by that probability; the other hits follow in their order, unchecked. The check's
        evidence is weighed as fitted for searches (ReferenceSettings.search: a search finds the
        most alike items, templated look-alikes included), and a hit is called the source
        (`is_derived`) at that regression's threshold."""
        checker = sf.reference_checker()
        search = checker.settings.search
        checked = list(hits[:n])
        self._fill_signals(text, checked)
        for h in checked:
            # The check's evidence, and how alike the search found the two (0: a signal that did
            # not bring this hit up, or that the index does not hold).
            h.evidence = checker.check(text, [self.document(h)]).evidence | {
                f"search_{name}": h.signals.get(name, 0.0) for name in ROBUST
            }
            h.derived = search.probability(h.evidence)
            h.is_derived = h.derived >= search.threshold
        checked.sort(key=lambda h: -(h.derived or 0.0))
        return [*checked, *hits[n:]]

    def _fill_signals(self, text: str, hits: Sequence[Hit]) -> None:
        """The spin-robust similarities a hit lacks (found by another signal, or past DEPTH),
        computed for it: the search regression weighs both."""
        wanted = [s for s in ROBUST if s in self.signals]
        if len(wanted) < len(ROBUST):
            logger.warning("this index lacks the %s signal: --verify weighs it as 0 and calls fewer hits derived",
                           " and ".join(s for s in ROBUST if s not in wanted))
        lacking = [h for h in hits if any(s not in h.signals for s in wanted)]
        if not lacking:
            return
        families = tuple(s for s in wanted if s in self.settings.families)
        q = self.featurizer.features([text], families, "embedding" in wanted)
        for h in lacking:
            seg = self.segments[h.segment]
            for fam in families:
                if fam not in h.signals:
                    h.signals[fam] = float(agreement(q.signatures[fam][0], np.asarray(seg.signatures[fam][h.row : h.row + 1]))[0])
            if "embedding" in wanted and "embedding" not in h.signals and seg.vectors is not None and q.vectors is not None:
                h.signals["embedding"] = float(np.dot(seg.vectors.reconstruct(h.row), q.vectors[0]))

    def search_many(self, texts: Sequence[str], k: int = 10, signal: str = "combined") -> list[list[Hit]]:
        if signal != "combined" and signal not in self.signals:
            raise InputError(f"this index has no signal {signal!r}: use combined or one of {', '.join(self.signals)}")
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        wanted = [s for s in ROBUST if s in self.signals] if signal == "combined" else [signal]
        families = tuple(f for f in wanted if f in self.settings.families)
        q = self.featurizer.features(texts, families, "embedding" in wanted)
        out = []
        for i in range(len(texts)):
            rankings = {}
            for fam in families:
                rankings[fam] = self._minhash_ranking(fam, q.signatures[fam][i])
            if "embedding" in wanted and q.vectors is not None:
                rankings["embedding"] = self._vector_ranking(q.vectors[i])
            out.append(self._fuse(rankings, k))
        return out

    def _minhash_ranking(self, family: str, sig: np.ndarray) -> list[tuple[float, int, int]]:
        keys = band_keys(sig[None, :], self.settings.rows)[0]
        found: list[tuple[float, int, int]] = []
        for s, seg in enumerate(self.segments):
            rows = seg.candidates(family, keys)
            if len(rows):
                sims = agreement(sig, np.asarray(seg.signatures[family][rows]))
                found.extend((float(x), s, int(r)) for x, r in zip(sims, rows) if x > 0)
        found.sort(key=lambda t: (-t[0], t[1], t[2]))
        return found[:DEPTH]

    def _vector_ranking(self, vec: np.ndarray) -> list[tuple[float, int, int]]:
        found: list[tuple[float, int, int]] = []
        for s, seg in enumerate(self.segments):
            if seg.vectors is None or seg.size == 0:
                continue
            d, rows = seg.vectors.search(np.ascontiguousarray(vec[None, :], dtype=np.float32), min(DEPTH, seg.size))
            found.extend((float(x), s, int(r)) for x, r in zip(d[0], rows[0]) if r >= 0)
        found.sort(key=lambda t: (-t[0], t[1], t[2]))
        return found[:DEPTH]

    def _fuse(self, rankings: dict[str, list[tuple[float, int, int]]], k: int) -> list[Hit]:
        scores: dict[tuple[int, int], float] = {}
        signals: dict[tuple[int, int], dict[str, float]] = {}
        for name, ranking in rankings.items():
            for rank, (sim, s, r) in enumerate(ranking):
                key = (s, r)
                # A single signal ranks by its own similarity; several are fused by rank.
                scores[key] = scores.get(key, 0.0) + (sim if len(rankings) == 1 else 1.0 / (RRF_K + rank + 1))
                signals.setdefault(key, {})[name] = sim
        best = sorted(scores, key=lambda key: (-scores[key], key))[:k]
        return [Hit(self.segments[s].document(r)[0], scores[(s, r)], signals[(s, r)], s, r) for s, r in best]
