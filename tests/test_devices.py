"""Where the models run: a GPU when there is one (fp16, larger batches), the CPU otherwise (fp32,
the released batch size); a GPU asked for and absent is a clear error. Checked on the CPU by
making torch believe in a GPU; the last test runs only where a GPU really is."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

import spinfix
from spinfix.detect.encoder import Detector
from spinfix.errors import ModelError
from spinfix.loading import GPU_BATCH_FACTOR, batch_size_for, model_dtype, resolve_device

HAS_GPU = torch.cuda.is_available()


@pytest.fixture
def fake_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """torch reports one GPU; moving a model to it leaves the model where it is (on the CPU)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.nn.Module, "to", lambda self, *a, **k: self)


@pytest.mark.skipif(HAS_GPU, reason="checks the CPU-only choice")
def test_without_a_gpu_everything_runs_on_the_cpu_in_fp32(tiny_models: Path) -> None:
    assert resolve_device(None) == "cpu"
    sf = spinfix.load(tiny_models)
    assert sf.device == "cpu" and sf.detector.device == "cpu"
    assert next(sf.detector.model.parameters()).dtype == torch.float32
    assert sf.detector.batch_size == sf.detector.config.batch_size


def test_a_gpu_is_chosen_when_present(fake_gpu: None) -> None:
    assert resolve_device(None) == "cuda"
    assert resolve_device("cuda:0") == "cuda:0"
    assert resolve_device("CPU") == "cpu"  # asked for, the CPU is used even beside a GPU


def test_on_a_gpu_the_detector_loads_in_fp16_with_larger_batches(fake_gpu: None, tiny_models: Path) -> None:
    det = Detector.load(tiny_models / "detector")
    assert det.device == "cuda"
    assert next(det.model.parameters()).dtype == torch.float16
    assert det.batch_size == det.config.batch_size * GPU_BATCH_FACTOR
    # The batches it builds are as large as that (their tensors kept here: there is no GPU).
    det.device = "cpu"
    windows = [[101, 2000 + i, 102] for i in range(det.batch_size + 1)]
    assert [len(idx) for idx, _, _ in det.batches(windows)] == [det.batch_size, 1]


def test_one_device_for_the_whole_pipeline(fake_gpu: None, tiny_models: Path) -> None:
    sf = spinfix.load(tiny_models)
    assert sf.device == "cuda" == sf.detector.device
    assert sf.reference_checker().embedder.device == "cuda"


def test_dtype_and_batch_size_by_device() -> None:
    assert model_dtype("cuda") == model_dtype("cuda:1") == torch.float16
    assert model_dtype("cpu") == torch.float32
    assert batch_size_for("cpu", 64) == 64
    assert batch_size_for("cuda:0", 64) == 64 * GPU_BATCH_FACTOR


@pytest.mark.skipif(HAS_GPU, reason="there is a GPU here")
def test_a_gpu_asked_for_without_one_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="no GPU"):
        resolve_device("cuda")


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "gpu"])
def test_an_unknown_device_is_a_clear_error(fake_gpu: None, device: str) -> None:
    with pytest.raises(ModelError, match="device"):
        resolve_device(device)


def test_a_gpu_that_is_not_there_by_number_is_a_clear_error(fake_gpu: None) -> None:
    with pytest.raises(ModelError, match="1 GPU"):
        resolve_device("cuda:1")


@pytest.mark.skipif(not HAS_GPU, reason="needs a GPU")
def test_on_a_real_gpu_fp16_reads_like_the_cpu(tiny_models: Path, sample_text: str) -> None:
    gpu = spinfix.load(tiny_models, device="cuda")
    cpu = spinfix.load(tiny_models, device="cpu")
    assert next(gpu.detector.model.parameters()).dtype == torch.float16
    a, b = gpu.detect(sample_text), cpu.detect(sample_text)
    assert [round(s.probability, 2) for s in a.sentences] == pytest.approx([round(s.probability, 2) for s in b.sentences], abs=0.02)
