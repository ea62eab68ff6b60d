"""`spinfix detect`: flag spun sentences and mark the spun phrases, in any number of files."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from spinfix.cli import options
from spinfix.cli.app import (
    EXIT_CLEAN,
    EXIT_CODES_HELP,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_SPUN,
    app,
    error,
)
from spinfix.errors import SpinfixError
from spinfix.io.inputs import input_batches
from spinfix.io.progress import Progress, count_sentences
from spinfix.io.reading import DEFAULT_MAX_BYTES
from spinfix.io.streams import ReportWriter
from spinfix.io.writing import OutputClosed

logger = logging.getLogger(__name__)


@app.command(
    help=(
        "Flag the sentences that look synonym-spun and mark the spun phrases.\n\n"
        "Every FILE is reported on, in order, on stdout. Unreadable files are reported on stderr "
        "and skipped; the others are still checked."
    ),
    epilog=EXIT_CODES_HELP,
)
def detect(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="UTF-8 text files to check; '-' reads standard input.", show_default=False),
    ],
    fmt: Annotated[
        options.OutputFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help=(
                "text: a report for people. json: one document (an array for several files). jsonl: one line per file. "
                "html: one self-contained page for all the files, for a browser (spinfix detect a.txt --format html > a.html)."
            ),
        ),
    ] = options.OutputFormat.text,
    threshold: options.ThresholdOption = None,
    context: options.ContextOption = True,
    lm_reading: options.LMReadingOption = True,
    models: Annotated[
        Path | None,
        typer.Option(
            help="Models folder (holding detector/). (default: $SPINFIX_MODELS, else models/ in the checkout)",
            show_default=False,
        ),
    ] = None,
    max_bytes: options.MaxBytesOption = DEFAULT_MAX_BYTES,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Highlight spun phrases. (default: on when stdout is a terminal)", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Report on FILES; exit 0 (clean), 1 (spun text found), 2 (an error) or 130 (interrupted)."""
    writer = ReportWriter(fmt.value, color=options.auto_color() if color is None else color, array=len(files) > 1)
    sf = None  # loaded with the first readable input: a typo costs no model load
    n_errors = n_spun = 0
    with Progress(len(files)) as progress:
        try:
            for batch in input_batches(files, max_bytes):
                texts = [item.text for item in batch if item.text is not None]
                names = [item.name for item in batch if item.text is not None]
                if texts and sf is None:
                    try:
                        sf = options.load_models(models, threshold, context, lm_reading)
                    except SpinfixError as exc:
                        # The pipeline's message speaks to API users; on the command line the knob is --models.
                        error(f"{exc}" + ("" if models is not None else " Or pass --models PATH."))
                        raise typer.Exit(EXIT_ERROR) from None
                    writer.models = options.model_facts(sf)
                if not quiet:
                    n_sentences = count_sentences(texts)
                    # Several files, or one long enough to take a while.
                    if not progress.active and (len(files) > 1 or n_sentences >= options.PROGRESS_MIN_SENTENCES):
                        progress.start()
                    progress.start_batch(len(texts), n_sentences)
                for item in batch:
                    if item.error is not None:
                        progress.error(item.error)
                        progress.files_done(1, skipped=True)
                        n_errors += 1
                if sf is None:
                    continue
                # Each report is written as soon as its file is done: a run that is stopped
                # keeps every report it finished.
                for report in sf.stream_detect(texts, sources=names, progress=progress.sentences_done):
                    with progress.writing():
                        writer.write(report)
                        writer.flush()
                    n_spun += report.is_spun
                    progress.files_done(1)
            writer.close()
        except OutputClosed:
            raise
        except KeyboardInterrupt:
            progress.stop()
            # What was written stays valid: a JSON array is closed over the reports it holds.
            with contextlib.suppress(OutputClosed, OSError):
                writer.close()
            error(f"interrupted: {writer.count} of {len(files)} file{'s' if len(files) != 1 else ''} reported")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BaseException:
            # Failed: still close a JSON array, so what was written parses.
            with contextlib.suppress(OutputClosed, OSError):
                writer.close()
            raise

    code = EXIT_ERROR if n_errors else EXIT_SPUN if n_spun else EXIT_CLEAN
    logger.info("%d report(s), %d spun, %d error(s): exit %d", writer.count, n_spun, n_errors, code)
    raise typer.Exit(code)
