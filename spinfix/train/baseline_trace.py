"""The baseline restorer's decisions, recorded for fitting its weights and its confidence map.

`TracingBaselineRestorer` restores exactly as the release's `BaselineRestorer` does, and appends
every unit's decision to `trace`: where the unit is, its short list, the LM's scores and the
evidence of each candidate, what the short list was ranked by (the first-token scores, read for
every unit, cut or not), and the candidate finally chosen (after any revisit) with its softmax
probability (`chosen`, `p`). scripts/fit_baseline.py and scripts/calibrate_baseline.py read it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spinfix.restore.baseline import BaselineRestorer, SentenceState
from spinfix.restore.rules import SpanTask, Suggestion


class TracingBaselineRestorer(BaselineRestorer):
    """A baseline restorer that records its decisions in `trace` (a list of dicts)."""

    reads_every_first_token = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trace: list[dict[str, Any]] = []
        # id of a sentence being restored -> (the sentence, its units' entries in `trace`); the
        # sentence is held so that its id is not reused while its entries are open.
        self._open: dict[int, tuple[SentenceState, dict[int, dict[str, Any]]]] = {}

    @classmethod
    def like(cls, restorer: BaselineRestorer) -> TracingBaselineRestorer:
        """A recording restorer that restores as `restorer` does: the same LM, candidates and
        detector reading, and every setting as it stands on it (a fitting script may have
        changed some on the restorer itself)."""
        out = cls(restorer.scorer, restorer.candidates, restorer.settings, discriminator=restorer.discriminator)
        trace, opened = out.trace, out._open
        out.__dict__.update(restorer.__dict__)
        out.trace, out._open = trace, opened
        return out

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        try:
            return super().restore(tasks)
        finally:
            self._open.clear()

    def on_decision(
        self, task: int, st: SentenceState, k: int, cands: list[str], lm: list[float],
        feats: list[dict[str, float]], seen: dict[str, Sequence[float]],
    ) -> None:
        u = st.units[k]
        entry = {"task": task, "start": u.start, "end": u.end, "candidates": cands, "lm": lm, "features": feats, **seen}
        self.trace.append(entry)
        self._open.setdefault(id(st), (st, {}))[1][k] = entry

    def on_choice(self, st: SentenceState, k: int, best: int, p: float) -> None:
        # The decision as it stands (after any revisit), for fitting the confidence map.
        opened = self._open.get(id(st))
        if opened is not None and k in opened[1]:
            opened[1][k].update(chosen=best, p=p)
