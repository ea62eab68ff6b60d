"""Writing results: to a file atomically (never half a file), straight through to a device, a
pipe or stdout, as exact bytes or as text the terminal can show; and the checks that an output
path destroys nothing (not the input, not a special file)."""
from __future__ import annotations

import codecs
import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from typing import TextIO


class OutputClosed(Exception):
    """stdout was closed by its reader (``spinfix detect ... | head``).

    Deliberately not an OSError: typer would turn a broken pipe into exit code 1, which here
    means "spun text found".
    """


def unicode_stream(stream: TextIO) -> bool:
    """Whether ``stream`` can carry any character (JSON falls back to \\u escapes otherwise)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name in {"utf-8", "utf-16", "utf-32", "gb18030"}
    except LookupError:
        return False


def stream_is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams (tests, daemons)
        return False


def write_stdout(s: str, raw: bool) -> None:
    """Write ``s`` to stdout; ``raw``: exactly its UTF-8 bytes (file content: no newline
    translation, no re-encoding). Otherwise as text, escaping what stdout cannot encode."""
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if raw and buffer is not None:
            buffer.write(s.encode("utf-8"))
            buffer.flush()
            return
        if not unicode_stream(sys.stdout):
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


def write_atomic(path: str, data: bytes) -> None:
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


def write_output(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``: a regular file (or a new one) atomically (`write_atomic`); a
    character device, a pipe or a socket (``/dev/null``, ``/dev/stdout``, a FIFO) straight
    through, never replaced by a file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "wb") as fh:
            fh.write(data)
        return
    write_atomic(path, data)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (links followed); "-" is standard input."""
    try:
        sa = os.fstat(0) if a == "-" else os.stat(a)
        sb = os.fstat(0) if b == "-" else os.stat(b)
    except OSError:  # one does not exist (yet), or there is no standard input
        return a != "-" and b != "-" and os.path.realpath(a) == os.path.realpath(b)
    if not stat.S_ISREG(sa.st_mode) or not stat.S_ISREG(sb.st_mode):
        return False  # a pipe or a terminal read from and written to is not a file destroyed
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def output_problem(output: str, inputs: Sequence[tuple[str, str]]) -> str | None:
    """Why OUT cannot be written, found before the models load; None if it looks writable.

    ``inputs`` are (what, path) pairs that OUT must not overwrite; "-" is standard input, which
    a shell may have opened on OUT itself (``spinfix restore - -o in.txt < in.txt``).
    """
    for what, path in inputs:
        if same_file(output, path):
            where = "standard input" if path == "-" else f"the {what}"
            return f"{output} is {where}; refusing to overwrite it. Write to another file."
    try:
        st = os.stat(output)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return f"cannot write {output}: {exc.strerror or exc}."
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return f"cannot write {output}: it is a directory."
        return None  # a file to replace, or a device or pipe to write through
    folder = os.path.dirname(os.path.realpath(output))
    if not os.path.isdir(folder):
        return f"cannot write {output}: the folder {os.path.dirname(output) or '.'} does not exist."
    return None
