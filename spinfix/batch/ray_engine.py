"""The Ray engine of `spinfix batch`: the same job as the local engine, its shards checked by a
pool of Ray actors, on one machine or a cluster.

    the shards still to do (a Dataset) -> map_batches(ShardWorker) -> the driver commits each

Each actor loads the models once (ShardWorker.__init__); a call checks one shard
(process_shard), writes its file where OUT lies (ShardStore.write: atomic, and the same file
again if written twice) and sends back only the shard's ledger entry, never its records. The
driver, the one process holding OUT's lock, commits the entries (Run.commit), which takes each
shard once. Ray retries the task of an actor that died, so by itself its output is at least
once: a shard may be written, and its entry come back, twice. The idempotent write and the
driver's once-per-shard commit make the job's records exactly once, as with the local engine;
a killed driver leaves OUT as a killed local job does, and --resume (with either engine)
finishes it.

Ray is optional (pip install 'spinfix[ray]'): it is imported here only, when a job runs.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
from collections.abc import Generator, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from types import ModuleType
from typing import TYPE_CHECKING, Any

from spinfix.batch.job import Job, open_job, process_shard, start_run
from spinfix.batch.manifest import Summary, model_versions
from spinfix.batch.plan import ShardTask
from spinfix.batch.progress import JobProgress
from spinfix.batch.settings import BatchSettings
from spinfix.batch.shards import LedgerEntry, ShardStore
from spinfix.errors import InputError, ModelError, SpinfixError
from spinfix.paths import default_models_dir

if TYPE_CHECKING:
    import numpy as np

    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

INSTALL_HINT = "Ray is not installed: pip install 'spinfix[ray]'"
# Torch threads of a CPU actor (Ray sets OMP_NUM_THREADS to an actor's CPUs): past about 4 a
# shard gains little from more threads, and another actor's models cost only memory.
CPU_THREADS = 4
ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry))
COLUMNS = (*ENTRY_FIELDS, "error", "error_type")  # of a worker's result rows
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RAISED = re.compile(r"([A-Za-z_][\w.]*(?:Error|Exception|Exit)): ")  # "RuntimeError: ..." in a traceback


class RayMissing(SpinfixError):
    """--engine ray without Ray installed."""


class RayJobFailed(SpinfixError):
    """Ray could not run the job: a cluster that cannot be reached, a node lost, an actor that
    cannot start."""


# The errors a worker sends back by name (ShardWorker.row), raised again on the driver as such.
ERRORS: dict[str, type[SpinfixError]] = {c.__name__: c for c in (SpinfixError, InputError, ModelError)}


@dataclass(frozen=True)
class RaySettings:
    """Where and how wide a job runs on Ray. Not what the job computes: a job started with one
    engine may be resumed with the other, so none of this goes into the manifest."""

    # None: $RAY_ADDRESS, or the cluster this machine is a node of (`ray start`), else a Ray
    # started for this job alone; "auto": an existing cluster only; "HOST:6379": that one.
    address: str | None = None
    actors: int | None = None  # None: one per GPU (per gpus_per_actor), or one per CPU_THREADS CPUs
    gpus_per_actor: float | None = None  # None: 1 where the cluster has GPUs and the device is not the CPU, else 0

    def __post_init__(self) -> None:
        if self.actors is not None and self.actors < 1:
            raise SpinfixError(f"the number of actors must be at least 1, got {self.actors}")
        if self.gpus_per_actor is not None and not self.gpus_per_actor >= 0:  # also NaN
            raise SpinfixError(f"gpus_per_actor must be 0 or more, got {self.gpus_per_actor}")


@dataclass(frozen=True)
class Pool:
    """The actor pool of a job: how many, and what each one reserves."""

    actors: int
    cpus: float
    gpus: float


def require_ray() -> ModuleType:
    """The `ray` module with Ray Data, or RayMissing with how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (Ray without its Data library cannot run a job)
    except ImportError as exc:
        raise RayMissing(INSTALL_HINT) from exc
    return ray


