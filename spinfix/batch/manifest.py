"""What a job's OUT folder says about the job: `manifest.json` (written when it starts: the input,
the settings, the versions) and `summary.json` (written when it ends); and the checks that keep a
resume from mixing the records of two different jobs."""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import fcntl
except ImportError:  # not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

from spinfix import __version__
from spinfix.batch.settings import BatchSettings
from spinfix.batch.sources import Source
from spinfix.errors import SpinfixError
from spinfix.io.writing import write_atomic
from spinfix.settings import to_dict

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
LOCK = ".lock"  # held by the process running the job
# The manifest lists each input file up to this many (to name the one that changed); past it,
# their digest only.
LISTED_FILES = 1000


class ResumeRefused(SpinfixError):
    """OUT holds another job, or this job with other settings or another input."""


def fingerprint(source: Source) -> dict[str, Any]:
    """What says whether the input changed: its files' names, sizes and modification times."""
    rows = [[f.rel, f.size, f.mtime_ns] for f in source.files]
    digest = hashlib.sha256(json.dumps(rows).encode("utf-8")).hexdigest()
    out: dict[str, Any] = {"kind": source.kind, "files": len(rows), "bytes": sum(max(f.size, 0) for f in source.files), "sha256": digest}
    if len(rows) <= LISTED_FILES:
        out["listing"] = {rel: f"{size} {mtime}" for rel, size, mtime in rows}  # a line each in the manifest
    return out


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def model_versions(sf: Spinfix, task: str) -> dict[str, Any]:
    """The models as far as they decide the records: their names, released versions and a
    digest of their settings (the same weights with other fitted settings give other reports)."""
    cfg = sf.detector.config
    out: dict[str, Any] = {
        "detector": sf.detector.name,
        "detector_version": cfg.extra.get("version"),
        "detector_settings": _digest({k: v for k, v in to_dict(cfg).items() if k != "extra"}),
        "threshold": sf.threshold,
        "lm_reading": sf.lm_reading is not None,
    }
    if task != "detect":
        out["restore_settings"] = _digest(to_dict(sf.restore_settings))
        out["default_method"] = sf.restore_settings.default_method
    return out


@dataclass
class Manifest:
    settings: BatchSettings
    input: dict[str, Any]  # fingerprint(): kind, files, bytes, sha256 (and listing)
    documents: int
    shards: int
    models: dict[str, Any]
    spinfix: str = __version__
    created: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "spinfix": self.spinfix, "created": self.created, "task": self.settings.task, "input_path": self.settings.input,
            "input": self.input, "documents": self.documents, "shards": self.shards,
            "settings": self.settings.to_dict(), "models": self.models,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        return cls(
            settings=BatchSettings.from_dict(d["settings"], MANIFEST), input=d["input"], documents=d["documents"],
            shards=d["shards"], models=d["models"], spinfix=d["spinfix"], created=d.get("created", ""),
        )

    def write(self, out: str | os.PathLike[str]) -> None:
        if not self.created:
            self.created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        write_atomic(str(Path(out) / MANIFEST), (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def read_manifest(out: str | os.PathLike[str]) -> Manifest | None:
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, SpinfixError) as exc:
        raise ResumeRefused(f"{path} is damaged ({exc}); start the job again in another folder.") from exc


def check_out_folder(out: str, resume: bool, input_path: str) -> Manifest | None:
    """The manifest of the job to resume in OUT (None: a new job); refused when OUT holds
    something else, or holds a job and --resume was not given."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise ResumeRefused(f"{out} is a file; the output must be a folder.")
    inp = os.path.abspath(input_path)
    if os.path.isdir(inp) and os.path.commonpath([inp, os.path.abspath(out)]) == inp:
        raise ResumeRefused(f"{out} is inside the input folder {input_path}; write the output elsewhere.")
    if not os.path.isdir(out) or not [e for e in os.listdir(out) if not _manifest_leftover(e)]:
        return None
    manifest = read_manifest(out)
    if not resume:
        what = "holds a batch job" if manifest is not None else "is not empty"
        raise ResumeRefused(f"{out} {what}: pass --resume to continue the job there, or choose another output folder.")
    if manifest is None:
        raise ResumeRefused(f"{out} is not empty and holds no {MANIFEST}: it is not a batch job to resume; choose another output folder.")
    return manifest


def _manifest_leftover(name: str) -> bool:
    """The lock, or a temporary file of the manifest's atomic write: what a job killed while
    starting leaves."""
    return name == LOCK or name.startswith(f".{MANIFEST}.") and name.endswith(".tmp")


def remove_leftovers(out: str) -> None:
    for name in os.listdir(out):
        if _manifest_leftover(name) and name != LOCK:
            os.unlink(os.path.join(out, name))


@contextlib.contextmanager
def job_lock(out: str) -> Iterator[None]:
    """Hold OUT for one process: a second job started in it (a resume while the first still runs)
    is refused, rather than both removing each other's temporary files."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, LOCK), "a+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ResumeRefused(f"another spinfix batch is running in {out}; wait for it, or stop it first.") from None
        yield  # the lock goes with the file's closing, and with the process however it ends


def resume_changes(old: Manifest, settings: BatchSettings, source: dict[str, Any], models: dict[str, Any] | None = None) -> list[str]:
    """What differs between the job in OUT and the one asked for; empty: it may be resumed.
    `models` None: not compared (not loaded yet)."""
    changes = settings.changes(old.settings)
    if old.input.get("sha256") != source.get("sha256"):
        changes.append(_input_change(old.input, source))
    if old.spinfix != __version__:
        changes.append(f"spinfix version: {old.spinfix} then, {__version__} now")
    if models is not None:
        changes += [f"models: {k} {old.models.get(k)!r} then, {models.get(k)!r} now" for k in models if old.models.get(k) != models.get(k)]
    return changes


def _input_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    before, after = old.get("listing") or {}, new.get("listing") or {}
    if before and after:
        for name in sorted(before.keys() | after.keys()):
            if name not in after:
                return f"the input changed: {name or 'the file'} is gone"
            if name not in before:
                return f"the input changed: {name} is new"
            if before[name] != after[name]:
                s0, s1 = (int(v.split()[0]) for v in (before[name], after[name]))
                return f"the input changed: {name or 'the file'} was modified ({s0:,} bytes then, {s1:,} now)"
    return (f"the input changed: {old.get('files')} file(s) of {old.get('bytes', 0):,} bytes then, "
            f"{new.get('files')} of {new.get('bytes', 0):,} now (or their modification times)")


def refuse(changes: list[str], out: str) -> None:
    if changes:
        raise ResumeRefused(
            f"cannot resume the job in {out}: " + "; ".join(changes)
            + ". Resume with what the job started with, or start again in another output folder."
        )


@dataclass
class Summary:
    """The job's figures: over all its documents, and for the speed over this run's."""

    documents: int
    errors: int
    spun: int
    seconds: float  # this run
    processed: int  # documents this run checked (a resumed job's earlier shards not included)
    shards: int

    @property
    def spun_share(self) -> float:
        """Share of the documents checked (error records left out) found spun."""
        checked = self.documents - self.errors
        return self.spun / checked if checked else 0.0

    @property
    def documents_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "errors": self.errors, "spun": self.spun, "spun_share": round(self.spun_share, 4),
            "shards": self.shards, "processed": self.processed, "seconds": round(self.seconds, 3),
            "documents_per_second": round(self.documents_per_second, 2),
        }

    def write(self, out: str | os.PathLike[str]) -> None:
        write_atomic(str(Path(out) / SUMMARY), (json.dumps(self.to_dict(), indent=2) + "\n").encode("utf-8"))
