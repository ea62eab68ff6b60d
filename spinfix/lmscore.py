"""Log-probabilities of continuations under a causal LM, for a batch of sentences read left to right.

The baseline restorer reads each sentence once, left to right, and at every unit asks how well
each candidate (with a few words of right context) continues the text read so far. `Rows` keeps
one key/value cache for a batch of such sentences:

- `extend` appends the next piece of text to each row (ragged: rows grow by different amounts);
- `score` scores, per row, any number of continuations in a single forward pass, all of them
  packed one after another in the row and kept apart by the attention mask (each sees the row's
  text and its own earlier tokens), so there is no padding to a common candidate length and no
  copy of the cache per candidate;
- `commit` then keeps the first tokens of one scored continuation per row as read (the chosen
  candidate and the words after it, up to the next unit), so they are not read again; what is
  not kept is forgotten.

A row's cache slots are not contiguous (rows grow by different amounts in a round), so every
forward pass gets an explicit 4-D attention mask and explicit positions. Pieces must be split at
word boundaries (before a space, or between a word and punctuation), where SmolLM2's byte-level
pre-tokenizer splits anyway: the tokens of the pieces are then the tokens of the whole text.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

DOC_START = "<|endoftext|>"  # SmolLM2's document separator: "a text starts here"
# Positions sent through the LM head (49,152 logits each) at once: bounds the memory of a pass.
HEAD_CHUNK = 512


class LMScorer:
    """A causal LM and its tokenizer, with the one-off scoring the tests and tools use."""

    def __init__(self, model, tokenizer) -> None:
        self.model = model
        self.tok = tokenizer
        self.device = next(model.parameters()).device
        self.start_id = tokenizer.convert_tokens_to_ids(DOC_START)

    def ids(self, text: str) -> list[int]:
        return self.tok(text, add_special_tokens=False)["input_ids"] if text else []

    def rows(self, n: int) -> Rows:
        """An empty batch of `n` texts, each starting at the document start."""
        return Rows(self, n)

    def continuations(self, prefix: str, suffixes: Sequence[str]) -> list[float]:
        """log P(suffix | prefix) for each suffix, summed over its tokens."""
        rows = self.rows(1)
        rows.extend([prefix])
        return rows.score([list(suffixes)])[0]


class Rows:
    """A batch of texts growing left to right, with a shared KV cache (see the module doc)."""

    def __init__(self, scorer: LMScorer, n: int) -> None:
        from transformers import DynamicCache

        self.s = scorer
        self.n = n
        self.cache = DynamicCache()
        dev = scorer.device
        self.valid = torch.zeros((n, 0), dtype=torch.bool, device=dev)  # which cache slots are the row's
        self.pos = torch.zeros(n, dtype=torch.long, device=dev)  # the position of the row's next token
        self.next_logp: torch.Tensor | None = None  # (n, vocab): log P(next token | row so far)
        self.started = False
        self._visit: tuple | None = None  # the last score(): (width, hidden, block, offset)

    @torch.inference_mode()
    def extend(self, pieces: Sequence[str]) -> None:
        """Append pieces[i] to row i (the first call also puts the document start before it)."""
        self._settle()
        ids = [self.s.ids(p) for p in pieces]
        if not self.started:
            ids = [[self.s.start_id] + x for x in ids]
        width = max(len(x) for x in ids)
        if width == 0:
            return
        dev = self.s.device
        tokens = torch.full((self.n, width), self.s.tok.pad_token_id, dtype=torch.long, device=dev)
        new = torch.zeros((self.n, width), dtype=torch.bool, device=dev)
        for i, x in enumerate(ids):
            tokens[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            new[i, : len(x)] = True
        causal = torch.ones((width, width), dtype=torch.bool, device=dev).tril()
        own = causal[None] & (new[:, None, :] | torch.eye(width, dtype=torch.bool, device=dev)[None])
        positions = self.pos[:, None] + torch.arange(width, device=dev)[None]
        hidden = self._forward(tokens, own, positions)
        lengths = torch.tensor([len(x) for x in ids], device=dev)
        self.valid = torch.cat([self.valid, new], dim=1)
        self.pos = self.pos + lengths
        grown = (lengths > 0).nonzero().flatten()
        last = self._logp(hidden[grown, lengths[grown] - 1])
        if self.next_logp is None:
            self.next_logp = last  # the first call grows every row: it starts with the document start
        else:
            self.next_logp[grown] = last
        self.started = True

    @torch.inference_mode()
    def score(self, suffixes: Sequence[Sequence[str]]) -> list[list[float]]:
        """log P(suffix | row i) for every suffix of suffixes[i]. The rows stay as they were
        unless `commit` keeps part of a suffix."""
        assert self.next_logp is not None, "extend() the rows before scoring continuations"
        self._settle()
        dev = self.s.device
        ids = [[self.s.ids(s) for s in row] for row in suffixes]
        width = max((sum(len(x) for x in row) for row in ids), default=0)
        out = [[self.next_logp[i, x[0]].item() if x else 0.0 for x in row] for i, row in enumerate(ids)]
        if width == 0:
            return out
        tokens = torch.full((self.n, width), self.s.tok.pad_token_id, dtype=torch.long, device=dev)
        block = torch.full((self.n, width), -1, dtype=torch.long, device=dev)  # which suffix a slot holds
        offset = torch.zeros((self.n, width), dtype=torch.long, device=dev)
        for i, row in enumerate(ids):
            at = 0
            for j, x in enumerate(row):
                tokens[i, at : at + len(x)] = torch.tensor(x, dtype=torch.long)
                block[i, at : at + len(x)] = j
                offset[i, at : at + len(x)] = torch.arange(len(x))
                at += len(x)
        causal = torch.ones((width, width), dtype=torch.bool, device=dev).tril()
        same = block[:, :, None] == block[:, None, :]  # a suffix sees only its own tokens (pads: themselves)
        own = causal[None] & same & ((block[:, None, :] >= 0) | torch.eye(width, dtype=torch.bool, device=dev)[None])
        hidden = self._forward(tokens, own, self.pos[:, None] + offset)
        self._visit = (width, hidden, block, offset)  # forgotten unless committed
        # Token t of a suffix is predicted at the slot before it, within the same suffix.
        rows_, cols = ((block[:, 1:] >= 0) & (block[:, 1:] == block[:, :-1])).nonzero(as_tuple=True)
        targets = tokens[rows_, cols + 1]
        for a in range(0, len(rows_), HEAD_CHUNK):
            r, c, t = rows_[a : a + HEAD_CHUNK], cols[a : a + HEAD_CHUNK], targets[a : a + HEAD_CHUNK]
            lp = self._logp(hidden[r, c]).gather(1, t[:, None])[:, 0]
            js = block[r, c]
            for i, j, v in zip(r.tolist(), js.tolist(), lp.tolist()):
                out[i][j] += v
        return out

    def first_token_logp(self, i: int, texts: Sequence[str]) -> list[float]:
        """log P(first token of text | row i) for each text: free, from the last extend()."""
        assert self.next_logp is not None, "extend() the rows first"
        return [self.next_logp[i, ids[0]].item() if (ids := self.s.ids(t)) else 0.0 for t in texts]

    @torch.inference_mode()
    def commit(self, kept: Sequence[tuple[int, int]]) -> None:
        """After `score`: for row i with kept[i] = (j, n), its suffix j's first n tokens are now
        read, as if extended; n = 0 keeps nothing. The rest of the scored suffixes is forgotten."""
        assert self._visit is not None, "commit() follows score()"
        width, hidden, block, offset = self._visit
        self._visit = None
        mine = torch.zeros_like(block, dtype=torch.bool)
        lasts = []
        for i, (j, n) in enumerate(kept):
            if n > 0:
                mine[i] = (block[i] == j) & (offset[i] < n)
                lasts.append((i, int(((block[i] == j) & (offset[i] == n - 1)).nonzero()[0])))
        if not lasts:
            self.cache.crop(-width)
            return
        self.valid = torch.cat([self.valid, mine], dim=1)
        self.pos = self.pos + mine.sum(1)
        r = torch.tensor([i for i, _ in lasts], device=self.s.device)
        c = torch.tensor([c for _, c in lasts], device=self.s.device)
        self.next_logp[r] = self._logp(hidden[r, c])
        self._compact()

    def _settle(self) -> None:
        """Forget the suffixes of a `score` that nothing was committed from."""
        if self._visit is not None:
            self.cache.crop(-self._visit[0])
            self._visit = None

    def _compact(self) -> None:
        """Drop cache slots no row uses (suffixes not kept) once they are most of the cache."""
        used = self.valid.any(0)
        if int(used.sum()) * 2 + 64 > used.numel():
            return
        cols = used.nonzero().flatten()
        for layer in self.cache.layers:
            layer.keys, layer.values = layer.keys[:, :, cols], layer.values[:, :, cols]
        self.valid = self.valid[:, cols]

    def keep(self, rows: Sequence[int]) -> None:
        """Drop every row but `rows` (in that order): finished sentences leave the batch."""
        self._settle()
        idx = torch.tensor(list(rows), dtype=torch.long, device=self.s.device)
        self.cache.batch_select_indices(idx)
        self.valid, self.pos, self.n = self.valid[idx], self.pos[idx], len(idx)
        if self.next_logp is not None:
            self.next_logp = self.next_logp[idx]

    def _forward(self, tokens: torch.Tensor, own: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """Final hidden states of `tokens`, each attending to its row's cache slots and to the new
        slots `own` allows (n, width, width); the new keys and values join the cache."""
        past = self.valid[:, None, :].expand(-1, tokens.shape[1], -1)
        mask = torch.cat([past, own], dim=2)[:, None]
        out = self.s.model.model(
            input_ids=tokens, attention_mask=mask, position_ids=positions, past_key_values=self.cache, use_cache=True
        )
        return out.last_hidden_state

    def _logp(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.s.model.lm_head(hidden).float(), dim=-1)
