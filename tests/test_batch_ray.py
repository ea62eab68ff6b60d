"""`spinfix batch --engine ray`: the same records as the local engine, exactly once, though Ray
retries and duplicates; resumable across engines. The slow tests run a real local Ray (2 CPUs,
one actor) with the released models; the fast ones need neither."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spinfix import cli
from spinfix.batch import BatchSettings, read_records, run_job
from spinfix.batch.ray_engine import Pool, RaySettings, ShardWorker, run_ray_job, size_pool
from spinfix.batch.shards import Record
from spinfix.errors import ModelError, SpinfixError

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
runner = CliRunner()


def all_records(out: Path) -> list[Record]:
    return sorted((r for p in sorted((out / "shards").glob("part-*")) for r in read_records(p)), key=lambda r: r.index)


def ledger_shards(out: Path) -> list[int]:
    return [json.loads(line)["shard"] for line in (out / "ledger.jsonl").read_text().splitlines()]


# -- without Ray ---------------------------------------------------------------------------------


def test_without_ray_the_engine_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as when it is not installed
    monkeypatch.setitem(sys.modules, "ray.data", None)
    (tmp_path / "in.jsonl").write_text('{"text": "Prices rose."}\n')
    result = runner.invoke(cli.app, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out"), "--engine", "ray", "-q"])
    assert result.exit_code == 2, result.output
    assert "Ray is not installed: pip install 'spinfix[ray]'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # said before anything was planned or written


def test_ray_options_need_the_ray_engine(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"text": "Prices rose."}\n')
    result = runner.invoke(cli.app, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out"), "--actors", "2"])
    assert result.exit_code == 2 and "for --engine ray" in result.output


def test_the_pool_is_an_actor_per_gpu_or_per_few_cpus() -> None:
    gpu_nodes = [{"CPU": 16.0, "GPU": 4.0}, {"CPU": 16.0, "GPU": 4.0}, {"CPU": 8.0}]
    assert size_pool(RaySettings(), None, gpu_nodes) == Pool(actors=8, cpus=1.0, gpus=1.0)
    assert size_pool(RaySettings(gpus_per_actor=0.5), "cuda", gpu_nodes) == Pool(16, 1.0, 0.5)
    assert size_pool(RaySettings(), "cpu", gpu_nodes) == Pool(4 + 4 + 2, 4.0, 0.0)  # --device cpu: the GPUs are left alone
    assert size_pool(RaySettings(), None, [{"CPU": 2.0}]) == Pool(1, 2.0, 0.0)  # this machine: one actor
    assert size_pool(RaySettings(actors=3), None, [{"CPU": 2.0}, {"CPU": 4.0}]) == Pool(3, 2.0, 0.0)
    with pytest.raises(SpinfixError, match="no node of the Ray cluster has 1 GPU"):
        size_pool(RaySettings(gpus_per_actor=1), None, [{"CPU": 8.0}])
    with pytest.raises(SpinfixError, match="at least 1"):
        RaySettings(actors=0)


# -- on a local Ray ------------------------------------------------------------------------------

needs_models = pytest.mark.skipif(not (MODELS / "detector" / "config.json").exists(), reason="the released models are not in models/")

PARAGRAPHS = [
    p.strip()
    for name in ("spun_article.txt", "clean_article.txt")
    for p in (ROOT / "data" / "examples" / name).read_text(encoding="utf-8").split("\n\n")
    if p.strip()
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dozen documents (the example articles' paragraphs, spun and clean): 4 shards of 3."""
    path = tmp_path_factory.mktemp("ray-input") / "in.jsonl"
    path.write_text("".join(json.dumps({"id": f"doc{i}", "text": PARAGRAPHS[i % len(PARAGRAPHS)]}) + "\n" for i in range(12)))
    return path


def settings(inp: Path, out: Path, **kw: Any) -> BatchSettings:
    return BatchSettings(input=str(inp), out=str(out), shard_size=3, models=str(MODELS), device="cpu", **kw)


@pytest.fixture(scope="module")
def sf_fast() -> Any:
    import spinfix

    return spinfix.load(MODELS, device="cpu", lm_reading=False)


