"""The spun-token detector: a MiniLM token classifier, windowed over long sentences.

The model tags each word (its first sub-word; in a hyphenated word the most suspicious of its
parts' first sub-words) with the probability that a spinner put it there.
A sentence's probability is a logistic regression, fitted on the dev split, over the logits of
its three most suspicious words: one glaring swap or several middling ones both make a sentence
spun. The regression (calibration) and the decision threshold live in the checkpoint's
spinfix.json, so that probabilities mean what they say for that checkpoint.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from spinfix.detect.tagger import LMTagger
from spinfix.errors import ModelError
from spinfix.loading import MODEL_LOAD_LOCK, batch_size_for, model_dtype, resolve_device
from spinfix.settings import from_dict, to_dict
from spinfix.text.tokens import Token, tokenize

logger = logging.getLogger(__name__)

CONFIG_NAME = "spinfix.json"


def _part_starts(words: list[int], ids: list[int], pos: int, dash: int) -> list[int]:
    """Where a word's reading is taken: its first sub-word and, in a hyphenated word, the first
    sub-word of each later part. Real spinners swap one part of a hyphenated word ("x-ray" ->
    "x-beam"), and the swapped part is where the model sees it; BERT splits at the hyphen, so
    each part starts like a word."""
    out = [pos]
    q = pos + 1
    while q < len(words) and words[q] == words[pos]:
        if ids[q - 1] == dash:
            out.append(q)
        q += 1
    return out


@dataclass
class DetectorSettings:
    """The detector's settings, saved beside its weights (spinfix.json)."""

    threshold: float = 0.5  # on the calibrated sentence probability
    span_threshold: float = 0.5  # on a word's raw probability, to mark it inside a spun sentence
    # A marked word inside a phrase a spinner emits whole marks the whole phrase when all its
    # words are at least this probable (spinfix.detect.spans); None: spans are not grown.
    phrase_floor: float | None = None
    # p = sigmoid(w1*logit(top1) + w2*logit(top2) + w3*logit(top3) + b), top-k word probabilities
    calibration: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0)
    max_length: int = 128  # sub-word positions per window, [CLS] and [SEP] included
    stride: int = 96  # window step in sub-words; windows overlap by max_length - 2 - stride
    batch_size: int = 64
    # How neighbouring sentences move a sentence's probability (spinfix.detect.context); None: they don't.
    context: dict | None = None
    # The LM's second reading of uncertain sentences (spinfix.detect.reading); None: no reading.
    lm_reading: dict | None = None
    # With a reading, the threshold and context fitted for the detector alone ({"threshold",
    # "context"}), used when the reading is switched off; None: the same as with it.
    without_reading: dict | None = None
    extra: dict = field(default_factory=dict)  # training facts, for the model card

    @classmethod
    def load(cls, path: Path) -> DetectorSettings:
        return from_dict(cls, json.loads(path.read_text()), str(path))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(to_dict(self), indent=2) + "\n")


@dataclass
class WordScores:
    """Per-word probabilities of one sentence (word tokens only, punctuation skipped)."""

    tokens: list[Token]
    probs: np.ndarray  # float32, one per token in `tokens`

    def top(self, k: int = 3, skip: np.ndarray | None = None) -> list[float]:
        """The k highest word probabilities (of the words not in `skip`), padded with 0.0."""
        probs = self.probs if skip is None else self.probs[~skip]
        top = sorted((float(p) for p in probs), reverse=True)[:k]
        return top + [0.0] * (k - len(top))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def features(scores: WordScores, skip: np.ndarray | None = None) -> list[float]:
    """What the sentence probability is computed from: logits of the top-3 word probabilities,
    leaving out the words in `skip` (those inside quotations: not evidence, see SentenceScorer.scored)."""
    return [_logit(p) for p in scores.top(3, skip)]


