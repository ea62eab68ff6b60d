"""Planning a batch job: the input cut into shard tasks of `shard_size` documents, each able to
read exactly its own documents again, without reading the shards before it.

Document i of the input (in file order, then line or row order) belongs to shard
i // shard_size, whichever file it is in; a shard may span files, so a task is a list of
ranges, one per file. Planning streams: a JSONL file is scanned for where its lines start, a
Parquet file's row count comes from its footer, a text folder is listed; no text is held.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

from spinfix.batch.docs import Doc
from spinfix.batch.readers import parquet_rows, read_jsonl, read_parquet, read_text_doc, scan_jsonl
from spinfix.batch.sources import Source, open_source
from spinfix.errors import InputError
from spinfix.io.reading import DEFAULT_MAX_BYTES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Range:
    """Consecutive documents of one input file."""

    file: str  # relative to the input ("" when the input is this file)
    start: int  # JSONL: byte offset of the first document's line; Parquet: its row; text: 0
    count: int  # documents
    line: int = 0  # JSONL: the line number at `start` (documents without an id are named by it)


@dataclass(frozen=True)
class ShardTask:
    """Everything needed to read one shard's documents, anywhere the input can be read: plain
    data, so a task can be sent to another process."""

    shard: int
    kind: str  # text | jsonl | parquet
    root: str  # the input: a folder, or the one file
    first: int  # index of the shard's first document in the whole input
    ranges: tuple[Range, ...]
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def count(self) -> int:
        return sum(r.count for r in self.ranges)

    @property
    def last(self) -> int:
        """Index of the shard's last document (inclusive)."""
        return self.first + self.count - 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: how a task travels to a worker of another engine (Ray)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ShardTask:
        return cls(
            shard=d["shard"], kind=d["kind"], root=d["root"], first=d["first"],
            ranges=tuple(Range(**r) for r in d["ranges"]), max_bytes=d["max_bytes"],
        )


@dataclass(frozen=True)
class Plan:
    source: Source
    shard_size: int
    tasks: tuple[ShardTask, ...]

    @property
    def documents(self) -> int:
        return sum(t.count for t in self.tasks)


def plan_input(path: str, shard_size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    """The shard tasks of the input at `path` (see the module's docstring)."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1, got {shard_size}")
    source = open_source(path)
    planner = _Planner(source, shard_size, max_bytes)
    for f in source.files:
        full = source.file_path(f.rel)
        if source.kind == "text":
            planner.add(f.rel, 0, 1)
        elif source.kind == "jsonl":
            for offset, line in scan_jsonl(full):
                planner.add(f.rel, offset, 1, line)
        else:
            planner.add(f.rel, 0, parquet_rows(full))
    plan = Plan(source, shard_size, planner.finish())
    logger.info("planned %d document(s) in %d shard(s) of up to %d", plan.documents, len(plan.tasks), shard_size)
    return plan


class _Planner:
    """Documents in, shard tasks out: ranges are cut where a shard ends and merged while the
    documents of one file run on."""

    def __init__(self, source: Source, shard_size: int, max_bytes: int) -> None:
        self.source, self.size, self.max_bytes = source, shard_size, max_bytes
        self.tasks: list[ShardTask] = []
        self.ranges: list[Range] = []
        self.first = self.filled = 0

    def add(self, file: str, start: int, count: int, line: int = 0) -> None:
        while count > 0:
            take = min(count, self.size - self.filled)
            if self.ranges and self.ranges[-1].file == file:  # the same file runs on
                self.ranges[-1] = replace(self.ranges[-1], count=self.ranges[-1].count + take)
            else:
                self.ranges.append(Range(file, start, take, line))
            self.filled += take
            start += take
            count -= take
            if self.filled == self.size:
                self._flush()

    def _flush(self) -> None:
        task = ShardTask(len(self.tasks), self.source.kind, self.source.path, self.first, tuple(self.ranges), self.max_bytes)
        self.tasks.append(task)
        self.first += self.filled
        self.ranges, self.filled = [], 0

    def finish(self) -> tuple[ShardTask, ...]:
        if self.ranges:
            self._flush()
        return tuple(self.tasks)


def read_shard(task: ShardTask) -> list[Doc]:
    """The documents of one shard, in input order: each with its text, or with the error that
    makes it an error record (an unreadable file, a bad line, an empty text)."""
    docs: list[Doc] = []
    index = task.first
    for r in task.ranges:
        path = task.root if not r.file else f"{task.root}/{r.file}"
        try:
            if task.kind == "text":
                got = [read_text_doc(index, r.file, path, task.max_bytes)]
            elif task.kind == "jsonl":
                got = read_jsonl(path, r.file, r.start, r.line, r.count, index, task.max_bytes)
            else:
                got = read_parquet(path, r.file, r.start, r.count, index)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if len(got) != r.count:
            # The same shard must always hold the same documents, or records go missing or twice.
            raise InputError(f"{path} changed while the job ran: {len(got)} document(s) where the plan found {r.count}.")
        docs.extend(got)
        index += r.count
    return docs
