"""A comparison (`Spinfix.compare`) for people: the verdict and its evidence, then each aligned
pair, the suspect's sentence over the reference's, the differences marked by kind."""
from __future__ import annotations

from typing import Any

from spinfix.render.escape import BOLD, RESET, visible

# Differences by kind: a colour on a terminal (none of them red-green only), a mark without one.
_STYLE = {
    "swap": ("\x1b[1;35m", "~"),  # magenta
    "rewording": ("\x1b[1;33m", "*"),  # yellow
    "fact": ("\x1b[1;36m", "!"),  # cyan
    "insertion": ("\x1b[4m", "+"),  # underlined
    "deletion": ("\x1b[9m", "-"),  # struck through
}
_DIM = "\x1b[2m"
LEGEND = "differences: ~spinner swap~ *rewording* !changed fact! +inserted+ -dropped-"


def _mark(text: str, kind: str, color: bool) -> str:
    style, m = _STYLE.get(kind, ("", "?"))
    return f"{style}{visible(text)}{RESET}" if color else f"{m}{visible(text)}{m}"


def _side(text: str, diffs: list[tuple[int, int, str]], color: bool) -> str:
    out, pos = [], 0
    for a, b, kind in sorted(diffs):
        if a < pos:
            continue
        out.append(visible(text[pos:a]))
        out.append(_mark(text[a:b], kind, color) if b > a else _mark("^", kind, color))
        pos = b
    out.append(visible(text[pos:]))
    return "".join(out)


# The evidence of derivation a person checks, in words (the HTML report shows them too).
EVIDENCE_NAMES = {
    "aligned_share": "sentences aligned", "coverage": "of the reference covered", "copied_share": "words shared",
    "explained_share": "words shared or spinner swaps", "immutables": "names and numbers shared in order",
    "longest_run": "longest aligned run",
}


def evidence_line(evidence: dict[str, float]) -> str:
    return ", ".join(f"{100 * evidence[k]:.0f} % {v}" for k, v in EVIDENCE_NAMES.items() if k in evidence)


def render_comparison(cmp: Any, color: bool, names: list[str] | None = None) -> str:
    """The terminal report of a `Comparison` (no trailing newline)."""
    text, check = cmp.text, cmp.check
    names = names or [f"reference {k + 1}" for k in range(len(cmp.references))]
    verdict = "derived from the reference" if cmp.is_derived else "not derived from the reference"
    head = f"{cmp.report.source or '<text>'}: {verdict} (probability {cmp.derived:.2f}, threshold {cmp.threshold:g})"
    lines = [f"{BOLD}{head}{RESET}" if color else head, f"  evidence: {evidence_line(cmp.evidence)}"]
    lines.append(
        "  This is what the comparison found, not an accusation: a person should read the pairs below."
        if cmp.is_derived else "  The texts share too little to say one was made from the other."
    )
    lines.append(f"  {LEGEND}")
    aligned = {i for p in cmp.pairs for i in p.suspect}
    for p in cmp.pairs:
        ref_text = cmp.references[p.reference]
        s_diffs = [(d.suspect_start, d.suspect_end, d.kind) for d in p.differences if d.kind != "deletion"]
        r_diffs = [(d.reference_start, d.reference_end, d.kind) for d in p.differences if d.kind != "insertion"]
        where = f"{names[p.reference]}" if len(cmp.references) > 1 else "reference"
        sim = f"{_DIM}similarity {p.similarity:.2f}{RESET}" if color else f"similarity {p.similarity:.2f}"
        lines.append("")
        lines.append(f"  suspect:   {_side(text[p.suspect_start : p.suspect_end], s_diffs, color)}")
        lines.append(f"  {where + ':':<10} {_side(ref_text[p.reference_start : p.reference_end], r_diffs, color)}  ({sim})")
    unaligned = [s for i, s in enumerate(check.suspect) if i not in aligned and s.text.strip()]
    if unaligned:
        lines.append("")
        lines.append(f"  {len(unaligned)} suspect sentence{'s' if len(unaligned) != 1 else ''} with no counterpart in the reference:")
        lines += [f"    {visible(s.text)}" for s in unaligned[:20]]
        if len(unaligned) > 20:
            lines.append(f"    ... and {len(unaligned) - 20} more")
    edits = cmp.report.edits or []
    lines.append("")
    by: dict[str, int] = {}
    for e in edits:
        by[e.evidence or "model"] = by.get(e.evidence or "model", 0) + 1
    said = ", ".join(f"{n} from the {k}" if k in ("reference", "model") else f"{n} {k}" for k, n in sorted(by.items()))
    lines.append(f"  restoration: {len(edits)} edit{'s' if len(edits) != 1 else ''}" + (f" ({said})" if said else ""))
    return "\n".join(lines)
