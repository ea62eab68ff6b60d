"""Reports streamed to stdout in one of the formats, the output kept well-formed: a JSON array
is closed even when the run stops early, and a reader that goes away stops the writing."""
from __future__ import annotations

import sys
import textwrap

from spinfix import render
from spinfix.io.writing import OutputClosed, unicode_stream, write_stdout
from spinfix.report import Report

FORMATS = ("text", "json", "jsonl", "html")


class ReportWriter:
    """Writes reports to stdout: "text" (for people), "json" (one document; an array when
    `array`), "jsonl" (a line per report) or "html" (one page for all of them, written when
    closed: a page is read whole)."""

    def __init__(self, fmt: str, color: bool, array: bool) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
        self.fmt = fmt
        self.color = color
        self.array = array  # json with several inputs: one JSON array of reports
        self.ascii = not unicode_stream(sys.stdout)
        self.count = 0
        self.pending: list[Report] = []  # html: the reports of the page
        self.models: dict[str, str] = {}  # html: what the page says about the models

    def _out(self, s: str) -> None:
        try:
            sys.stdout.write(s)
        except BrokenPipeError:
            raise OutputClosed() from None

    def flush(self) -> None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise OutputClosed() from None

    def write(self, report: Report) -> None:
        if self.fmt == "html":
            self.pending.append(report)
        elif self.fmt == "text":
            self._out(("\n" if self.count else "") + render.render_text(report, color=self.color) + "\n")
        elif self.fmt == "jsonl":
            self._out(render.render_jsonl(report, ensure_ascii=self.ascii) + "\n")
        elif self.array:
            doc = textwrap.indent(render.render_json(report, ensure_ascii=self.ascii), "  ")
            self._out(("[\n" if not self.count else ",\n") + doc)
        else:
            self._out(render.render_json(report, ensure_ascii=self.ascii) + "\n")
        self.count += 1

    def close(self) -> None:
        if self.fmt == "html" and self.pending:
            from spinfix.render.html import render_reports  # jinja2 only for the page that needs it

            # The page says it is UTF-8: its bytes, whatever stdout's encoding.
            write_stdout(render_reports(self.pending, self.models) + "\n", raw=True)
            self.pending = []
        if self.fmt == "json" and self.array:
            # Written even when every input failed, so stdout is always valid JSON.
            self._out("[]\n" if not self.count else "\n]\n")
        self.flush()
