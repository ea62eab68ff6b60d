"""`spinfix restore`: put back the original wording of a spun text."""
from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from spinfix import render
from spinfix.cli import options
from spinfix.cli.app import EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SPUN, app, emit, error
from spinfix.errors import SpinfixError
from spinfix.io.inputs import STDIN_NAME
from spinfix.io.progress import Progress, count_sentences
from spinfix.io.reading import DEFAULT_MAX_BYTES, read_input, read_text
from spinfix.io.writing import (
    output_problem,
    unicode_stream,
)

logger = logging.getLogger(__name__)

RESTORE_EXIT_CODES_HELP = (
    "Exit codes: 0 = no spun text found (the text is written back unchanged); 1 = spun text "
    "found; 2 = error (an unreadable input, a bad option, missing models, an output that cannot "
    "be written); 130 = interrupted (Ctrl-C; nothing written)."
)


@app.command(
    help=(
        "Put back the original wording of synonym-spun text.\n\n"
        "FILE is checked as by `spinfix detect`; every flagged phrase gets a suggested original, "
        "and the suggestions at least --min-confidence sure are applied; the others stay "
        "suggestions (--format diff shows them as [~old~]{?new?}). By default the restored text is written: "
        "the input exactly, with the edits made and nothing added, so `spinfix restore in.txt "
        "-o out.txt` gives a usable file. A text with nothing flagged comes back unchanged."
    ),
    epilog=RESTORE_EXIT_CODES_HELP,
)
def restore(
    file: Annotated[
        str,
        typer.Argument(metavar="FILE", help="The UTF-8 text file to restore; '-' reads standard input.", show_default=False),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT",
            help="Write the result to OUT instead of stdout (replaced only once complete; never FILE itself).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        options.RestoreFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help=(
                "text: the restored text, nothing added. diff: the whole text with each edit shown "
                "as old then new, and a summary line. json: the report, with every edit and suggestion. "
                "html: a self-contained page for a browser: the text marked, the suggestions, the restored text as a diff."
            ),
        ),
    ] = options.RestoreFormat.text,
    method: options.MethodOption = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            metavar="REF",
            help=(
                "A clean parallel article (the source, or another outlet's report of the same "
                "event); may be given more than once. Suggestions are checked against it, and "
                "where FILE was derived from it its words restore FILE's (see `spinfix compare`)."
            ),
            show_default=False,
        ),
    ] = None,
    min_confidence: options.MinConfidenceOption = None,
    threshold: options.ThresholdOption = None,
    context: options.ContextOption = True,
    lm_reading: options.LMReadingOption = True,
    models: options.ModelsOption = None,
    max_bytes: options.MaxBytesOption = DEFAULT_MAX_BYTES,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Colour the diff. (default: on when the diff goes to a terminal)",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Restore FILE; exit 0 (clean), 1 (spun text found) or 2 (an error)."""
    if output == "-":
        output = None
    references = reference or []
    if [file, *references].count("-") > 1:
        error("FILE and --reference cannot both be '-' (standard input).")
        raise typer.Exit(EXIT_ERROR)
    if output is not None:
        inputs = [("input file", file)] + [("reference file", r) for r in references]
        problem = output_problem(output, inputs)
        if problem is not None:
            error(problem)
            raise typer.Exit(EXIT_ERROR)
    # Inputs first: a typo should not cost loading the models.
    try:
        text, bom = read_input(file, max_bytes=max_bytes)
        ref_texts = [read_text(r, max_bytes=max_bytes) for r in references]
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    try:
        sf = options.load_models(models, threshold, context, lm_reading)
    except SpinfixError as exc:
        error(f"{exc}" + ("" if models is not None else " Or pass --models PATH."))
        raise typer.Exit(EXIT_ERROR) from None

    try:
        with Progress(1) as progress:
            n_sentences = count_sentences([text]) if not quiet else 0
            if n_sentences >= options.PROGRESS_MIN_SENTENCES:
                progress.start()
                # restore_many reports every sentence once for detection, then the flagged ones
                # again as they are restored: half the bar for each pass.
                progress.start_batch(1, n_sentences, passes=2)
            seen = 0

            def on_progress(n: int) -> None:
                nonlocal seen
                seen += n
                progress.sentences_done(n)
                if seen >= n_sentences:
                    progress.describe("restoring")

            reports = sf.restore_many(
                [text],
                references=[ref_texts or None],
                method=method.value if method is not None else None,
                sources=[STDIN_NAME if file == "-" else file],
                progress=on_progress,
                min_confidence=min_confidence,
            )
    except KeyboardInterrupt:
        error("interrupted: nothing written" + (f" ({output} is as it was)" if output is not None else ""))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except SpinfixError as exc:  # e.g. no rewriter in the models folder
        error(str(exc).replace("method='baseline'", "--method baseline"))
        raise typer.Exit(EXIT_ERROR) from None
    except ValueError as exc:  # an unknown method
        logger.debug("restore failed", exc_info=True)
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None

    report = reports[0]
    use_color = color if color is not None else output is None and options.auto_color()
    if fmt is options.RestoreFormat.text:
        # The input exactly, edits made: its byte-order mark too, when it had one.
        result = ("\ufeff" if bom else "") + render.render_restored(report)
    elif fmt is options.RestoreFormat.diff:
        result = render.render_diff(report, color=use_color) + "\n"
    elif fmt is options.RestoreFormat.html:
        from spinfix.render.html import render_report

        result = render_report(report, options.model_facts(sf)) + "\n"
    else:
        ascii_only = output is None and not unicode_stream(sys.stdout)
        result = render.render_json(report, ensure_ascii=ascii_only) + "\n"
    emit(result, output, raw=fmt in (options.RestoreFormat.text, options.RestoreFormat.html))

    code = EXIT_SPUN if report.is_spun else EXIT_CLEAN
    logger.info("%d edit(s) in %s by %s: exit %d", len(report.edits or []), report.source, report.method, code)
    raise typer.Exit(code)
