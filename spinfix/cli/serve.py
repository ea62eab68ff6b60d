"""`spinfix serve`: the HTTP service (spinfix.serve) under uvicorn."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from spinfix.cli import options
from spinfix.cli.app import EXIT_ERROR, app, error
from spinfix.paths import default_models_dir

logger = logging.getLogger(__name__)


@app.command(
    help=(
        "Serve detect, restore and compare over HTTP for pipelines that are not Python: "
        "POST /v1/detect, /v1/restore, /v1/compare take JSON ({\"text\": ...}) and answer with the "
        "JSON of the commands' --format json; GET /healthz, /readyz (the models are loaded), "
        "/docs (the OpenAPI page). Requests arriving together share one model call. "
        "Needs the serve extra: pip install 'spinfix\\[serve]'."
    ),
    epilog=(
        "SIGTERM or Ctrl-C stops it after the requests in flight are answered. "
        "Exit code 2 = error (missing extra or models, a bad option, the port taken)."
    ),
)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface (in a container).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes, each with its own copy of the models.")] = 1,
    models: Annotated[
        Path | None,
        typer.Option(
            help="Models folder (holding detector/). (default: $SPINFIX_MODELS, else models/ in the checkout)", show_default=False
        ),
    ] = None,
    threshold: options.ThresholdOption = None,
    context: options.ContextOption = True,
    lm_reading: options.LMReadingOption = True,
    max_bytes: Annotated[
        int,
        typer.Option(
            parser=options.parse_size, metavar="SIZE", show_default=False,
            help="Refuse request bodies larger than this (413). (default: 1M)",
        ),
    ] = 1024 * 1024,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds a request may take before it is answered 504.")] = 30.0,
    max_batch: Annotated[int, typer.Option(min=1, max=4096, help="Texts per model call at most.")] = 64,
    max_wait_ms: Annotated[
        float, typer.Option(min=0.0, max=1000.0, help="How long a request waits for others to share its model call.")
    ] = 5.0,
    threads: Annotated[
        int | None,
        typer.Option(min=1, max=256, show_default=False,
            help="torch threads per worker (default: one per core); with --workers N: cores / N."),
    ] = None,
    preload: Annotated[
        bool, typer.Option("--preload/--no-preload", help="Load the restorer and the reference check at start, not on first use.")
    ] = True,
) -> None:
    try:
        import uvicorn

        from spinfix.serve.app import create_app
        from spinfix.serve.settings import ENV, ServeSettings
    except ImportError as exc:
        error(f"spinfix serve needs the serve extra ({exc.name} is missing): pip install 'spinfix[serve]'")
        raise typer.Exit(EXIT_ERROR) from None
    root = models if models is not None else default_models_dir()
    if not ((root / "detector" / "config.json").exists() or (root / "config.json").exists()):
        error(f"no spinfix models at {root}: expected {root / 'detector'}/config.json. Pass --models PATH or set SPINFIX_MODELS.")
        raise typer.Exit(EXIT_ERROR)
    settings = ServeSettings(
        models=str(root), threshold=threshold, context=context, lm_reading=lm_reading, max_bytes=max_bytes,
        timeout_s=timeout, max_batch=max_batch, max_wait_ms=max_wait_ms, preload=preload, threads=threads,
    )
    spinfix_logger = logging.getLogger("spinfix")
    if spinfix_logger.level in (logging.NOTSET, logging.WARNING):
        spinfix_logger.setLevel(logging.INFO)  # a service says when it is ready
    config = {"host": host, "port": port, "log_level": "info", "access_log": True, "timeout_graceful_shutdown": 10}
    try:
        if workers == 1:
            uvicorn.run(create_app(settings), **config)  # type: ignore[arg-type]
        else:
            # Each worker process builds its own app, and loads its own models, from these settings.
            os.environ[ENV] = settings.to_json()
            uvicorn.run("spinfix.serve.app:app_from_env", factory=True, workers=workers, **config)  # type: ignore[arg-type]
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind
        if exc.code not in (0, None):
            error(f"the service stopped with an error (is {host}:{port} taken?)")
            raise typer.Exit(EXIT_ERROR) from None
