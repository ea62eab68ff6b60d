"""The public entry point: load models once, then detect spun sentences in any amount of text."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from spinfix.detector import Detector, WordScores
from spinfix.document import Document, Segment
from spinfix.errors import ModelError
from spinfix.report import Report, SentenceReport, Span

logger = logging.getLogger(__name__)

# Sentences scored per model call in detect_many: bounds memory on huge inputs while keeping
# batches full.
_CHUNK_SENTENCES = 1024


def default_models_dir() -> Path:
    """$SPINFIX_MODELS, else the models/ folder of the source checkout."""
    env = os.environ.get("SPINFIX_MODELS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "models"


class Spinfix:
    """Spun-text detection over text of any length.

    >>> sf = spinfix.load()
    >>> report = sf.detect("The president mentioned the navy help would continue.")
    >>> [s.text for s in report.spans]
    """

    def __init__(self, detector: Detector, threshold: float | None = None) -> None:
        self.detector = detector
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
        return cls(Detector.load(det_dir, device=device), threshold=threshold)

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
