"""`spinfix compare`: a suspect text against one or more clean parallel articles."""
from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from spinfix import render
from spinfix.cli import options
from spinfix.cli.app import EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SPUN, app, error
from spinfix.errors import SpinfixError
from spinfix.io.inputs import STDIN_NAME
from spinfix.io.reading import DEFAULT_MAX_BYTES, read_text
from spinfix.io.writing import unicode_stream, write_stdout
from spinfix.render.compare import render_comparison

logger = logging.getLogger(__name__)

COMPARE_EXIT_CODES_HELP = (
    "Exit codes: 0 = not derived from the reference and nothing spun; 1 = derived from the "
    "reference, or spun text found; 2 = error (an unreadable input, a bad option, missing "
    "models); 130 = interrupted."
)


@app.command(
    help=(
        "Check a suspect text against the article it may have been made from (the source, or "
        "another outlet's article on the same event; several may be given).\n\n"
        "Aligns their sentences, marks each difference by kind (a spinner's swap, a rewording, "
        "a changed fact, an insertion, a deletion), says how probably the suspect was derived "
        "from a reference and on what evidence, and restores the suspect's spun wording from "
        "the reference where it was derived from it."
    ),
    epilog=COMPARE_EXIT_CODES_HELP,
)
def compare(
    suspect: Annotated[str, typer.Argument(metavar="SUSPECT", help="The text to check; '-' reads standard input.", show_default=False)],
    references: Annotated[
        list[str],
        typer.Argument(metavar="REFERENCE...", help="One or more clean articles to check it against.", show_default=False),
    ],
    fmt: Annotated[
        options.CompareFormat,
        typer.Option(
            "--format", "-f", case_sensitive=False,
            help=(
                "text: the verdict, its evidence and the aligned pairs. json: all of it. diff: the restored suspect as an inline diff. "
                "html: a self-contained page for a browser: the verdict, the texts side by side, the restored text."
            ),
        ),
    ] = options.CompareFormat.text,
    method: options.MethodOption = None,
    min_confidence: options.MinConfidenceOption = None,
    threshold: options.ThresholdOption = None,
    context: options.ContextOption = True,
    lm_reading: options.LMReadingOption = True,
    models: options.ModelsOption = None,
    max_bytes: options.MaxBytesOption = DEFAULT_MAX_BYTES,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Colour the differences. (default: on when stdout is a terminal)", show_default=False),
    ] = None,
) -> None:
    """Compare SUSPECT with REFERENCE...; exit 0 (not derived, clean), 1 (derived or spun), 2 (error)."""
    if [suspect, *references].count("-") > 1:
        error("only one input can be '-' (standard input).")
        raise typer.Exit(EXIT_ERROR)
    try:  # inputs first: a typo should not cost loading the models
        text = read_text(suspect, max_bytes=max_bytes)
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
        cmp = sf.compare(
            text, ref_texts, method=method.value if method is not None else None,
            source=STDIN_NAME if suspect == "-" else suspect, min_confidence=min_confidence,
        )
    except KeyboardInterrupt:
        error("interrupted: nothing written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except SpinfixError as exc:
        error(str(exc).replace("method='baseline'", "--method baseline"))
        raise typer.Exit(EXIT_ERROR) from None
    use_color = options.auto_color() if color is None else color
    names = [STDIN_NAME if r == "-" else r for r in references]
    if fmt is options.CompareFormat.text:
        out = render_comparison(cmp, color=use_color, names=names) + "\n"
    elif fmt is options.CompareFormat.diff:
        out = render.render_diff(cmp.report, color=use_color) + "\n"
    elif fmt is options.CompareFormat.html:
        from spinfix.render import html  # jinja2 only for the page

        out = html.render_comparison(cmp, names=names, models=options.model_facts(sf)) + "\n"
    else:
        import json

        d = cmp.to_dict()
        d["reference_names"] = names
        out = json.dumps(d, indent=2, ensure_ascii=not unicode_stream(sys.stdout)) + "\n"
    write_stdout(out, raw=fmt is options.CompareFormat.html)  # a page says it is UTF-8: its bytes as they are
    code = EXIT_SPUN if cmp.is_derived or cmp.report.is_spun else EXIT_CLEAN
    logger.info("derived %.3f, %d edit(s): exit %d", cmp.derived, len(cmp.report.edits or []), code)
    raise typer.Exit(code)
