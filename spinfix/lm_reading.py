"""A second reading of the uncertain sentences by the language model.

A spun word is often one the language model did not expect where it stands ("counterfeit
consciousness", "navy help"), and the detector, a small encoder, knows less of what English
usually says than SmolLM2 does. So the sentences whose probability lies in an uncertain band are
read once more by the LM, and each word's P(spun) becomes a logistic combination of the
detector's logit and the LM's surprise at the word and its neighbours (`FEATURES`), fitted on the
dev split by `scripts/fit_lm_reading.py`. Read sentences get a sentence regression of their own.
Only the band is read, because one LM pass costs several detector passes; sentences far from the
threshold cannot change their verdict (measured on dev, models/detector/HISTORY.md).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from spinfix.lexicon import zipf
from spinfix.tokens import Token

logger = logging.getLogger(__name__)

# Per word: the detector's logit; the LM's surprisal (nats) at the word's tokens and at its first
# token; the word's frequency (zipf); the surprisal of the next and of the previous word; whether
# it opens the sentence (nothing before it to be surprised against); its LM token count; the LM
# tagger's logit (spinfix/lm_tagger.py; 0 without a tagger).
FEATURES = ("detector", "surprisal", "first_token", "zipf", "next", "previous", "first_word", "tokens", "tagger")

# Sentences longer than this are not read (the detector's verdict stands): an LM pass grows with
# the square of the length, and such "sentences" are lists or run-ons, not prose.
MAX_WORDS = 120

# A batch's longest sentence is at most PAD_RATIO times its shortest, plus PAD_SLACK tokens.
PAD_RATIO = 1.25
PAD_SLACK = 4


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
    def from_dict(cls, d: dict | None) -> "LMReading | None":
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


class SurprisalReader:
    """The LM's surprisal at each word of each sentence, read left to right from the sentence's
    start (no text before it), in length-sorted batches."""

    def __init__(self, model, tokenizer, max_batch_tokens: int = 2048) -> None:
        self.model = model
        self.tok = tokenizer
        self.max_batch_tokens = max_batch_tokens
        self.device = next(model.parameters()).device

    def encode(self, sentences: Sequence[str]) -> list[dict]:
        return [self.tok(s, return_offsets_mapping=True, add_special_tokens=False) for s in sentences]

    def batches(self, encs: Sequence[dict]) -> list[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """(which sentences, input ids, attention mask): length-sorted, each within the token
        budget, every sequence opened by the text-start token."""
        order = sorted(range(len(encs)), key=lambda i: len(encs[i]["input_ids"]))
        size = [len(encs[i]["input_ids"]) + 1 for i in order]
        start = self.tok.eos_token_id  # the text's start, as the LM saw documents begin
        out = []
        b = 0
        while b < len(order):
            # As many sentences as fit the budget (the longest is last: sorted by length), and
            # none much longer than the first: on a CPU a padded slot costs as much as a token,
            # and one batch of 16 article sentences was 43 % padding.
            e = b + 1
            while (
                e < len(order)
                and (e - b + 1) * size[e] <= self.max_batch_tokens
                and size[e] <= PAD_RATIO * size[b] + PAD_SLACK
            ):
                e += 1
            idx = order[b:e]
            b = e
            width = max(len(encs[i]["input_ids"]) for i in idx) + 1
            ids = torch.full((len(idx), width), self.tok.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                seq = [start] + list(encs[i]["input_ids"])
                ids[r, : len(seq)] = torch.tensor(seq)
                mask[r, : len(seq)] = 1
            out.append((idx, ids.to(self.device), mask.to(self.device)))
        return out

    def read(self, sentences: Sequence[str], tokens: Sequence[Sequence[Token]]) -> list[np.ndarray]:
        """Per sentence a (words, 3) array: surprisal of the word's LM tokens, of its first LM
        token, and its LM token count (tokens overlapping the word's characters)."""
        return [rows for rows, _ in self._read(sentences, tokens, None)]

    def read_states(
        self, sentences: Sequence[str], tokens: Sequence[Sequence[Token]], layer: int
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """As `read`, with each word's hidden state at `layer` (hidden_states[layer]: 0 is the
        embeddings) at its last LM token: per sentence (rows, (words, hidden) float32 array).
        The same single pass: what the LM tagger (spinfix/lm_tagger.py) reads."""
        return self._read(sentences, tokens, layer)  # type: ignore[return-value]

    @torch.no_grad()
    def _read(
        self, sentences: Sequence[str], tokens: Sequence[Sequence[Token]], layer: int | None
    ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        encs = self.encode(sentences)
        out: list = [None] * len(sentences)
        for idx, ids, mask in self.batches(encs):
            res = self.model(input_ids=ids, attention_mask=mask, output_hidden_states=layer is not None)
            logits = res.logits.float()
            # log P(next token) = its logit - logsumexp: no second (batch, length, vocab) array.
            # The logsumexp runs on the whole contiguous array and is sliced after: over the
            # [:, :-1] view it was 4-5x slower on the CPU (a tenth of the reading), same values.
            lse = torch.logsumexp(logits, -1)[:, :-1]
            lp = (logits[:, :-1].gather(-1, ids[:, 1:, None])[..., 0] - lse).cpu().numpy()
            hidden = res.hidden_states[layer].float().cpu() if layer is not None else None
            for r, i in enumerate(idx):
                rows, last = _per_word(encs[i]["offset_mapping"], -lp[r], tokens[i])
                # Position 0 holds the text-start token, so LM token k sits at k + 1; a word
                # no LM token overlaps (none in practice) takes the start token's state.
                states = hidden[r, torch.tensor(last, dtype=torch.long) + 1].numpy() if hidden is not None else None
                out[i] = (rows, states)
        return out


def read_with_tagger(reader: SurprisalReader, sentences, tokens, tagger) -> tuple[list[np.ndarray], list]:
    """The reader's rows per sentence and, with an LM tagger (spinfix/lm_tagger.py), its logits
    from the same pass (None per sentence without one)."""
    if tagger is None:
        return reader.read(sentences, tokens), [None] * len(sentences)
    got = reader.read_states(sentences, tokens, tagger.config.layer)
    rows = [r for r, _ in got]
    return rows, tagger.logits([states for _, states in got], rows)


def _per_word(
    offsets: Sequence[tuple[int, int]], surprisal: np.ndarray, tokens: Sequence[Token]
) -> tuple[np.ndarray, list[int]]:
    """The (words, 3) rows of `read`, and each word's last overlapping LM token (-1: none)."""
    rows = np.zeros((len(tokens), 3), dtype=np.float64)
    last = []
    k = 0
    for w, t in enumerate(tokens):
        while k < len(offsets) and offsets[k][1] <= t.start:
            k += 1
        j = k
        while j < len(offsets) and offsets[j][0] < t.end:
            j += 1
        if j > k:
            rows[w] = (float(surprisal[k:j].sum()), float(surprisal[k]), j - k)
        last.append(j - 1 if j > k else -1)
    return rows, last
