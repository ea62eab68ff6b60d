"""spinfix: find synonym-spun text, mark the spun phrases.

    import spinfix
    sf = spinfix.load()
    report = sf.detect(text)
"""
from spinfix.errors import InputError, ModelError, SpinfixError
from spinfix.pipeline import Spinfix, load
from spinfix.report import Report, SentenceReport, Span

__version__ = "0.1.0"

__all__ = [
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
