"""Restoration with a reference, and what `Spinfix.compare` returns.

When the suspect was derived from the reference (`Check.is_derived`), the reference's words are
the original: every spinner-style swap or small rewording in an aligned pair is restored from it
(evidence "reference"), the detector's marks included and the ones it missed too, and so is a
spinner's short insertion or deletion ("by means of" for "by"); a sentence rewritten as a whole
(few words of the reference's left) gets the reference sentence back when the derivation is sure
enough (`rewrite_min_derived`); a mark on words the
reference shows as they are is "contradicted" and its suggestion is not applied. Changed facts
(numbers, names, quotations) and longer insertions or deletions (the farm's own words) are
reported, not restored. Where the reference is silent (a sentence aligned to nothing) the restorer's
suggestion stands (evidence "model").

When it was not derived (another outlet's article on the same event), the reference confirms: a
suggestion the reference shows at the same place is "confirmed"; and where it shows, inside a
detector's mark, words a spinner could have swapped for the marked ones (related in the
restorer's lexicon), those words become the mark's suggestion (evidence "reference", with the
confidence measured on dev). Nothing outside the detector's marks changes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spinfix.reference.check import AlignedPair, Check
from spinfix.reference.settings import ReferenceRestoreSettings
from spinfix.reference.words import Difference
from spinfix.report import Edit, Report, SentenceReport, Span
from spinfix.restore.rules import safe

# Differences restored from a derived reference, and the kind a whole-sentence rewrite gets.
RESTORED_KINDS = ("swap", "rewording")


@dataclass
class Comparison:
    """A suspect text checked against its references (`Spinfix.compare`)."""

    text: str
    references: list[str]
    check: Check
    report: Report
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> float:
        """The probability that `text` was derived from a reference."""
        return self.check.derived

    @property
    def is_derived(self) -> bool:
        return self.check.is_derived

    @property
    def threshold(self) -> float:
        return self.check.threshold

    @property
    def pairs(self) -> list[AlignedPair]:
        return self.check.pairs

    @property
    def evidence(self) -> dict[str, float]:
        return self.check.evidence

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "derived": round(self.derived, 4),
            "is_derived": self.is_derived,
            "threshold": self.threshold,
            "evidence": {k: round(v, 4) for k, v in self.evidence.items()},
            "references": len(self.references),
            "pairs": [p.to_dict() for p in self.pairs],
            "report": self.report.to_dict(include_text=include_text),
        }
        if include_text:
            d["reference_texts"] = self.references
        return d


def _words(text: str) -> int:
    return len(text.split())


def reference_edits(check: Check, text: str, settings: ReferenceRestoreSettings) -> list[tuple[Edit, str]]:
    """The edits a derived reference shows, each with the kind of difference it restores
    ("swap", "rewording", or "rewrite" for a whole pair), in text order."""
    out: list[tuple[Edit, str]] = []
    for p in check.pairs:
        if p.words.copied_share < settings.rewrite_below:
            if check.derived < settings.rewrite_min_derived:
                continue  # a weakly derived text: its rewritten sentences stay as they are
            old = text[p.suspect_start : p.suspect_end]
            ref_text = _reference_text(check, p)
            if old != ref_text:
                out.append((Edit(p.suspect_start, p.suspect_end, old, ref_text, settings.rewrite_confidence, "reference"), "rewrite"))
            continue
        for d in p.differences:
            a, b = p.suspect_start + d.suspect_start, p.suspect_start + d.suspect_end
            if d.kind in ("insertion", "deletion"):
                # A spinner's expansion ("by" -> "by means of") or contraction, a few words: the
                # farm's own additions are longer, and stay.
                if max(_words(d.suspect_text), _words(d.reference_text)) > settings.max_inserted_words:
                    continue
                if d.kind == "insertion":  # the words go, with one space beside them
                    if b < len(text) and text[b] == " ":
                        b += 1
                    elif a > 0 and text[a - 1] == " ":
                        a -= 1
                    new = ""
                else:  # the reference's words come in, after a space
                    new = " " + d.reference_text
                conf = settings.inserted_confidence if d.kind == "insertion" else settings.deleted_confidence
                out.append((Edit(a, b, text[a:b], new, conf, "reference"), d.kind))
                continue
            if d.kind not in RESTORED_KINDS:
                continue
            if d.kind == "rewording" and max(_words(d.suspect_text), _words(d.reference_text)) > settings.max_rewording_words:
                continue
            if not d.suspect_text.strip() or not d.reference_text.strip():
                continue
            conf = settings.swap_confidence if d.kind == "swap" else settings.rewording_confidence
            out.append((Edit(a, b, text[a:b], d.reference_text, conf, "reference"), d.kind))
    out.sort(key=lambda e: e[0].start)
    return out


def _reference_text(check: Check, p: AlignedPair) -> str:
    segs = check.references[p.reference]
    return " ".join(segs[j].text for j in p.sentences) if len(p.sentences) > 1 else segs[p.sentences[0]].text


def _pair_of(pairs: Sequence[AlignedPair], start: int, end: int) -> AlignedPair | None:
    return next((p for p in pairs if p.suspect_start <= start and end <= p.suspect_end), None)


def _difference_at(p: AlignedPair, start: int, end: int) -> Difference | None:
    """The pair's difference that overlaps [start, end) (text offsets), if any."""
    for d in p.differences:
        a, b = p.suspect_start + d.suspect_start, p.suspect_start + d.suspect_end
        if a < end and start < b or (a == b and start <= a <= end):
            return d
    return None


