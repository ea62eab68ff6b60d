"""The human report for the terminal: a header line, then each flagged sentence with its spans
marked (bold red with colour, ``[[...]]`` without)."""
from __future__ import annotations

from spinfix.render.escape import BOLD, RESET, fmt_threshold, source_name, visible
from spinfix.report import Report, SentenceReport
from spinfix.text.language import language_name

# ANSI styles for the terminal report. Bold red for spun spans: it survives light and dark
# themes and is still visible (bold) on a monochrome terminal.
_DIM = "\x1b[2m"
_SPAN = "\x1b[1;31m"

# Plain-text span markers, for pipes and files, where escape codes would be noise.
SPAN_OPEN = "[["
SPAN_CLOSE = "]]"

def not_checked_line(unchecked: list[SentenceReport], n: int) -> str:
    """"not checked: 3 sentences in French (paragraphs 2-3); spinfix judges English only"."""
    names = sorted({language_name(s.language) for s in unchecked if s.language is not None})
    paras = sorted({s.paragraph + 1 for s in unchecked})
    if len(paras) == 1:
        where = f"paragraph {paras[0]}"
    elif paras == list(range(paras[0], paras[-1] + 1)):
        where = f"paragraphs {paras[0]}-{paras[-1]}"
    else:
        where = f"{len(paras)} paragraphs"
    what = "the whole text" if len(unchecked) == n else f"{len(unchecked)} sentence{'s' if len(unchecked) != 1 else ''} ({where})"
    return f"not checked: {what} in {' and '.join(names)}; spinfix judges English only."


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
        pieces.append(visible(text[pos:start]))
        inner = visible(text[start:end])
        pieces.append(f"{_SPAN}{inner}{RESET}" if color else f"{SPAN_OPEN}{inner}{SPAN_CLOSE}")
        pos = end
    pieces.append(visible(text[pos : sent.end]))
    return "".join(pieces)


def render_text(report: Report, color: bool) -> str:
    """A human-readable report: a header line, then each flagged sentence with spans marked.

    With ``color`` the spans are bold red; without, they are wrapped in ``[[...]]`` so they stay
    visible in a pipe or a file. No trailing newline.
    """
    n = len(report.sentences)
    flagged = report.spun_sentences
    name = visible(source_name(report))
    header = (
        f"{name}: {len(flagged)} of {n} sentence{'s' if n != 1 else ''} flagged as spun "
        f"(threshold {fmt_threshold(report.threshold)})"
    )
    lines = [f"{BOLD}{header}{RESET}" if color else header]
    unchecked = report.not_checked
    if unchecked:
        lines.append("  " + not_checked_line(unchecked, n))
    if not flagged and len(unchecked) < n:
        lines.append("  no spun text found." if n else "  no text to check.")
    elif not n:
        lines.append("  no text to check.")
    for sent in flagged:
        # Paragraphs are 0-based in the report; people count lines from 1.
        where = f"p={sent.probability:.2f}"
        if sent.probability_alone is not None and sent.probability_alone < report.threshold:
            # Flagged only with its neighbours' weight: say so, a reader may want to check.
            where += f" (alone {sent.probability_alone:.2f})"
        where += f" para {sent.paragraph + 1}:"
        if color:
            where = f"{_DIM}{where}{RESET}"
        lines.append(f"  {where} {_highlight(report, sent, color)}")
    return "\n".join(lines)
