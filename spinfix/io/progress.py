"""Progress on long runs over files, on stderr, never on stdout: a bar on a terminal, and a plain
line every half minute or so when stderr is a file or a pipe (a log)."""
from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from spinfix.io.writing import stream_is_tty
from spinfix.text.document import split_sentences

# Seconds between the plain progress lines (stderr not a terminal).
PLAIN_INTERVAL = 30.0


class Progress:
    """Progress measured in files; every method is a no-op until started.

    Within a batch it advances per sentence scored (spread over the batch's files), so one long
    file moves it too. On a terminal a rich bar (with the time left); elsewhere a line now and
    then: "spinfix: checking: 2.4 of 10 files (24 %), 1 min 5 s so far, about 3 min 26 s left".
    """

    def __init__(self, n_files: int, description: str = "checking") -> None:
        self.n_files = n_files
        self.description = description
        self.active = False
        self.position = 0.0  # files done, in fractions of a file
        self._bar: Any = None  # rich.progress.Progress once started on a terminal
        self._task: Any = None
        self._done = 0
        self._per_sentence = 0.0
        self._sentences = self._sentences_done = 0  # of one file, for its plain lines
        self._passes = 1
        self._started = self._said = 0.0  # the plain lines' clock

    def start(self) -> None:
        self.active = True
        self._started = self._said = time.monotonic()
        if not stream_is_tty(sys.stderr):
            return  # plain lines
        from rich.console import Console
        from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[done]}/{task.total:.0f} files"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            # Results go to the real stdout; rich would otherwise route them through its
            # stderr console.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task(self.description, total=self.n_files, done=self._done)
        self._bar.start()

    def describe(self, description: str) -> None:
        """Change the words before the bar ("checking", "restoring")."""
        self.description = description
        if self._bar is not None and self.active:
            self._bar.update(self._task, description=description)

    def stop(self) -> None:
        if self._bar is not None and self.active:
            self._bar.stop()
        self.active = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _advance(self, files: float) -> None:
        self.position = min(self.position + files, float(self.n_files))
        if not self.active:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=self.position, done=self._done)
            return
        now = time.monotonic()
        if now - self._said >= PLAIN_INTERVAL:
            self._said = now
            print(self._line(now - self._started), file=sys.stderr, flush=True)

    def _line(self, elapsed: float) -> str:
        share = self.position / self.n_files if self.n_files else 1.0
        left = f", about {_duration(elapsed / share - elapsed)} left" if 0 < share < 1 else ""
        if self.n_files == 1 and self._sentences and self._passes == 1:
            done = f"{min(self._sentences_done, self._sentences):,} of {self._sentences:,} sentences ({100 * share:.0f} %)"
        elif self.n_files == 1:
            done = f"{100 * share:.0f} %"
        else:
            done = f"{self.position:.1f} of {self.n_files} files ({100 * share:.0f} %)"
        return f"spinfix: {self.description}: {done}, {_duration(elapsed)} so far{left}"

    def start_batch(self, n_files: int, n_sentences: int, passes: int = 1) -> None:
        """The next batch has ``n_files`` readable files holding ``n_sentences`` sentences, read
        in ``passes`` passes (restore: detection, then restoration)."""
        self._per_sentence = n_files / (n_sentences * passes) if n_sentences else 0.0
        self._sentences, self._sentences_done, self._passes = n_sentences, 0, passes
        if not n_sentences:
            self._advance(n_files)

    def sentences_done(self, n: int) -> None:
        """detect_many's progress callback: ``n`` more sentences scored."""
        self._sentences_done += n
        self._advance(n * self._per_sentence)

    def files_done(self, n: int, skipped: bool = False) -> None:
        """``n`` files finished; ``skipped`` ones (unreadable) were never scored."""
        self._done += n
        self._advance(n if skipped else 0.0)

    def error(self, message: str) -> None:
        """``spinfix: error: <message>`` on stderr, without tearing a live bar."""
        if self._bar is not None and self.active:
            self._bar.console.print(f"spinfix: error: {message}", markup=False, highlight=False, soft_wrap=True)
        else:
            print(f"spinfix: error: {message}", file=sys.stderr)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hide the bar while results go to stdout, when stdout is the same terminal."""
        if self._bar is not None and self.active and stream_is_tty(sys.stdout):
            self._bar.stop()
            try:
                yield
            finally:
                sys.stdout.flush()
                self._bar.start()
        else:
            yield


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


def count_sentences(texts: Sequence[str]) -> int:
    """Sentence count, for the progress bar only (segmentation is cheap next to the model)."""
    return sum(len(split_sentences(t)) for t in texts)
