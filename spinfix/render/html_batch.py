"""A batch job's records (spinfix.batch: `Record`s read back from OUT/shards) as what the HTML
page shows: the job, a table of its documents sorted by what a screener looks at first, and a
section per document."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from spinfix.render.html_article import Article, article
from spinfix.render.html_compare import ComparisonView, comparison

SORTS = ("auto", "flagged", "probability", "derived", "input")
# Past this many documents the page gets too big to open comfortably: the table lists them all,
# the sections stop (a screener reads the top of the list).
MAX_PAGES = 500


class RecordLike(Protocol):
    """What a batch record has (spinfix.batch.shards.Record): the report as JSON, or an error."""

    @property
    def id(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def report(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...


@dataclass
class Row:
    """One document in the summary table."""

    id: str
    index: int
    anchor: str
    kind: str  # detect | restore | compare | error
    sentences: int = 0
    flagged: int = 0
    top: float | None = None  # the highest sentence probability
    derived: float | None = None
    edits: int | None = None
    error: str | None = None
    view: Article | ComparisonView | None = None
    spun: bool = False

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.sentences if self.sentences else 0.0


@dataclass
class BatchView:
    task: str | None
    facts: list[tuple[str, str]]
    models: list[tuple[str, str]]
    rows: list[Row]
    sort: str
    pages: int  # how many rows have a section
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(r.kind == "error" for r in self.rows)

    @property
    def spun(self) -> int:
        return sum(r.spun for r in self.rows)

    @property
    def verdict(self) -> str:
        n = len(self.rows)
        what = "derived from their reference or spun" if self.task == "compare" else "spun"
        out = f"spinfix found {self.spun:,} of {n:,} document{'s' if n != 1 else ''} {what}"
        if self.errors:
            out += f"; {self.errors:,} could not be checked"
        return out + "."


def _row(record: RecordLike, anchor: str) -> Row:
    """The record's row in the table, without its section (built for the first rows only)."""
    if record.report is None:
        return Row(record.id, record.index, anchor, "error", error=record.error or "no report")
    d: dict[str, Any] = json.loads(record.report)
    if not isinstance(d, dict):
        raise ValueError("not a JSON object")
    if "pairs" in d:  # a Comparison's dict
        rep = d.get("report") or {}
        row = Row(record.id, record.index, anchor, "compare", derived=float(d.get("derived") or 0.0),
                  spun=bool(d.get("is_derived")) or bool(rep.get("is_spun")))
    else:
        rep = d
        row = Row(record.id, record.index, anchor, "restore" if rep.get("edits") is not None else "detect", spun=bool(rep.get("is_spun")))
    sentences = rep.get("sentences") or []
    row.sentences = len(sentences)
    row.flagged = sum(bool(s.get("is_spun")) for s in sentences)
    row.top = max((float(s.get("probability") or 0.0) for s in sentences if s.get("language") is None), default=None)
    row.edits = None if rep.get("edits") is None else len(rep["edits"])
    return row


def _view(row: Row, d: Mapping[str, Any]) -> Article | ComparisonView:
    if row.kind == "compare":
        return comparison(d, prefix=f"{row.anchor}-", name=row.id)
    return article(d, prefix=f"{row.anchor}-", name=row.id)


def _unreadable(exc: Exception) -> str:
    # A record written by another spinfix, or damaged: listed as not checked, the page still made.
    return f"its stored report cannot be read ({type(exc).__name__}: {exc})"


def _key(sort: str) -> Callable[[Row], tuple[int, float, float, int]]:
    def key(r: Row) -> tuple[int, float, float, int]:
        if r.kind == "error":
            return (1, 0.0, 0.0, r.index)  # after every document that was checked
        if sort == "input":
            return (0, 0.0, 0.0, r.index)
        if sort == "derived":
            return (0, -(r.derived or 0.0), -r.flagged_share, r.index)
        if sort == "probability":
            return (0, -(r.top or 0.0), -r.flagged_share, r.index)
        return (0, -r.flagged_share, -(r.top or 0.0), r.index)

    return key


def _resolved(sort: str, task: str | None) -> str:
    """"auto" made concrete: derivation for a compare job, else the share flagged."""
    return sort if sort != "auto" else "derived" if task == "compare" else "flagged"


def batch(
    records: Iterable[RecordLike], manifest: Mapping[str, Any] | None = None, summary: Mapping[str, Any] | None = None,
    sort: str = "auto", max_pages: int = MAX_PAGES,
) -> BatchView:
    """The view of a job's records, `manifest.json` and `summary.json` (either may be missing).

    The records are read once, as they come: a row each is kept, and the stored reports of only
    the `max_pages` rows first in the table so far, so a job of 100,000 documents costs the
    memory of its table and of the sections shown, not of every report."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    manifest = manifest or {}
    task: str | None = manifest.get("task")
    rows: list[Row] = []
    kept: list[tuple[tuple[int, float, float, int], Row, str]] = []  # (sort key, row, stored report): the sections' candidates
    key: Callable[[Row], tuple[int, float, float, int]] | None = None
    for n, record in enumerate(records):
        anchor = f"d{n + 1}"
        try:
            row = _row(record, anchor)
        except (ValueError, KeyError, TypeError) as exc:
            row = Row(record.id, record.index, anchor, "error", error=_unreadable(exc))
        rows.append(row)
        if row.kind == "error" or record.report is None:
            continue
        if key is None:  # a job has one task; without a manifest its first report says which
            task = task or ("compare" if row.kind == "compare" else None)
            sort = _resolved(sort, task)
            key = _key(sort)
        if max_pages > 0:
            kept.append((key(row), row, record.report))
            if len(kept) >= 2 * max_pages:  # trimmed now and then: O(n log max_pages) in all
                kept.sort(key=lambda k: k[0])
                del kept[max_pages:]
    if key is None:  # not one report
        sort = _resolved(sort, task)
        key = _key(sort)
    kept.sort(key=lambda k: k[0])
    for _, row, stored in kept[:max_pages]:
        try:
            row.view = _view(row, json.loads(stored))
        except (ValueError, KeyError, TypeError) as exc:
            row.kind, row.error, row.spun = "error", _unreadable(exc), False
    rows.sort(key=key)
    facts = [(k, str(v)) for k, v in (
        ("task", task), ("input", manifest.get("input_path")), ("started", manifest.get("created")),
        ("spinfix", manifest.get("spinfix")),
    ) if v]
    models = [(str(k).replace("_", " "), str(v)) for k, v in (manifest.get("models") or {}).items() if v is not None]
    return BatchView(task, facts, models, rows, sort, sum(r.view is not None for r in rows), _summary(summary or {}))


def _summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """summary.json in words (a job still running has none: its figures come from the table)."""
    words = {"documents": "documents", "errors": "could not be checked", "spun": "found spun", "seconds": "seconds (last run)"}
    out = {words[k]: summary[k] for k in words if k in summary}
    if "spun_share" in summary:
        out["share found spun"] = f"{100 * float(summary['spun_share']):.1f} %"
    return out
