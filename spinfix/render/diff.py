"""Restored reports: the restored text, and the whole text as an inline diff with a summary."""
from __future__ import annotations

import bisect

from spinfix.render.escape import BOLD, RESET, visible, visible_text
from spinfix.report import Report, Span

# The restore diff: the spun wording struck through in red, the restored wording in green; in
# plain text wdiff's markers, [-old-]{+new+}.
_DELETED = "\x1b[9;31m"
_INSERTED = "\x1b[32m"
DEL_OPEN, DEL_CLOSE = "[-", "-]"
INS_OPEN, INS_CLOSE = "{+", "+}"
# A suggestion not applied (below the minimum confidence): the words as they stand, then what
# the restorer suggests, in yellow; in plain text [~old~]{?new?}.
_SUGGESTED_OLD = "\x1b[4;33m"
_SUGGESTED_NEW = "\x1b[2;33m"
SUG_OPEN, SUG_CLOSE = "[~", "~]"
ASK_OPEN, ASK_CLOSE = "{?", "?}"
_EDIT_MARKERS = ((DEL_OPEN, DEL_CLOSE), (INS_OPEN, INS_CLOSE))
_SUGGESTION_MARKERS = ((SUG_OPEN, SUG_CLOSE), (ASK_OPEN, ASK_CLOSE))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_restored(report: Report) -> str:
    """The restored text: the input exactly, with every edit applied and nothing added."""
    restored = report.restored_text
    if restored is None:
        raise ValueError("the report was not restored; use restore(), not detect()")
    return restored


def suggestions_not_applied(report: Report) -> list[Span]:
    """The restorer's suggestions that restoration did not apply (below the minimum confidence),
    in text order. A span the reference shows as it stands ("contradicted") is no suggestion."""
    applied = {(e.start, e.end) for e in report.edits or []}
    return sorted(
        (sp for sp in report.spans if sp.is_edit and sp.evidence != "contradicted" and (sp.start, sp.end) not in applied),
        key=lambda sp: (sp.start, sp.end),
    )


def restore_summary(report: Report) -> str:
    """One line: how many edits, in how many sentences, by which method; and how many
    suggestions were not sure enough to apply."""
    n = len(report.sentences)
    edits = report.edits or []
    method = f" (method: {visible(report.method)})" if report.method else ""
    rest = len(suggestions_not_applied(report))
    tail = f"; {_plural(rest, 'suggestion')} not applied" if rest else ""
    if edits:
        starts = [s.start for s in report.sentences]
        touched = set()
        for e in edits:
            i = bisect.bisect_right(starts, e.start) - 1
            if i >= 0 and e.start < report.sentences[i].end:
                touched.add(i)
        return f"{_plural(len(edits), 'edit')} in {len(touched)} of {_plural(n, 'sentence')}{tail}{method}"
    flagged = len(report.spun_sentences)
    if flagged:
        return f"no edits: {flagged} of {_plural(n, 'sentence')} flagged as spun, none changed{tail}{method}"
    return f"no edits: no spun text found in {_plural(n, 'sentence')}{method}"


def render_diff(report: Report, color: bool) -> str:
    """The whole text with each edit shown as old then new, each suggestion not applied as the
    words as they stand then the suggestion, a blank line, and a summary line.

    With ``color`` an edit's old wording is red and struck through and the new one green, a
    suggestion's words underlined in yellow and the suggestion dim yellow; without, wdiff's
    ``[-old-]{+new+}`` for edits and ``[~old~]{?new?}`` for suggestions. Spans left unchanged
    are not marked. Control and bidi characters are shown escaped (line breaks are kept). No
    trailing newline.
    """
    if report.edits is None:
        raise ValueError("the report was not restored; use restore(), not detect()")
    text = report.text
    marks = [(e.start, e.end, e.new, True) for e in report.edits]
    marks += [(sp.start, sp.end, sp.suggestion or "", False) for sp in suggestions_not_applied(report)]
    pieces: list[str] = []
    pos = 0
    for start, end, new_text, is_edit in sorted(marks, key=lambda m: (m[0], m[1])):
        if start < pos or end > len(text):  # overlapping or out of range: never from restore()
            continue
        pieces.append(visible_text(text[pos:start]))
        old, new = visible(text[start:end]), visible(new_text)
        if color:
            o, n = (_DELETED, _INSERTED) if is_edit else (_SUGGESTED_OLD, _SUGGESTED_NEW)
            pieces.append((f"{o}{old}{RESET}" if old else "") + (f"{n}{new}{RESET}" if new else ""))
        else:
            (oa, ob), (na, nb) = _EDIT_MARKERS if is_edit else _SUGGESTION_MARKERS
            pieces.append((f"{oa}{old}{ob}" if old else "") + (f"{na}{new}{nb}" if new else ""))
        pos = end
    pieces.append(visible_text(text[pos:]))
    body = "".join(pieces)
    summary = restore_summary(report)
    if color:
        summary = f"{BOLD}{summary}{RESET}"
    return body + ("\n" if body.endswith("\n") else "\n\n") + summary
