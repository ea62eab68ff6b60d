"""Technical-register training sentences from the docstrings of installed scientific packages.

The news corpora hold little technical prose, so a detector trained on them takes technical terms
for spun words (7 % of clean technical sentences flagged by detector 0.1.0) and misses tortured
phrases among them. The docstrings of numpy, scipy, scikit-learn and torch are tens of thousands
of real sentences in that register. They are used only to make training data (generated files
stay out of git; BSD-style licences): each sentence clean or spun by the synthetic spinner, and,
where it holds a correct phrase of the *spinner share* of the dev tortured phrases, once more with
that phrase tortured. The held-out share is never used.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import logging
import random
import re
from collections.abc import Iterable
from pathlib import Path

from spinfix.eval.tortured_pairs import TorturedPair
from spinfix.text.tokens import tokenize
from spinfix.train.spinner import Spinner, SpunSentence

logger = logging.getLogger(__name__)

PACKAGES = ("numpy", "scipy", "sklearn", "torch")
# More technical prose for the science-weighted third stage (detector 0.5.0): data frames,
# graphs, symbolic mathematics and machine learning, registers the first four barely cover.
EXTRA_PACKAGES = ("pandas", "networkx", "sympy", "transformers")
# Science proper (statistics, astronomy, molecular biology, image processing), the register
# tortured phrases come from. Read as files, never imported. Not in any release's data (tried in
# stage 3 and not released, docs/history/detector.md), so setup-train does not install them;
# `pip install --no-deps statsmodels==0.15.0 astropy==8.0.2 biopython==1.88 scikit-image==0.26.0`
# and `build_data.py --science-mix ... --packages` rebuild that experiment's mix.
SCIENCE_PACKAGES = ("statsmodels", "astropy", "Bio", "skimage")
# Code, markup and reference residue: a sentence showing any of these is not prose.
_NOT_PROSE = re.compile(r"[`:=_\[\]{}<>|\\*#@$%^~]|\(\)|>>>|\.\.|\bhttps?\b|\be\.g\b|\bi\.e\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def prose_sentences(docstring: str) -> list[str]:
    """The sentences of a docstring's opening paragraphs that read as prose."""
    out = []
    for para in docstring.split("\n\n")[:2]:
        for s in _SENTENCE_END.split(" ".join(para.split())):
            if 40 <= len(s) <= 250 and s[:1].isupper() and s.endswith(".") and not _NOT_PROSE.search(s):
                out.append(s)
    return out


def docstring_sentences(packages: Iterable[str] = PACKAGES) -> list[str]:
    """Distinct prose sentences from the docstrings of the installed `packages`, sorted."""
    found: set[str] = set()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            logger.warning("%s is not installed: no technical sentences from it", name)
            continue
        for path in sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc:
                        found.update(prose_sentences(doc))
    return sorted(found)


def package_versions(packages: Iterable[str] = PACKAGES) -> dict[str, str]:
    """The installed versions the docstrings come from: other versions give other sentences."""
    from importlib.metadata import PackageNotFoundError, version

    dists = {"sklearn": "scikit-learn", "Bio": "biopython", "skimage": "scikit-image"}
    out = {}
    for name in packages:
        try:
            out[name] = version(dists.get(name, name))
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def split_of(sentence: str) -> str:
    """95 / 5 train / dev by a stable hash (the news test split stays news only)."""
    return "dev" if int(hashlib.sha1(sentence.encode()).hexdigest()[:8], 16) % 100 < 5 else "train"


def _find(sentence: str, phrase: str) -> int:
    m = re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", sentence, flags=re.IGNORECASE)
    return m.start() if m else -1


def _record(s: SpunSentence, rate: float) -> dict:
    """A training record (see train.data) of one spun sentence."""
    return {"article": "technical", "text": s.spun, "labels": [lab for _, lab in s.labels()], "spun": s.is_spun,
            "clean": s.clean, "rate": round(rate, 3),
            "edits": [[e.start, e.end, e.original, e.replacement, e.source] for e in s.edits]}


def technical_examples(
    sentences: list[str], pairs: list[TorturedPair], spinner: Spinner, rng: random.Random, spun_share: float = 0.4
) -> list[dict]:
    """Training records (see train.data): every sentence clean or spun, plus a tortured copy of
    each sentence holding a correct phrase of `pairs` (the longest one found)."""
    by_phrase: dict[str, list[TorturedPair]] = {}
    for p in pairs:
        if len(p.correct) > 4 and p.correct.lower() != p.tortured.lower():
            by_phrase.setdefault(p.correct.lower(), []).append(p)
    out = []
    for sent in sentences:
        rate = 0.15 + rng.betavariate(2, 2) * 0.55 if rng.random() < spun_share else 0.0
        out.append(_record(spinner.spin(sent, rate, rng), rate))
        low = sent.lower()
        hits = [ph for ph in by_phrase if ph in low and _find(sent, ph) >= 0]
        if not hits:
            continue
        phrase = max(hits, key=len)
        pair = rng.choice(by_phrase[phrase])
        at = _find(sent, phrase)
        original = sent[at : at + len(phrase)]
        tortured = pair.tortured if not original[:1].isupper() else pair.tortured[:1].upper() + pair.tortured[1:]
        text = sent[:at] + tortured + sent[at + len(phrase) :]
        end = at + len(tortured)
        labels = [int(at <= t.start and t.end <= end) for t in tokenize(text)]
        out.append({"article": "technical", "text": text, "labels": labels, "spun": True, "clean": sent, "rate": 0.0,
                    "edits": [[at, end, original, tortured, "tortured-technical"]]})
    return out


def term_examples(sentences: list[str], spinner: Spinner, rng: random.Random, share: float = 0.5) -> list[dict]:
    """Training records with one technical term spun in an otherwise clean sentence
    (`Spinner.spin_term`), for about `share` of `sentences`: the shape of a tortured phrase in a
    paper-mill paper, which the ordinary spins (many words at a rate) rarely make."""
    out = []
    for sent in sentences:
        if rng.random() >= share:
            continue
        s = spinner.spin_term(sent, rng)
        if s is not None:
            out.append(_record(s, 0.0))
    return out
