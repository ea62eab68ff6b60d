"""Reading user input safely: bounded size, clear errors for binary or non-UTF-8 data.

The text is returned exactly as given, apart from a leading UTF-8 byte-order mark, which is
stripped. Line endings (CRLF, CR) are NOT normalised and nothing else is cleaned: sentence and
token offsets must index what the user gave us, so that spans we report can be mapped back.
"""
from __future__ import annotations

import codecs
import logging
import os
import stat
import sys
from typing import BinaryIO, TextIO

from spinfix.errors import InputError

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Binary sniffing looks at the start only: enough to catch images, archives, UTF-16 files and
# executables, without scanning a large file twice.
_SNIFF_BYTES = 8 * 1024
# C0 control characters other than the whitespace ones real text contains (\t \n \v \f \r),
# plus DEL. ESC counts: a few colour codes stay under the threshold, a binary blob does not.
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D} | {0x7F}
_MAX_CONTROL_SHARE = 0.10
_READ_CHUNK = 1024 * 1024


def _human_size(n: int) -> str:
    """Size for messages: '62.5 MiB (65,536,000 bytes)'."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "bytes":
                return f"{n:,} bytes"
            return f"{value:.1f} {unit} ({n:,} bytes)"
        value /= 1024
    raise AssertionError("unreachable")


def _binary_reason(data: bytes) -> str | None:
    """Why the start of ``data`` looks binary, or None if it looks like text."""
    head = data[:_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "it looks binary (UTF-16 text?); convert it first, e.g. `iconv -f utf-16 -t utf-8`"
    if head.startswith(b"\x1f\x8b"):
        return "it looks binary (gzip-compressed?); decompress it first, e.g. with `gunzip`"
    nul = data.find(b"\x00")  # anywhere: a NUL byte is never text, late in a file or early
    if nul >= 0:
        return f"it looks binary (a NUL byte at byte offset {nul:,})"
    controls = sum(1 for b in head if b in _CONTROL_BYTES)
    if head and controls / len(head) > _MAX_CONTROL_SHARE:
        return f"it looks binary ({controls} control characters in the first {len(head):,} bytes)"
    return None


def decode_text(data: bytes, name: str = "<input>") -> str:
    """Decode ``data`` as UTF-8 text, or raise :class:`InputError` saying why it is not text.

    A leading UTF-8 BOM is stripped; everything else (line endings included) is kept as is.
    """
    if not data:
        raise InputError(f"{name} is empty: there is no text to check.")
    reason = _binary_reason(data)
    if reason is not None:
        raise InputError(f"{name} is not a text file: {reason}.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"{name} is not valid UTF-8: byte 0x{bad} at byte offset {exc.start:,} (line {line}) "
            f"cannot be decoded. Convert the file to UTF-8 first, e.g. "
            f"`iconv -f latin1 -t utf-8 {name} > converted.txt`."
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM is an encoding marker, not content
    if not text.strip():
        raise InputError(f"{name} is empty: it contains only whitespace.")
    return text


def _too_large(name: str, size: int | None, max_bytes: int) -> InputError:
    what = f"is {_human_size(size)}" if size is not None else "is larger than that"
    return InputError(
        f"{name} {what}, over the limit of {_human_size(max_bytes)}; "
        f"raise the limit with --max-bytes if you really mean to process it."
    )


def _read_bounded(stream: BinaryIO | TextIO, limit: int) -> bytes:
    """Read at most ``limit`` bytes, looping because pipes and raw streams return short reads."""
    parts: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        if isinstance(chunk, str):  # a text stream without .buffer (rare: embedded consoles)
            chunk = chunk.encode("utf-8")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _read_stdin(max_bytes: int) -> bytes:
    name = "standard input"
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    if stream is None:
        raise InputError("standard input is not available; pass a file path instead of '-'.")
    try:
        data = _read_bounded(stream, max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        # We stopped at max_bytes + 1, so the true size is unknown; don't read on to learn it.
        raise _too_large(name, None, max_bytes)
    logger.debug("read %d bytes from standard input", len(data))
    return data


def read_text(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a UTF-8 text file (``"-"`` means standard input) of at most ``max_bytes`` bytes.

    Raises :class:`InputError` with a message naming the file for every way the input can be
    unusable: missing, a directory, unreadable, empty, binary, not UTF-8, or too large.
    """
    return read_input(path, max_bytes)[0]


def read_input(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bool]:
    """`read_text`, and whether a UTF-8 byte-order mark preceded the text (a restored copy of
    the file carries it again)."""
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
    name = os.fspath(path)
    data = _read_stdin(max_bytes) if name == "-" else _read_file(name, max_bytes)
    return decode_text(data, "standard input" if name == "-" else name), data.startswith(codecs.BOM_UTF8)


def _read_file(name: str, max_bytes: int) -> bytes:

    try:
        # Open first, then fstat the open file: no window between the check and the read.
        with open(name, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):  # some platforms let you open a directory
                raise InputError(f"{name} is a directory, not a text file.")
            if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
                raise _too_large(name, st.st_size, max_bytes)
            # Pipes, /dev/stdin and process substitution have no meaningful size: read bounded.
            data = _read_bounded(fh, max_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file.") from exc
    except NotADirectoryError as exc:
        raise InputError(f"{name}: no such file (a part of the path is not a directory).") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{name} is a directory, not a text file.") from exc
    except PermissionError as exc:
        raise InputError(f"{name}: permission denied; check that you can read it.") from exc
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:  # not a regular file, or it grew while we read it
        raise _too_large(name, None, max_bytes)
    logger.debug("read %d bytes from %s", len(data), name)
    return data
