"""One lock for every model load in the process.

transformers builds a model under a process-wide default device ("meta") and puts the old one
back when it is done; two loads at once in two threads interleave those swaps, and the model,
with every model loaded in the process after it, comes out with weights that hold no data
("Cannot copy out of meta tensor"). Every load spinfix makes (the detector, its tagger, SmolLM2,
the rewriter's adapter) holds this lock. Code of your own that loads transformers models in other
threads while spinfix loads should hold it too.
"""
from __future__ import annotations

import threading

MODEL_LOAD_LOCK = threading.RLock()


# Where models run. One choice for the whole pipeline: the detector, SmolLM2 (the LM reading and
# the baseline restorer), the rewriter and the sentence encoder all follow it.

# A GPU takes batches this many times the CPU size (the released sizes are for the CPU, where a
# larger batch only pads more): 64 detector windows of 128 positions leave an H100 mostly idle.
GPU_BATCH_FACTOR = 8


def resolve_device(device: str | None = None) -> str:
    """The device to run on: `device` as asked ("cpu", "cuda", "cuda:1"), else "cuda" when
    torch sees a GPU, else "cpu". Asking for a GPU that is not there is a ModelError, not a
    traceback from deep inside torch."""
    import torch

    from spinfix.errors import ModelError

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = device.strip().lower()
    if device == "cpu":
        return device
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ModelError(f"device {device!r} asked for, but torch sees no GPU here (torch {torch.__version__}): use --device cpu")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise ModelError(f"device {device!r}: torch sees {torch.cuda.device_count()} GPU(s), numbered from 0")
        return device
    raise ModelError(f"unknown device {device!r}: use cpu, cuda or cuda:N")


def model_dtype(device: str):
    """fp16 on a GPU (half the memory traffic, tensor cores); fp32 on the CPU, where fp16
    matmuls are slower than fp32 ones and the fp16 releases are upcast."""
    import torch

    return torch.float16 if device.startswith("cuda") else torch.float32


def batch_size_for(device: str, cpu_batch: int) -> int:
    """The batch size to use on `device`, given the released (CPU) one."""
    return cpu_batch * GPU_BATCH_FACTOR if device.startswith("cuda") else cpu_batch