def apply_reference(report: Report, check: Check, settings: ReferenceRestoreSettings, min_confidence: float) -> None:
    """Fill a report that restoration has filled (or detection only, with no suggestions) with
    what the reference says; its edits become the final ones (see the module doc)."""
    text = report.text
    if check.is_derived:
        found = reference_edits(check, text, settings)
        taken = [e for e, _ in found]
        agreed: set[int] = set()  # reference edits whose words a replaced mark had suggested too
        for s in report.sentences:
            kept = []
            for sp in s.spans:
                p = _pair_of(check.pairs, sp.start, sp.end)
                if p is None:
                    sp.evidence = "model"
                    kept.append(sp)
                    continue
                over = [n for n, e in enumerate(taken) if e.start < sp.end and sp.start < e.end]
                if over:  # the reference's own edits below stand in for this mark
                    agreed.update(n for n in over if sp.suggestion is not None and sp.suggestion.lower() == taken[n].new.lower())
                    continue
                sp.evidence = "contradicted"  # the reference shows these words as they are
                kept.append(sp)
            s.spans = kept
        blind = [sp for sp in report.spans if sp.evidence == "model"]
        by_sentence: dict[int, list[Span]] = {}
        for n, e in enumerate(taken):
            i = next((k for k, s in enumerate(report.sentences) if s.start <= e.start and e.end <= s.end), None)
            if i is None:  # an edit across sentences (a rewrite of two): the first sentence carries it
                i = next((k for k, s in enumerate(report.sentences) if s.start <= e.start < s.end), 0)
            evidence = "confirmed" if n in agreed else "reference"
            taken[n] = Edit(e.start, e.end, e.old, e.new, e.confidence, evidence)
            by_sentence.setdefault(i, []).append(
                Span(e.start, e.end, e.old, _probability(report.sentences[i]), suggestion=e.new, confidence=e.confidence, evidence=evidence)
            )
        for i, spans in by_sentence.items():
            s = report.sentences[i]
            s.spans = sorted([*s.spans, *spans], key=lambda sp: sp.start)
            s.is_spun = True
        edits = list(taken)
        for sp in blind:
            if sp.is_edit and sp.confidence is not None and sp.confidence >= min_confidence:
                if not any(e.start < sp.end and sp.start < e.end for e in taken):
                    edits.append(Edit(sp.start, sp.end, sp.text, sp.suggestion or sp.text, sp.confidence, "model"))
        report.edits = sorted(edits, key=lambda e: e.start)
        return
    # Not derived (another outlet's article): it confirms the restorer's suggestions it shows at
    # the same place, and a spinner-style swap it shows inside a marked span (its words related to
    # the span's in the lexicon) becomes that span's suggestion; nothing outside the marks changes.
    for sp in report.spans:
        sp.evidence = "model"
        p = _pair_of(check.pairs, sp.start, sp.end)
        d = _difference_at(p, sp.start, sp.end) if p is not None else None
        if p is None or d is None:
            continue
        if sp.is_edit and sp.suggestion is not None and sp.suggestion.lower() in _words_of(d.reference_text):
            sp.evidence = "confirmed"
            continue
        a, b = p.suspect_start + d.suspect_start, p.suspect_start + d.suspect_end
        if d.kind == "swap" and sp.start <= a and b <= sp.end and sp.confidence is not None:
            new = text[sp.start : a] + d.reference_text + text[b : sp.end]
            if new != sp.text and safe(sp.text, new):
                sp.suggestion, sp.confidence, sp.evidence = new, settings.outlet_swap_confidence, "reference"
    if report.edits is not None:
        report.edits = [
            Edit(sp.start, sp.end, sp.text, sp.suggestion or sp.text, sp.confidence, sp.evidence)
            for sp in report.spans
            if sp.is_edit and sp.confidence is not None and sp.confidence >= min_confidence
        ]


def outlet_swaps(check: Check, text: str) -> list[Edit]:
    """The spinner-style swaps a reference shows (differences of kind "swap"), as edits of the
    suspect text: what another outlet's article may suggest for a marked span."""
    out = []
    for p in check.pairs:
        for d in p.differences:
            if d.kind == "swap":
                a, b = p.suspect_start + d.suspect_start, p.suspect_start + d.suspect_end
                out.append(Edit(a, b, text[a:b], d.reference_text, 1.0, "reference"))
    return out


def _words_of(text: str) -> list[str]:
    """A difference's reference words one by one, and whole (lower case)."""
    return text.lower().split(" ") + [text.lower()]


def _probability(sentence: SentenceReport) -> float:
    """The detector's probability for a stretch it did not mark: its sentence's own (the
    reference, not the detector, says this stretch was swapped)."""
    return float(sentence.probability_alone if sentence.probability_alone is not None else sentence.probability)


def as_references(reference: object) -> list[str]:
    """A reference argument as a list of texts: a str, or a list (or tuple) of str, none empty."""
    refs = [reference] if isinstance(reference, str) else list(reference) if isinstance(reference, (list, tuple)) else None
    if not refs or not all(isinstance(r, str) for r in refs):
        raise TypeError("reference must be a str (the clean article's text) or a list of them")
    if any(not r.strip() for r in refs):
        raise ValueError("a reference is empty: there is no text to compare with")
    return refs
