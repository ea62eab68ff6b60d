"""A batch of sentences read left to right in one packed KV cache, scoring continuations.

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
  not kept is forgotten;
- `mark` notes where a row stands, and `score_from` later scores continuations of the row as it
  stood at a mark, from the cache it already holds (a unit decided again once the words after it
  are restored, without reading the sentence up to it again).

All rows live in one packed sequence: a forward pass holds exactly the new tokens of every row,
one after another, with no padding to the longest row (rows grow by very different amounts in a
round, and padding was half of the LM's work). Every cache slot records the row it belongs to, so
each pass gets an explicit attention mask (a token sees its own row's slots and the earlier new
tokens of its own row and piece) and explicit positions. Pieces must be split at
word boundaries (before a space, or between a word and punctuation), where SmolLM2's byte-level
pre-tokenizer splits anyway: the tokens of the pieces are then the tokens of the whole text.

Attention runs row by row (`rows_attention`): a token can only see its own row's slots, so each
row's new tokens meet only that row's keys, gathered and padded to the longest row, in one
batched call; attending over every row's slots under a mask cost about a sixth of the LM's
time on a 40-sentence article, nearly all of it on slots the mask throws away.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from spinfix.lm.attention import RowGroups

if TYPE_CHECKING:
    from spinfix.lm.scorer import LMScorer

# Positions sent through the LM head (49,152 logits each) at once: bounds the memory of a pass.
HEAD_CHUNK = 512


class Rows:
    """A batch of texts growing left to right, packed in one KV cache (see the module doc)."""

    def __init__(self, scorer: LMScorer, n: int) -> None:
        from transformers import DynamicCache

        self.s = scorer
        self.n = n
        self.cache = DynamicCache()
        dev = scorer.device
        self.owner = torch.zeros(0, dtype=torch.long, device=dev)  # each cache slot's row; -1: nobody's
        self.slot_pos = torch.zeros(0, dtype=torch.long, device=dev)  # each cache slot's position in its row
        self.pos = torch.zeros(n, dtype=torch.long, device=dev)  # the position of the row's next token
        self.last = torch.zeros(n, dtype=torch.long, device=dev)  # the row's last token read
        self.next_logp: torch.Tensor | None = None  # (n, vocab): log P(next token | row so far)
        self.started = False
        self._visit: _Packed | None = None  # the last score(), forgotten unless committed

    def _pack(self, groups: Sequence[Sequence[list[int]]], owners: Sequence[int] | None = None) -> _Packed:
        """The token ids of groups[g] (the pieces of row owners[g], or of row g) laid end to end."""
        tokens: list[int] = []
        row: list[int] = []
        block: list[int] = []
        offset: list[int] = []
        starts: list[list[int]] = []
        b = 0  # the piece's number across all rows
        for g, pieces in enumerate(groups):
            i = owners[g] if owners is not None else g
            starts.append([])
            for x in pieces:
                starts[-1].append(len(tokens))
                block += [b] * len(x)
                b += 1
                tokens += x
                row += [i] * len(x)
                offset += range(len(x))
        dev = self.s.device
        as_tensor = lambda v: torch.tensor(v, dtype=torch.long, device=dev)  # noqa: E731
        return _Packed(as_tensor(tokens), as_tensor(row), as_tensor(block), as_tensor(offset), starts)

    @torch.inference_mode()
    def extend(self, pieces: Sequence[str]) -> None:
        """Append pieces[i] to row i (the first call also puts the document start before it)."""
        self._settle()
        ids = [self.s.ids(p) for p in pieces]
        if not self.started:
            ids = [[self.s.start_id] + x for x in ids]
        pk = self._pack([[x] for x in ids])
        if len(pk.tokens) == 0:
            return
        hidden = self._forward(pk)
        self.owner = torch.cat([self.owner, pk.row])
        self.slot_pos = torch.cat([self.slot_pos, self.pos[pk.row] + pk.offset])
        grown = [i for i, x in enumerate(ids) if x]
        self.last[grown] = torch.tensor([ids[i][-1] for i in grown], dtype=torch.long, device=self.s.device)
        self.pos = self.pos + torch.tensor([len(x) for x in ids], device=self.s.device)
        last = self._logp(hidden[[pk.starts[i][0] + len(ids[i]) - 1 for i in grown]])
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
        ids = [[self.s.ids(s) for s in row] for row in suffixes]
        out = [[self.next_logp[i, x[0]].item() if x else 0.0 for x in row] for i, row in enumerate(ids)]
        pk = self._pack(ids)
        if len(pk.tokens) == 0:
            return out
        hidden = self._forward(pk)
        self._visit = pk
        pk.hidden = hidden
        self._add_logp(pk, hidden, [(i, j) for i, row in enumerate(ids) for j in range(len(row))], out)
        return out

    def _add_logp(self, pk: _Packed, hidden: torch.Tensor, which: Sequence[tuple[int, int]], out: list[list[float]]) -> None:
        """Add to out[i][j] the log-probability of every token of piece (i, j) but its first,
        predicted at the token before it within the same piece; `which` names the pieces in
        their packed order."""
        at = (pk.block[1:] == pk.block[:-1]).nonzero().flatten()
        targets = pk.tokens[at + 1]
        for a in range(0, len(at), HEAD_CHUNK):
            c, t = at[a : a + HEAD_CHUNK], targets[a : a + HEAD_CHUNK]
            logits = self.s.model.lm_head(hidden[c]).float()
            lp = logits.gather(1, t[:, None])[:, 0] - torch.logsumexp(logits, -1)  # one target each: no full log_softmax
            for b, v in zip(pk.block[c].tolist(), lp.tolist()):
                i, j = which[b]
                out[i][j] += v

    def first_token_logp(self, i: int, texts: Sequence[str]) -> list[float]:
        """log P(first token of text | row i) for each text: free, from the last extend()."""
        assert self.next_logp is not None, "extend() the rows first"
        self.s.prefetch(texts)
        first = [x[0] if (x := self.s.ids(t)) else 0 for t in texts]
        got = self.next_logp[i, torch.tensor(first, dtype=torch.long, device=self.s.device)].tolist()
        return [v if t else 0.0 for v, t in zip(got, texts)]

    def mark(self, i: int) -> Mark:
        """Where row i stands now: `score_from` can later score continuations from here."""
        assert self.started and self.pos[i] > 0, "extend() the rows before marking them"
        return Mark(int(self.pos[i]), int(self.last[i]))

    @torch.inference_mode()
    def score_from(self, asks: Sequence[tuple[int, Mark, Sequence[str]]]) -> list[list[float]]:
        """For each (row i, mark, suffixes): log P(suffix | row i as it stood at the mark), for
        every suffix, all in one pass over the cache the rows hold (the slots before the mark are
        still the row's, whatever was read since). The rows stay as they were. Each suffix is
        read after the mark's last token again, which predicts the suffix's first token."""
        self._settle()
        ids = [[[m.last, *self.s.ids(s)] for s in sufs] for _, m, sufs in asks]
        out = [[0.0] * len(x) for x in ids]
        if not ids or not any(ids):
            return out
        pk = self._pack(ids, [i for i, _, _ in asks])
        per_ask = [sum(map(len, x)) for x in ids]
        limit = torch.repeat_interleave(
            torch.tensor([m.pos - 1 for _, m, _ in asks], dtype=torch.long, device=self.s.device),
            torch.tensor(per_ask, device=self.s.device),
        )
        hidden = self._forward(pk, limit)
        self.cache.crop(-len(pk.tokens))
        self._add_logp(pk, hidden, [(g, j) for g, x in enumerate(ids) for j in range(len(x))], out)
        return out

    @torch.inference_mode()
    def commit(self, kept: Sequence[tuple[int, int]]) -> None:
        """After `score`: for row i with kept[i] = (j, n), its suffix j's first n tokens are now
        read, as if extended; n = 0 keeps nothing. The rest of the scored suffixes is forgotten."""
        assert self._visit is not None and self._visit.hidden is not None, "commit() follows score()"
        assert self.next_logp is not None, "commit() follows extend()"
        pk, self._visit = self._visit, None
        assert pk.hidden is not None
        mine = torch.zeros_like(pk.row, dtype=torch.bool)
        rows, lasts = [], []
        for i, (j, n) in enumerate(kept):
            if n > 0:
                a = pk.starts[i][j]
                mine[a : a + n] = True
                rows.append(i)
                lasts.append(a + n - 1)
        if not lasts:
            self.cache.crop(-len(pk.tokens))
            return
        self.owner = torch.cat([self.owner, torch.where(mine, pk.row, -1)])
        self.slot_pos = torch.cat([self.slot_pos, self.pos[pk.row] + pk.offset])
        self.pos = self.pos + torch.bincount(pk.row[mine], minlength=self.n)
        self.last[rows] = pk.tokens[lasts]
        self.next_logp[rows] = self._logp(pk.hidden[lasts])
        self._compact()

    def _settle(self) -> None:
        """Forget the suffixes of a `score` that nothing was committed from."""
        if self._visit is not None:
            self.cache.crop(-len(self._visit.tokens))
            self._visit = None

    def _compact(self) -> None:
        """Drop cache slots no row uses (suffixes not kept) once they are most of the cache."""
        used = self.owner >= 0
        if int(used.sum()) * 2 + 64 > used.numel():
            return
        cols = used.nonzero().flatten()
        for layer in self.cache.layers:
            layer.keys, layer.values = layer.keys[:, :, cols], layer.values[:, :, cols]
        self.owner, self.slot_pos = self.owner[cols], self.slot_pos[cols]

    def keep(self, rows: Sequence[int]) -> None:
        """Drop every row but `rows` (in that order): finished sentences leave the batch."""
        self._settle()
        idx = torch.tensor(list(rows), dtype=torch.long, device=self.s.device)
        renumber = torch.full((self.n + 1,), -1, dtype=torch.long, device=self.s.device)  # [-1]: nobody's
        renumber[idx] = torch.arange(len(idx), device=self.s.device)
        self.owner = renumber[self.owner]
        self.pos, self.last, self.n = self.pos[idx], self.last[idx], len(idx)
        if self.next_logp is not None:
            self.next_logp = self.next_logp[idx]
        self._compact()

    def _forward(self, pk: _Packed, limit: torch.Tensor | None = None) -> torch.Tensor:
        """Final hidden states of the packed tokens, each attending to its row's cache slots and
        to the earlier tokens of its own piece; the new keys and values join the cache. With
        `limit` (per token), a token sees only its row's slots before that position, and the
        piece starts there."""
        past = self.owner[None, :] == pk.row[:, None]
        if limit is None:
            positions = self.pos[pk.row] + pk.offset
        else:
            past &= self.slot_pos[None, :] < limit[:, None]
            positions = limit + pk.offset
        own = (pk.block[None, :] == pk.block[:, None]).tril()
        mask = torch.cat([past, own], dim=1)
        extra = {"spinfix_rows": RowGroups.of(mask, pk.row, torch.cat([self.owner, pk.row]))} if self.s.by_rows else {}
        out = self.s.model.model(
            input_ids=pk.tokens[None], attention_mask=mask[None, None], position_ids=positions[None],
            use_cache=True, **{self.s.cache_kwarg: self.cache}, **extra,
        )
        return out.last_hidden_state[0]

    def _logp(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.s.model.lm_head(hidden).float(), dim=-1)


@dataclass(frozen=True)
class Mark:
    """Where a row stood: the position of its next token, and its last token read."""

    pos: int
    last: int


@dataclass
class _Packed:
    """Pieces of several rows laid end to end in one pass: per token its id, its row, its block
    (the pieces numbered across all rows) and its offset in the piece; where each row's pieces
    start; and, after a scoring pass, the tokens' final hidden states."""

    tokens: torch.Tensor
    row: torch.Tensor
    block: torch.Tensor
    offset: torch.Tensor
    starts: list[list[int]]
    hidden: torch.Tensor | None = None