@pytest.fixture(scope="module")
def local(docs: Path, sf_fast: Any, tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    """The local engine's records for `docs`, the detector alone (--no-lm-reading)."""
    out = tmp_path_factory.mktemp("local") / "out"
    run_job(settings(docs, out, lm_reading=False), sf_fast)
    return all_records(out)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A local Ray of 2 CPUs for this module's jobs (run_ray_job uses the Ray it finds connected)."""
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'spinfix[ray]' (make setup-ray)")
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    # The workers below are defined here: they travel by value, not by a module Ray's workers cannot import.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    ray.shutdown()


@pytest.mark.slow
@needs_models
def test_the_command_on_ray_writes_the_records_the_local_engine_writes(docs: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'spinfix[ray]' (make setup-ray)")
    import spinfix

    # With the LM's reading (the default): the local engine first, then the command in a process
    # of its own, which starts a Ray of its own (or joins the one running) and stops it.
    run_job(settings(docs, tmp_path / "local"), spinfix.load(MODELS, device="cpu"))
    argv = [sys.executable, "-m", "spinfix.cli", "batch", str(docs), "--out", str(tmp_path / "ray"), "--shard-size", "3",
            "--models", str(MODELS), "--device", "cpu", "--engine", "ray", "--actors", "1", "-q"]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
    expected = all_records(tmp_path / "local")
    assert proc.returncode == (1 if any(r.spun for r in expected) else 0), proc.stderr
    assert "Traceback" not in proc.stderr
    records = all_records(tmp_path / "ray")
    assert [r.id for r in records] == [f"doc{i}" for i in range(12)]  # each once
    assert records == expected and any(r.spun for r in records)
    assert sorted(ledger_shards(tmp_path / "ray")) == [0, 1, 2, 3]
    assert json.loads((tmp_path / "ray" / "summary.json").read_text())["documents"] == 12
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text()) for d in ("local", "ray")]
    assert manifests[0]["models"] == manifests[1]["models"] and manifests[0]["settings"] == manifests[1]["settings"] | {
        "out": manifests[0]["settings"]["out"]
    }


class RetriedWorker(ShardWorker):
    """Ray at its worst: shard 1's actor dies after writing the shard's file, the first time (Ray
    restarts it and runs the task again), and every result comes back twice."""

    def shard(self, task: Any) -> Any:
        entry = super().shard(task)
        mark = Path(self.settings.out).parent / f"died-on-shard-{task.shard}"
        if task.shard == 1 and not mark.exists():
            mark.touch()
            os._exit(1)
        return entry

    def __call__(self, batch: Any) -> Any:
        return {name: [*column, *column] for name, column in super().__call__(batch).items()}


@pytest.mark.slow
@needs_models
def test_shards_ray_writes_twice_or_returns_twice_are_committed_once(
    ray_cluster: Any, docs: Path, local: list[Record], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary = run_ray_job(settings(docs, out, lm_reading=False), worker=RetriedWorker)
    assert (tmp_path / "died-on-shard-1").exists()  # the task was retried
    assert sorted(ledger_shards(out)) == [0, 1, 2, 3]  # each shard once, though 1 was written twice and all came back twice
    assert all_records(out) == local
    assert sorted(p.name for p in (out / "shards").iterdir()) == [f"part-{n:06d}.parquet" for n in range(4)]  # no temporaries
    assert (summary.documents, summary.processed) == (12, 12)


@pytest.mark.slow
@needs_models
def test_a_local_job_stopped_halfway_is_finished_by_ray(
    ray_cluster: Any, docs: Path, local: list[Record], sf_fast: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    s = settings(docs, out, lm_reading=False)
    detect_many = sf_fast.detect_many
    calls: list[int] = []

    def stopped(texts: Any, sources: Any = None, progress: Any = None) -> Any:
        calls.append(len(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return detect_many(texts, sources=sources, progress=progress)

    with monkeypatch.context() as m:
        m.setattr(sf_fast, "detect_many", stopped)
        with pytest.raises(KeyboardInterrupt):
            run_job(s, sf_fast)
    assert ledger_shards(out) == [0]
    # As a kill leaves it too: a shard file in place but not committed, and a temporary.
    (out / "shards" / "part-000002.parquet").write_bytes(b"PAR1 half")
    (out / "shards" / ".part-000003.parquet.x.tmp").write_bytes(b"PAR1")
    summary = run_ray_job(s, resume=True)
    assert (summary.processed, summary.documents) == (9, 12)
    assert ledger_shards(out)[0] == 0 and sorted(ledger_shards(out)) == [0, 1, 2, 3]
    assert all_records(out) == local
    assert sorted(p.name for p in (out / "shards").iterdir()) == [f"part-{n:06d}.parquet" for n in range(4)]
    assert run_ray_job(s, resume=True).processed == 0  # done: nothing more


class NoModelsHere(ShardWorker):
    """A node where the models are not at the driver's path."""

    def __init__(self, settings: dict[str, Any], models: str, checks: dict[str, Any]) -> None:
        super().__init__(settings, models + "-not-here", checks)


@pytest.mark.slow
@needs_models
def test_a_worker_without_the_models_stops_the_job_with_the_reason(ray_cluster: Any, docs: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no spinfix models at .*-not-here"):
        run_ray_job(settings(docs, tmp_path / "out", lm_reading=False), worker=NoModelsHere)
    assert not (tmp_path / "out" / "ledger.jsonl").exists()
