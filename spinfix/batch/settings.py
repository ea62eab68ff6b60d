"""What a batch job is asked to do: one dataclass, saved in the job's manifest and compared on
--resume."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from spinfix.errors import SpinfixError
from spinfix.io.reading import DEFAULT_MAX_BYTES
from spinfix.settings import from_dict, to_dict

TASKS = ("detect", "restore", "compare")
FORMATS = ("parquet", "jsonl")
DEFAULT_SHARD_SIZE = 1000

# Where the job runs, not what it computes: these may change between a run and its resume (the
# folders may be moved, the models are compared by what they are, not where they lie).
RESUME_FREE = frozenset({"out", "models", "device"})


@dataclass(frozen=True)
class BatchSettings:
    """One batch job: INPUT read in shards of `shard_size` documents, a record per document
    written under `out`."""

    input: str
    out: str
    task: str = "detect"  # detect | restore | compare (compare: each document needs a reference)
    format: str = "parquet"  # of the shard files: parquet | jsonl
    shard_size: int = DEFAULT_SHARD_SIZE
    lm_reading: bool = True
    models: str | None = None  # None: $SPINFIX_MODELS, else the checkout's models/
    device: str | None = None
    method: str | None = None  # restoration method (restore, compare); None: the released default
    min_confidence: float | None = None
    max_bytes: int = DEFAULT_MAX_BYTES  # a text file (or JSONL line) larger than this is an error record

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise SpinfixError(f"unknown task {self.task!r}: use {', '.join(TASKS)}")
        if self.format not in FORMATS:
            raise SpinfixError(f"unknown shard format {self.format!r}: use {', '.join(FORMATS)}")
        if self.shard_size < 1:
            raise SpinfixError(f"the shard size must be at least 1, got {self.shard_size}")
        if self.max_bytes < 1:
            raise SpinfixError(f"max_bytes must be at least 1, got {self.max_bytes}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:  # also NaN
            raise SpinfixError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")
        # Absolute paths: the manifest must name the same input whatever folder --resume runs in.
        object.__setattr__(self, "input", os.path.abspath(self.input))
        object.__setattr__(self, "out", os.path.abspath(self.out))

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "batch settings") -> BatchSettings:
        return from_dict(cls, data, where)

    def changes(self, earlier: BatchSettings) -> list[str]:
        """What differs from `earlier` in what the job computes ("shard_size: 5 then, 10 now")."""
        return [
            f"{f.name}: {getattr(earlier, f.name)!r} then, {getattr(self, f.name)!r} now"
            for f in fields(self)
            if f.name not in RESUME_FREE and getattr(earlier, f.name) != getattr(self, f.name)
        ]
