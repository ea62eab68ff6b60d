"""The restoration methods, one table: a method's name -> how its restorer is built.

A restorer is built from `RestorerParts`: the released settings, the models folder, and the
pieces it shares with detection (SmolLM2, loaded once; the candidate lexicon, whose phrases
detection also grows its marks over; the detector's reading of a candidate in place).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinfix.errors import ModelError
from spinfix.restore.rules import Restorer
from spinfix.restore.settings import RestoreSettings

if TYPE_CHECKING:  # the CLI reads the table of names; keep it light
    from spinfix.restore.candidates import CandidateGenerator


@dataclass
class RestorerParts:
    """What restorers are built from."""

    settings: RestoreSettings
    rewriter_dir: Path | None
    device: str | None
    base_lm: Callable[[], tuple[Any, Any]]  # SmolLM2 (model, tokenizer) in fp32, shared
    candidates: Callable[[], CandidateGenerator]
    # (texts, spans) -> the detector's reading of each span in its text (Detector.readings)
    discriminator: Callable[[list[str], list[tuple[int, int]]], list[float]] | None = None


def build_baseline(parts: RestorerParts) -> Restorer:
    """Candidate originals scored by SmolLM2 with the fitted evidence (spinfix.restore.baseline)."""
    from spinfix.lm.loading import load_base
    from spinfix.lm.scorer import LMScorer
    from spinfix.restore.baseline import BaselineRestorer

    cfg = parts.settings.baseline
    model, tok = load_base(parts.device or "cpu", int8=True) if cfg.int8 else parts.base_lm()
    # The detector reads each short-listed candidate in place when the weights weigh it.
    discriminator = parts.discriminator if "detector" in cfg.weights else None
    return BaselineRestorer(LMScorer(model, tok), parts.candidates(), cfg, discriminator=discriminator)


def build_rewriter(parts: RestorerParts) -> Restorer:
    """SmolLM2 with the released LoRA adapter (spinfix.restore.rewriter)."""
    from spinfix.restore.rewriter import Rewriter

    if parts.rewriter_dir is None:
        raise ModelError("no rewriter in the models folder (expected models/rewriter); use method='baseline'")
    return Rewriter.load(parts.rewriter_dir, device=parts.device, settings=parts.settings.rewriter)


METHODS: dict[str, Callable[[RestorerParts], Restorer]] = {
    "rewriter": build_rewriter,
    "baseline": build_baseline,
}
