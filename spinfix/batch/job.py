"""The local engine of `spinfix batch`: plan, then for each shard not done yet read it, check
its documents in one pipeline call, and commit its records.

    job = open_job(settings, resume=True)     # refusals come before any model loads
    summary = run_job(settings, spinfix.load(), job=job)

What any other engine (spinfix.batch.ray_engine) reuses: `open_job`, `start_run` (OUT locked,
the manifest, the resume checks, the shards still to do, and `Run.commit` / `Run.finish`), and
`process_shard` (a task in, its records out) with `ShardStore.write`. Workers process and write,
anywhere; the one process that holds the run commits.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spinfix.batch.docs import Doc
from spinfix.batch.manifest import (
    Manifest,
    ResumeRefused,
    Summary,
    check_out_folder,
    fingerprint,
    job_lock,
    model_versions,
    read_manifest,
    refuse,
    remove_leftovers,
    resume_changes,
)
from spinfix.batch.plan import Plan, ShardTask, plan_input, read_shard
from spinfix.batch.progress import JobProgress
from spinfix.batch.settings import BatchSettings
from spinfix.batch.shards import LedgerEntry, Record, ShardStore, dumps
from spinfix.errors import ModelError, SpinfixError
from spinfix.io.progress import count_sentences

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """A job ready to run: its plan, its OUT folder, and the job found there to resume."""

    settings: BatchSettings
    plan: Plan
    store: ShardStore
    input: dict[str, Any]  # the input's fingerprint
    earlier: Manifest | None = None  # the manifest of the job to resume; None: a new job
    done: dict[int, LedgerEntry] = field(default_factory=dict)


def open_job(settings: BatchSettings, resume: bool = False) -> Job:
    """Check OUT and plan the input: a non-empty OUT without `resume`, or a job there with
    other settings or another input, is refused (ResumeRefused) before any model loads."""
    earlier = check_out_folder(settings.out, resume, settings.input)
    plan = plan_input(settings.input, settings.shard_size, settings.max_bytes)
    job = Job(settings, plan, ShardStore(settings.out, settings.format), fingerprint(plan.source), earlier)
    if earlier is not None:
        refuse(resume_changes(earlier, settings, job.input), settings.out)
    return job


def run_job(
    settings: BatchSettings, sf: Spinfix, progress: JobProgress | None = None, *, resume: bool = False, job: Job | None = None
) -> Summary:
    """Run (or resume) the job: every shard not committed yet is checked and committed; then
    OUT/summary.json. Ctrl-C (KeyboardInterrupt) stops it with every finished shard committed.
    Pass the `job` open_job() gave, if you opened it already (to refuse before loading `sf`)."""
    job = job if job is not None else open_job(settings, resume)
    if job.settings != settings:
        raise ValueError("run_job: the job was opened with other settings")
    with start_run(job, model_versions(sf, settings.task), progress) as run:
        for task in run.pending:
            run.commit(job.store.write(task.shard, process_shard(task, sf, settings, run.progress)))
        return run.finish()


@dataclass
class Run:
    """One run of a job, with OUT locked: the shards it has to do, and `commit` for each one
    written. The part every engine shares; only how `pending` becomes shard files differs."""

    job: Job
    progress: JobProgress
    pending: list[ShardTask]
    started: float = field(default_factory=time.monotonic)
    processed: int = 0  # documents this run committed

    def commit(self, entry: LedgerEntry) -> bool:
        """Commit a shard that ShardStore.write has put in place, once: a shard committed already
        (an engine that retries tasks may return one twice) is left as it is; False then."""
        job = self.job
        if entry.shard in job.done:
            logger.info("shard %d is committed already: its second result is dropped", entry.shard)
            return False
        task = job.plan.tasks[entry.shard] if 0 <= entry.shard < len(job.plan.tasks) else None
        if task is None or (task.shard, task.first, task.last) != (entry.shard, entry.first, entry.last):
            # A result from another plan (a worker that read another input) must not reach the ledger.
            raise SpinfixError(f"shard {entry.shard} came back with documents {entry.first}-{entry.last}, which the plan does not have")
        job.store.commit(entry)
        job.done[entry.shard] = entry
        self.processed += entry.records
        self.progress.shard_done(entry.records)
        logger.debug("shard %d committed: %d record(s), %d error(s), %d spun", entry.shard, entry.records, entry.errors, entry.spun)
        return True

    def finish(self) -> Summary:
        """The job's figures, written to OUT/summary.json."""
        job = self.job
        entries = job.done.values()
        summary = Summary(
            documents=sum(e.records for e in entries), errors=sum(e.errors for e in entries), spun=sum(e.spun for e in entries),
            seconds=time.monotonic() - self.started, processed=self.processed, shards=len(job.plan.tasks),
        )
        summary.write(job.settings.out)
        return summary


