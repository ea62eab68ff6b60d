"""The FastAPI app: /v1/detect, /v1/restore, /v1/compare, /healthz, /readyz, /docs.

The models load once per process, in the background (so /healthz answers at once and /readyz
says when they are in), and every model call runs in one thread of its own: detects and
restores arriving together share a call (spinfix.serve.batcher), compares run one at a time.
Nothing is kept between requests, and no submitted text is logged: the logs say sizes, counts
and timings.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from spinfix import __version__
from spinfix.errors import InputError, ModelError, SpinfixError
from spinfix.serve.batcher import MicroBatcher
from spinfix.serve.errors import ApiError
from spinfix.serve.requests import CompareRequest, DetectRequest, RestoreRequest, parse, schema
from spinfix.serve.settings import ENV, ServeSettings

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

WARM_UP = "The minister said the talks would resume on Monday."


def log_internal(exc: BaseException) -> None:
    """A bug's traceback in the log, never in an answer; its message is left out, since it may
    quote the submitted text."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("internal error: %s\n%s", type(exc).__name__, frames.rstrip())


class Service:
    """What one process holds: the settings, the pipeline once loaded, the model thread and
    the batchers."""

    def __init__(self, settings: ServeSettings, sf: Spinfix | None = None) -> None:
        self.settings = settings
        self.sf = sf
        self.status = "loading"
        self.error: str | None = None
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="spinfix-model")
        wait = settings.max_wait_ms / 1000
        self.detects: MicroBatcher[DetectRequest] = MicroBatcher(self._detect, self.executor, settings.max_batch, wait)
        self.restores: MicroBatcher[RestoreRequest] = MicroBatcher(self._restore, self.executor, settings.max_batch, wait)

    # -- in the model thread ---------------------------------------------------------------

    def load(self) -> None:
        t = time.perf_counter()
        try:
            if self.settings.threads:
                import torch

                torch.set_num_threads(self.settings.threads)
            if self.sf is None:
                import spinfix

                s = self.settings
                self.sf = spinfix.load(s.models, threshold=s.threshold, context=s.context, lm_reading=s.lm_reading)
            self.sf.detect(WARM_UP)
            if self.settings.preload:
                self.sf.restorer()
                self.sf.reference_checker().embedder.embed([WARM_UP])
        except Exception as exc:  # noqa: BLE001 - reported by /readyz, the process stays up to say so
            logger.exception("the models could not be loaded")
            self.status, self.error = "failed", f"the models could not be loaded: {exc}"
            return
        self.status = "ready"
        logger.info("ready in %.1f s (detector %s)", time.perf_counter() - t, self.sf.detector.name)

    def _detect(self, _key: Hashable, items: Sequence[DetectRequest]) -> list[dict]:
        assert self.sf is not None
        reports = self.sf.detect_many([i.text for i in items], sources=[i.source for i in items])
        return [r.to_dict() for r in reports]

    def _restore(self, key: Hashable, items: Sequence[RestoreRequest]) -> list[dict]:
        assert self.sf is not None
        method, min_confidence = cast(tuple[str | None, float | None], key)
        refs = [i.reference for i in items]
        reports = self.sf.restore_many(
            [i.text for i in items], references=refs if any(r is not None for r in refs) else None,
            method=method, sources=[i.source for i in items], min_confidence=min_confidence,
        )
        return [r.to_dict() for r in reports]

    def _compare(self, req: CompareRequest) -> dict:
        assert self.sf is not None
        refs = req.reference if isinstance(req.reference, list) else [req.reference]
        cmp = self.sf.compare(req.text, refs, method=req.method, source=req.source, min_confidence=req.min_confidence)
        d = cmp.to_dict()
        d["reference_names"] = req.reference_names or [f"reference {i + 1}" for i in range(len(refs))]
        return d

    # -- in the event loop -----------------------------------------------------------------

    async def answer(self, work: Callable[[], Awaitable[Any]]) -> Any:
        """The result of `work()`, or the ApiError that says why there is none."""
        if self.status != "ready":
            raise ApiError(503, "not_ready", self.error or "the models are still loading: try again when /readyz says ready")
        try:
            return await asyncio.wait_for(work(), self.settings.timeout_s)
        except asyncio.TimeoutError:
            raise ApiError(504, "timeout", f"not answered within {self.settings.timeout_s:g} s; send less text per request") from None
        except InputError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        except ModelError as exc:  # e.g. method "rewriter" with no rewriter in the models
            raise ApiError(422, "unavailable", str(exc)) from None
        except SpinfixError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a bug: answered here, so no server logs its message
            log_internal(exc)
            raise ApiError(500, "internal", "internal error; it is logged on the server") from None


