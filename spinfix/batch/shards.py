"""Exactly-once output: a shard's records written whole or not at all, and a ledger of the
shards committed.

    OUT/shards/part-000003.parquet   shard 3's records (or .jsonl)
    OUT/ledger.jsonl                 a line per committed shard, appended after its file is in place

A shard file is written to a temporary name in the same folder, fsynced, and renamed into place
(the rename is atomic), so it exists complete or not at all; writing a shard again gives the same
file, so a retried task may rewrite it. The ledger line comes after the rename: a shard is done
when, and only when, the ledger says so. On resume, a shard file the ledger does not list (the
job died between the rename and the ledger) and stray temporary files are removed, and those
shards are done again.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spinfix.errors import SpinfixError

logger = logging.getLogger(__name__)

SHARDS_DIR = "shards"
LEDGER = "ledger.jsonl"
_PART_RE = re.compile(r"part-(\d{6,})\.(parquet|jsonl)")


def _file_mode() -> int:
    """What a new file gets (0666 less the umask): the umask can only be read by setting it."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


@dataclass(frozen=True)
class Record:
    """What the job says about one document: its report (the JSON of `Report.to_dict()`, or of
    `Comparison.to_dict()` for compare), or the error that kept it from being checked."""

    id: str
    index: int
    report: str | None
    error: str | None
    spun: bool  # spun text found (compare: or derived from its reference)


@dataclass(frozen=True)
class LedgerEntry:
    shard: int
    first: int  # index of the shard's first document
    last: int  # ... and of its last (inclusive)
    records: int
    errors: int
    spun: int

    @classmethod
    def of(cls, shard: int, records: Sequence[Record]) -> LedgerEntry:
        return cls(
            shard, records[0].index, records[-1].index, len(records),
            sum(r.error is not None for r in records), sum(r.spun for r in records),
        )


def dumps(obj: Any) -> str:
    """One JSON form for everything the job writes: the same object, the same bytes."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class ShardStore:
    """The shard files and the ledger of one job's OUT folder.

    `write` may run anywhere OUT is reachable and any number of times per shard; `commit` runs
    once per shard, in the one process that owns the ledger."""

    def __init__(self, out: str | os.PathLike[str], fmt: str = "parquet") -> None:
        if fmt not in ("parquet", "jsonl"):
            raise ValueError(f"unknown shard format {fmt!r}")
        self.out = Path(out)
        self.fmt = fmt
        self.folder = self.out / SHARDS_DIR
        self.ledger = self.out / LEDGER

    def path(self, shard: int) -> Path:
        return self.folder / f"part-{shard:06d}.{self.fmt}"

    def write(self, shard: int, records: Sequence[Record]) -> LedgerEntry:
        """Write shard `shard`'s records (in index order) to its file, atomically; the entry to
        commit once it is in place."""
        if not records:
            raise ValueError("a shard holds at least one record")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(shard)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                if self.fmt == "parquet":
                    _write_parquet(fh, records)
                else:
                    fh.write("".join(dumps(_jsonl_row(r)) + "\n" for r in records).encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _FILE_MODE)  # mkstemp's 0600 would hide the records from the group
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.folder)  # the rename itself survives a crash
        return LedgerEntry.of(shard, records)

    def commit(self, entry: LedgerEntry) -> None:
        """Record shard `entry.shard` as done: a ledger line, appended and fsynced."""
        with open(self.ledger, "ab") as fh:
            fh.write((dumps(asdict(entry)) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())

    def done(self) -> dict[int, LedgerEntry]:
        """The committed shards. A last line cut short (the job died while appending it) does not
        count; any other line that is not an entry is a damaged ledger."""
        if not self.ledger.exists():
            return {}
        data = self.ledger.read_bytes()
        lines = data.split(b"\n")
        if lines and lines[-1] != b"":  # unterminated: never fsynced whole
            lines = lines[:-1]
        entries: dict[int, LedgerEntry] = {}
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = LedgerEntry(**json.loads(line))
            except (ValueError, TypeError) as exc:
                raise SpinfixError(f"{self.ledger} is damaged at line {number} ({exc}); start the job again in another folder.") from exc
            entries[entry.shard] = entry
        return entries

    def recover(self) -> dict[int, LedgerEntry]:
        """Make OUT consistent for a resume, and return the committed shards: a cut-short ledger
        line is dropped, temporary files are removed, and so are shard files not committed."""
        if self.ledger.exists():
            data = self.ledger.read_bytes()
            keep = data.rfind(b"\n") + 1
            if keep < len(data):
                logger.info("dropping a ledger line cut short: %d byte(s)", len(data) - keep)
                with open(self.ledger, "r+b") as fh:
                    fh.truncate(keep)
                    os.fsync(fh.fileno())
        done = self.done()
        if self.folder.is_dir():
            for p in sorted(self.folder.iterdir()):
                m = _PART_RE.fullmatch(p.name)
                if m and int(m.group(1)) in done and m.group(2) == self.fmt:
                    continue
                logger.info("removing %s: not a committed shard", p)
                p.unlink()
        missing = [n for n in done if not self.path(n).exists()]
        if missing:
            raise SpinfixError(
                f"{self.ledger} lists shard {missing[0]} but {self.path(missing[0])} is missing; "
                "start the job again in another folder."
            )
        return done

    def read(self, shard: int) -> list[Record]:
        """Shard `shard`'s records, as written."""
        return read_records(self.path(shard))

    def records(self) -> Iterable[Record]:
        """Every committed shard's records, in shard (hence index) order."""
        for n in sorted(self.done()):
            yield from self.read(n)


def read_records(path: str | os.PathLike[str]) -> list[Record]:
    """The records of one shard file (.parquet or .jsonl)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return [Record(r["id"], r["index"], r["report"], r["error"], r["spun"]) for r in rows]
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        report = None if r["report"] is None else dumps(r["report"])
        out.append(Record(r["id"], r["index"], report, r["error"], r["spun"]))
    return out


def _jsonl_row(r: Record) -> dict[str, Any]:
    # The report as an object, not a string in a string: `jq .report.is_spun` just works.
    return {"id": r.id, "index": r.index, "spun": r.spun, "error": r.error, "report": None if r.report is None else json.loads(r.report)}


def _write_parquet(fh: Any, records: Sequence[Record]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": pa.array([r.id for r in records], pa.string()),
        "index": pa.array([r.index for r in records], pa.int64()),
        "report": pa.array([r.report for r in records], pa.string()),
        "error": pa.array([r.error for r in records], pa.string()),
        "spun": pa.array([r.spun for r in records], pa.bool_()),
    })
    pq.write_table(table, fh)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
