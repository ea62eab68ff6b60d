"""Progress of a batch job in documents, on stderr: a bar on a terminal (documents done of all,
documents/s, time left), and a plain line now and then in a log.

spinfix.io.progress counts files and starts from nothing; a job counts documents, and a resumed
job starts with the shards an earlier run finished, which must not count towards its speed.
"""
from __future__ import annotations

import sys
import time
from typing import Any

from spinfix.io.writing import stream_is_tty

# Seconds between the plain lines (stderr not a terminal).
PLAIN_INTERVAL = 30.0


def duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


class JobProgress:
    """Documents done of `total`; within a shard it moves with the sentences the pipeline
    reports (spread over the shard's documents), so a long shard moves it too."""

    def __init__(self, enabled: bool = True, description: str = "batch") -> None:
        self.enabled = enabled
        self.description = description
        self.total = self.done = 0
        self.position = 0.0  # documents, fractions of the current shard's included
        self._resumed = 0  # done by an earlier run: not part of the speed
        self._per_sentence = 0.0
        self._shard_end = 0.0
        self._started = self._said = 0.0
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int, done: int = 0) -> None:
        self.total, self.done, self.position, self._resumed = total, done, float(done), done
        self._started = self._said = time.monotonic()
        if not self.enabled or not stream_is_tty(sys.stderr):
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("[progress.description]{task.description}"), BarColumn(), TaskProgressColumn(),
            MofNCompleteColumn(), TextColumn("documents, {task.fields[rate]}/s"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False,
        )
        self._task = self._bar.add_task(self.description, total=total, completed=done, rate="-")
        self._bar.start()

    def begin_shard(self, documents: int, sentences: int, passes: int = 1) -> None:
        """The next shard has `documents` documents to check holding `sentences` sentences, read
        in `passes` passes (restore: detection, then restoration)."""
        self._per_sentence = documents / (sentences * passes) if sentences else 0.0
        self._shard_end = self.done + documents

    def sentences_done(self, n: int) -> None:
        """The pipeline's progress callback: `n` more sentences read."""
        self._move(min(self.position + n * self._per_sentence, self._shard_end))

    def shard_done(self, documents: int) -> None:
        """A shard of `documents` documents (its error records included) is committed."""
        self.done += documents
        self._move(float(self.done))

    def rate(self) -> float:
        elapsed = time.monotonic() - self._started
        return (self.position - self._resumed) / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """ "spinfix: batch: 1,200 of 60,000 documents (2 %), 8.1 documents/s, about 1 h 57 min left" """
        rate = self.rate()
        share = self.position / self.total if self.total else 1.0
        left = f", about {duration((self.total - self.position) / rate)} left" if rate > 0 and share < 1 else ""
        return (f"spinfix: {self.description}: {self.position:,.0f} of {self.total:,} documents ({100 * share:.0f} %), "
                f"{rate:.1f} documents/s{left}")

    def _move(self, position: float) -> None:
        self.position = position
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=position, rate=f"{self.rate():.1f}")
            return
        now = time.monotonic()
        if now - self._said >= PLAIN_INTERVAL:
            self._said = now
            print(self.line(), file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> JobProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
