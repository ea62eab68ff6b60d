"""Text made safe to show: control and bidi characters escaped, names and thresholds as shown.

Display only: offsets in a report always index the untouched text.
"""
from __future__ import annotations

import re

from spinfix.report import Report

# ANSI: bold, and back to plain.
BOLD = "\x1b[1m"
RESET = "\x1b[0m"


# Characters that must not reach a terminal raw: C0/C1 controls (ESC could inject escape
# sequences from a hostile input file) and the bidirectional overrides/isolates that can make
# displayed text differ from the text in the file. Tab is kept; newlines never occur inside a
# sentence (every line break is a sentence break).
_UNSAFE_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same for a whole text, whose line breaks are kept: \n, and \r only as part of \r\n (a lone
# \r would move the cursor back over the line already shown).
_UNSAFE_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with unsafe characters shown as escapes (display only: offsets are unchanged)."""
    return _UNSAFE_RE.sub(_escape, text)


def visible_text(text: str) -> str:
    """Like :func:`visible`, for text spanning lines: newlines and CRLF are kept."""
    return _UNSAFE_TEXT_RE.sub(_escape, text)


def fmt_threshold(t: float) -> str:
    """Thresholds as the user wrote them: 0.5, 0.999999 (not a rounded 1.00)."""
    return f"{t:g}"


def source_name(report: Report) -> str:
    """The name a report is shown under."""
    return report.source if report.source is not None else "<text>"
