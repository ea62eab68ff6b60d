"""The ``spinfix`` command line: a thin layer over :mod:`spinfix.pipeline`.

    spinfix detect article.txt              # human report, spun phrases highlighted
    spinfix detect --format jsonl *.txt     # one JSON document per line, per file
    cat article.txt | spinfix detect -      # '-' reads standard input
    spinfix restore spun.txt -o fixed.txt   # the text with the original wording put back
    spinfix restore --format diff spun.txt  # the text with each edit shown as old -> new

Exit codes (every command):

    0  no spun text found
    1  spun text found in at least one input (restore: and the confident edits applied)
    2  error: an unreadable input, a bad option, missing models, an output that cannot be
       written, or an internal error. If some of detect's inputs cannot be read the others are
       still checked and reported, but the exit code is 2: an error outranks a finding, so a
       script never mistakes a partial run for a complete one.

Results go to stdout (restore: or to -o OUT); progress, errors (``spinfix: error: <message>``)
and logs go to stderr. New commands should reuse :func:`_load`, :func:`_batches` and
:class:`_Progress`, and return their exit code by raising ``typer.Exit``.
"""
from __future__ import annotations

import codecs
import contextlib
import enum
import logging
import os
import re
import stat
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from spinfix import __version__, render
from spinfix.errors import ModelError, SpinfixError
from spinfix.report import Report
from spinfix.textio import DEFAULT_MAX_BYTES, read_text

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

EXIT_CLEAN = 0
EXIT_SPUN = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell convention

# Files per detect_many call: sentences of several files share model batches, while memory
# stays bounded however many files are given. A batch also ends once it holds this many
# characters, so 32 files near --max-bytes cannot pile up.
BATCH_FILES = 32
BATCH_CHARS = 16 * 1024 * 1024

# A single file gets a progress bar only when it is long enough to take a while.
PROGRESS_MIN_SENTENCES = 200

STDIN_NAME = "<stdin>"

_EXIT_CODES_HELP = (
    "Exit codes: 0 = no spun text found; 1 = spun text found; 2 = error (an unreadable input, a "
    "bad option, missing models). If some files cannot be read, the others are still checked "
    "and reported, and the exit code is 2."
)
_RESTORE_EXIT_CODES_HELP = (
    "Exit codes: 0 = no spun text found (the text is written back unchanged); 1 = spun text "
    "found; 2 = error (an unreadable input, a bad option, missing models, an output that cannot "
    "be written)."
)

