"""A batch job's records (spinfix.batch: `Record`s read back from OUT/shards) as what the HTML
page shows: the job, a table of its documents sorted by what a screener looks at first, and a
section per document."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
    if record.report is None:
        return Row(record.id, record.index, anchor, "error", error=record.error or "no report")
    d: dict[str, Any] = json.loads(record.report)
    if "pairs" in d:  # a Comparison's dict
        rep = d.get("report") or {}
        row = Row(record.id, record.index, anchor, "compare", derived=float(d.get("derived") or 0.0),
                  spun=bool(d.get("is_derived")) or bool(rep.get("is_spun")))
        row.view = comparison(d, prefix=f"{anchor}-", name=record.id)
    else:
        rep = d
        row = Row(record.id, record.index, anchor, "restore" if rep.get("edits") is not None else "detect", spun=bool(rep.get("is_spun")))
        row.view = article(rep, prefix=f"{anchor}-", name=record.id)
    sentences = rep.get("sentences") or []
    row.sentences = len(sentences)
    row.flagged = sum(bool(s.get("is_spun")) for s in sentences)
    row.top = max((float(s.get("probability") or 0.0) for s in sentences if s.get("language") is None), default=None)
    row.edits = None if rep.get("edits") is None else len(rep["edits"])
    return row


def _key(sort: str) -> Any:
    def key(r: Row) -> tuple:
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


def batch(
    records: Iterable[RecordLike], manifest: Mapping[str, Any] | None = None, summary: Mapping[str, Any] | None = None,
    sort: str = "auto", max_pages: int = MAX_PAGES,
) -> BatchView:
    """The view of a job's records, `manifest.json` and `summary.json` (either may be missing)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    manifest = manifest or {}
    rows = [_row(r, f"d{n + 1}") for n, r in enumerate(records)]
    task = manifest.get("task") or ("compare" if any(r.kind == "compare" for r in rows) else None)
    if sort == "auto":
        sort = "derived" if task == "compare" else "flagged"
    rows.sort(key=_key(sort))
    for r in rows[max_pages:]:
        r.view = None  # listed, no section
    facts = [(k, str(v)) for k, v in (
        ("task", task), ("input", manifest.get("input_path")), ("started", manifest.get("created")),
        ("spinfix", manifest.get("spinfix")),
    ) if v]
    models = [(str(k).replace("_", " "), str(v)) for k, v in (manifest.get("models") or {}).items()]
    return BatchView(task, facts, models, rows, sort, min(len(rows), max_pages), _summary(summary or {}))


def _summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """summary.json in words (a job still running has none: its figures come from the table)."""
    words = {"documents": "documents", "errors": "could not be checked", "spun": "found spun", "seconds": "seconds (last run)"}
    out = {words[k]: summary[k] for k in words if k in summary}
    if "spun_share" in summary:
        out["share found spun"] = f"{100 * float(summary['spun_share']):.1f} %"
    return out
