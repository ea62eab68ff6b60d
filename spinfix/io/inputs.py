"""Command-line inputs read lazily, in bounded batches: sentences of several files share model
batches, while memory stays bounded however many files are given."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spinfix.errors import SpinfixError
from spinfix.io.reading import read_text

STDIN_NAME = "<stdin>"

# Files per batch. A batch also ends once it holds this many characters, so 32 files near
# --max-bytes cannot pile up.
BATCH_FILES = 32
BATCH_CHARS = 16 * 1024 * 1024


@dataclass
class Input:
    """One command-line input: its name and, if it could be read, its text."""

    arg: str
    name: str
    text: str | None = None
    error: str | None = None


def input_batches(
    files: Sequence[str], max_bytes: int, batch_files: int | None = None, batch_chars: int | None = None
) -> Iterator[list[Input]]:
    """Read inputs lazily in bounded batches (of BATCH_FILES files and BATCH_CHARS characters at
    most, unless given), in command-line order ('-' is standard input). An input that cannot be
    read comes with its error instead of its text."""
    batch_files = BATCH_FILES if batch_files is None else batch_files
    batch_chars = BATCH_CHARS if batch_chars is None else batch_chars
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
        if len(batch) >= batch_files or chars >= batch_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch
