"""Training the LM tagger's head (spinfix.detect.tagger) on SmolLM2's hidden states, read once."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from spinfix.detect.tagger import LMTagger, TaggerHead, TaggerSettings, pad
from spinfix.text.tokens import tokenize

# The train-split sample the released head was trained on (scripts/train_lm_tagger.py): a shuffle
# with this seed.
SAMPLE_SEED = 7


def word_labels(record: dict) -> np.ndarray:
    """A labelled record's per-word labels (1: spun), its non-word tokens dropped."""
    return np.array([lab for t, lab in zip(tokenize(record["text"]), record["labels"]) if t.is_word], dtype=np.int8)



def train_head(
    states: Sequence[np.ndarray], rows: Sequence[np.ndarray], labels: Sequence[np.ndarray],
    config: TaggerSettings, epochs: int = 8, batch: int = 64, lr: float = 2e-3, seed: int = 0, log: Callable | None = None,
) -> LMTagger:
    """Binary cross-entropy on every word, AdamW with a one-cycle schedule; the LM is not here
    at all (its states were read once)."""
    torch.manual_seed(seed)
    head = TaggerHead(config)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
    keep = [i for i, s in enumerate(states) if len(s)]
    per_epoch = (len(keep) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * per_epoch, pct_start=0.1)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        head.train()
        order = rng.permutation(keep)
        total = 0.0
        for b in range(0, len(order), batch):
            idx = order[b : b + batch]
            H, E, lengths, Y, M = pad([states[i] for i in idx], [rows[i] for i in idx], [labels[i] for i in idx])
            z = head(H, E, lengths)
            loss = (nn.functional.binary_cross_entropy_with_logits(z, Y, reduction="none") * M).sum() / M.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        if log is not None:
            log(epoch, total / per_epoch, head)
    return LMTagger(head, config)
