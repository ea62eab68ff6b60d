"""Length-bucketed, shuffled training batches shared by the detector and rewriter trainers."""
from __future__ import annotations

import random

import torch


def length_batches(examples: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random, pad_id: int):
    # Bucket by length inside shuffled chunks: less padding, still random order.
    idx = list(range(len(examples)))
    rng.shuffle(idx)
    chunks = [idx[i : i + batch_size * 50] for i in range(0, len(idx), batch_size * 50)]
    batches = []
    for ch in chunks:
        ch.sort(key=lambda i: len(examples[i][0]))
        batches += [ch[i : i + batch_size] for i in range(0, len(ch), batch_size)]
    rng.shuffle(batches)
    for b in batches:
        width = max(len(examples[i][0]) for i in b)
        ids = torch.full((len(b), width), pad_id, dtype=torch.long)
        lab = torch.full((len(b), width), -100, dtype=torch.long)
        att = torch.zeros((len(b), width), dtype=torch.long)
        for r, i in enumerate(b):
            x, y = examples[i]
            ids[r, : len(x)] = torch.tensor(x)
            lab[r, : len(y)] = torch.tensor(y)
            att[r, : len(x)] = 1
        yield ids, att, lab
