"""Turning reports into output: a human report for the terminal, JSON and JSON Lines, and for
restored reports the restored text and an inline diff.

Nothing here prints; every function returns a string, so the CLI decides where it goes and
tests can check it. Spans and sentences are placed with the character offsets in the report,
never by searching for their text: the same phrase can occur twice in a sentence.
"""
from __future__ import annotations

import bisect
import json
import re
from typing import Any

from spinfix.report import Report, SentenceReport

# ANSI styles for the terminal report. Bold red for spun spans: it survives light and dark
# themes and is still visible (bold) on a monochrome terminal.
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SPAN = "\x1b[1;31m"
_RESET = "\x1b[0m"

# Plain-text span markers, for pipes and files, where escape codes would be noise.
SPAN_OPEN = "[["
SPAN_CLOSE = "]]"

# The restore diff: the spun wording struck through in red, the restored wording in green; in
# plain text wdiff's markers, [-old-]{+new+}.
_DELETED = "\x1b[9;31m"
_INSERTED = "\x1b[32m"
DEL_OPEN, DEL_CLOSE = "[-", "-]"
INS_OPEN, INS_CLOSE = "{+", "+}"

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


def _visible(text: str) -> str:
    """``text`` with unsafe characters shown as escapes (display only: offsets are unchanged)."""
    return _UNSAFE_RE.sub(_escape, text)


def _visible_text(text: str) -> str:
    """Like :func:`_visible`, for text spanning lines: newlines and CRLF are kept."""
    return _UNSAFE_TEXT_RE.sub(_escape, text)


def _fmt_threshold(t: float) -> str:
    """Thresholds as the user wrote them: 0.5, 0.999999 (not a rounded 1.00)."""
    return f"{t:g}"


def source_name(report: Report) -> str:
    """The name a report is shown under."""
    return report.source if report.source is not None else "<text>"


def _highlight(report: Report, sent: SentenceReport, color: bool) -> str:
    """The sentence with its spans marked, placed by offset."""
    text = report.text
    pieces: list[str] = []
    pos = sent.start
    # Spans come sorted and disjoint from the pipeline; sorting and clipping anyway keeps the
    # output well-formed if a later producer (restoration, merging) breaks that.
    for span in sorted(sent.spans, key=lambda s: (s.start, s.end)):
        start = max(span.start, pos)
        end = min(span.end, sent.end)
        if end <= start:
            continue
        pieces.append(_visible(text[pos:start]))
        inner = _visible(text[start:end])
        pieces.append(f"{_SPAN}{inner}{_RESET}" if color else f"{SPAN_OPEN}{inner}{SPAN_CLOSE}")
        pos = end
    pieces.append(_visible(text[pos : sent.end]))
    return "".join(pieces)


def render_text(report: Report, color: bool) -> str:
    """A human-readable report: a header line, then each flagged sentence with spans marked.

    With ``color`` the spans are bold red; without, they are wrapped in ``[[...]]`` so they stay
    visible in a pipe or a file. No trailing newline.
    """
    n = len(report.sentences)
    flagged = report.spun_sentences
    name = _visible(source_name(report))
    header = (
        f"{name}: {len(flagged)} of {n} sentence{'s' if n != 1 else ''} flagged as spun "
        f"(threshold {_fmt_threshold(report.threshold)})"
    )
    lines = [f"{_BOLD}{header}{_RESET}" if color else header]
    if not flagged:
        lines.append("  no spun text found." if n else "  no text to check.")
    for sent in flagged:
        # Paragraphs are 0-based in the report; people count lines from 1.
        where = f"p={sent.probability:.2f}"
        if sent.probability_alone is not None and sent.probability_alone < report.threshold:
            # Flagged only with its neighbours' weight: say so, a reader may want to check.
            where += f" (alone {sent.probability_alone:.2f})"
        where += f" para {sent.paragraph + 1}:"
        if color:
            where = f"{_DIM}{where}{_RESET}"
        lines.append(f"  {where} {_highlight(report, sent, color)}")
    return "\n".join(lines)


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


# -- restoration -------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_restored(report: Report) -> str:
    """The restored text: the input exactly, with every edit applied and nothing added."""
    restored = report.restored_text
    if restored is None:
        raise ValueError("the report was not restored; use restore(), not detect()")
    return restored


def restore_summary(report: Report) -> str:
    """One line: how many edits, in how many sentences, by which method."""
    n = len(report.sentences)
    edits = report.edits or []
    method = f" (method: {_visible(report.method)})" if report.method else ""
    if edits:
        starts = [s.start for s in report.sentences]
        touched = set()
        for e in edits:
            i = bisect.bisect_right(starts, e.start) - 1
            if i >= 0 and e.start < report.sentences[i].end:
                touched.add(i)
        return f"{_plural(len(edits), 'edit')} in {len(touched)} of {_plural(n, 'sentence')}{method}"
    flagged = len(report.spun_sentences)
    if flagged:
        return f"no edits: {flagged} of {_plural(n, 'sentence')} flagged as spun, none changed{method}"
    return f"no edits: no spun text found in {_plural(n, 'sentence')}{method}"


def render_diff(report: Report, color: bool) -> str:
    """The whole text with each edit shown as old then new, a blank line, and a summary line.

    With ``color`` the old wording is red and struck through and the new one green; without,
    wdiff's ``[-old-]{+new+}``. Spans left unchanged are not edits and are not marked. Control
    and bidi characters are shown escaped (line breaks are kept). No trailing newline.
    """
    if report.edits is None:
        raise ValueError("the report was not restored; use restore(), not detect()")
    text = report.text
    pieces: list[str] = []
    pos = 0
    for e in sorted(report.edits, key=lambda e: (e.start, e.end)):
        if e.start < pos or e.end > len(text):  # overlapping or out of range: never from restore()
            continue
        pieces.append(_visible_text(text[pos : e.start]))
        old, new = _visible(text[e.start : e.end]), _visible(e.new)
        if color:
            pieces.append((f"{_DELETED}{old}{_RESET}" if old else "") + (f"{_INSERTED}{new}{_RESET}" if new else ""))
        else:
            pieces.append((f"{DEL_OPEN}{old}{DEL_CLOSE}" if old else "") + (f"{INS_OPEN}{new}{INS_CLOSE}" if new else ""))
        pos = e.end
    pieces.append(_visible_text(text[pos:]))
    body = "".join(pieces)
    summary = restore_summary(report)
    if color:
        summary = f"{_BOLD}{summary}{_RESET}"
    return body + ("\n" if body.endswith("\n") else "\n\n") + summary