app = typer.Typer(
    name="spinfix",
    help=(
        "Find synonym-spun text. Content farms copy news articles and run them through a "
        "synonym spinner (\"military aid\" becomes \"navy help\") to pass them off as new. "
        "spinfix reads text, flags the sentences that look spun, marks the phrases a spinner "
        "most likely swapped in, and can put the original wording back.\n\n" + _EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    # Tracebacks are for bugs only; main() turns every other failure into a message.
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, enum.Enum):
    """What `detect` writes to stdout."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


class RestoreFormat(str, enum.Enum):
    """What `restore` writes."""

    text = "text"
    diff = "diff"
    json = "json"


class Method(str, enum.Enum):
    """Restoration methods (see :meth:`spinfix.pipeline.Spinfix.restorer`)."""

    rewriter = "rewriter"
    baseline = "baseline"


# -- helpers shared by commands --------------------------------------------------------------


def error(message: str) -> None:
    """One line on stderr: ``spinfix: error: <message>``."""
    typer.echo(f"spinfix: error: {message}", err=True)


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
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always sys.stderr


def _setup_logging(verbosity: int) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv (spinfix's loggers only)."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("spinfix: %(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)
    # Only our own loggers get chattier: torch and transformers at INFO bury what matters.
    logging.getLogger("spinfix").setLevel(level)


_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(value: str | int) -> int:
    """``"1048576"``, ``"512K"``, ``"50M"``, ``"1.5GiB"`` -> bytes (binary units)."""
    if isinstance(value, int):  # the default, already in bytes
        return value
    m = _SIZE_RE.fullmatch(value)
    if not m:
        raise typer.BadParameter(f"{value!r} is not a size; use bytes or a unit, e.g. 50M or 2G.")
    number, unit = float(m.group(1)), m.group(2).lower()
    size = int(number * 1024 ** "_kmgt".index(unit or "_"))
    if size < 1:
        raise typer.BadParameter("must be at least 1 byte.")
    return size


def _check_threshold(value: float | None) -> float | None:
    # `not 0 < value < 1` also rejects NaN, which click's float parser accepts.
    if value is not None and not 0 < value < 1:
        raise typer.BadParameter(f"{value} is not between 0 and 1 (exclusive); e.g. 0.5.")
    return value


def _unicode_stdout(stream: TextIO) -> bool:
    """Whether ``stream`` can carry any character (JSON falls back to \\u escapes otherwise)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name in {"utf-8", "utf-16", "utf-32", "gb18030"}
    except LookupError:
        return False


def _stream_is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams (tests, daemons)
        return False


def _auto_color() -> bool:
    """Color by default only on a terminal, honouring https://no-color.org and TERM=dumb."""
    return _stream_is_tty(sys.stdout) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _load(models: Path | None, threshold: float | None, context: bool = True, lm_reading: bool = True) -> Spinfix:
    """Load the models once for the whole command; raise ModelError with a user message."""
    # Imported here so that --help and --version need not import torch. (They still do today:
    # spinfix/__init__.py imports the pipeline eagerly.)
    import spinfix

    logger.info("loading models from %s", models if models is not None else "the default location")
    try:
        return spinfix.load(models, threshold=threshold, context=context, lm_reading=lm_reading)
    except SpinfixError:
        raise
    except Exception as exc:  # a corrupt checkpoint can fail in torch, safetensors, tokenizers...
        logger.debug("model load failed", exc_info=True)
        where = models if models is not None else "the default models folder"
        raise ModelError(f"cannot load the models from {where}: {exc}") from exc


class OutputClosed(Exception):
    """stdout was closed by its reader (``spinfix detect ... | head``).

    Deliberately not an OSError: typer would turn a broken pipe into exit code 1, which here
    means "spun text found".
    """


@dataclass
class Input:
    """One command-line input: its name and, if it could be read, its text."""

    arg: str
    name: str
    text: str | None = None
    error: str | None = None


def _batches(files: Sequence[str], max_bytes: int) -> Iterator[list[Input]]:
    """Read inputs lazily in bounded batches (see BATCH_FILES), in command-line order."""
    batch: list[Input] = []
    chars = 0
    for arg in files:
        item = Input(arg=arg, name=STDIN_NAME if arg == "-" else arg)
        try:
            item.text = read_text(arg, max_bytes=max_bytes)
            chars += len(item.text)
        except SpinfixError as exc:
            item.error = str(exc)
        batch.append(item)
        if len(batch) >= BATCH_FILES or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class _Progress:
    """A rich progress bar on stderr, measured in files; every method is a no-op until started.

    Within a batch the bar advances per sentence scored (spread over the batch's files), so
    one long file moves the bar too.
    """

    def __init__(self, n_files: int) -> None:
        self.n_files = n_files
        self.active = False
        self._bar = None  # rich.progress.Progress once started
        self._task = None
        self._done = 0
        self._per_sentence = 0.0

    def start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[done]}/{task.total:.0f} files"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            # Results go to the real stdout; rich would otherwise route them through its
            # stderr console.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("checking", total=self.n_files, done=self._done)
        self._bar.start()
        self.active = True

    def describe(self, description: str) -> None:
        """Change the words before the bar ("checking", "restoring")."""
        if self.active:
            self._bar.update(self._task, description=description)

    def stop(self) -> None:
        if self._bar is not None and self.active:
            self._bar.stop()
        self.active = False

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_batch(self, n_files: int, n_sentences: int) -> None:
        """The next batch has ``n_files`` readable files holding ``n_sentences`` sentences."""
        self._per_sentence = n_files / n_sentences if n_sentences else 0.0
        if self.active and not n_sentences:
            self._bar.advance(self._task, n_files)

    def sentences_done(self, n: int) -> None:
        """detect_many's progress callback: ``n`` more sentences scored."""
        if self.active:
            self._bar.advance(self._task, n * self._per_sentence)

    def files_done(self, n: int, skipped: bool = False) -> None:
        """``n`` files finished; ``skipped`` ones (unreadable) were never scored."""
        self._done += n
        if self.active:
            if skipped:
                self._bar.advance(self._task, n)
            self._bar.update(self._task, done=self._done)

    def error(self, message: str) -> None:
        """``spinfix: error: <message>`` on stderr, without tearing a live bar."""
        if self.active:
            self._bar.console.print(f"spinfix: error: {message}", markup=False, highlight=False, soft_wrap=True)
        else:
            error(message)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hide the bar while results go to stdout, when stdout is the same terminal."""
        if self.active and _stream_is_tty(sys.stdout):
            self._bar.stop()
            try:
                yield
            finally:
                sys.stdout.flush()
                self._bar.start()
        else:
            yield


def _count_sentences(texts: Sequence[str]) -> int:
    """Sentence count, for the progress bar only (segmentation is cheap next to the model)."""
    from spinfix.document import split_sentences

    return sum(len(split_sentences(t)) for t in texts)


class _Writer:
    """Writes reports to stdout in one of the formats, keeping the output well-formed."""

    def __init__(self, fmt: OutputFormat, color: bool, array: bool) -> None:
        self.fmt = fmt
        self.color = color
        self.array = array  # json with several inputs: one JSON array of reports
        self.ascii = not _unicode_stdout(sys.stdout)
        self.count = 0

    def _out(self, s: str) -> None:
        try:
            sys.stdout.write(s)
        except BrokenPipeError:
            raise OutputClosed() from None

    def flush(self) -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise OutputClosed() from None

    def write(self, report: Report) -> None:
        r = render
        if self.fmt is OutputFormat.text:
            self._out(("\n" if self.count else "") + r.render_text(report, color=self.color) + "\n")
        elif self.fmt is OutputFormat.jsonl:
            self._out(r.render_jsonl(report, ensure_ascii=self.ascii) + "\n")
        elif self.array:
            doc = textwrap.indent(r.render_json(report, ensure_ascii=self.ascii), "  ")
            self._out(("[\n" if not self.count else ",\n") + doc)
        else:
            self._out(r.render_json(report, ensure_ascii=self.ascii) + "\n")
        self.count += 1

    def close(self) -> None:
        if self.fmt is OutputFormat.json and self.array:
            # Written even when every input failed, so stdout is always valid JSON.
            self._out("[]\n" if not self.count else "\n]\n")
        self.flush()


def _write_stdout(s: str, raw: bool) -> None:
    """Write ``s`` to stdout; ``raw``: exactly its UTF-8 bytes (file content: no newline
    translation, no re-encoding). Otherwise as text, escaping what stdout cannot encode."""
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if raw and buffer is not None:
            buffer.write(s.encode("utf-8"))
            buffer.flush()
            return
        if not _unicode_stdout(sys.stdout):
            encoding = getattr(sys.stdout, "encoding", None) or "ascii"
            s = s.encode(encoding, "backslashreplace").decode(encoding)
        sys.stdout.write(s)
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed() from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and os.replace, so
    a failure never leaves half a file. A link is followed (the file it points to is replaced);
    an existing file keeps its permissions, a new one gets the umask's."""
    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (links followed)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def _output_problem(output: str, inputs: Sequence[tuple[str, str]]) -> str | None:
    """Why OUT cannot be written, found before the models load; None if it looks writable.

    ``inputs`` are (what, path) pairs that OUT must not overwrite.
    """
    for what, path in inputs:
        if path != "-" and _same_file(output, path):
            return f"{output} is the {what}; refusing to overwrite it. Write to another file."
    target = os.path.realpath(output)
    if os.path.isdir(target):
        return f"cannot write {output}: it is a directory."
    if not os.path.isdir(os.path.dirname(target)):
        return f"cannot write {output}: the folder {os.path.dirname(output) or '.'} does not exist."
    return None


