"""The language model's surprise at each word of a sentence, and its hidden states there.

The LM reads each sentence left to right from its start (no text before it), in length-sorted
batches; per word it gives the surprisal (nats) of the word's LM tokens, of its first token, and
its token count, and on request the hidden state at the word's last token. The detector's LM
reading (spinfix.detect.reading) and its tagger (spinfix.detect.tagger) read these.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from spinfix.text.tokens import Token

# A batch's longest sentence is at most PAD_RATIO times its shortest, plus PAD_SLACK tokens.
PAD_RATIO = 1.25
PAD_SLACK = 4



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
        The same single pass: what the LM tagger (spinfix/detect/tagger.py) reads."""
        return self._read(sentences, tokens, layer)

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
                rows, last = per_word(encs[i]["offset_mapping"], -lp[r], tokens[i])
                # Position 0 holds the text-start token, so LM token k sits at k + 1; a word
                # no LM token overlaps (none in practice) takes the start token's state.
                states = hidden[r, torch.tensor(last, dtype=torch.long) + 1].numpy() if hidden is not None else None
                out[i] = (rows, states)
        return out


def per_word(
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
