"""Restored reports: the restored text, and the whole text as an inline diff with a summary."""
from __future__ import annotations

import bisect

from spinfix.render.escape import BOLD, RESET, visible, visible_text
from spinfix.report import Report

# The restore diff: the spun wording struck through in red, the restored wording in green; in
# plain text wdiff's markers, [-old-]{+new+}.
_DELETED = "\x1b[9;31m"
_INSERTED = "\x1b[32m"
DEL_OPEN, DEL_CLOSE = "[-", "-]"
INS_OPEN, INS_CLOSE = "{+", "+}"


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
    method = f" (method: {visible(report.method)})" if report.method else ""
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
        pieces.append(visible_text(text[pos : e.start]))
        old, new = visible(text[e.start : e.end]), visible(e.new)
        if color:
            pieces.append((f"{_DELETED}{old}{RESET}" if old else "") + (f"{_INSERTED}{new}{RESET}" if new else ""))
        else:
            pieces.append((f"{DEL_OPEN}{old}{DEL_CLOSE}" if old else "") + (f"{INS_OPEN}{new}{INS_CLOSE}" if new else ""))
        pos = e.end
    pieces.append(visible_text(text[pos:]))
    body = "".join(pieces)
    summary = restore_summary(report)
    if color:
        summary = f"{BOLD}{summary}{RESET}"
    return body + ("\n" if body.endswith("\n") else "\n\n") + summary
