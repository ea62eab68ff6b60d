"""Reports turned into output: the terminal report, JSON and JSON Lines, the restored text and
an inline diff; and, in spinfix.render.html (imported on its own: it needs jinja2), one
self-contained HTML page for a person.

Nothing here prints; every function returns a string, so the caller decides where it goes and
tests can check it. Spans and sentences are placed with the character offsets in the report,
never by searching for their text: the same phrase can occur twice in a sentence.
"""
from spinfix.render.diff import render_diff, render_restored, restore_summary
from spinfix.render.records import render_json, render_jsonl, report_dict
from spinfix.render.terminal import SPAN_CLOSE, SPAN_OPEN, render_text

__all__ = [
    "SPAN_CLOSE", "SPAN_OPEN", "render_diff", "render_json", "render_jsonl", "render_restored",
    "render_text", "report_dict", "restore_summary",
]
