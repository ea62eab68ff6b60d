"""What the index keeps of each document: a MinHash signature per shingle family and a
sentence-embedding vector. The same code reads the documents at build time and the suspect at
search time, so the two are comparable."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinfix.index.minhash import MinHasher
from spinfix.index.settings import IndexSettings
from spinfix.index.shingles import FAMILIES
from spinfix.reference.embed import SentenceEmbedder
from spinfix.text.document import split_sentences

EMBED_DIM = 384  # all-MiniLM-L6-v2


@dataclass
class Features:
    """Per document (row): `signatures[family]` (n, num_perm) uint32, `vectors` (n, 384)
    float32 normalised (None when the index embeds nothing)."""

    signatures: dict[str, np.ndarray]
    vectors: np.ndarray | None

    def __len__(self) -> int:
        first = next(iter(self.signatures.values()), None)
        return len(first) if first is not None else (0 if self.vectors is None else len(self.vectors))


def sentences_of(text: str, limit: int) -> list[str]:
    """The first `limit` sentences of a text."""
    return [seg.text for seg in split_sentences(text)[:limit]]


class Featurizer:
    """Signatures and vectors for texts, as `settings` says; loads the encoder on first use."""

    def __init__(self, settings: IndexSettings, embedder: SentenceEmbedder | None = None) -> None:
        self.settings = settings
        self.hasher = MinHasher(settings.num_perm, settings.seed)
        self._embedder = embedder

    @property
    def embedder(self) -> SentenceEmbedder:
        if self._embedder is None:
            self._embedder = SentenceEmbedder()
        return self._embedder

    def features(self, texts: Sequence[str], families: Sequence[str] | None = None, embed: bool | None = None) -> Features:
        """The features of `texts`: the settings' families and vector, or those asked for."""
        families = self.settings.families if families is None else families
        embed = self.settings.embed if embed is None else embed
        sigs = {
            fam: np.stack([self.hasher.signature(FAMILIES[fam](t)) for t in texts]) if texts
            else np.zeros((0, self.settings.num_perm), dtype=np.uint32)
            for fam in families
        }
        return Features(sigs, self.vectors(texts) if embed else None)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's vector: its first sentences' token vectors pooled (mean), normalised."""
        per_text = [sentences_of(t, self.settings.max_sentences) or [t[:2000]] for t in texts]
        flat = [s for ss in per_text for s in ss]
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        if not flat:
            return out
        emb = self.embedder.embed(flat)
        k = 0
        for i, ss in enumerate(per_text):
            s = emb.sums[k : k + len(ss)].sum(axis=0) / max(float(emb.counts[k : k + len(ss)].sum()), 1.0)
            out[i] = s / max(float(np.linalg.norm(s)), 1e-8)
            k += len(ss)
        return out
