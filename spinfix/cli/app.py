"""The typer app every command registers on, logging, and the entry point that turns every
failure into a message and an exit code (the codes: spinfix.cli)."""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Annotated, TextIO

import typer

from spinfix import __version__
from spinfix.errors import SpinfixError
from spinfix.io.writing import OutputClosed, write_output, write_stdout

logger = logging.getLogger(__name__)

EXIT_CLEAN = 0
EXIT_SPUN = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell convention

EXIT_CODES_HELP = (
    "Exit codes: 0 = no spun text found; 1 = spun text found; 2 = error (an unreadable input, a "
    "bad option, missing models). If some files cannot be read, the others are still checked "
    "and reported, and the exit code is 2. 130 = interrupted (Ctrl-C): the reports of the files "
    "finished are written, and a JSON array is closed over them."
)

app = typer.Typer(
    name="spinfix",
    help=(
        "Find synonym-spun text. Content farms copy news articles and run them through a "
        "synonym spinner (\"military aid\" becomes \"navy help\") to pass them off as new. "
        "spinfix reads text, flags the sentences that look spun, marks the phrases a spinner "
        "most likely swapped in, and can put the original wording back.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    # Tracebacks are for bugs only; main() turns every other failure into a message.
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def error(message: str) -> None:
    """One line on stderr: ``spinfix: error: <message>``."""
    typer.echo(f"spinfix: error: {message}", err=True)


def emit(text: str, output: str | None, raw: bool = False) -> None:
    """A command's whole result: on stdout (`raw`: its UTF-8 bytes as they are, whatever
    stdout's encoding), or in `output`, written only once complete. A file that cannot be
    written is an error exit."""
    if output is None:
        write_stdout(text, raw=raw)
        return
    try:
        write_output(output, text.encode("utf-8"))
    except OSError as exc:
        error(f"cannot write {output}: {exc.strerror or exc}.")
        raise typer.Exit(EXIT_ERROR) from None


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"spinfix {__version__}")
        raise typer.Exit(EXIT_CLEAN)


class _StderrHandler(logging.StreamHandler):
    """A handler on whatever ``sys.stderr`` is when a record is emitted.

    Test runners and rich swap sys.stderr; a handler holding the stream it was created with
    would write to a closed file later on.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always sys.stderr


def setup_logging(verbosity: int) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv (spinfix's loggers only)."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("spinfix: %(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)
    # Only our own loggers get chattier: torch and transformers at INFO bury what matters.
    logging.getLogger("spinfix").setLevel(level)


@app.callback()
def _root(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="Log more to stderr: -v for progress notes, -vv for debugging.")
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Find synonym-spun text and mark the spun phrases."""
    setup_logging(verbose)


def _show_usage_error(exc: typer.TyperException) -> None:
    """Typer's own rendering of a usage error (usage line, hint, message) on stderr."""
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
    except Exception:  # typer without rich, or its internals changed: the plain message will do
        error(exc.format_message())


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises, never shows a traceback for user errors)."""
    try:
        rv = app(args=list(argv) if argv is not None else None, prog_name="spinfix", standalone_mode=False)
        sys.stdout.flush()
    except typer.TyperException as exc:
        # Bad options and usage (typer's vendored click exceptions all derive from
        # TyperException). Some would exit 1, which here means "spun text found": every usage
        # problem is EXIT_ERROR.
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help already
            _show_usage_error(exc)
        return EXIT_ERROR
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("spinfix: interrupted", err=True)
        return EXIT_INTERRUPTED
    except (OutputClosed, BrokenPipeError):
        # The reader went away (`spinfix detect ... | head`): stop quietly, and keep Python
        # from complaining again when it flushes stdout at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (SpinfixError, OSError) as exc:
        error(str(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug: still exit 2, never 1 (which means "spun text found")
        logger.debug("internal error", exc_info=True)
        error(f"internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback; please report it)")
        return EXIT_ERROR
    return rv if isinstance(rv, int) else EXIT_CLEAN


def main() -> None:
    """Console-script entry point (``spinfix = "spinfix.cli:main"``)."""
    sys.exit(run())
