"""What several commands share: option types, their parsing, loading the models once."""
from __future__ import annotations

import enum
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spinfix.errors import ModelError, SpinfixError
from spinfix.io.writing import stream_is_tty
from spinfix.restore.methods import METHODS

if TYPE_CHECKING:
    from spinfix.pipeline import Spinfix

logger = logging.getLogger(__name__)

# A single file gets a progress bar only when it is long enough to take a while.
PROGRESS_MIN_SENTENCES = 200


class OutputFormat(str, enum.Enum):
    """What `detect` writes to stdout."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    html = "html"


class RestoreFormat(str, enum.Enum):
    """What `restore` writes."""

    text = "text"
    diff = "diff"
    json = "json"
    html = "html"


class CompareFormat(str, enum.Enum):
    """What `compare` writes."""

    text = "text"
    json = "json"
    diff = "diff"
    html = "html"


# Restoration methods: the names in spinfix.restore.methods.METHODS.
Method = enum.Enum("Method", {name: name for name in METHODS}, type=str)  # type: ignore[misc]


_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(value: str | int) -> int:
    """``"1048576"``, ``"512K"``, ``"50M"``, ``"1.5GiB"`` -> bytes (binary units)."""
    if isinstance(value, int):  # the default, already in bytes
        return value
    m = _SIZE_RE.fullmatch(value)
    if not m:
        raise typer.BadParameter(f"{value!r} is not a size; use bytes or a unit, e.g. 50M or 2G.")
    number, unit = float(m.group(1)), m.group(2).lower()
    size = int(number * 1024 ** "_kmgt".index(unit or "_"))
    if size < 1:
        raise typer.BadParameter("must be at least 1 byte.")
    return size


def check_threshold(value: float | None) -> float | None:
    # `not 0 < value < 1` also rejects NaN, which click's float parser accepts.
    if value is not None and not 0 < value < 1:
        raise typer.BadParameter(f"{value} is not between 0 and 1 (exclusive); e.g. 0.5.")
    return value


def check_confidence(value: float | None) -> float | None:
    # `not 0 <= value <= 1` also rejects NaN.
    if value is not None and not 0 <= value <= 1:
        raise typer.BadParameter(f"{value} is not between 0 and 1; e.g. 0.5.")
    return value


def auto_color() -> bool:
    """Color by default only on a terminal, honouring https://no-color.org and TERM=dumb."""
    return stream_is_tty(sys.stdout) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def load_models(
    models: Path | None, threshold: float | None, context: bool = True, lm_reading: bool = True, device: str | None = None
) -> Spinfix:
    """Load the models once for the whole command; raise ModelError with a user message."""
    # Imported here so that --help and --version need not import torch.
    import spinfix

    logger.info("loading models from %s", models if models is not None else "the default location")
    try:
        return spinfix.load(models, threshold=threshold, context=context, lm_reading=lm_reading, device=device)
    except SpinfixError:
        raise
    except Exception as exc:  # a corrupt checkpoint can fail in torch, safetensors, tokenizers...
        logger.debug("model load failed", exc_info=True)
        where = models if models is not None else "the default models folder"
        raise ModelError(f"cannot load the models from {where}: {exc}") from exc


def model_facts(sf: Spinfix) -> dict[str, str]:
    """What the HTML report says about the models, besides the report's own `model`; what a
    pipeline does not tell (a stand-in, a restorer of one's own) is left out, not guessed."""
    facts: dict[str, str] = {}
    detector = getattr(sf, "detector", None)
    if detector is not None:
        version = getattr(getattr(detector, "config", None), "extra", {}).get("version")
        facts["Detector"] = f"{detector.name} {version}" if version else str(detector.name)
        facts["LM reading"] = "on: uncertain sentences read again by the language model" if sf.lm_reading is not None else "off"
    return facts


# Options shared by several commands.
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        callback=check_threshold,
        help="Flag a sentence when its spin probability is at least this, in (0, 1). (default: the model's own)",
        show_default=False,
    ),
]
ContextOption = Annotated[
    bool,
    typer.Option(
        "--context/--no-context",
        help=(
            "Weigh each sentence with its neighbours in the same file: spinners spin whole "
            "articles. --no-context reads every sentence alone (for files that mix sources)."
        ),
    ),
]
LMReadingOption = Annotated[
    bool,
    typer.Option(
        "--lm-reading/--no-lm-reading",
        help=(
            "Let the language model read again the sentences the detector is unsure of, where "
            "the models carry a fitted LM reading (spinfix/detect/reading.py; the released detector "
            "does). --no-lm-reading: the detector alone, with its own threshold; about 13x "
            "faster on a CPU, fewer tortured phrases caught."
        ),
    ),
]
MaxBytesOption = Annotated[
    int,
    typer.Option(
        parser=parse_size,
        metavar="SIZE",
        help="Refuse inputs larger than this: bytes, or with a unit, e.g. 200M. (default: 50M)",
        show_default=False,
    ),
]
MethodOption = Annotated[
    Method | None,
    typer.Option(
        case_sensitive=False,
        help=(
            "baseline: candidate originals scored by a language model and the evidence for "
            "each; restores more, about as fast. rewriter: a fine-tuned language model rewrites "
            "each flagged sentence. "
            "(default: the released default, named in models/rewriter/spinfix.json)"
        ),
        show_default=False,
    ),
]
MinConfidenceOption = Annotated[
    float | None,
    typer.Option(
        callback=check_confidence,
        help=(
            "Apply only the suggestions at least this confident, in [0, 1]; the others stay in "
            "the report (--format json, diff, html) as suggestions; 0 applies every one. "
            "(default: the method's minimum as released in models/rewriter/spinfix.json: for "
            "the baseline the one chosen for precision on real spun news, for the rewriter 0.15)"
        ),
        show_default=False,
    ),
]
ModelsOption = Annotated[
    Path | None,
    typer.Option(
        help="Models folder (holding detector/, rewriter/ and reference/). (default: $SPINFIX_MODELS, else models/ in the checkout)",
        show_default=False,
    ),
]
