"""Detection over documents: every sentence scored by the detector, the uncertain ones read again
by the language model, each judged with its neighbours, and the spans a flagged one shows.

`SentenceScorer.score_documents` scores every sentence alone (`ScoredSentence`: its own
probability and the marks it would show); `judge` then gives a document's sentences their
verdicts, each moved by its neighbours when a context is given (spinfix.detect.context).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spinfix.detect.context import DocumentContext
from spinfix.detect.encoder import Detector, WordScores
from spinfix.detect.reading import MAX_WORDS, LMReading, read_with_tagger, word_features
from spinfix.detect.spans import mark_spans, quoted_words
from spinfix.lm.surprisal import SurprisalReader
from spinfix.report import SentenceReport, Span
from spinfix.text.document import Document, Segment, quotations
from spinfix.text.language import Language, LanguageGate

logger = logging.getLogger(__name__)

# Sentences scored per model call: bounds memory on huge inputs while keeping batches full; the
# windows of a chunk are sorted by length together, so a larger chunk pads less (4096 against
# 1024: the forward 8 % faster on a batch shard of White House paragraphs).
CHUNK_SENTENCES = 4096


@dataclass
class ScoredSentence:
    """A sentence as the detector scored it alone, before its neighbours are weighed."""

    seg: Segment
    words: int  # words a spinner could have touched (outside quotations)
    own: float
    spans: list[Span]
    fallback: bool = False  # `spans` is only the most suspicious word, none being over the span threshold
    language: Language | None = None  # not judged: its paragraph is in this language, not English

    @property
    def has_words(self) -> bool:
        return self.words > 0


class SentenceScorer:
    """The detector and the LM's second reading, over the sentences of many documents.

    `reading` is the fitted LM reading (None: the detector alone); `phrases` says whether a
    stretch of words is a phrase a spinner emits whole (marks grow over it; None: they don't);
    `lm` gives SmolLM2 (model, tokenizer), loaded on first use and shared with restoration.
    """

    def __init__(
        self,
        detector: Detector,
        reading: LMReading | None = None,
        phrases: Callable[[str], bool] | None = None,
        lm: Callable[[], tuple[Any, Any]] | None = None,
        gate: LanguageGate | None = None,
    ) -> None:
        self.detector = detector
        self.reading = reading
        self.phrases = phrases
        self.lm = lm
        # Which paragraphs are English (spinfix.text.language); None: every one is judged.
        self.gate = gate
        self._reader: SurprisalReader | None = None
        self._lock = threading.Lock()

    def score_documents(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> list[list[ScoredSentence]]:
        """Per text, each sentence as scored alone: whether it has words a spinner could touch,
        its probability and the spans it would show if flagged. Kept small (not the word
        scores): the verdict waits for the neighbours, and a text can be long. `progress` gets
        sentence increments."""
        return list(self.iter_documents(texts, progress))

    def iter_documents(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        unread: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> Iterator[list[ScoredSentence]]:
        """`score_documents`, each text's sentences given as soon as the last of them is scored:
        the texts' sentences share model batches, and a caller can use the texts done so far
        (write them out) while the rest are scored. `unread`: per text, stretches whose
        sentences the LM does not read again (a reference speaks for them: spinfix.reference)."""
        docs = [Document.from_text(t) for t in texts]
        quotes = [quotations(t) for t in texts]
        languages = [self.languages(t, d.sentences) for t, d in zip(texts, docs)]
        # Every sentence has its place in its text; the judged ones (English) go to the models.
        scored: list[list[ScoredSentence | None]] = [[None] * len(d.sentences) for d in docs]
        flat: list[tuple[int, int, Segment]] = []
        for di, (d, langs) in enumerate(zip(docs, languages)):
            for si, (seg, lang) in enumerate(zip(d.sentences, langs)):
                if lang is None:
                    flat.append((di, si, seg))
                else:
                    scored[di][si] = ScoredSentence(seg, 0, 0.0, [], language=lang)
        given = 0  # texts handed out so far, in order
        for c in range(0, len(flat), CHUNK_SENTENCES):
            chunk = flat[c : c + CHUNK_SENTENCES]
            scores = self.detector.score([seg.text for _, _, seg in chunk])
            allowed = None
            if unread is not None:
                allowed = [not any(a <= seg.start and seg.end <= b for a, b in unread[di]) for di, _, seg in chunk]
            read = self.read_uncertain([seg for _, _, seg in chunk], scores, [quotes[di] for di, _, _ in chunk], allowed)
            for (di, si, seg), sc, r in zip(chunk, scores, read):
                scored[di][si] = self.scored(seg, sc, quotes[di], read=r)
            if progress:
                progress(len(chunk))
            # Every text before the one the next chunk starts in is complete.
            upto = flat[c + CHUNK_SENTENCES][0] if c + CHUNK_SENTENCES < len(flat) else len(docs)
            while given < upto:
                yield _complete(scored[given])
                scored[given] = []  # handed out: the caller keeps it, not this generator
                given += 1
        while given < len(docs):  # texts with nothing judged, after the last chunk
            yield _complete(scored[given])
            given += 1

    def languages(self, text: str, sentences: Sequence[Segment]) -> list[Language | None]:
        """Per sentence: None when it is judged, else the language of its paragraph."""
        if self.gate is None or not sentences:
            return [None] * len(sentences)
        order = sorted({s.paragraph for s in sentences})
        bounds: dict[int, tuple[int, int]] = {}
        for s in sentences:
            a, b = bounds.get(s.paragraph, (s.start, s.end))
            bounds[s.paragraph] = (min(a, s.start), max(b, s.end))
        verdicts = dict(zip(order, self.gate.paragraphs([text[a:b] for a, b in (bounds[p] for p in order)])))
        return [verdicts[s.paragraph] for s in sentences]

    def score_alone(self, seg: Segment, sc: WordScores) -> ScoredSentence:
        """One sentence scored alone, its quotations its own (a sentence out of any document)."""
        return self.scored(seg, sc, quotations(seg.text), offset=seg.start)

    def uncertain(
        self, segs: Sequence[Segment], scores: Sequence[WordScores], quotes: Sequence[Sequence[tuple[int, int]]]
    ) -> list[int]:
        """Which sentences the LM reads: those with words outside quotations, at most MAX_WORDS,
        whose detector-only probability is in the reading's band (none without a reading)."""
        if self.reading is None:
            return []
        todo = []
        for i, (seg, sc) in enumerate(zip(segs, scores)):
            if not sc.tokens or len(sc.tokens) > MAX_WORDS:
                continue
            quoted = quoted_words(seg, sc, quotes[i]) if quotes[i] else None
            if quoted is not None and quoted.all():
                continue
            if self.reading.in_band(self.detector.sentence_probability(sc, quoted)):
                todo.append(i)
        return todo

    def surprisal_reader(self) -> SurprisalReader:
        """The LM's reader, on the shared LM (loaded on first use)."""
        with self._lock:  # threads share the scorer
            if self._reader is None:
                if self.lm is None:
                    raise RuntimeError("this scorer has an LM reading but no LM to read with")
                self._reader = SurprisalReader(*self.lm())
            return self._reader

    def read_uncertain(
        self,
        segs: Sequence[Segment],
        scores: list[WordScores],
        quotes: Sequence[Sequence[tuple[int, int]]],
        allowed: Sequence[bool] | None = None,
    ) -> list[bool]:
        """The LM's second reading (spinfix.detect.reading) of the sentences whose own probability
        lies in the reading's band: their word scores are replaced in `scores`. Which were read."""
        read = [False] * len(scores)
        todo = [i for i in self.uncertain(segs, scores, quotes) if allowed is None or allowed[i]]
        if not todo:
            return read
        assert self.reading is not None
        texts, tokens = [segs[i].text for i in todo], [scores[i].tokens for i in todo]
        tagger = self.detector.lm_tagger if self.reading.uses_tagger else None
        lm, tagged = read_with_tagger(self.surprisal_reader(), texts, tokens, tagger)
        for i, rows, tag in zip(todo, lm, tagged):
            sc = scores[i]
            scores[i] = WordScores(sc.tokens, self.reading.word_probs(word_features(sc.tokens, sc.probs, rows, tag)))
            read[i] = True
        return read

    def scored(
        self, seg: Segment, sc: WordScores, quotes: Sequence[tuple[int, int]], offset: int = 0, read: bool = False
    ) -> ScoredSentence:
        """A sentence as scored alone. `quotes` are the quotations of the text it is in
        (offsets into that text, which starts at `offset` in `seg`'s offsets). Quoted words
        are no evidence either way: spinners leave quoted speech alone, so a sentence is judged
        on the words a spinner could have touched, and one with none is not judged at all."""
        quoted = quoted_words(seg, sc, quotes, offset) if sc.tokens and quotes else None
        words = len(sc.tokens) - (int(quoted.sum()) if quoted is not None else 0)
        calibration = self.reading.calibration if read and self.reading is not None else None
        own = self.detector.sentence_probability(sc, quoted, calibration)
        cfg = self.detector.config
        over = cfg.span_threshold
        if read and self.reading is not None and self.reading.span_threshold is not None:
            over = self.reading.span_threshold  # the read words' probabilities are the reading's
        spans = mark_spans(seg, sc, over, quoted, self.phrases, cfg.phrase_floor) if words else []
        return ScoredSentence(seg, words, own, spans, fallback=bool(spans) and spans[0].probability < over)


def _complete(sentences: list[ScoredSentence | None]) -> list[ScoredSentence]:
    assert all(s is not None for s in sentences), "every sentence is scored or not judged"
    return [s for s in sentences if s is not None]


def judge(scored: Sequence[ScoredSentence], threshold: float, context: DocumentContext | None) -> list[SentenceReport]:
    """One document's sentence reports, each sentence's probability moved by its neighbours'
    when a context is given. Sentences without words neither count nor move."""
    final = [x.own for x in scored]
    if context is not None:
        worded = [i for i, x in enumerate(scored) if x.has_words]
        movable = context.movable([scored[i].words for i in worded])
        for i, p in zip(worded, context.probabilities([scored[i].own for i in worded], movable)):
            final[i] = p
    out = []
    for x, prob in zip(scored, final):
        if x.language is not None:  # not English: not judged, never flagged
            out.append(SentenceReport(
                text=x.seg.text, start=x.seg.start, end=x.seg.end, probability=0.0, is_spun=False,
                paragraph=x.seg.paragraph, language=x.language.code,
            ))
            continue
        spun = x.has_words and prob >= threshold  # no words, nothing to accuse
        spans = x.spans if spun else []
        if x.fallback and x.own < threshold:
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