def calibrate(feats: list[float], calibration: tuple[float, ...]) -> float:
    *w, b = calibration
    z = sum(wi * fi for wi, fi in zip(w, feats)) + b
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class Detector:
    """Loads once; `score` runs batches of sentences through the model."""

    def __init__(
        self, model, tokenizer, config: DetectorSettings, device: str = "cpu", name: str = "detector", lm_tagger=None
    ):
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.config = config
        # The head on the LM's hidden states that the LM reading may weigh (spinfix.detect.tagger),
        # saved beside the weights; None when the checkpoint has none.
        self.lm_tagger = lm_tagger
        self.device = device
        # Windows per forward: the released size on the CPU, larger on a GPU (spinfix.loading).
        self.batch_size = batch_size_for(device, config.batch_size)
        self.name = name
        # The hyphen's token id: where a hyphenated word's later parts start (_part_starts).
        self._dash = tokenizer.convert_tokens_to_ids("-")

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> Detector:
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = Path(path)
        if not (path / "config.json").exists():
            raise ModelError(f"no detector checkpoint at {path} (expected config.json and model.safetensors)")
        device = resolve_device(device)
        dtype = model_dtype(device)  # fp16 on a GPU; the fp16 release upcast on the CPU
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            with MODEL_LOAD_LOCK:  # one load at a time in the process (spinfix.loading)
                model = AutoModelForTokenClassification.from_pretrained(path, dtype=dtype)
                tokenizer = AutoTokenizer.from_pretrained(path)
                lm_tagger = LMTagger.load(path)
            # Windows keep every forward within max_length; the tokenizer's own length warning
            # about whole sentences would only mislead.
            tokenizer.model_max_length = 10**9
            cfg_path = path / CONFIG_NAME
            config = DetectorSettings.load(cfg_path) if cfg_path.exists() else DetectorSettings()
        except ModelError:
            raise
        except Exception as exc:  # corrupt weights, bad JSON, wrong shapes: all one message
            raise ModelError(f"cannot load the detector from {path}: {exc}") from exc
        return cls(model, tokenizer, config, device=device, name=path.name, lm_tagger=lm_tagger)

    # -- windows ---------------------------------------------------------------------------

    def windows(self, sentences_words: list[list[str]]) -> list[tuple[list[list[int]], list[list[int]]]]:
        """Sub-word windows per sentence: (input ids per window, word index per position).

        One tokenizer call for the whole batch (the fast tokenizer works in parallel). Long
        sentences are cut into overlapping windows on word boundaries, never truncated.
        """
        enc = self.tokenizer(sentences_words, is_split_into_words=True, add_special_tokens=False)
        body = self.config.max_length - 2
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        out = []
        for b in range(len(sentences_words)):
            ids: list[int] = enc["input_ids"][b]
            wids: list[int | None] = enc.word_ids(b)
            if len(ids) <= body:
                out.append(([[cls_id] + ids + [sep_id]], [[-1] + [w if w is not None else -1 for w in wids] + [-1]]))
                continue
            win_ids, win_words = [], []
            s = 0
            while True:
                # Cut on word boundaries so no word is split between windows.
                e = min(s + body, len(ids))
                while e < len(ids) and e > s + 1 and wids[e] == wids[e - 1]:
                    e -= 1
                win_ids.append([cls_id] + ids[s:e] + [sep_id])
                win_words.append([-1] + [w if w is not None else -1 for w in wids[s:e]] + [-1])
                if e >= len(ids):
                    break
                nxt = max(s + 1, min(s + self.config.stride, e - 1))
                while nxt > s + 1 and wids[nxt] == wids[nxt - 1]:
                    nxt -= 1
                s = nxt
            out.append((win_ids, win_words))
        return out

    def batches(self, windows: list[list[int]]) -> list[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """Length-bucketed padded batches: (window indices, input ids, attention mask)."""
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        pad = self.tokenizer.pad_token_id
        out = []
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            width = max(len(windows[i]) for i in idx)
            input_ids = torch.full((len(idx), width), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                input_ids[r, : len(windows[i])] = torch.tensor(windows[i])
                mask[r, : len(windows[i])] = 1
            out.append((idx, input_ids.to(self.device), mask.to(self.device)))
        return out

    @torch.inference_mode()
    def _forward(self, windows: list[list[int]]) -> list[np.ndarray]:
        """P(spun) per position for each window."""
        out: list[np.ndarray | None] = [None] * len(windows)
        for idx, input_ids, mask in self.batches(windows):
            logits = self.model(input_ids=input_ids, attention_mask=mask).logits
            probs = torch.softmax(logits.float(), dim=-1)[..., 1].cpu().numpy()
            for r, i in enumerate(idx):
                out[i] = probs[r, : len(windows[i])]
        return out  # type: ignore[return-value]

    def score(self, sentences: list[str]) -> list[WordScores]:
        """Word probabilities for each sentence; all windows of all sentences share batches."""
        all_windows: list[list[int]] = []
        owners: list[tuple[int, list[int]]] = []
        toks_per_sent: list[list[Token]] = []
        for sent in sentences:
            toks_per_sent.append([t for t in tokenize(sent) if t.is_word])
        with_words = [i for i, t in enumerate(toks_per_sent) if t]
        windows = self.windows([[t.text for t in toks_per_sent[i]] for i in with_words]) if with_words else []
        for si, (w_ids, w_words) in zip(with_words, windows):
            for ids, words in zip(w_ids, w_words):
                all_windows.append(ids)
                owners.append((si, words))
        probs = self._forward(all_windows) if all_windows else []
        # A word seen in two windows takes the reading where it sits furthest from an edge.
        best: list[np.ndarray] = [np.zeros(len(t), dtype=np.float32) for t in toks_per_sent]
        margin: list[np.ndarray] = [np.full(len(t), -1, dtype=np.int64) for t in toks_per_sent]
        for (si, words), p, ids in zip(owners, probs, all_windows):
            n = len(words)
            seen: set[int] = set()
            for pos, w in enumerate(words):
                if w < 0 or w in seen:
                    continue  # special tokens; later sub-words of a word
                seen.add(w)
                m = min(pos, n - 1 - pos)
                if m > margin[si][w]:
                    margin[si][w] = m
                    best[si][w] = max(p[q] for q in _part_starts(words, ids, pos, self._dash))
        return [WordScores(toks, pr) for toks, pr in zip(toks_per_sent, best)]

    def readings(self, texts: list[str], spans: list[tuple[int, int]]) -> list[float]:
        """For each text, the largest word logit of P(spun) among the words overlapping its span
        (0.0 when none do): how spun the detector finds a stretch of text in its context. The
        baseline restorer asks it of each candidate put in place (a discriminator trained on
        exactly this task, reading both sides, where the LM reads only the left)."""
        out = []
        for ws, (s, e) in zip(self.score(texts), spans):
            inside = [_logit(float(p)) for t, p in zip(ws.tokens, ws.probs) if t.start < e and s < t.end]
            out.append(max(inside, default=0.0))
        return out

    def sentence_probability(
        self, scores: WordScores, skip: np.ndarray | None = None, calibration: tuple[float, ...] | None = None
    ) -> float:
        """P(spun) from the sentence's words, leaving out those in `skip`; 0.0 with none left.
        `calibration` replaces the checkpoint's regression (the LM-read sentences have their own)."""
        n = len(scores.tokens) - (int(skip.sum()) if skip is not None else 0)
        return calibrate(features(scores, skip), calibration or self.config.calibration) if n > 0 else 0.0
