"""Reading documents from each kind of input file, a stretch at a time: the planner scans where
the documents are (never holding their texts), a shard reads back exactly its own."""
from __future__ import annotations

import json
from collections.abc import Iterator

from spinfix.batch.docs import Doc, doc_from_fields
from spinfix.errors import InputError
from spinfix.io.reading import read_text

# The fields (JSONL) and columns (Parquet) a document is made of.
FIELDS = ("id", "text", "reference")
# Rows per Parquet batch: bounded memory whatever the row groups' size.
PARQUET_BATCH_ROWS = 1024


def where(name: str, number: int) -> str:
    """A line or row named for messages and as the id of a document without one: "12" in a
    single input file, "part-3.jsonl:12" in a folder of them."""
    return f"{name}:{number}" if name else str(number)


# -- text files --------------------------------------------------------------------------------


def read_text_doc(index: int, rel: str, path: str, max_bytes: int) -> Doc:
    """A text file as one document (id: its relative path); unreadable, empty, binary, not
    UTF-8 or too large, it is an error record."""
    try:
        return Doc(index, rel, text=read_text(path, max_bytes=max_bytes))
    except InputError as exc:
        return Doc(index, rel, error=str(exc))


# -- JSONL ---------------------------------------------------------------------------------------


def scan_jsonl(path: str) -> Iterator[tuple[int, int]]:
    """(byte offset, 1-based line number) of each document line of a JSONL file; blank lines
    are not documents. Reads the file once, a line at a time."""
    try:
        with open(path, "rb") as fh:
            offset = 0
            for number, line in enumerate(fh, 1):
                if line.strip():
                    yield offset, number
                offset += len(line)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_jsonl(path: str, name: str, offset: int, line: int, count: int, first_index: int, max_bytes: int) -> list[Doc]:
    """The `count` documents from byte `offset` (line number `line`) of a JSONL file."""
    docs: list[Doc] = []
    with open(path, "rb") as fh:
        fh.seek(offset)
        number = line
        for raw in fh:
            if len(docs) == count:
                break
            if raw.strip():
                docs.append(jsonl_doc(first_index + len(docs), where(name, number), raw, max_bytes))
            number += 1
    return docs


def jsonl_doc(index: int, at: str, raw: bytes, max_bytes: int) -> Doc:
    """The document of one JSONL line, or an error record naming the line."""
    if len(raw) > max_bytes:
        return Doc(index, at, error=f"{at}: the line is {len(raw):,} bytes, over the limit of {max_bytes:,}")
    try:
        line = raw.decode("utf-8").lstrip("\ufeff")  # a byte-order mark before the first line
    except UnicodeDecodeError as exc:
        return Doc(index, at, error=f"{at}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Doc(index, at, error=f"{at}: not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return Doc(index, at, error=f"{at}: not a JSON object (with `text`, and optionally `id` and `reference`)")
    return doc_from_fields(index, at, {k: obj.get(k) for k in FIELDS})


# -- Parquet -------------------------------------------------------------------------------------


def parquet_rows(path: str) -> int:
    """The number of rows of a Parquet file (from its footer), after checking it has a `text`
    column: a file that cannot be read at all is a mistake to fix before the job starts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path} is not a readable Parquet file: {exc}") from exc
    names = pf.schema_arrow.names
    if "text" not in names:
        raise InputError(f"{path} has no `text` column (its columns: {', '.join(names) or 'none'}).")
    return int(pf.metadata.num_rows)


def read_parquet(path: str, name: str, start: int, count: int, first_index: int) -> list[Doc]:
    """The documents of rows [start, start + count) of a Parquet file, read in row batches from
    the row groups that hold them only."""
    import pyarrow as pa

    try:
        return _read_parquet(path, name, start, count, first_index)
    except pa.ArrowException as exc:  # a damaged page: not one document's fault, the job stops
        raise InputError(f"cannot read {path}: {exc}") from exc


def _read_parquet(path: str, name: str, start: int, count: int, first_index: int) -> list[Doc]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    columns = [c for c in FIELDS if c in pf.schema_arrow.names]
    end = start + count
    groups: list[int] = []
    first_row = row = 0
    for g in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(g).num_rows
        if row < end and row + n > start:
            if not groups:
                first_row = row
            groups.append(g)
        row += n
    docs: list[Doc] = []
    row = first_row
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=groups, columns=columns):
        lo, hi = max(start - row, 0), min(end - row, batch.num_rows)
        if hi > lo:
            values = batch.slice(lo, hi - lo).to_pydict()
            for j in range(hi - lo):
                r = row + lo + j
                docs.append(doc_from_fields(first_index + r - start, where(name, r), {c: values[c][j] for c in columns}))
        row += batch.num_rows
        if row >= end:
            break
    return docs