# Options shared by several commands.
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        callback=_check_threshold,
        help="Flag a sentence when its spin probability is at least this, in (0, 1). (default: the model's own)",
        show_default=False,
    ),
]
ContextOption = Annotated[
    bool,
    typer.Option(
        "--context/--no-context",
        help=(
            "Weigh each sentence with its neighbours in the same file: spinners spin whole "
            "articles. --no-context reads every sentence alone (for files that mix sources)."
        ),
    ),
]
LMReadingOption = Annotated[
    bool,
    typer.Option(
        "--lm-reading/--no-lm-reading",
        help=(
            "Let the language model read again the sentences the detector is unsure of, where "
            "the models carry a fitted LM reading (spinfix/lm_reading.py; the released detector "
            "does). --no-lm-reading: the detector alone, with its own threshold; about 5x "
            "faster on a CPU, fewer tortured phrases caught."
        ),
    ),
]
MaxBytesOption = Annotated[
    int,
    typer.Option(
        parser=parse_size,
        metavar="SIZE",
        help="Refuse inputs larger than this: bytes, or with a unit, e.g. 200M. (default: 50M)",
        show_default=False,
    ),
]


# -- commands ----------------------------------------------------------------------------------


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
    _setup_logging(verbose)


@app.command(
    help=(
        "Flag the sentences that look synonym-spun and mark the spun phrases.\n\n"
        "Every FILE is reported on, in order, on stdout. Unreadable files are reported on stderr "
        "and skipped; the others are still checked."
    ),
    epilog=_EXIT_CODES_HELP,
)
def detect(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="UTF-8 text files to check; '-' reads standard input.", show_default=False),
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="text: a report for people. json: one document (an array for several files). jsonl: one line per file.",
        ),
    ] = OutputFormat.text,
    threshold: ThresholdOption = None,
    context: ContextOption = True,
    lm_reading: LMReadingOption = True,
    models: Annotated[
        Path | None,
        typer.Option(
            help="Models folder (holding detector/). (default: $SPINFIX_MODELS, else models/ in the checkout)",
            show_default=False,
        ),
    ] = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Highlight spun phrases. (default: on when stdout is a terminal)", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Report on FILES; exit 0 (clean), 1 (spun text found) or 2 (an error)."""
    try:
        sf = _load(models, threshold, context, lm_reading)
    except SpinfixError as exc:
        # The pipeline's message speaks to API users; on the command line the knob is --models.
        error(f"{exc}" + ("" if models is not None else " Or pass --models PATH."))
        raise typer.Exit(EXIT_ERROR) from None

    writer = _Writer(fmt, color=_auto_color() if color is None else color, array=len(files) > 1)
    want_progress = not quiet and _stream_is_tty(sys.stderr)
    n_errors = n_spun = 0
    with _Progress(len(files)) as progress:
        try:
            for batch in _batches(files, max_bytes):
                texts = [item.text for item in batch if item.text is not None]
                names = [item.name for item in batch if item.text is not None]
                if want_progress:
                    n_sentences = _count_sentences(texts)
                    # Several files, or one long enough to take a while.
                    if not progress.active and (len(files) > 1 or n_sentences >= PROGRESS_MIN_SENTENCES):
                        progress.start()
                    progress.start_batch(len(texts), n_sentences)
                for item in batch:
                    if item.error is not None:
                        progress.error(item.error)
                        progress.files_done(1, skipped=True)
                        n_errors += 1
                reports = sf.detect_many(texts, sources=names, progress=progress.sentences_done)
                with progress.writing():
                    for report in reports:
                        writer.write(report)
                        n_spun += report.is_spun
                    writer.flush()  # results appear per batch, not at exit
                progress.files_done(len(reports))
            writer.close()
        except OutputClosed:
            raise
        except BaseException:
            # Interrupted or failed: still close a JSON array, so what was written parses.
            with contextlib.suppress(OutputClosed, OSError):
                writer.close()
            raise

    code = EXIT_ERROR if n_errors else EXIT_SPUN if n_spun else EXIT_CLEAN
    logger.info("%d report(s), %d spun, %d error(s): exit %d", writer.count, n_spun, n_errors, code)
    raise typer.Exit(code)


