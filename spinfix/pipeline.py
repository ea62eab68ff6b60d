"""The public entry point: load models once, then detect spun sentences in any amount of text."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from spinfix.detector import Detector, WordScores
from spinfix.document import Document, Segment
from spinfix.errors import ModelError
from spinfix.report import Edit, Report, SentenceReport, Span
from spinfix.restoration import Restorer, SpanTask

logger = logging.getLogger(__name__)

# Sentences scored per model call in detect_many: bounds memory on huge inputs while keeping
# batches full.
_CHUNK_SENTENCES = 1024
# Flagged sentences per restorer call in restore_many: restoration is slow, so progress is
# reported in smaller steps.
_RESTORE_CHUNK = 64


def default_models_dir() -> Path:
    """$SPINFIX_MODELS, else the models/ folder of the source checkout."""
    env = os.environ.get("SPINFIX_MODELS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "models"


@dataclass
class RestoreConfig:
    """Restoration settings released with the rewriter (models/rewriter/spinfix.json)."""

    default_method: str = "rewriter"
    # Edits below this confidence are reported on their span but not applied, per method.
    min_confidence: dict[str, float] = field(default_factory=dict)
    keep_bonus: float = 0.0  # the baseline's head start for "leave the span as it is"
    # The baseline's candidate-score weights (scripts/fit_baseline.py); none: the LM alone.
    baseline_weights: dict[str, float] = field(default_factory=dict)
    # Candidates per unit the baseline scores in full besides the spun text, as its weights were
    # fitted (scripts/fit_baseline.py writes it); absent or None: all of them.
    baseline_shortlist: int | None = None
    # ...and of those only the ones within this much of the best first-token rank; None: no margin.
    baseline_shortlist_margin: float | None = None
    baseline_calibration: list[float] | None = None  # softmax -> P(right), (a, b) of a logistic map
    baseline_int8: bool = False  # the baseline's LM quantised to int8 on the CPU (its weights were fitted so)
    baseline_right_context: int | None = None  # words scored after a candidate; None: the restorer's default
    baseline_max_candidates: int | None = None  # candidates a unit gets, ranked; None: the generator's default

    @classmethod
    def load(cls, rewriter_dir: Path | None) -> "RestoreConfig":
        if rewriter_dir is None or not (rewriter_dir / "spinfix.json").exists():
            return cls(default_method="baseline" if rewriter_dir is None else "rewriter")
        d = json.loads((rewriter_dir / "spinfix.json").read_text())
        return cls(
            default_method=d.get("default_method", "rewriter"),
            min_confidence=d.get("min_confidence", {}),
            keep_bonus=d.get("keep_bonus", 0.0),
            baseline_weights=d.get("baseline_weights", {}),
            baseline_shortlist=d.get("baseline_shortlist"),
            baseline_shortlist_margin=d.get("baseline_shortlist_margin"),
            baseline_calibration=d.get("baseline_calibration"),
            baseline_int8=d.get("baseline_int8", False),
            baseline_right_context=d.get("baseline_right_context"),
            baseline_max_candidates=d.get("baseline_max_candidates"),
        )


class Spinfix:
    """Spun-text detection over text of any length.

    >>> sf = spinfix.load()
    >>> report = sf.detect("The president mentioned the navy help would continue.")
    >>> [s.text for s in report.spans]
    """

    def __init__(
        self,
        detector: Detector,
        threshold: float | None = None,
        rewriter_dir: Path | None = None,
        device: str | None = None,
        restorers: dict[str, Restorer] | None = None,
    ) -> None:
        self.detector = detector
        self.rewriter_dir = rewriter_dir
        self.device = device
        self.restore_config = RestoreConfig.load(rewriter_dir)
        # Loaded on first restore(), then kept. Passing restorers in skips loading (tests, or a
        # restorer of your own).
        self._restorers: dict[str, Restorer] = dict(restorers or {})
        threshold = detector.config.threshold if threshold is None else float(threshold)
        if not 0.0 <= threshold <= 1.0:  # also rejects NaN
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, threshold: float | None = None, device: str | None = None) -> "Spinfix":
        root = Path(path) if path is not None else default_models_dir()
        det_dir = root / "detector" if (root / "detector").is_dir() else root
        if not (det_dir / "config.json").exists():
            raise ModelError(
                f"no spinfix models at {root}: expected {root / 'detector'}/config.json. "
                "Pass a path to spinfix.load(), or set SPINFIX_MODELS."
            )
        rw_dir = root / "rewriter" if (root / "rewriter").is_dir() else None
        return cls(Detector.load(det_dir, device=device), threshold=threshold, rewriter_dir=rw_dir, device=device)

    # -- public API ------------------------------------------------------------------------

    def detect(self, text: str, source: str | None = None) -> Report:
        """Report on one text: one sentence or a whole article."""
        return self.detect_many([text], sources=[source])[0]

    def detect_many(
        self,
        texts: Sequence[str],
        sources: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Report]:
        """Reports for many texts; sentences of all texts share model batches.

        `progress`, if given, is called after each chunk with the number of sentences in that
        chunk (an increment, not a running total).
        """
        if isinstance(texts, str):
            raise TypeError("detect_many takes a list of texts; use detect() for one text")
        sources = list(sources) if sources is not None else [None] * len(texts)
        docs = [Document.from_text(t) for t in texts]
        flat: list[tuple[int, Segment]] = [(di, seg) for di, d in enumerate(docs) for seg in d.sentences]
        per_doc: list[list[SentenceReport]] = [[] for _ in docs]
        for c in range(0, len(flat), _CHUNK_SENTENCES):
            chunk = flat[c : c + _CHUNK_SENTENCES]
            scores = self.detector.score([seg.text for _, seg in chunk])
            for (di, seg), sc in zip(chunk, scores):
                per_doc[di].append(self._sentence_report(seg, sc))
            if progress:
                progress(len(chunk))
        return [
            Report(text=d.text, sentences=s, threshold=self.threshold, source=src, model=self.detector.name)
            for d, s, src in zip(docs, per_doc, sources)
        ]

    def iter_detect(self, texts: Iterable[str], batch_texts: int = 64) -> Iterable[Report]:
        """Stream reports over an iterable of texts, `batch_texts` at a time (bounded memory)."""
        buf: list[str] = []
        for t in texts:
            buf.append(t)
            if len(buf) >= batch_texts:
                yield from self.detect_many(buf)
                buf = []
        if buf:
            yield from self.detect_many(buf)

    def restore(
        self,
        text: str,
        reference: str | None = None,
        method: str | None = None,
        source: str | None = None,
    ) -> Report:
        """detect(), then a suggested original for every flagged span and the restored text.

        `reference` is a clean parallel article (the source, or another outlet's article on
        the same event). Checking restorations against it is the next capability; for now it
        is validated and recorded, and does not change the result.
        """
        return self.restore_many([text], references=[reference], method=method, sources=[source])[0]

    def restore_many(
        self,
        texts: Sequence[str],
        references: Sequence[str | None] | None = None,
        method: str | None = None,
        sources: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Report]:
        """Batched restore(): detection batches over all texts, then restoration batches over
        all flagged sentences. `progress` gets sentence increments, detection then restoration."""
        if isinstance(texts, str):
            raise TypeError("restore_many takes a list of texts; use restore() for one text")
        if references is not None:
            if len(references) != len(texts):
                raise ValueError("restore_many: one reference (or None) per text")
            for r in references:
                if r is not None and not isinstance(r, str):
                    raise TypeError("reference must be a str (the clean article's text) or None")
        restorer = self.restorer(method)
        reports = self.detect_many(texts, sources=sources, progress=progress)
        flagged = [(rep, s) for rep in reports for s in rep.sentences if s.spans]
        min_conf = self.restore_config.min_confidence.get(restorer.name, 0.0)
        for c in range(0, len(flagged), _RESTORE_CHUNK):
            chunk = flagged[c : c + _RESTORE_CHUNK]
            tasks = [SpanTask(s.text, tuple((sp.start - s.start, sp.end - s.start) for sp in s.spans)) for _, s in chunk]
            for (_, s), sugg in zip(chunk, restorer.restore(tasks)):
                for span, g in zip(s.spans, sugg):
                    span.suggestion, span.confidence = g.text, g.confidence
            if progress:
                progress(len(chunk))
        for rep in reports:
            rep.method = restorer.name
            rep.edits = [
                Edit(sp.start, sp.end, sp.text, sp.suggestion, sp.confidence)
                for sp in rep.spans
                if sp.is_edit and sp.confidence is not None and sp.confidence >= min_conf
            ]
        return reports

    def restorer(self, method: str | None = None) -> Restorer:
        """The restorer for `method` ("rewriter" or "baseline"; None = the released default),
        loaded on first use and kept."""
        method = method or self.restore_config.default_method
        if method not in ("rewriter", "baseline") and method not in self._restorers:
            raise ValueError(f"unknown restoration method {method!r}: use 'rewriter' or 'baseline'")
        if method not in self._restorers:
            self._restorers[method] = self._load_restorer(method)
        return self._restorers[method]

    def _load_restorer(self, method: str) -> Restorer:
        if method == "rewriter":
            from spinfix.rewriter import Rewriter

            if self.rewriter_dir is None:
                raise ModelError("no rewriter in the models folder (expected models/rewriter); use method='baseline'")
            return Rewriter.load(self.rewriter_dir, device=self.device)
        from spinfix.baseline import BaselineRestorer, LMScorer
        from spinfix.candidates import CandidateGenerator
        from spinfix.lm import load_base

        # The rewriter's base model, without the adapter.
        cfg = self.restore_config
        model, tok = load_base(self.device or "cpu", int8=cfg.baseline_int8)
        extra = {} if cfg.baseline_right_context is None else {"right_context": cfg.baseline_right_context}
        cands = {} if cfg.baseline_max_candidates is None else {"max_candidates": cfg.baseline_max_candidates}
        return BaselineRestorer(
            LMScorer(model, tok), CandidateGenerator.default(**cands),
            keep_bonus=cfg.keep_bonus, weights=cfg.baseline_weights, shortlist=cfg.baseline_shortlist,
            shortlist_margin=cfg.baseline_shortlist_margin,
            calibration=cfg.baseline_calibration, **extra,
        )

    # -- internals -------------------------------------------------------------------------

    def _sentence_report(self, seg: Segment, sc: WordScores) -> SentenceReport:
        prob = self.detector.sentence_probability(sc)
        spun = bool(sc.tokens) and prob >= self.threshold  # no words, nothing to accuse
        spans = self._spans(seg, sc) if spun else []
        return SentenceReport(
            text=seg.text, start=seg.start, end=seg.end, probability=prob, is_spun=spun, spans=spans, paragraph=seg.paragraph
        )

    def _spans(self, seg: Segment, sc: WordScores) -> list[Span]:
        """Runs of adjacent words over the span threshold, as spans in the input's offsets.

        A flagged sentence always gets at least one span (its most suspicious word), so a
        reader can see why it was flagged.
        """
        hot = [i for i, p in enumerate(sc.probs) if p >= self.detector.config.span_threshold]
        if not hot and len(sc.probs):
            hot = [int(sc.probs.argmax())]
        spans: list[Span] = []
        run: list[int] = []
        for i in hot:
            if run and i != run[-1] + 1:
                spans.append(self._make_span(seg, sc, run))
                run = []
            run.append(i)
        if run:
            spans.append(self._make_span(seg, sc, run))
        return spans

    @staticmethod
    def _make_span(seg: Segment, sc: WordScores, run: list[int]) -> Span:
        start = seg.start + sc.tokens[run[0]].start
        end = seg.start + sc.tokens[run[-1]].end
        return Span(
            start=start,
            end=end,
            text=seg.text[start - seg.start : end - seg.start],
            probability=float(max(sc.probs[i] for i in run)),
        )


def load(path: str | os.PathLike | None = None, threshold: float | None = None, device: str | None = None) -> Spinfix:
    """Load the released models (from `path`, $SPINFIX_MODELS, or the checkout's models/)."""
    return Spinfix.load(path, threshold=threshold, device=device)
