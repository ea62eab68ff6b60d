"""spinfix: find synonym-spun text, mark the spun phrases, restore the original wording.

    import spinfix
    sf = spinfix.load()
    report = sf.detect(text)          # or sf.restore(text)

The package follows the data flow: text (documents, tokens) -> detect (the detector, the LM's
reading, neighbours, marks) -> restore (candidates, baseline, rewriter) -> report; lexicon and lm
underneath, render, io, cli around it, eval and train for the figures and the models.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from spinfix.errors import InputError, ModelError, SpinfixError
from spinfix.report import Edit, Report, SentenceReport, Span

if TYPE_CHECKING:  # the pipeline imports torch; keep `import spinfix` and `spinfix --help` light
    from spinfix.index import Index
    from spinfix.pipeline import Spinfix

# The package release. The models in models/ carry versions of their own (their model cards).
__version__ = "0.12.0"

__all__ = [
    "Edit",
    "Index",
    "InputError",
    "ModelError",
    "Report",
    "SentenceReport",
    "Span",
    "Spinfix",
    "SpinfixError",
    "load",
    "__version__",
]


def load(
    path: str | os.PathLike[str] | None = None,
    threshold: float | None = None,
    device: str | None = None,
    context: bool = True,
    lm_reading: bool = True,
) -> Spinfix:
    """Load the released models (from `path`, $SPINFIX_MODELS, or the checkout's models/).

    `context=False` scores every sentence alone, not weighed with its neighbours in the same
    text (spinfix.detect.context); use it when one text mixes unrelated sources. `lm_reading=False`
    leaves out the language model's second reading of uncertain sentences
    (spinfix.detect.reading), where the checkpoint has one (the released detector does), and uses
    the threshold and context fitted for the detector alone: about 13x faster on a CPU, fewer
    tortured phrases caught, more clean sentences flagged."""
    from spinfix.pipeline import Spinfix

    return Spinfix.load(path, threshold=threshold, device=device, context=context, lm_reading=lm_reading)


def __getattr__(name: str) -> Any:
    if name == "Spinfix":
        from spinfix.pipeline import Spinfix

        return Spinfix
    if name == "Index":  # spinfix.Index.open(DIR).search(text, k): find the source
        from spinfix.index import Index

        return Index
    raise AttributeError(f"module 'spinfix' has no attribute {name!r}")