def guarded(route: Callable[[Request], Awaitable[JSONResponse]]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A route whose unexpected failures are answered as ApiErrors: a 500 with the traceback in
    the log (not its message), where an uncaught exception would reach the server's own log
    whole; a client gone mid-upload needs no answer and no traceback."""

    @functools.wraps(route)
    async def run(request: Request) -> JSONResponse:
        try:
            return await route(request)
        except ApiError:
            raise
        except ClientDisconnect:
            raise ApiError(400, "client_disconnected", "the client went away before its request was whole") from None
        except Exception as exc:  # noqa: BLE001 - a bug
            log_internal(exc)
            raise ApiError(500, "internal", "internal error; it is logged on the server") from None

    return run


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the request is {int(declared):,} bytes, over the limit of {limit:,}; send less text per request")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the request is over the limit of {limit:,} bytes; send less text per request")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: ServeSettings | None = None, sf: Spinfix | None = None) -> FastAPI:
    """The service's app; `sf`: a pipeline already loaded (else loaded from settings.models)."""
    settings = settings or ServeSettings()
    service = Service(settings, sf)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.detects.start()
        service.restores.start()
        loading = asyncio.get_running_loop().run_in_executor(service.executor, service.load)
        yield
        for name, b in (("detect", service.detects), ("restore", service.restores)):
            if b.batches:
                logger.info("%s: %d texts in %d model calls (%.1f a call)", name, b.items, b.batches, b.items / b.batches)
        await service.detects.stop()
        await service.restores.stop()
        loading.cancel()
        service.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="spinfix", version=__version__, lifespan=lifespan,
        description="Find synonym-spun text, mark the spun phrases, restore the original wording, check a text against its source.",
    )
    app.state.service = service

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail)}}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log_internal(exc)
        return JSONResponse({"error": {"code": "internal", "message": "internal error; it is logged on the server"}}, status_code=500)

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", summary="The models are loaded (503 until they are)")
    async def readyz() -> JSONResponse:
        body: dict[str, Any] = {"ready": service.status == "ready", "status": service.status, "version": __version__}
        if service.error:
            body["error"] = service.error
        if service.sf is not None and service.status == "ready":
            body["detector"] = service.sf.detector.name
            body["threshold"] = service.sf.threshold
        return JSONResponse(body, status_code=200 if service.status == "ready" else 503)

    @app.post("/v1/detect", summary="Flag spun sentences and mark the spun phrases", openapi_extra=schema(DetectRequest))
    @guarded
    async def detect(request: Request) -> JSONResponse:
        req = parse(await _body(request, settings.max_bytes), DetectRequest)
        assert isinstance(req, DetectRequest)
        return JSONResponse(await service.answer(lambda: service.detects.submit(req)))

    @app.post("/v1/restore", summary="Detect, then restore the flagged spans", openapi_extra=schema(RestoreRequest))
    @guarded
    async def restore(request: Request) -> JSONResponse:
        req = parse(await _body(request, settings.max_bytes), RestoreRequest)
        assert isinstance(req, RestoreRequest)
        return JSONResponse(await service.answer(lambda: service.restores.submit(req, key=(req.method, req.min_confidence))))

    @app.post("/v1/compare", summary="Check a text against a clean parallel article", openapi_extra=schema(CompareRequest))
    @guarded
    async def compare(request: Request) -> JSONResponse:
        req = parse(await _body(request, settings.max_bytes), CompareRequest)
        assert isinstance(req, CompareRequest)
        n_refs = len(req.reference) if isinstance(req.reference, list) else 1
        if req.reference_names is not None and len(req.reference_names) != n_refs:
            raise ApiError(422, "invalid", f"reference_names has {len(req.reference_names)} names for {n_refs} reference(s)")
        loop = asyncio.get_running_loop()
        return JSONResponse(await service.answer(lambda: loop.run_in_executor(service.executor, service._compare, req)))

    return app


def app_from_env() -> FastAPI:
    """The app of a worker process (`spinfix serve --workers N`): settings from the environment."""
    raw = os.environ.get(ENV)
    # A worker process starts afresh: spinfix's own lines (ready, batch sizes) at INFO, as with one.
    spinfix_logger = logging.getLogger("spinfix")
    if not spinfix_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("spinfix: %(levelname)s: %(name)s: %(message)s"))
        spinfix_logger.addHandler(handler)
        spinfix_logger.setLevel(logging.INFO)
    return create_app(ServeSettings.from_json(raw) if raw else ServeSettings())
