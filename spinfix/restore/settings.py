"""Restoration settings, released with the rewriter in models/rewriter/spinfix.json.

The file holds one section per component, each read into its dataclass here:

    {"default_method": ..., "min_confidence": {method: ...},   -> RestoreSettings
     "baseline": {...},                                          -> BaselineSettings
     "rewriter": {...},                                          -> RewriterSettings
     "training": {...}}                                          (facts for the model card)
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinfix.settings import from_dict

logger = logging.getLogger(__name__)

CONFIG_NAME = "spinfix.json"


@dataclass
class BaselineSettings:
    """The baseline restorer's settings (spinfix.restore.baseline), fitted on dev by
    scripts/fit_baseline.py, scripts/calibrate_baseline.py and scripts/tune_restore.py."""

    # The candidate-score weights (LM and evidence, spinfix.restore.evidence); empty: the LM
    # alone with `keep_bonus` as the head start for leaving a span as it is.
    weights: dict[str, float] = field(default_factory=dict)
    keep_bonus: float = 0.0
    # Candidates per unit scored in full besides the spun text: the best by evidence + the LM's
    # first-token log-probability; None: all of them. The release cuts at 6, as its weights were
    # fitted (docs/history/restoration.md says what the cut costs)...
    shortlist: int | None = None
    # ...and of those only the ones within this much of the best ranked (the spun text
    # included): far behind on the first token, a candidate is rarely chosen after its last.
    # None: no margin (the release: 3.0).
    shortlist_margin: float | None = None
    # The short list's own evidence weights, fitted without the detector's reading; None: `weights`.
    shortlist_weights: dict[str, float] | None = None
    calibration: tuple[float, ...] | None = None  # softmax -> P(right), (a, b) of a logistic map
    int8: bool = False  # the LM quantised to int8 on the CPU (as the weights were fitted)
    # Words of right context scored after a candidate: enough to judge the fit ("military aid
    # would"), and the cost no longer grows with the sentence. 3 words chose as well as 6 on dev
    # decisions (76.1 % against 76.5 % right, cross-validated) at 1.4x the speed; 2 words, with
    # the released short list, as well as 3 (57.9 % against 58.0 % of all dev decisions right)
    # with a fifth fewer tokens through the LM (spinfix 0.1.5).
    right_context: int = 2
    max_candidates: int | None = None  # candidates a unit gets, ranked; None: the generator's default
    # Decide a unit again once the words after it are restored (BaselineRestorer.revisit)...
    revisit: bool = False
    # ...only for the candidates first scored within this much of the unit's best; None: all.
    revisit_margin: float | None = None
    # Sentences read together: each round is one LM pass over all of them. 32 restored a
    # 40-sentence article about 1.15x faster than 16 (fewer, fuller passes); smaller was slower.
    batch_sentences: int = 32


@dataclass
class RewriterSettings:
    """The rewriter's decoding settings (spinfix.restore.rewriter)."""

    batch_size: int = 16
    prompt_lookup: bool = False
    max_new_tokens: int = 160


@dataclass
class RestoreSettings:
    """Which method restores by default, and the confidence an edit needs to be applied."""

    default_method: str = "rewriter"
    # Edits below this confidence are reported on their span but not applied, per method.
    min_confidence: dict[str, float] = field(default_factory=dict)
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    rewriter: RewriterSettings = field(default_factory=RewriterSettings)

    @classmethod
    def load(cls, rewriter_dir: Path | None) -> RestoreSettings:
        """The settings released in `rewriter_dir`; with no rewriter folder, the baseline by default."""
        if rewriter_dir is None or not (rewriter_dir / CONFIG_NAME).exists():
            return cls(default_method="baseline" if rewriter_dir is None else "rewriter")
        path = rewriter_dir / CONFIG_NAME
        return cls.from_dict(json.loads(path.read_text()), str(path))

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "restore settings") -> RestoreSettings:
        d = _sections(d, where)
        top = from_dict(_Top, {k: d[k] for k in ("default_method", "min_confidence") if k in d}, where)
        return cls(
            default_method=top.default_method, min_confidence=top.min_confidence,
            baseline=from_dict(BaselineSettings, d.get("baseline"), f"{where}: baseline"),
            rewriter=from_dict(RewriterSettings, d.get("rewriter"), f"{where}: rewriter"),
        )


@dataclass
class _Top:
    """The two settings at the file's top level (checked like every section)."""

    default_method: str = "rewriter"
    min_confidence: dict[str, float] = field(default_factory=dict)


def _sections(d: dict[str, Any], where: str) -> dict[str, Any]:
    """`d` with the flat keys of files written before spinfix 0.7.0 ("baseline_weights",
    "keep_bonus", "inference") moved into their sections, so an older models folder reads as it
    did."""
    flat = [k for k in d if k.startswith("baseline_") or k in ("keep_bonus", "inference")]
    if not flat:
        return d
    logger.info("%s: reading the flat settings of a release before spinfix 0.7.0", where)
    out = {k: v for k, v in d.items() if k not in flat}
    baseline = dict(out.get("baseline") or {})
    for k in flat:
        if k == "inference":
            out["rewriter"] = {**d[k], **(out.get("rewriter") or {})}
        else:
            baseline.setdefault(k.removeprefix("baseline_"), d[k])
    out["baseline"] = baseline
    return out
