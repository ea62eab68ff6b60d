"""Reports as JSON documents and JSON Lines (the schema of `Report.to_dict`)."""
from __future__ import annotations

import json
from typing import Any

from spinfix.report import Report


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document for one report (the schema of :meth:`Report.to_dict`)."""
    return report.to_dict()


def render_json(report: Report, ensure_ascii: bool = False) -> str:
    """One report as a pretty-printed JSON document (no trailing newline).

    Keys keep the schema's order (deterministic); ``ensure_ascii`` escapes non-ASCII characters
    for outputs that cannot carry UTF-8.
    """
    return json.dumps(report_dict(report), indent=2, ensure_ascii=ensure_ascii, allow_nan=False)


def render_jsonl(report: Report, ensure_ascii: bool = False) -> str:
    """One report as a single JSON line (no trailing newline)."""
    return json.dumps(report_dict(report), ensure_ascii=ensure_ascii, allow_nan=False, separators=(",", ":"))