@app.command(
    help=(
        "Put back the original wording of synonym-spun text.\n\n"
        "FILE is checked as by `spinfix detect`; every flagged phrase gets a suggested original, "
        "and the confident suggestions are applied. By default the restored text is written: "
        "the input exactly, with the edits made and nothing added, so `spinfix restore in.txt "
        "-o out.txt` gives a usable file. A text with nothing flagged comes back unchanged."
    ),
    epilog=_RESTORE_EXIT_CODES_HELP,
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
        RestoreFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help=(
                "text: the restored text, nothing added. diff: the whole text with each edit shown "
                "as old then new, and a summary line. json: the report, with every edit and suggestion."
            ),
        ),
    ] = RestoreFormat.text,
    method: Annotated[
        Method | None,
        typer.Option(
            case_sensitive=False,
            help=(
                "baseline: candidate originals scored by a language model and the evidence for "
                "each; restores more, about as fast. rewriter: a fine-tuned language model rewrites "
                "each flagged sentence. "
                "(default: the released default, named in models/rewriter/spinfix.json)"
            ),
            show_default=False,
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help=(
                "A clean parallel article (the source, or another outlet's report of the same "
                "event). Accepted and recorded; checking restorations against it is a later feature."
            ),
            show_default=False,
        ),
    ] = None,
    threshold: ThresholdOption = None,
    context: ContextOption = True,
    lm_reading: LMReadingOption = True,
    models: Annotated[
        Path | None,
        typer.Option(
            help="Models folder (holding detector/ and rewriter/). (default: $SPINFIX_MODELS, else models/ in the checkout)",
            show_default=False,
        ),
    ] = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
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
    if file == "-" and reference == "-":
        error("FILE and --reference cannot both be '-' (standard input).")
        raise typer.Exit(EXIT_ERROR)
    if output is not None:
        problem = _output_problem(output, [("input file", file), ("reference file", reference or "-")])
        if problem is not None:
            error(problem)
            raise typer.Exit(EXIT_ERROR)
    # Inputs first: a typo should not cost loading the models.
    try:
        text = read_text(file, max_bytes=max_bytes)
        ref_text = read_text(reference, max_bytes=max_bytes) if reference is not None else None
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    try:
        sf = _load(models, threshold, context, lm_reading)
    except SpinfixError as exc:
        error(f"{exc}" + ("" if models is not None else " Or pass --models PATH."))
        raise typer.Exit(EXIT_ERROR) from None

    want_progress = not quiet and _stream_is_tty(sys.stderr)
    try:
        with _Progress(1) as progress:
            n_sentences = _count_sentences([text]) if want_progress else 0
            if n_sentences >= PROGRESS_MIN_SENTENCES:
                progress.start()
                # restore_many reports every sentence once for detection, then the flagged ones
                # again as they are restored: half the bar for each pass.
                progress.start_batch(1, 2 * n_sentences)
            seen = 0

            def on_progress(n: int) -> None:
                nonlocal seen
                seen += n
                progress.sentences_done(n)
                if seen >= n_sentences:
                    progress.describe("restoring")

            reports = sf.restore_many(
                [text],
                references=[ref_text],
                method=method.value if method is not None else None,
                sources=[STDIN_NAME if file == "-" else file],
                progress=on_progress,
            )
    except SpinfixError as exc:  # e.g. no rewriter in the models folder
        error(str(exc).replace("method='baseline'", "--method baseline"))
        raise typer.Exit(EXIT_ERROR) from None
    except ValueError as exc:  # an unknown method
        logger.debug("restore failed", exc_info=True)
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None

    report = reports[0]
    use_color = color if color is not None else output is None and _auto_color()
    if fmt is RestoreFormat.text:
        result = render.render_restored(report)
    elif fmt is RestoreFormat.diff:
        result = render.render_diff(report, color=use_color) + "\n"
    else:
        ascii_only = output is None and not _unicode_stdout(sys.stdout)
        result = render.render_json(report, ensure_ascii=ascii_only) + "\n"
    if output is None:
        _write_stdout(result, raw=fmt is RestoreFormat.text)
    else:
        try:
            _write_atomic(output, result.encode("utf-8"))
        except OSError as exc:
            error(f"cannot write {output}: {exc.strerror or exc}.")
            raise typer.Exit(EXIT_ERROR) from None

    code = EXIT_SPUN if report.is_spun else EXIT_CLEAN
    logger.info("%d edit(s) in %s by %s: exit %d", len(report.edits or []), report.source, report.method, code)
    raise typer.Exit(code)


# -- entry point -------------------------------------------------------------------------------


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


if __name__ == "__main__":
    main()
