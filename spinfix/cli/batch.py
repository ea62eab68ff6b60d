"""`spinfix batch`: check a large input in shards, each shard's records written exactly once;
a thin layer over spinfix.batch.run_job (--engine local) and run_ray_job (--engine ray)."""
from __future__ import annotations

import enum
import logging
from typing import Annotated

import typer

from spinfix.batch import BatchSettings, JobProgress, Summary, open_job, run_job
from spinfix.batch.ray_engine import RaySettings, require_ray, run_ray_job
from spinfix.batch.settings import DEFAULT_SHARD_SIZE
from spinfix.cli import options
from spinfix.cli.app import EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SPUN, app, error
from spinfix.errors import ModelError, SpinfixError
from spinfix.io.reading import DEFAULT_MAX_BYTES

logger = logging.getLogger(__name__)

BATCH_EXIT_CODES_HELP = (
    "Exit codes: 0 = no document found spun; 1 = at least one document spun (compare: or "
    "derived from its reference); 2 = error (a bad input or option, missing models, an output "
    "folder that holds another job); 130 = interrupted (Ctrl-C): the finished shards are kept, "
    "run again with --resume to finish. Documents that cannot be read (binary, not UTF-8, "
    "empty, a bad JSON line) get an error record and do not stop the job."
)


class Task(str, enum.Enum):
    detect = "detect"
    restore = "restore"
    compare = "compare"


class ShardFormat(str, enum.Enum):
    parquet = "parquet"
    jsonl = "jsonl"


class Engine(str, enum.Enum):
    local = "local"
    ray = "ray"


@app.command(
    help=(
        "Check a large input in shards: a folder of text files (each a document, its id its "
        "path), a JSONL file or folder of them, or a Parquet file or folder of them (fields or "
        "columns: text, and optionally id and reference).\n\n"
        "Each shard's records (id, index, report as JSON, error, spun) go to DIR/shards/ as one "
        "file, written whole or not at all, and DIR/ledger.jsonl lists the shards done: a job "
        "stopped at any moment continues with --resume, every document recorded exactly once. "
        "DIR/manifest.json says what the job is, DIR/summary.json what it found.\n\n"
        "--engine ray runs the shards on a Ray cluster (pip install 'spinfix\\[ray]'), the "
        "records exactly once there too; INPUT, DIR and the models must be at the same path on "
        "every node. A job may be resumed with either engine."
    ),
    epilog=BATCH_EXIT_CODES_HELP,
)
def batch(
    input: Annotated[str, typer.Argument(metavar="INPUT", help="A folder of text files, a .jsonl or .parquet file, or a folder of them.")],
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="The job's folder: new or empty, or the job's own with --resume.")],
    task: Annotated[
        Task,
        typer.Option(
            case_sensitive=False,
            help=(
                "detect: flag spun text. restore: and put the original wording back. "
                "compare: check each document against its `reference`."
            ),
        ),
    ] = Task.detect,
    fmt: Annotated[ShardFormat, typer.Option("--format", "-f", case_sensitive=False, help="Of the shard files.")] = ShardFormat.parquet,
    shard_size: Annotated[int, typer.Option(min=1, help="Documents per shard: the unit that is written, and redone after a crash.")] = (
        DEFAULT_SHARD_SIZE
    ),
    resume: Annotated[bool, typer.Option("--resume", help="Continue the job in DIR, with the same input and options.")] = False,
    lm_reading: options.LMReadingOption = True,
    models: options.ModelsOption = None,
    device: Annotated[
        str | None, typer.Option(help="Where the models run: cpu, cuda, cuda:1... (default: a GPU when there is one)", show_default=False)
    ] = None,
    method: options.MethodOption = None,
    min_confidence: options.MinConfidenceOption = None,
    max_bytes: options.MaxBytesOption = DEFAULT_MAX_BYTES,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary on stderr.")] = False,
    engine: Annotated[
        Engine,
        typer.Option(case_sensitive=False, help="local: in this process. ray: an actor pool on a Ray cluster, each actor with the models."),
    ] = Engine.local,
    address: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help=(
                "--engine ray: the cluster, HEAD:6379 or auto (default: $RAY_ADDRESS or the cluster this machine is a "
                "node of, else a Ray started for this job alone)."
            ),
            show_default=False,
        ),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option(min=1, help="--engine ray: how many actors (default: one per GPU, else one per 4 CPUs).", show_default=False),
    ] = None,
    gpus_per_actor: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="--engine ray: GPUs each actor takes; 0.5 puts two on a GPU (default: 1 where the cluster has GPUs, 0 with --device cpu).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check INPUT into DIR; exit 0 (nothing spun), 1 (spun found), 2 (an error) or 130 (interrupted)."""
    if engine is Engine.local and (address is not None or actors is not None or gpus_per_actor is not None):
        error("--address, --actors and --gpus-per-actor are for --engine ray.")
        raise typer.Exit(EXIT_ERROR)
    try:  # Ray, OUT and the input first: a refusal should not cost loading the models
        ray_settings = RaySettings(address, actors, gpus_per_actor) if engine is Engine.ray else None
        if ray_settings is not None:
            require_ray()
            if quiet:  # Ray Data says what it runs at INFO
                logging.getLogger("ray").setLevel(logging.WARNING)
                logging.getLogger("ray.data").setLevel(logging.WARNING)
        settings = BatchSettings(
            input=input, out=out, task=task.value, format=fmt.value, shard_size=shard_size, lm_reading=lm_reading,
            models=None if models is None else str(models), device=device, method=None if method is None else method.value,
            min_confidence=min_confidence, max_bytes=max_bytes,
        )
        job = open_job(settings, resume=resume)
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    progress = JobProgress(enabled=not quiet)
    hint = "" if models is not None else " Or pass --models PATH."
    try:
        summary: Summary
        if ray_settings is not None:  # the driver loads the models itself (on its CPU), then each actor
            summary = run_ray_job(settings, job, progress, ray_settings)
        else:
            sf = options.load_models(models, None, lm_reading=lm_reading, device=device)
            summary = run_job(settings, sf, progress, job=job)
    except KeyboardInterrupt:
        error(f"interrupted: {len(job.done)} of {len(job.plan.tasks)} shards done and kept; run again with --resume to finish.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except ModelError as exc:
        error(f"{exc}{hint}")
        raise typer.Exit(EXIT_ERROR) from None
    except SpinfixError as exc:
        error(str(exc).replace("method='baseline'", "--method baseline"))
        raise typer.Exit(EXIT_ERROR) from None
    if not quiet:
        typer.echo(
            f"spinfix: batch: {summary.documents:,} documents, {summary.spun:,} spun ({100 * summary.spun_share:.1f} %), "
            f"{summary.errors:,} error record(s); {summary.seconds:.1f} s, {summary.documents_per_second:.1f} documents/s; "
            f"records in {settings.out}/shards",
            err=True,
        )
    raise typer.Exit(EXIT_SPUN if summary.spun else EXIT_CLEAN)
