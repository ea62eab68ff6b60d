"""The public entry point: load models once, then detect spun sentences in any amount of text."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spinfix.context import DocumentContext
from spinfix.detector import Detector, WordScores
from spinfix.document import Document, Segment, in_quotation, quotations
from spinfix.errors import ModelError
from spinfix.lm_reading import MAX_WORDS, LMReading, SurprisalReader, read_with_tagger, word_features
from spinfix.phrase_spans import grow_to_phrases
from spinfix.report import Edit, Report, SentenceReport, Span
from spinfix.restoration import Restorer, SpanTask

if TYPE_CHECKING:
    from spinfix.candidates import CandidateGenerator

logger = logging.getLogger(__name__)

# Sentences scored per model call in detect_many: bounds memory on huge inputs while keeping
# batches full.
_CHUNK_SENTENCES = 1024
# Flagged sentences per restorer call in restore_many: restoration is slow, so progress is
# reported in smaller steps.
_RESTORE_CHUNK = 64


@dataclass
class _Scored:
    """A sentence as the detector scored it alone, before its neighbours are weighed."""

    seg: Segment
    words: int  # words a spinner could have touched (outside quotations)
    own: float
    spans: list[Span]
    fallback: bool = False  # `spans` is only the most suspicious word, none being over the span threshold

    @property
    def has_words(self) -> bool:
        return self.words > 0


def quoted_words(seg: Segment, sc: WordScores, quotes: Sequence[tuple[int, int]], offset: int = 0) -> np.ndarray:
    """Which of the sentence's words lie inside one of `quotes` (from `quotations`)."""
    return np.array([in_quotation(quotes, seg.start - offset + t.start) for t in sc.tokens], dtype=bool)


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
    # Decide a unit again once the words after it are restored (BaselineRestorer.revisit).
    baseline_revisit: bool = False
    # ...only for the candidates first scored within this much of the unit's best; None: all.
    baseline_revisit_margin: float | None = None
    # The short list's own evidence weights, fitted without the detector's reading; None: baseline_weights.
    baseline_shortlist_weights: dict[str, float] | None = None
    # With the revisit: decide spans of several units again as a whole, among the combinations
    # of each unit's best `baseline_joint` candidates (BaselineRestorer.joint); None: off.
    baseline_joint: int | None = None
    baseline_joint_margin: float | None = None  # ...within this much of each unit's best; None: no margin
    # The LM's own next words offered as candidates (spinfix.proposals.ProposalSettings: top_k,
    # min_cos, max_proposals); None: off.
    baseline_proposals: dict[str, float] | None = None

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
            baseline_revisit=d.get("baseline_revisit", False),
            baseline_revisit_margin=d.get("baseline_revisit_margin"),
            baseline_shortlist_weights=d.get("baseline_shortlist_weights"),
            baseline_joint=d.get("baseline_joint"),
            baseline_joint_margin=d.get("baseline_joint_margin"),
            baseline_proposals=d.get("baseline_proposals"),
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
        context: bool | DocumentContext = True,
        phrases: Callable[[str], bool] | None = None,
        lm_reading: bool = True,
    ) -> None:
        self.detector = detector
        cfg = detector.config
        # The LM's second reading of uncertain sentences (spinfix/lm_reading.py): True, the
        # checkpoint's fitted reading (if it has one); False, the detector alone, with the
        # threshold and context the checkpoint fitted for it.
        self.lm_reading = LMReading.from_dict(cfg.lm_reading) if lm_reading else None
        if self.lm_reading is not None and self.lm_reading.uses_tagger and detector.lm_tagger is None:
            raise ModelError(
                f"the {detector.name} checkpoint's LM reading weighs the LM tagger, but its "
                "lm_tagger.safetensors is missing: copy the whole models folder, or pass lm_reading=False"
            )
        fitted = (cfg.without_reading or {}) if cfg.lm_reading and not lm_reading else {}
        self._reader: SurprisalReader | None = None
        self._lm = None  # (model, tokenizer), loaded on first use; the baseline restorer shares it
        # Neighbouring sentences of the same text as evidence (spinfix/context.py): True, the
        # checkpoint's fitted context (if it has one); False, every sentence scored alone.
        if isinstance(context, DocumentContext):
            self.context: DocumentContext | None = context
        else:
            self.context = DocumentContext.from_dict(fitted.get("context", cfg.context)) if context else None
        self.rewriter_dir = rewriter_dir
        self.device = device
        self.restore_config = RestoreConfig.load(rewriter_dir)
        # Loaded on first restore(), then kept. Passing restorers in skips loading (tests, or a
        # restorer of your own).
        self._restorers: dict[str, Restorer] = dict(restorers or {})
        self._candidates: CandidateGenerator | None = None
        # Whether a stretch of words is a phrase a spinner emits whole: marks grow to cover it
        # (spinfix.phrase_spans). From the candidate lexicon when the detector's settings ask
        # for it; passing one in skips loading the lexicon (tests).
        if phrases is None and detector.config.phrase_floor is not None:
            phrases = self.candidate_generator().emitted_whole
        self.phrases = phrases
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
    ) -> "Spinfix":
        root = Path(path) if path is not None else default_models_dir()
        det_dir = root / "detector" if (root / "detector").is_dir() else root
        if not (det_dir / "config.json").exists():
            raise ModelError(
                f"no spinfix models at {root}: expected {root / 'detector'}/config.json. "
                "Pass a path to spinfix.load(), or set SPINFIX_MODELS."
            )
        rw_dir = root / "rewriter" if (root / "rewriter").is_dir() else None
        return cls(
            Detector.load(det_dir, device=device), threshold=threshold, rewriter_dir=rw_dir, device=device,
            context=context, lm_reading=lm_reading,
        )

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
        return [
            Report(
                text=t, sentences=self._document_reports(s, self.context), threshold=self.threshold,
                source=src, model=self.detector.name,
            )
            for t, s, src in zip(texts, self._score_documents(texts, progress), sources)
        ]

    def _score_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> list[list[_Scored]]:
        """Per text, each sentence as scored alone: whether it has words a spinner could touch,
        its probability and the spans it would show if flagged. Kept small (not the word
        scores): the verdict waits for the neighbours, and a text can be long."""
        docs = [Document.from_text(t) for t in texts]
        quotes = [quotations(t) for t in texts]
        flat: list[tuple[int, Segment]] = [(di, seg) for di, d in enumerate(docs) for seg in d.sentences]
        scored: list[list[_Scored]] = [[] for _ in docs]
        for c in range(0, len(flat), _CHUNK_SENTENCES):
            chunk = flat[c : c + _CHUNK_SENTENCES]
            scores = self.detector.score([seg.text for _, seg in chunk])
            read = self._read_uncertain([seg for _, seg in chunk], scores, [quotes[di] for di, _ in chunk])
            for (di, seg), sc, r in zip(chunk, scores, read):
                scored[di].append(self._scored(seg, sc, quotes[di], read=r))
            if progress:
                progress(len(chunk))
        return scored

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
        self.restorer(method)  # loaded (or refused) before the detection work
        reports = self.detect_many(texts, sources=sources, progress=progress)
        return self.restore_reports(reports, method=method, progress=progress)

    def restore_reports(
        self,
        reports: Sequence[Report],
        method: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Report]:
        """Restoration of reports that detect() or detect_many() made: every flagged span gets
        its suggestion and confidence, and each report its edits (and so its restored text).
        The reports are filled in place and returned. `progress` gets flagged-sentence
        increments."""
        restorer = self.restorer(method)
        reports = list(reports)
        flagged = [(rep, s) for rep in reports for s in rep.sentences if s.spans]
        min_conf = self.restore_config.min_confidence.get(restorer.name, 0.0)
        for c in range(0, len(flagged), _RESTORE_CHUNK):
            chunk = flagged[c : c + _RESTORE_CHUNK]
            tasks = [
                SpanTask(s.text, tuple((sp.start - s.start, sp.end - s.start) for sp in s.spans), tuple(sp.probability for sp in s.spans))
                for _, s in chunk
            ]
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

    def candidate_generator(self) -> CandidateGenerator:
        """The candidate originals and the phrase lexicon, loaded once (the baseline restorer and
        the span marks share it)."""
        if self._candidates is None:
            from spinfix.candidates import CandidateGenerator

            cap = self.restore_config.baseline_max_candidates
            self._candidates = CandidateGenerator.default(**({} if cap is None else {"max_candidates": cap}))
        return self._candidates

    def _load_restorer(self, method: str) -> Restorer:
        if method == "rewriter":
            from spinfix.rewriter import Rewriter

            if self.rewriter_dir is None:
                raise ModelError("no rewriter in the models folder (expected models/rewriter); use method='baseline'")
            return Rewriter.load(self.rewriter_dir, device=self.device)
        from spinfix.baseline import BaselineRestorer, LMScorer
        from spinfix.lm import load_base

        # The rewriter's base model, without the adapter (shared with the LM reading in fp32).
        cfg = self.restore_config
        model, tok = load_base(self.device or "cpu", int8=True) if cfg.baseline_int8 else self.base_lm()
        extra = {} if cfg.baseline_right_context is None else {"right_context": cfg.baseline_right_context}
        if cfg.baseline_proposals is not None:
            from spinfix.proposals import LMProposer, ProposalSettings

            try:
                settings = ProposalSettings(**cfg.baseline_proposals)
            except TypeError as exc:
                raise ModelError(f"baseline_proposals in the rewriter settings: {exc}") from exc
            extra["proposer"] = LMProposer.load(tok, settings)
        return BaselineRestorer(
            LMScorer(model, tok), self.candidate_generator(),
            keep_bonus=cfg.keep_bonus, weights=cfg.baseline_weights, shortlist=cfg.baseline_shortlist,
            shortlist_margin=cfg.baseline_shortlist_margin,
            calibration=cfg.baseline_calibration, revisit=cfg.baseline_revisit,
            revisit_margin=cfg.baseline_revisit_margin,
            shortlist_weights=cfg.baseline_shortlist_weights, joint=cfg.baseline_joint,
            joint_margin=cfg.baseline_joint_margin,
            # The detector reads each short-listed candidate in place when the weights weigh it.
            discriminator=self.detector.readings if "detector" in cfg.baseline_weights else None, **extra,
        )

    # -- internals -------------------------------------------------------------------------

    def _document_reports(self, scored: Sequence[_Scored], context: DocumentContext | None) -> list[SentenceReport]:
        """One document's sentence reports, each sentence's probability moved by its
        neighbours' when a context is given. Sentences without words neither count nor move."""
        final = [x.own for x in scored]
        if context is not None:
            worded = [i for i, x in enumerate(scored) if x.has_words]
            movable = context.movable([scored[i].words for i in worded])
            for i, p in zip(worded, context.probabilities([scored[i].own for i in worded], movable)):
                final[i] = p
        out = []
        for x, prob in zip(scored, final):
            spun = x.has_words and prob >= self.threshold  # no words, nothing to accuse
            spans = x.spans if spun else []
            if x.fallback and x.own < self.threshold:
                # Carried over the threshold by its neighbours, with no word over the span
                # threshold: nothing in the sentence itself to point at (or for restoration to
                # touch; it may be a quotation the spinner left alone). Flagged, no span.
                spans = []
            out.append(
                SentenceReport(
                    text=x.seg.text, start=x.seg.start, end=x.seg.end, probability=prob, is_spun=spun,
                    spans=spans, paragraph=x.seg.paragraph, probability_alone=x.own,
                )
            )
        return out

    def _sentence_report(self, seg: Segment, sc: WordScores) -> SentenceReport:
        """One sentence's report, scored alone (no neighbours)."""
        x = self._scored(seg, sc, quotations(seg.text), offset=seg.start)
        return self._document_reports([x], context=None)[0]

    def _read_uncertain(
        self, segs: Sequence[Segment], scores: list[WordScores], quotes: Sequence[Sequence[tuple[int, int]]]
    ) -> list[bool]:
        """The LM's second reading (spinfix/lm_reading.py) of the sentences whose own probability
        lies in the reading's band: their word scores are replaced in `scores`. Which were read."""
        read = [False] * len(scores)
        todo = self.uncertain(segs, scores, quotes)
        if not todo:
            return read
        assert self.lm_reading is not None
        if self._reader is None:
            self._reader = SurprisalReader(*self.base_lm())
        texts, tokens = [segs[i].text for i in todo], [scores[i].tokens for i in todo]
        tagger = self.detector.lm_tagger if self.lm_reading.uses_tagger else None
        lm, tagged = read_with_tagger(self._reader, texts, tokens, tagger)
        for i, rows, tag in zip(todo, lm, tagged):
            sc = scores[i]
            scores[i] = WordScores(sc.tokens, self.lm_reading.word_probs(word_features(sc.tokens, sc.probs, rows, tag)))
            read[i] = True
        return read

    def uncertain(
        self, segs: Sequence[Segment], scores: Sequence[WordScores], quotes: Sequence[Sequence[tuple[int, int]]]
    ) -> list[int]:
        """Which sentences the LM reads: those with words outside quotations, at most MAX_WORDS,
        whose detector-only probability is in the reading's band (none without a reading)."""
        if self.lm_reading is None:
            return []
        todo = []
        for i, (seg, sc) in enumerate(zip(segs, scores)):
            if not sc.tokens or len(sc.tokens) > MAX_WORDS:
                continue
            quoted = quoted_words(seg, sc, quotes[i]) if quotes[i] else None
            if quoted is not None and quoted.all():
                continue
            if self.lm_reading.in_band(self.detector.sentence_probability(sc, quoted)):
                todo.append(i)
        return todo

    def base_lm(self):
        """(model, tokenizer) of SmolLM2-135M, loaded on first use and shared by the LM reading
        and the baseline restorer."""
        if self._lm is None:
            from spinfix.lm import load_base

            self._lm = load_base(self.device or "cpu")
        return self._lm

    def _scored(
        self, seg: Segment, sc: WordScores, quotes: Sequence[tuple[int, int]], offset: int = 0, read: bool = False
    ) -> _Scored:
        """A sentence as scored alone. `quotes` are the quotations of the text it is in
        (offsets into that text, which starts at `offset` in `seg`'s offsets). Quoted words
        are no evidence either way: spinners leave quoted speech alone, so a sentence is judged
        on the words a spinner could have touched, and one with none is not judged at all."""
        quoted = quoted_words(seg, sc, quotes, offset) if sc.tokens and quotes else None
        words = len(sc.tokens) - (int(quoted.sum()) if quoted is not None else 0)
        calibration = self.lm_reading.calibration if read and self.lm_reading is not None else None
        own = self.detector.sentence_probability(sc, quoted, calibration)
        over = self.detector.config.span_threshold
        if read and self.lm_reading is not None and self.lm_reading.span_threshold is not None:
            over = self.lm_reading.span_threshold  # the read words' probabilities are the reading's
        spans = self._spans(seg, sc, quoted, over) if words else []
        return _Scored(seg, words, own, spans, fallback=bool(spans) and spans[0].probability < over)

    def _spans(self, seg: Segment, sc: WordScores, quoted: np.ndarray | None = None, over: float | None = None) -> list[Span]:
        """Runs of adjacent words over the span threshold (`over`, by default the detector's), as
        spans in the input's offsets.

        With none over it, the most suspicious word alone, so that a sentence flagged on its
        own words shows why (`_document_reports` decides when that word is used). Words inside
        quotations (`quoted`) are never marked: spinners leave quoted speech alone, so a mark
        there would be a false accusation and an invitation to edit a quote.
        """
        probs = sc.probs if quoted is None else np.where(quoted, -1.0, sc.probs)
        over = self.detector.config.span_threshold if over is None else over
        hot = np.flatnonzero(probs >= over).tolist()
        if not hot:
            best = int(probs.argmax()) if len(probs) else -1
            return [self._make_span(seg, sc, [best])] if best >= 0 and probs[best] >= 0.0 else []
        floor = self.detector.config.phrase_floor
        if self.phrases is not None and floor is not None:
            toks = sc.tokens
            words = [seg.text[t.start : t.end] for t in toks]
            joined = [seg.text[a.end : b.start] == " " for a, b in zip(toks, toks[1:])]
            hot = grow_to_phrases(words, joined, probs, hot, self.phrases, floor)
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

