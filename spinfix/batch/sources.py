"""What INPUT is: a folder of text files, a JSONL file or folder of them, a Parquet file or
folder of them; and its files, in the order their documents are numbered."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from spinfix.errors import InputError

logger = logging.getLogger(__name__)

KINDS = ("text", "jsonl", "parquet")
SUFFIXES = {".jsonl": "jsonl", ".parquet": "parquet"}


@dataclass(frozen=True)
class InputFile:
    """One file of the input: its path relative to the input ("" when the input is this file),
    and what says whether it changed (size, modification time)."""

    rel: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Source:
    path: str  # absolute
    kind: str  # text | jsonl | parquet
    files: tuple[InputFile, ...]

    def file_path(self, rel: str) -> str:
        return os.path.join(self.path, rel) if rel else self.path


def open_source(path: str) -> Source:
    """The input at `path` and its files (hidden ones left out), sorted by relative path.

    A folder holding only .jsonl files (or only .parquet files) is read as such; any other
    folder is a folder of text files, every file a document."""
    path = os.path.abspath(path)
    if os.path.isfile(path):
        kind = SUFFIXES.get(Path(path).suffix.lower())
        if kind is None:
            raise InputError(
                f"{path} is a single file: spinfix batch reads a folder of text files, a .jsonl or a "
                "folder of them, or a .parquet or a folder of them (for one text file, use spinfix detect)."
            )
        return Source(path, kind, (_stat("", path),))
    if not os.path.isdir(path):
        raise InputError(f"{path}: no such file or folder.")
    files = tuple(sorted(_walk(path), key=lambda f: f.rel))
    if not files:
        raise InputError(f"{path} holds no files: there is nothing to check.")
    kinds = {SUFFIXES.get(Path(f.rel).suffix.lower(), "text") for f in files}
    if kinds == {"jsonl", "parquet"}:
        raise InputError(f"{path} holds both .jsonl and .parquet files: give one kind at a time.")
    kind = kinds.pop() if len(kinds) == 1 else "text"
    logger.info("%s: %d %s file(s)", path, len(files), kind)
    return Source(path, kind, files)


def _walk(root: str) -> list[InputFile]:
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .git, .cache: not input
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out.append(_stat(rel, full))
    return out


def _stat(rel: str, full: str) -> InputFile:
    try:
        st = os.stat(full)
    except OSError:  # a dangling link: its read gives the error record
        return InputFile(rel, -1, 0)
    return InputFile(rel, st.st_size, st.st_mtime_ns)