def size_pool(settings: RaySettings, device: str | None, nodes: Iterable[Mapping[str, float]]) -> Pool:
    """The pool for a cluster whose alive nodes have these resources (Ray's "CPU", "GPU")."""
    nodes = list(nodes)
    gpus_there = sum(n.get("GPU", 0.0) for n in nodes)
    on_cpu = device is not None and device.startswith("cpu")
    gpus = settings.gpus_per_actor if settings.gpus_per_actor is not None else (1.0 if gpus_there and not on_cpu else 0.0)
    if gpus > 0:
        if gpus > max((n.get("GPU", 0.0) for n in nodes), default=0.0):
            raise SpinfixError(f"no node of the Ray cluster has {gpus:g} GPU(s) for an actor (the cluster has {gpus_there:g} in all).")
        # The models run on the GPU: a CPU each is enough for reading and tokenizing.
        return Pool(settings.actors or max(1, int(gpus_there / gpus + 1e-9)), 1.0, gpus)
    cpus = sorted(int(n.get("CPU", 0.0)) for n in nodes if n.get("CPU", 0.0) >= 1)
    if not cpus:
        raise SpinfixError("the Ray cluster has no CPU to run an actor on.")
    if settings.actors is not None:  # as many as asked, the CPUs shared out among them
        per = max(1, min(CPU_THREADS, cpus[-1], sum(cpus) // settings.actors))
        return Pool(settings.actors, float(per), 0.0)
    per = min(CPU_THREADS, cpus[0])  # the smallest node still takes an actor
    return Pool(max(1, sum(c // per for c in cpus)), float(per), 0.0)


def models_folder(settings: BatchSettings) -> str:
    """The models' folder as an absolute path: the workers must find the same path on their node."""
    return os.path.abspath(settings.models) if settings.models is not None else str(default_models_dir().resolve())


def load_models(models: str, settings: BatchSettings, device: str | None) -> Spinfix:
    """The models a worker (or the driver) checks with; ModelError when they cannot be loaded."""
    import spinfix

    try:
        return spinfix.load(models, lm_reading=settings.lm_reading, device=device)
    except SpinfixError:
        raise
    except Exception as exc:  # a corrupt checkpoint can fail in torch, safetensors, tokenizers...
        logger.debug("model load failed", exc_info=True)
        raise ModelError(f"cannot load the models from {models}: {exc}") from exc


def what_checks(sf: Spinfix, task: str) -> dict[str, Any]:
    """What must be the same in every worker for the records to be one job's: the models as the
    manifest has them, and spinfix's version."""
    import spinfix

    return {"spinfix": spinfix.__version__, **model_versions(sf, task)}


class ShardWorker:
    """What each actor of the pool runs: the models loaded once, then one shard per row.

    A SpinfixError (the models missing on this node, an input that changed) comes back as the
    shard's result, to be raised by the driver as it is: through Ray it would arrive as Ray's
    own error, the message buried in stack traces (and an actor that fails to start, as an
    actor death)."""

    def __init__(self, settings: dict[str, Any], models: str, checks: dict[str, Any]) -> None:
        self.settings = BatchSettings.from_dict(settings)
        self.store = ShardStore(self.settings.out, self.settings.format)
        self.failed: SpinfixError | None = None
        try:
            # settings.device None: the GPU Ray gave this actor (it sets CUDA_VISIBLE_DEVICES), or the CPU.
            self.sf = load_models(models, self.settings, self.settings.device)
            mine = what_checks(self.sf, self.settings.task)
        except SpinfixError as exc:
            self.failed = exc
            return
        if mine != checks:  # another copy of the models, or another spinfix, at the same path on this node
            diff = "; ".join(f"{k}: {checks.get(k)!r} on the driver, {mine.get(k)!r} here" for k in sorted(checks.keys() | mine.keys())
                             if checks.get(k) != mine.get(k))
            self.failed = ModelError(f"{socket.gethostname()} does not have the driver's models or spinfix at {models}: {diff}")
            return
        logger.info("%s: a worker with the models of %s, pid %d", socket.gethostname(), models, os.getpid())

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np

        rows = [self.row(json.loads(str(t))) for t in batch["task"]]
        return {name: np.array([r[name] for r in rows], dtype=np.int64 if name in ENTRY_FIELDS else str) for name in COLUMNS}

    def row(self, task: dict[str, Any]) -> dict[str, Any]:
        try:
            if self.failed is not None:
                raise self.failed
            return {**asdict(self.shard(ShardTask.from_dict(task))), "error": "", "error_type": ""}
        except SpinfixError as exc:
            return {**dict.fromkeys(ENTRY_FIELDS, -1), "shard": task["shard"], "error": str(exc), "error_type": type(exc).__name__}

    def shard(self, task: ShardTask) -> LedgerEntry:
        """Check one shard and put its file in place; its entry, for the driver to commit."""
        return self.store.write(task.shard, process_shard(task, self.sf, self.settings))


def run_ray_job(
    settings: BatchSettings,
    job: Job | None = None,
    progress: JobProgress | None = None,
    ray_settings: RaySettings | None = None,
    *,
    resume: bool = False,
    worker: type[ShardWorker] = ShardWorker,
) -> Summary:
    """Run (or resume) the job on Ray: run_job's job and OUT, its shards checked by an actor pool.
    Uses the Ray this process is connected to, if it is; else connects (or starts one) by
    `ray_settings.address`, and disconnects at the end. `worker` is the class the actors run."""
    ray = require_ray()
    ray_settings = ray_settings if ray_settings is not None else RaySettings()
    job = job if job is not None else open_job(settings, resume)
    if job.settings != settings:
        raise ValueError("run_ray_job: the job was opened with other settings")
    models = models_folder(settings)
    # The driver loads the models too, on its CPU: the manifest and the resume check need their
    # versions before any shard runs, and a bad --models fails here, not in every actor.
    sf = load_models(models, settings, "cpu")
    versions, checks = model_versions(sf, settings.task), what_checks(sf, settings.task)
    del sf
    # Ray before OUT: a cluster that cannot be reached, or has no room for an actor, leaves no
    # job begun behind.
    connected_here = not ray.is_initialized()
    if connected_here:
        connect_ray(ray, ray_settings.address)
    try:
        pool = size_pool(ray_settings, settings.device, (n["Resources"] for n in ray.nodes() if n.get("Alive")))
        with start_run(job, versions, progress) as run:
            if run.pending:
                logger.info("%d shard(s) on %d Ray actor(s), %g CPU and %g GPU each", len(run.pending), pool.actors, pool.cpus, pool.gpus)
                with contextlib.closing(_results(ray, run.pending, settings, models, checks, pool, worker)) as results:
                    for row in results:
                        if row["error"]:
                            raise ERRORS.get(row["error_type"], SpinfixError)(row["error"])
                        run.commit(LedgerEntry(**{name: int(row[name]) for name in ENTRY_FIELDS}))
            return run.finish()
    finally:
        if connected_here:
            ray.shutdown()


def connect_ray(ray: ModuleType, address: str | None) -> None:
    try:
        ray.init(address=address, logging_level=logging.WARNING)
    except (ConnectionError, ValueError) as exc:  # no cluster at "auto", a bad address
        where = f"at {address}" if address else "to start or join"
        raise RayJobFailed(f"no Ray cluster {where}: {_last_line(exc)}") from exc


def _results(
    ray: ModuleType, tasks: list[ShardTask], settings: BatchSettings, models: str, checks: dict[str, Any], pool: Pool,
    worker: type[ShardWorker],
) -> Generator[dict[str, Any], None, None]:
    """The ledger entries of `tasks` as the actors finish them, in no set order."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the job's own progress counts documents
    # A block per shard: an actor that dies loses (and Ray redoes) one shard, and a shard's entry
    # comes back as soon as it is written.
    ds = ray.data.from_items([{"task": json.dumps(t.to_dict())} for t in tasks], override_num_blocks=len(tasks))
    ds = ds.map_batches(
        worker,
        fn_constructor_kwargs={"settings": settings.to_dict(), "models": models, "checks": checks},
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=pool.actors),
        num_cpus=pool.cpus,
        num_gpus=pool.gpus,
    )
    try:
        yield from ds.iter_rows()
    except ray.exceptions.RayError as exc:
        # What failed in Ray itself (a node lost, an actor that cannot start, an error no
        # SpinfixError): its stack traces are in Ray's log lines above and in its log files.
        raise RayJobFailed(f"the job failed on Ray: {_last_line(exc)}") from exc


def _last_line(exc: BaseException) -> str:
    """What a Ray error says failed: the last exception line in it that is not Ray's own wrapper
    ("RuntimeError: CUDA out of memory"), else its last line."""
    lines = [line.strip() for line in _ANSI.sub("", str(exc)).splitlines() if line.strip()]
    raised = [line for line in lines if (m := _RAISED.match(line)) and not m.group(1).startswith("ray.")]
    return raised[-1] if raised else lines[-1] if lines else type(exc).__name__