@contextlib.contextmanager
def start_run(job: Job, models: dict[str, Any], progress: JobProgress | None = None) -> Iterator[Run]:
    """Lock OUT, begin the job (a new one writes its manifest; a resumed one is checked against
    it, `models` included, and OUT made consistent), and give the run its pending shards. OUT
    stays locked and the progress shown until the block ends; Ctrl-C leaves every shard
    committed so far committed."""
    with job_lock(job.settings.out):
        _begin(job, models)
        progress = progress if progress is not None else JobProgress(enabled=False)
        run = Run(job, progress, [t for t in job.plan.tasks if t.shard not in job.done])
        progress.start(job.plan.documents, sum(e.records for e in job.done.values()))
        logger.info("%s: %d of %d shard(s) to do", job.settings.out, len(run.pending), len(job.plan.tasks))
        try:
            yield run
        except KeyboardInterrupt:
            logger.info("interrupted: %d of %d shard(s) committed", len(job.done), len(job.plan.tasks))
            raise
        finally:
            progress.stop()


def _begin(job: Job, models: dict[str, Any]) -> None:
    """With OUT locked: a new job writes its manifest; a resumed one is checked against its
    manifest (the models too, now loaded) and OUT made consistent (ShardStore.recover)."""
    out = job.settings.out
    if job.earlier is None:
        if read_manifest(out) is not None:  # another run started a job here since open_job looked
            raise ResumeRefused(f"{out} holds a batch job: pass --resume to continue it, or choose another output folder.")
        remove_leftovers(out)
        Manifest(job.settings, job.input, job.plan.documents, len(job.plan.tasks), models).write(out)
        return
    refuse(resume_changes(job.earlier, job.settings, job.input, models), out)
    job.done = job.store.recover()
    _check_ledger(job)


def _check_ledger(job: Job) -> None:
    tasks = {t.shard: t for t in job.plan.tasks}
    for n, e in job.done.items():
        t = tasks.get(n)
        if t is None or (t.first, t.last) != (e.first, e.last):
            raise ResumeRefused(f"{job.store.ledger} does not match the plan of this input (shard {n}); start again in another folder.")


def process_shard(task: ShardTask, sf: Spinfix, settings: BatchSettings, progress: JobProgress | None = None) -> list[Record]:
    """A shard's records, in input order: its readable documents checked in one pipeline call
    (compare: one per document), the others error records."""
    docs = read_shard(task)
    if settings.task == "compare":
        docs = [d if not d.ok or d.reference is not None else Doc(d.index, d.id, error="no `reference`: compare needs one") for d in docs]
    good = [d for d in docs if d.ok]
    progress = progress if progress is not None else JobProgress(enabled=False)
    if settings.task == "compare":
        progress.begin_shard(len(good), len(good))  # one step per document
    else:
        sentences = count_sentences([d.text or "" for d in good]) if progress.enabled else 0
        progress.begin_shard(len(good), sentences, passes=2 if settings.task == "restore" else 1)
    checked = {r.index: r for r in _check_isolating(good, sf, settings, progress.sentences_done)} if good else {}
    return [checked[d.index] if d.ok else Record(d.id, d.index, None, d.error, False) for d in docs]


def _check_isolating(docs: Sequence[Doc], sf: Spinfix, settings: BatchSettings, on_progress: Callable[[int], None]) -> list[Record]:
    """`check`, and if the shard fails as a whole, its documents one at a time: a document that
    fails alone is an error record. When every one fails the fault is not theirs: it is raised."""
    try:
        return check(docs, sf, settings, on_progress)
    except (KeyboardInterrupt, MemoryError, ModelError):
        raise
    except Exception as exc:  # one bad document must not stop a job of millions
        logger.warning("shard of documents %d-%d failed (%s); checking them one at a time", docs[0].index, docs[-1].index, exc)
        first = exc
    out, failed = [], 0
    for d in docs:
        try:
            out += check([d], sf, settings, on_progress)
        except (KeyboardInterrupt, MemoryError, ModelError):
            raise
        except Exception as exc:
            logger.warning("document %s (index %d) cannot be checked: %s", d.id, d.index, exc)
            out.append(Record(d.id, d.index, None, f"cannot be checked: {type(exc).__name__}: {exc}", False))
            failed += 1
    if failed == len(docs):
        raise first
    return out


def check(docs: Sequence[Doc], sf: Spinfix, settings: BatchSettings, on_progress: Callable[[int], None] | None = None) -> list[Record]:
    """The records of readable documents: one detect_many or restore_many call over them all;
    compare, a call per document."""
    texts = [d.text or "" for d in docs]
    ids: list[str | None] = [d.id for d in docs]
    if settings.task == "detect":
        reports = sf.detect_many(texts, sources=ids, progress=on_progress)
    elif settings.task == "restore":
        refs = [d.reference for d in docs]
        reports = sf.restore_many(
            texts, references=refs if any(r is not None for r in refs) else None, method=settings.method, sources=ids,
            progress=on_progress, min_confidence=settings.min_confidence,
        )
    else:
        out = []
        for d in docs:
            assert d.text is not None and d.reference is not None
            cmp = sf.compare(d.text, d.reference, method=settings.method, source=d.id, min_confidence=settings.min_confidence)
            out.append(Record(d.id, d.index, dumps(cmp.to_dict()), None, cmp.is_derived or cmp.report.is_spun))
            if on_progress is not None:
                on_progress(1)
        return out
    return [Record(d.id, d.index, dumps(r.to_dict()), None, r.is_spun) for d, r in zip(docs, reports)]
