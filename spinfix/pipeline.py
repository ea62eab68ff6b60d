"""The public entry point: load the models once, then detect and restore in any amount of text.

    sf = spinfix.load()
    report = sf.detect(text)           # spinfix.report.Report
    report = sf.restore(text)          # the same, with suggestions and edits

Detection is spinfix.detect (SentenceScorer, judge); restoration is spinfix.restore, its methods
built through one table (spinfix.restore.methods.METHODS). The pieces both share (SmolLM2, the
phrase lexicon) are loaded once, on first use.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spinfix.detect.context import DocumentContext
from spinfix.detect.encoder import Detector
from spinfix.detect.reading import LMReading
from spinfix.detect.sentences import SentenceScorer, judge
from spinfix.errors import ModelError
from spinfix.lexicon.phrases import PhraseLexicon
from spinfix.loading import resolve_device
from spinfix.paths import default_models_dir
from spinfix.reference.check import ReferenceChecker
from spinfix.reference.compare import Comparison, apply_reference, as_references
from spinfix.reference.embed import SentenceEmbedder
from spinfix.reference.settings import ReferenceSettings
from spinfix.reference.words import lexicon_related
from spinfix.report import Edit, Report, SentenceReport
from spinfix.restore.candidates import CandidateGenerator
from spinfix.restore.methods import METHODS, RestorerParts
from spinfix.restore.rules import Restorer, SpanTask
from spinfix.restore.settings import RestoreSettings
from spinfix.text.language import LanguageGate
from spinfix.text.view import TextView

logger = logging.getLogger(__name__)

# Flagged sentences per restorer call in restore_many: restoration is slow, so progress is
# reported in smaller steps.
RESTORE_CHUNK = 64


class Spinfix:
    """Spun-text detection and restoration over text of any length.

    One Spinfix may be shared by threads: the models load once, on first use, whichever thread
    asks first, and calls from several threads at once give what the same calls made one after
    another give.

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
        context: bool | DocumentContext = True,
        phrases: Callable[[str], bool] | None = None,
        lm_reading: bool = True,
        language_gate: bool | LanguageGate = True,
        reference_dir: Path | None = None,
    ) -> None:
        cfg = detector.config
        # The LM's second reading of uncertain sentences (spinfix.detect.reading): True, the
        # checkpoint's fitted reading (if it has one); False, the detector alone, with the
        # threshold and context the checkpoint fitted for it.
        reading = LMReading.from_dict(cfg.lm_reading) if lm_reading else None
        if reading is not None and reading.uses_tagger and detector.lm_tagger is None:
            raise ModelError(
                f"the {detector.name} checkpoint's LM reading weighs the LM tagger, but its "
                "lm_tagger.safetensors is missing: copy the whole models folder, or pass lm_reading=False"
            )
        fitted = (cfg.without_reading or {}) if cfg.lm_reading and not lm_reading else {}
        # Guards the pieces loaded on first use: one Spinfix may be shared by threads, and the
        # first calls may come from several at once.
        self._lock = threading.RLock()
        self._lm: tuple[Any, Any] | None = None  # SmolLM2, loaded on first use; shared
        self._phrase_lexicon: PhraseLexicon | None = None
        self._candidates: CandidateGenerator | None = None
        # Whether a stretch of words is a phrase a spinner emits whole: marks grow to cover it
        # (spinfix.detect.spans), when the detector's settings ask for it; passing one in skips
        # loading the phrase lexicon (tests).
        if phrases is None and cfg.phrase_floor is not None:
            phrases = self.phrase_lexicon().emitted_whole
        # Only English is judged (spinfix.text.language): True, the released gate; False, every
        # paragraph is judged whatever its language (evaluation, or text known to be English).
        gate = language_gate if isinstance(language_gate, LanguageGate) else LanguageGate() if language_gate else None
        self.scorer = SentenceScorer(detector, reading, phrases, lm=self.base_lm, gate=gate)
        # Neighbouring sentences of the same text as evidence (spinfix.detect.context): True, the
        # checkpoint's fitted context (if it has one); False, every sentence scored alone.
        if isinstance(context, DocumentContext):
            self.context: DocumentContext | None = context
        else:
            self.context = DocumentContext.from_dict(fitted.get("context", cfg.context)) if context else None
        self.rewriter_dir = rewriter_dir
        self.reference_dir = reference_dir
        self._checker: ReferenceChecker | None = None
        # Every model of the pipeline runs where the detector does, unless told otherwise.
        self.device = device or detector.device
        self.restore_settings = RestoreSettings.load(rewriter_dir)
        # Loaded on first restore(), then kept. Passing restorers in skips loading (tests, or a
        # restorer of your own).
        self._restorers: dict[str, Restorer] = dict(restorers or {})
        threshold = fitted.get("threshold", cfg.threshold) if threshold is None else float(threshold)
        if not 0.0 <= threshold <= 1.0:  # also rejects NaN
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold

    @classmethod
    def load(
        cls,
        path: str | os.PathLike | None = None,
        threshold: float | None = None,
        device: str | None = None,
        context: bool = True,
        lm_reading: bool = True,
    ) -> Spinfix:
        root = Path(path) if path is not None else default_models_dir()
        det_dir = root / "detector" if (root / "detector").is_dir() else root
        if not (det_dir / "config.json").exists():
            raise ModelError(
                f"no spinfix models at {root}: expected {root / 'detector'}/config.json. "
                "Pass a path to spinfix.load(), or set SPINFIX_MODELS."
            )
        rw_dir = root / "rewriter" if (root / "rewriter").is_dir() else None
        ref_dir = root / "reference" if (root / "reference").is_dir() else None
        device = resolve_device(device)  # one device for every model of the pipeline
        return cls(
            Detector.load(det_dir, device=device), threshold=threshold, rewriter_dir=rw_dir, device=device,
            context=context, lm_reading=lm_reading, reference_dir=ref_dir,
        )

    @property
    def detector(self) -> Detector:
        return self.scorer.detector

    @property
    def lm_reading(self) -> LMReading | None:
        """The LM's second reading of uncertain sentences; None: the detector alone."""
        return self.scorer.reading

    @property
    def phrases(self) -> Callable[[str], bool] | None:
        """Whether a stretch of words is a phrase a spinner emits whole (marks grow over it)."""
        return self.scorer.phrases

    # -- detection -------------------------------------------------------------------------

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
        return list(self.stream_detect(texts, sources, progress))

    def stream_detect(
        self,
        texts: Sequence[str],
        sources: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
        unread: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> Iterator[Report]:
        """detect_many(), each report given as soon as its text is done (in order): the texts'
        sentences share model batches, and what is done can be written out while the rest is
        scored (and is not lost if the run is stopped)."""
        if isinstance(texts, str):
            raise TypeError("detect_many takes a list of texts; use detect() for one text")
        sources = list(sources) if sources is not None else [None] * len(texts)
        # The models read each text without its invisible characters; the reports index the
        # text as given (spinfix.text.view).
        views = [TextView.of(t) for t in texts]
        if unread is not None:  # the stretches, in the views' offsets
            unread = [[(v.to_view(a), v.to_view(b)) for a, b in u] for v, u in zip(views, unread)]
        for t, view, s, src in zip(texts, views, self.scorer.iter_documents([v.text for v in views], progress, unread), sources):
            sentences = judge(s, self.threshold, self.context)
            if not view.identity:
                sentences = [view.sentence(x) for x in sentences]
            yield Report(text=t, sentences=sentences, threshold=self.threshold, source=src, model=self.detector.name)

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

    # -- restoration -----------------------------------------------------------------------

    def restore(
        self,
        text: str,
        reference: str | Sequence[str] | None = None,
        method: str | None = None,
        source: str | None = None,
        min_confidence: float | None = None,
    ) -> Report:
        """detect(), then a suggested original for every flagged span and the restored text.

        `reference` is a clean parallel article (the source, or another outlet's article on
        the same event), or a list of them: the report is then `compare(text, reference).report`,
        its suggestions checked against the reference (spinfix.reference.compare).
        """
        return self.restore_many([text], references=[reference], method=method, sources=[source], min_confidence=min_confidence)[0]

    def compare(
        self,
        text: str,
        reference: str | Sequence[str],
        method: str | None = None,
        source: str | None = None,
        min_confidence: float | None = None,
    ) -> Comparison:
        """Check `text` against a clean parallel article (the source, or another outlet's
        article on the same event), or several: the aligned sentences and their differences,
        the probability that `text` was derived from a reference and its evidence, and the
        restoration report with every suggestion checked against the reference."""
        references = as_references(reference)
        check = self.reference_checker().check(text, references)
        # Where a derived text is aligned, its reference speaks for it: the detector alone marks
        # those sentences, and the LM reads again only the ones the reference is silent on.
        unread = [[(p.suspect_start, p.suspect_end) for p in check.pairs]] if check.is_derived else None
        [report] = list(self.stream_detect([text], sources=[source], unread=unread))
        if check.is_derived:
            # The reference gives the words where it is aligned; the restorer reads only the
            # sentences it is silent on.
            aligned = [(p.suspect_start, p.suspect_end) for p in check.pairs]
            silent = [s for s in report.sentences if not any(a <= s.start and s.end <= b for a, b in aligned)]
            self.restore_reports([report], method=method, min_confidence=min_confidence, only=silent)
        else:
            self.restore_reports([report], method=method, min_confidence=min_confidence)
        name = report.method or (method or self.restore_settings.default_method)
        min_conf = self.restore_settings.min_confidence.get(name, 0.0) if min_confidence is None else min_confidence
        apply_reference(report, check, self.reference_checker().settings.restore, min_conf)
        report.method = f"reference+{name}"
        return Comparison(text, references, check, report)

    def reference_checker(self) -> ReferenceChecker:
        """The reference check (its encoder and the lexicon its word alignment asks), loaded on
        first use."""
        with self._lock:
            if self._checker is None:
                settings = ReferenceSettings.load(self.reference_dir)
                self._checker = ReferenceChecker(
                    settings, related=lexicon_related(self.candidate_generator()), embedder=SentenceEmbedder(self.device)
                )
            return self._checker

    def restore_many(
        self,
        texts: Sequence[str],
        references: Sequence[str | Sequence[str] | None] | None = None,
        method: str | None = None,
        sources: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
        min_confidence: float | None = None,
    ) -> list[Report]:
        """Batched restore(): detection batches over all texts, then restoration batches over
        all flagged sentences. `progress` gets sentence increments, detection then restoration.
        `min_confidence`: as in restore_reports()."""
        if isinstance(texts, str):
            raise TypeError("restore_many takes a list of texts; use restore() for one text")
        if references is not None:
            if len(references) != len(texts):
                raise ValueError("restore_many: one reference (or None) per text")
            for r in references:
                if r is not None:
                    as_references(r)  # a str or a list of str, none empty
        self.restorer(method)  # loaded (or refused) before the detection work
        if references is not None and any(r is not None for r in references):
            srcs = list(sources) if sources is not None else [None] * len(texts)
            out = []
            for t, r, src in zip(texts, references, srcs):
                if r is None:
                    out.extend(self.restore_many([t], method=method, sources=[src], min_confidence=min_confidence))
                else:
                    out.append(self.compare(t, r, method=method, source=src, min_confidence=min_confidence).report)
                if progress:
                    progress(1)
            return out
        reports = self.detect_many(texts, sources=sources, progress=progress)
        return self.restore_reports(reports, method=method, progress=progress, min_confidence=min_confidence)

    def restore_reports(
        self,
        reports: Sequence[Report],
        method: str | None = None,
        progress: Callable[[int], None] | None = None,
        min_confidence: float | None = None,
        only: Sequence[SentenceReport] | None = None,
    ) -> list[Report]:
        """Restoration of reports that detect() or detect_many() made (with `only`, of those
        sentences only): every flagged span gets
        its suggestion and confidence, and each report its edits (and so its restored text):
        the suggestions at least `min_confidence` confident (by default the method's minimum as
        released: `restore_settings.min_confidence`). The reports are filled in place and
        returned. `progress` gets flagged-sentence increments."""
        reports = list(reports)
        wanted = None if only is None else {id(s) for s in only}
        flagged = [(rep, s) for rep in reports for s in rep.sentences if s.spans and (wanted is None or id(s) in wanted)]
        name = method or self.restore_settings.default_method
        # Loaded only when there is something to restore (a compare whose reference gives every
        # word needs no language model).
        restorer = self.restorer(method) if flagged or name not in METHODS else None
        name = restorer.name if restorer is not None else name
        min_conf = self.restore_settings.min_confidence.get(name, 0.0) if min_confidence is None else min_confidence
        if not 0.0 <= min_conf <= 1.0:  # also rejects NaN
            raise ValueError(f"min_confidence must be between 0 and 1, got {min_conf}")
        for c in range(0, len(flagged), RESTORE_CHUNK):
            chunk = flagged[c : c + RESTORE_CHUNK]
            # The restorer reads each sentence as the detector did, without invisible characters.
            views = [TextView.of(s.text) for _, s in chunk]
            tasks = [
                SpanTask(
                    v.text,
                    tuple((v.to_view(sp.start - s.start), v.to_view(sp.end - s.start)) for sp in s.spans),
                    tuple(sp.probability for sp in s.spans),
                )
                for (_, s), v in zip(chunk, views)
            ]
            assert restorer is not None
            for (_, s), task, sugg in zip(chunk, tasks, restorer.restore(tasks)):
                for span, (a, b), g in zip(s.spans, task.spans, sugg):
                    # Left as it reads: the span as it stands, invisible characters and all.
                    kept = g.text == task.sentence[a:b]
                    span.suggestion, span.confidence = (span.text if kept else g.text), g.confidence
            if progress:
                progress(len(chunk))
        for rep in reports:
            rep.method = name
            rep.edits = [
                Edit(sp.start, sp.end, sp.text, sp.suggestion, sp.confidence)
                for sp in rep.spans
                if sp.is_edit and sp.suggestion is not None and sp.confidence is not None and sp.confidence >= min_conf
            ]
        return reports

    def restorer(self, method: str | None = None) -> Restorer:
        """The restorer for `method` (a name in spinfix.restore.methods.METHODS, or of a restorer
        given to use_restorer; None = the released default), loaded on first use and kept."""
        method = method or self.restore_settings.default_method
        if method in self._restorers:
            return self._restorers[method]
        build = METHODS.get(method)
        if build is None:
            names = " or ".join(repr(m) for m in (*METHODS, *(m for m in self._restorers if m not in METHODS)))
            raise ValueError(f"unknown restoration method {method!r}: use {names}")
        with self._lock:
            if method not in self._restorers:
                self._restorers[method] = build(self._restorer_parts())
            return self._restorers[method]

    def use_restorer(self, restorer: Restorer) -> None:
        """Restore with `restorer` when its method (`restorer.name`) is asked for: a restorer of
        your own, or a released one set up differently (fitting scripts record decisions)."""
        self._restorers[restorer.name] = restorer

    def _restorer_parts(self) -> RestorerParts:
        return RestorerParts(
            settings=self.restore_settings, rewriter_dir=self.rewriter_dir, device=self.device,
            base_lm=self.base_lm, candidates=self.candidate_generator, discriminator=self.detector.readings,
        )

    # -- shared pieces, loaded on first use --------------------------------------------------

    def phrase_lexicon(self) -> PhraseLexicon:
        """What a spinner emits whole: detection grows its marks over these phrases, and
        restoration undoes them as one unit."""
        with self._lock:
            if self._phrase_lexicon is None:
                self._phrase_lexicon = PhraseLexicon.default()
            return self._phrase_lexicon

    def candidate_generator(self) -> CandidateGenerator:
        """The candidate originals, loaded once (around the same phrase lexicon as detection)."""
        with self._lock:
            if self._candidates is None:
                cap = self.restore_settings.baseline.max_candidates
                kwargs = {} if cap is None else {"max_candidates": cap}
                self._candidates = CandidateGenerator.default(self.phrase_lexicon(), **kwargs)
            return self._candidates

    def base_lm(self) -> tuple[Any, Any]:
        """(model, tokenizer) of SmolLM2-135M, loaded on first use and shared by the LM reading
        and the baseline restorer."""
        with self._lock:
            if self._lm is None:
                from spinfix.lm.loading import load_base

                self._lm = load_base(self.device)
            return self._lm

