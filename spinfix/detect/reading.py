"""A second reading of the uncertain sentences by the language model.

A spun word is often one the language model did not expect where it stands ("counterfeit
consciousness", "navy help"), and the detector, a small encoder, knows less of what English
usually says than SmolLM2 does. So the sentences whose probability lies in an uncertain band are
read once more by the LM, and each word's P(spun) becomes a logistic combination of the
detector's logit and the LM's surprise at the word and its neighbours (`FEATURES`), fitted on the
dev split by `scripts/fit_lm_reading.py`. Read sentences get a sentence regression of their own.
Only the band is read, because one LM pass costs several detector passes; sentences far from the
threshold cannot change their verdict (measured on dev, docs/history/detector.md).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinfix.lexicon.morphology import zipf
from spinfix.lm.surprisal import SurprisalReader
from spinfix.text.tokens import Token

logger = logging.getLogger(__name__)

# Per word: the detector's logit; the LM's surprisal (nats) at the word's tokens and at its first
# token; the word's frequency (zipf); the surprisal of the next and of the previous word; whether
# it opens the sentence (nothing before it to be surprised against); its LM token count; the LM
# tagger's logit (spinfix/detect/tagger.py; 0 without a tagger).
FEATURES = ("detector", "surprisal", "first_token", "zipf", "next", "previous", "first_word", "tokens", "tagger")

# Sentences longer than this are not read (the detector's verdict stands): an LM pass grows with
# the square of the length, and such "sentences" are lists or run-ons, not prose.
MAX_WORDS = 120

def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class LMReading:
    """The fitted combination, saved in the detector's spinfix.json under `lm_reading`."""

    weights: tuple[float, ...]  # one per FEATURES
    bias: float
    calibration: tuple[float, ...]  # the read sentences' regression on their top-3 word logits
    band: tuple[float, float]  # read when the detector's own sentence probability is in [lo, hi]
    # Words of a read sentence at least this probable are marked; None: the detector's own
    # span threshold (readings fitted before the tagger have none).
    span_threshold: float | None = None

    @classmethod
    def from_dict(cls, d: dict | None) -> LMReading | None:
        if not d:
            return None
        # A reading saved before a feature existed weighs it 0 (detector 0.5.1's has no tagger).
        weights = tuple(float(d["weights"].get(f, 0.0)) for f in FEATURES)
        span = d.get("span_threshold")
        return cls(weights, float(d["bias"]), tuple(float(x) for x in d["calibration"]), tuple(d["band"]),
                   float(span) if span is not None else None)

    def to_dict(self) -> dict:
        out = {
            "weights": dict(zip(FEATURES, self.weights)), "bias": self.bias,
            "calibration": list(self.calibration), "band": list(self.band),
        }
        if self.span_threshold is not None:
            out["span_threshold"] = self.span_threshold
        return out

    @property
    def uses_tagger(self) -> bool:
        return self.weights[FEATURES.index("tagger")] != 0.0

    def in_band(self, p: float) -> bool:
        return self.band[0] <= p <= self.band[1]

    def word_probs(self, feats: np.ndarray) -> np.ndarray:
        """P(spun) per word from a (words, len(FEATURES)) feature array."""
        z = feats @ np.asarray(self.weights, dtype=np.float64) + self.bias
        return (1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))).astype(np.float32)


def word_features(
    tokens: Sequence[Token], det_probs: np.ndarray, lm: np.ndarray, tagger: np.ndarray | None = None
) -> np.ndarray:
    """The FEATURES of each word, from the detector's probabilities, `SurprisalReader` rows and
    the LM tagger's logits (zeros when there is no tagger)."""
    n = len(tokens)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    for i, t in enumerate(tokens):
        out[i] = (
            _logit(float(det_probs[i])), lm[i, 0], lm[i, 1], zipf(t.text.lower()),
            lm[i + 1, 0] if i + 1 < n else 0.0, lm[i - 1, 0] if i > 0 else 0.0, float(i == 0), lm[i, 2],
            float(tagger[i]) if tagger is not None else 0.0,
        )
    return out


def read_with_tagger(reader: SurprisalReader, sentences, tokens, tagger) -> tuple[list[np.ndarray], list]:
    """The reader's rows per sentence and, with an LM tagger (spinfix/detect/tagger.py), its logits
    from the same pass (None per sentence without one)."""
    if tagger is None:
        return reader.read(sentences, tokens), [None] * len(sentences)
    got = reader.read_states(sentences, tokens, tagger.config.layer)
    rows = [r for r, _ in got]
    return rows, tagger.logits([states for _, states in got], rows)
