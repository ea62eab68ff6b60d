"""The reference check's settings, read from models/reference/spinfix.json (one section per part)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spinfix.reference.align import AlignSettings
from spinfix.reference.derive import DerivationSettings
from spinfix.settings import from_dict, to_dict

CONFIG_NAME = "spinfix.json"


@dataclass
class ReferenceRestoreSettings:
    """How far a derived reference's words are trusted: each kind of edit's confidence is its
    share right on the dev cases (scripts/fit_reference.py, step 3); the defaults are a prior."""

    swap_confidence: float = 0.97
    rewording_confidence: float = 0.9
    rewrite_confidence: float = 0.8
    # A pair whose suspect keeps less than this share of the reference's words was rewritten as
    # a whole (a paraphraser, a translation round trip): its reference sentence comes back whole.
    rewrite_below: float = 0.35
    # ... and only when the derivation is at least this sure: a rewrite shares few words with its
    # reference sentence, so the pair alone cannot tell a copy from another outlet's telling of
    # the same fact (fitted: the least probability of a dev copy whose rewrites were right).
    rewrite_min_derived: float = 0.8
    # The most words a rewording may have on either side to be restored (more: rewritten text).
    max_rewording_words: int = 6
    # Words a spinner adds or drops around a swap ("by means of" for "by"): restored up to this
    # many, with this confidence.
    max_inserted_words: int = 3
    inserted_confidence: float = 0.85  # the suspect's extra words dropped
    deleted_confidence: float = 0.85  # the reference's missing words put back
    # Not derived: a spinner-style swap another outlet's article shows inside a detector's mark.
    outlet_swap_confidence: float = 0.9

@dataclass
class ReferenceSettings:
    """The reference check's settings: the aligner's, the derivation's and restoration's from the
    reference (models/reference/spinfix.json)."""

    align: AlignSettings = field(default_factory=AlignSettings)
    derivation: DerivationSettings = field(default_factory=DerivationSettings)
    restore: ReferenceRestoreSettings = field(default_factory=ReferenceRestoreSettings)
    # The same evidence, weighed for a document a search found (spinfix index search --verify):
    # a search brings up the collection's most alike items, templated look-alikes included
    # (readouts, declarations with other names and numbers), which a reference the user chose
    # rarely is. Fitted on dev searches with and without their source indexed
    # (scripts/eval_index.py --write); until then, the derivation at a stricter threshold.
    search: DerivationSettings = field(default_factory=lambda: DerivationSettings(threshold=0.9))

    @classmethod
    def load(cls, folder: Path | None) -> ReferenceSettings:
        path = folder / CONFIG_NAME if folder is not None else None
        if path is None or not path.exists():
            return cls()
        d = json.loads(path.read_text())
        derivation = from_dict(DerivationSettings, d.get("derivation"), f"{path}: derivation")
        return cls(
            align=from_dict(AlignSettings, d.get("align"), f"{path}: align"),
            derivation=derivation,
            restore=from_dict(ReferenceRestoreSettings, d.get("restore"), f"{path}: restore"),
            # What the search section leaves out is the derivation's (at a stricter threshold).
            search=from_dict(
                DerivationSettings, {**to_dict(replace(derivation, threshold=max(derivation.threshold, 0.9))), **(d.get("search") or {})},
                f"{path}: search",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "align": to_dict(self.align), "derivation": to_dict(self.derivation), "restore": to_dict(self.restore),
            "search": to_dict(self.search),
        }
