"""A progress bar on stderr for long runs over files, that never touches stdout."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from spinfix.io.writing import stream_is_tty
from spinfix.text.document import split_sentences


class Progress:
    """A rich progress bar on stderr, measured in files; every method is a no-op until started.

    Within a batch the bar advances per sentence scored (spread over the batch's files), so
    one long file moves the bar too.
    """

    def __init__(self, n_files: int) -> None:
        self.n_files = n_files
        self.active = False
        self._bar: Any = None  # rich.progress.Progress once started
        self._task: Any = None
        self._done = 0
        self._per_sentence = 0.0

    def start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
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
        self._task = self._bar.add_task("checking", total=self.n_files, done=self._done)
        self._bar.start()
        self.active = True

    def describe(self, description: str) -> None:
        """Change the words before the bar ("checking", "restoring")."""
        if self.active:
            self._bar.update(self._task, description=description)

    def stop(self) -> None:
        if self._bar is not None and self.active:
            self._bar.stop()
        self.active = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_batch(self, n_files: int, n_sentences: int) -> None:
        """The next batch has ``n_files`` readable files holding ``n_sentences`` sentences."""
        self._per_sentence = n_files / n_sentences if n_sentences else 0.0
        if self.active and not n_sentences:
            self._bar.advance(self._task, n_files)

    def sentences_done(self, n: int) -> None:
        """detect_many's progress callback: ``n`` more sentences scored."""
        if self.active:
            self._bar.advance(self._task, n * self._per_sentence)

    def files_done(self, n: int, skipped: bool = False) -> None:
        """``n`` files finished; ``skipped`` ones (unreadable) were never scored."""
        self._done += n
        if self.active:
            if skipped:
                self._bar.advance(self._task, n)
            self._bar.update(self._task, done=self._done)

    def error(self, message: str) -> None:
        """``spinfix: error: <message>`` on stderr, without tearing a live bar."""
        if self.active:
            self._bar.console.print(f"spinfix: error: {message}", markup=False, highlight=False, soft_wrap=True)
        else:
            print(f"spinfix: error: {message}", file=sys.stderr)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hide the bar while results go to stdout, when stdout is the same terminal."""
        if self.active and stream_is_tty(sys.stdout):
            self._bar.stop()
            try:
                yield
            finally:
                sys.stdout.flush()
                self._bar.start()
        else:
            yield


def count_sentences(texts: Sequence[str]) -> int:
    """Sentence count, for the progress bar only (segmentation is cheap next to the model)."""
    return sum(len(split_sentences(t)) for t in texts)
