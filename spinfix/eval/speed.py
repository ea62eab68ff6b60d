"""The baseline of the speed benchmarks: the detector's raw forward over the batches spinfix
itself would build for the same sentences, with only `model(...)` on the clock."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import torch

from spinfix.text.tokens import tokenize

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix


def raw_detector_forward(sf: Spinfix, sentences: list[str]) -> float:
    """Seconds of the detector's forward (and softmax) over `sentences`: windows and
    length-sorted padded batches as Detector.score makes them, built before the clock starts."""
    det = sf.detector
    words = [[t.text for t in tokenize(s) if t.is_word] for s in sentences]
    windows = [w for ids, _ in det.windows([w for w in words if w]) for w in ids]
    batches = [(ids, att) for _, ids, att in det.batches(windows)]
    cuda = det.device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
    t = time.perf_counter()
    with torch.inference_mode():
        for ids, att in batches:
            det.model(input_ids=ids, attention_mask=att).logits.softmax(-1)
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - t
