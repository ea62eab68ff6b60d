"""`spinfix report`: a batch job's folder as one HTML page, its documents sorted by what a
screener looks at first, each linking to its own section."""
from __future__ import annotations

import enum
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from spinfix.batch.manifest import MANIFEST, SUMMARY
from spinfix.batch.shards import LEDGER, SHARDS_DIR, Record, ShardStore
from spinfix.cli.app import EXIT_CLEAN, EXIT_ERROR, EXIT_SPUN, app, emit, error
from spinfix.errors import SpinfixError
from spinfix.io.writing import output_problem
from spinfix.render.html_batch import MAX_PAGES, batch

logger = logging.getLogger(__name__)


class Sort(str, enum.Enum):
    auto = "auto"
    flagged = "flagged"
    probability = "probability"
    derived = "derived"
    input = "input"


def _json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpinfixError(f"cannot read {path}: {exc}") from exc
    return data if isinstance(data, dict) else None


def _shard_format(folder: Path, manifest: dict[str, Any] | None) -> str:
    fmt = ((manifest or {}).get("settings") or {}).get("format")
    if fmt in ("parquet", "jsonl"):
        return str(fmt)
    # No manifest: the shards' own suffix says it.
    return "jsonl" if any((folder / SHARDS_DIR).glob("part-*.jsonl")) else "parquet"


def read_job(folder: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Iterator[Record]]:
    """A job's manifest, summary (None when missing: a job still running has no summary) and the
    records of every shard the ledger lists as committed, read a shard at a time as they are
    taken (a job of 100,000 documents is never held whole)."""
    if not folder.is_dir():
        raise SpinfixError(f"{folder} is not a folder; give the --out folder of a `spinfix batch` job.")
    manifest, summary = _json(folder / MANIFEST), _json(folder / SUMMARY)
    store = ShardStore(folder, _shard_format(folder, manifest))
    if not store.ledger.exists():
        raise SpinfixError(f"{folder} holds no finished shard (no {LEDGER}); give the --out folder of a `spinfix batch` job.")
    return manifest, summary, _records(store)


def _records(store: ShardStore) -> Iterator[Record]:
    try:
        yield from store.records()
    except (OSError, ValueError, KeyError) as exc:  # a shard cut short or damaged (pyarrow's errors are ValueErrors)
        raise SpinfixError(f"cannot read the shards in {store.folder}: {exc}") from exc


@app.command(
    help=(
        "Turn the folder of a `spinfix batch` job into one self-contained HTML page: the job, a "
        "table of its documents sorted by what was found (the share of sentences flagged, or "
        "for a compare job the probability of derivation), each linking to its section with the "
        "text marked, the suggestions and the restored text. The page fetches nothing and opens "
        "from the file system. A job still running shows the shards it has finished."
    ),
    epilog=(
        "Exit codes, as `spinfix batch`: 0 = the page was written and no document was found spun; 1 = the page was "
        "written and at least one document was found spun (compare: or derived from its reference); 2 = error (not a "
        "batch job's folder, a damaged shard, an output that cannot be written)."
    ),
)
def report(
    folder: Annotated[Path, typer.Argument(metavar="OUTDIR", help="The --out folder of a `spinfix batch` job.", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the page to FILE instead of stdout (e.g. report.html).", show_default=False
        ),
    ] = None,
    sort: Annotated[
        Sort,
        typer.Option(
            case_sensitive=False,
            help=(
                "Order of the table. flagged: share of sentences flagged, then the highest sentence probability; "
                "probability: the highest sentence probability; derived: the probability of derivation (compare jobs); "
                "input: as in the input; auto: derived for a compare job, else flagged."
            ),
        ),
    ] = Sort.auto,
    max_pages: Annotated[
        int, typer.Option(min=0, help="A section for at most this many documents, the first in the table; the table lists them all.")
    ] = MAX_PAGES,
) -> None:
    """Write the HTML report of OUTDIR; exit 0 (nothing found), 1 (a document found spun) or 2 (an error)."""
    from spinfix.render.html import render_batch_view  # jinja2 only for the page

    if output == "-":
        output = None
    if output is not None:
        problem = output_problem(output, [])
        if problem is not None:
            error(problem)
            raise typer.Exit(EXIT_ERROR)
    try:
        manifest, summary, records = read_job(folder)
        view = batch(records, manifest, summary, sort=sort.value, max_pages=max_pages)
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    emit(render_batch_view(view) + "\n", output, raw=True)
    code = EXIT_SPUN if view.spun else EXIT_CLEAN
    logger.info("%d document(s), %d spun, in %s: exit %d", len(view.rows), view.spun, output or "<stdout>", code)
    raise typer.Exit(code)
