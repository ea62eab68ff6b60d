"""Attention row by row for `spinfix.lm.rows.Rows`: a packed pass's tokens meet only their own
row's keys.

A token can only see its own row's slots, so each row's new tokens meet only that row's keys,
gathered and padded to the longest row, in one batched SDPA call; attending over every row's
slots under a mask cost about a sixth of the LM's time on a 40-sentence article, nearly all of
it on slots the mask throws away.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# The attention implementation `Rows` gives the LM: SDPA row by row when the pass says how its
# tokens group into rows (`RowGroups`), plain SDPA otherwise (other users of the same model).
ROWS_ATTENTION = "spinfix_rows"


@dataclass(frozen=True)
class RowGroups:
    """How a packed pass groups into rows, for attention row by row: per row (of those with new
    tokens) the indices of its queries among the pass's tokens and of its keys among the cache
    slots and new tokens, each padded to the longest row; the pass's mask between them; and
    where each token's output lies among the padded rows' outputs."""

    queries: torch.Tensor  # (R, mq) token index; padding says 0
    keys: torch.Tensor  # (R, mk) key index (cache slots, then the pass's tokens); padding says 0
    mask: torch.Tensor  # (R, mq, mk) bool: may the query see the key
    take: torch.Tensor  # (Q,) each token's place in the flattened (R * mq) outputs

    @staticmethod
    def _grouped(owner: torch.Tensor, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The entries owned by each of `rows` (sorted): their indices, (R, n) padded with 0;
        which of those are real; and each picked entry's flat place in the (R, n) grid."""
        picked = torch.isin(owner, rows).nonzero().flatten()
        group = torch.searchsorted(rows, owner[picked])
        order = torch.argsort(group, stable=True)
        picked, group = picked[order], group[order]
        counts = torch.bincount(group, minlength=len(rows))
        rank = torch.arange(len(picked), device=owner.device) - (torch.cumsum(counts, 0) - counts)[group]
        width = int(counts.max()) if len(picked) else 0
        idx = torch.zeros(len(rows), width, dtype=torch.long, device=owner.device)
        real = torch.zeros(len(rows), width, dtype=torch.bool, device=owner.device)
        idx[group, rank] = picked
        real[group, rank] = True
        place = torch.empty_like(owner)
        place[picked] = group * width + rank
        return idx, real, place

    @classmethod
    def of(cls, mask: torch.Tensor, query_row: torch.Tensor, key_row: torch.Tensor) -> RowGroups:
        """From the pass's (queries, keys) mask and the row of every query and key (-1: none)."""
        rows = torch.unique(query_row)
        queries, valid, take = cls._grouped(query_row, rows)
        keys, key_real, _ = cls._grouped(key_row, rows)
        grouped = mask[queries[:, :, None], keys[:, None, :]] & key_real[:, None, :]
        # A padding query sees every key, so no softmax runs over nothing (its output is dropped).
        grouped |= ~valid[:, :, None]
        return cls(queries, keys, grouped, take)


def cache_keyword(model) -> str:
    """The keyword the decoder (`model.model`) takes its KV cache by: `cache` since transformers
    renamed it (the old name warns on every call), `past_key_values` before."""
    return "cache" if "cache" in inspect.signature(model.model.forward).parameters else "past_key_values"


def rows_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, spinfix_rows=None, **kwargs):
    """SDPA over each row's own keys (`RowGroups`), or plain SDPA when the pass gives no rows.
    query (1, H, Q, D), key and value (1, Hkv, K, D); returns (1, Q, H, D) as SDPA's does."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    g: RowGroups | None = spinfix_rows
    if g is None or query.shape[0] != 1:
        return sdpa_attention_forward(module, query, key, value, attention_mask, scaling=scaling, dropout=dropout, **kwargs)
    h, d = query.shape[1], query.shape[3]
    q = query[0].transpose(0, 1)[g.queries].transpose(1, 2)  # (R, H, mq, D)
    k = key[0][:, g.keys].transpose(0, 1)  # (R, Hkv, mk, D)
    v = value[0][:, g.keys].transpose(0, 1)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=g.mask[:, None], scale=scaling, enable_gqa=True)
    return o.transpose(1, 2).reshape(-1, h, d)[g.take][None], None


def use_rows_attention(model) -> bool:
    """Give a model on SDPA attention `rows_attention` (the same as SDPA for every caller that
    does not pass rows), registered with transformers once; models on other attention are left
    as they are and `Rows` attends through their mask."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    impl = getattr(model.config, "_attn_implementation", None)
    if impl == ROWS_ATTENTION:
        return True
    if impl != "sdpa":
        return False
    AttentionInterface.register(ROWS_ATTENTION, rows_attention)
    AttentionMaskInterface.register(ROWS_ATTENTION, sdpa_mask)
    model.set_attn_implementation(ROWS_ATTENTION)
    return True
