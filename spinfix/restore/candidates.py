"""Candidate originals for a flagged span: what could a spinner have replaced with this?

The inverse of what spinners use: Moby in both directions (a spinner's thesaurus is not always
symmetric), WordNet (its synsets, shipped in spinfix/resources), GloVe neighbours (inverted: which
words have this one among their nearest neighbours), the word and phrase swaps learned from the
spinner share of the dev tortured phrases (packaged in spinfix/resources), and the multiword
function phrases ("for the reason that" -> "since"). Candidates are re-inflected to the spun
word's form and ranked by a prior: a log-linear score of the evidence (which sources propose them,
how common they are, how many other words their thesaurus entry offers a spinner), fitted on the
train split's spinner edits by scripts/fit_candidates.py and shipped as a package resource. The
spun text itself is always kept as the first candidate, so "leave it" is a choice the scorer can
make.
"""
from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from spinfix.lexicon.morphology import (
    analyse,
    inflect,
    match_case,
    noun_number,
    same_lemma,
    zipf,
)
from spinfix.lexicon.news import news_inverse
from spinfix.lexicon.phrases import MAX_PHRASE_WORDS, STOPWORDS, PhraseLexicon
from spinfix.lexicon.sources import GloveSource, WordNetSource
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.lexicon.tortured import load_swaps
from spinfix.paths import RESOURCES
from spinfix.restore.swap_rates import SwapRates
from spinfix.text.tokens import tokenize

logger = logging.getLogger(__name__)

# Originals in copied news are ordinary words; rarer ones cost LM time and are seldom right.
MIN_ZIPF = 2.5
# Hyphenated words of up to this many parts get candidates with one part swapped back.
MAX_HYPHEN_PARTS = 3
# Votes per source (Moby's inverse direction, the spinner's own, counts 2). Learned tortured
# swaps are specific evidence, GloVe neighbours weak. The hand-set prior, used without a fitted
# ranker (to fit one) and to drop stopword candidates with weak support.
GLOVE_VOTES = 2
LEARNED_VOTES = 4
VOTES = {
    "moby_source": 2, "moby_synonym": 1, "wordnet": 1, "glove": GLOVE_VOTES, "learned": LEARNED_VOTES,
    "phrase": 3, "phrase_whole": 5,
}
SOURCES = tuple(VOTES)
# The fitted ranking prior: feature name -> weight (see rank_features).
RANKER_RESOURCE = RESOURCES / "candidate_ranker.json"


def _votes(evidence: dict[str, float]) -> float:
    """The hand-set prior's votes for a candidate's evidence."""
    return sum(VOTES.get(k, 0) * v for k, v in evidence.items())


def rank_features(evidence: dict[str, float], candidate: str) -> dict[str, float]:
    """What the ranking prior weighs: the sources' evidence (with the fan-outs), how many
    sources agree, whether the candidate is a phrase, and its frequency (`zipf`, in evidence)."""
    return {
        **evidence,
        "sources": float(sum(evidence.get(k, 0.0) for k in SOURCES)),
        "multiword": float(" " in candidate),
    }


def load_ranker(path: Path = RANKER_RESOURCE) -> dict[str, float] | None:
    """The fitted ranker's weights, or None (with a warning) when the resource is missing."""
    if not path.exists():
        logger.warning("candidate ranker %s missing: ranking by the hand-set prior", path)
        return None
    return dict(json.loads(path.read_text())["weights"])


@dataclass(frozen=True)
class Unit:
    """A stretch of a span that is restored as one piece: a word, or a phrase swapped whole.

    `start`/`end` are character offsets within the sentence; `candidates[0]` is the text as it
    stands.
    """

    start: int
    end: int
    text: str
    candidates: tuple[str, ...]


def _invert(table: dict[str, list[str]]) -> dict[str, list[str]]:
    inv: dict[str, list[str]] = defaultdict(list)
    for word, neighbours in table.items():
        for n in neighbours:
            inv[n].append(word)
    return dict(inv)


def _spinner_could(spun: str) -> Callable[[str], bool]:
    """Whether a candidate original could have become `spun` in a real spinner's hands.

    Real spinners keep a singular noun singular (under 2 % of the singular nouns in the dev
    tortured phrases stand for a plural) and swap words, not inflections ("networks" is never
    spun as "network"); offered such candidates, the LM often prefers them in context, and
    turning "network" into "networks" damages clean text. Checked on the ranked list, so only
    the candidates that make the cut are analysed.
    """
    if " " in spun:
        return lambda form: True
    singular = noun_number(spun) == "singular"
    return lambda form: " " in form or not (same_lemma(form, spun) or singular and noun_number(form) == "plural")


# Candidates a unit gets, best ranked first (the spun text itself comes on top of them).
DEFAULT_MAX_CANDIDATES = 24
# Spun forms whose ranked candidates are remembered; then forgotten all at once, so a batch job
# over millions of documents does not grow without bound (an entry of 96 candidates with their
# evidence is tens of kilobytes).
CANDIDATE_CACHE = 20_000


class CandidateGenerator:
    """Ranked candidate originals for spun words and phrases."""

    def __init__(
        self,
        lexicon: Lexicon,
        wordnet: WordNetSource | None = None,
        max_candidates: int = DEFAULT_MAX_CANDIDATES,
        glove: GloveSource | None = None,
        learned: dict[str, list[str]] | None = None,
        ranker: dict[str, float] | None = None,
        swap_rates: SwapRates | None = None,
        phrases: PhraseLexicon | None = None,
        news: dict[str, list[str]] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.ranker = ranker
        # How often a spinner swaps each form at all (spinfix.restore.swap_rates): restorer evidence only,
        # not part of the ranking prior, which is fitted on edits (words that were swapped).
        self.swap_rates = swap_rates
        self.wordnet = wordnet
        self.max_candidates = max_candidates
        learned = learned or {}
        # tortured word (lemma) -> correct lemmas; multiword tortured phrases go with the phrases
        self.learned = {k: v for k, v in learned.items() if " " not in k}
        # Single words of real spinners' news-prose swaps (spinfix.lexicon.news), spun lemma ->
        # original lemmas: evidence like a learned swap. Their phrases are in the phrase lexicon.
        self.news = {k: v for k, v in (news or {}).items() if " " not in k}
        # What a spinner emits whole, and the originals of such phrases: shared with detection,
        # which grows its marks over the same phrases (built from the same lexicon and learned
        # swaps when not given).
        self.phrases = phrases if phrases is not None else PhraseLexicon(lexicon, wordnet, learned)
        self.glove_inverse = _invert(glove.table) if glove is not None else {}
        self._cache: dict[str, tuple[tuple[str, ...], dict[str, dict[str, float]]]] = {}

    @classmethod
    def default(
        cls, phrases: PhraseLexicon | None = None, max_candidates: int = DEFAULT_MAX_CANDIDATES
    ) -> CandidateGenerator:
        """The shipped sources, ranker and swap rates, around `phrases` (the shipped phrase
        lexicon when not given)."""
        phrases = phrases or PhraseLexicon.default()
        return cls(
            phrases.lexicon, phrases.wordnet, max_candidates=max_candidates, glove=GloveSource.load(),
            learned=load_swaps(), ranker=load_ranker(), swap_rates=SwapRates.load(), phrases=phrases,
            news=news_inverse(),
        )

    @property
    def phrase_inverse(self) -> dict[str, list[str]]:
        """Spun phrase -> the originals it may stand for."""
        return self.phrases.inverse

    def withhold_learned(self) -> None:
        """Forget the swaps learned from the dev tortured phrases (and every cached answer that
        used them), so that those phrases can stand in for real ones the candidates never saw."""
        self.use_learned({})

    def use_learned(self, learned: dict[str, list[str]]) -> None:
        """Undo these learned swaps instead of the packaged ones (`spinfix.eval.tortured_pairs.learned_table` of
        some pairs: a dev check learns from part of the dev phrases and is measured on the rest)."""
        self.learned = {k: v for k, v in learned.items() if " " not in k}
        self.phrases.use_learned(learned)
        self._cache.clear()

    # -- lemma level -----------------------------------------------------------------------

    def _lemma_sources(self, lemma: str) -> dict[str, dict[str, float]]:
        """Candidate original lemmas for a spun lemma, with the evidence of each source.

        `fan_moby` / `fan_wordnet`: log of how many words the candidate's own entry offers. A
        spinner picks one of them, so a short entry that lists the spun word is likelier to be
        where it came from than a long one (Bayes with a uniform pick).
        """
        ev: dict[str, dict[str, float]] = defaultdict(dict)
        for cand in self.lexicon.sources(lemma):  # headwords listing it: the spinner's direction
            ev[cand]["moby_source"] = 1
            ev[cand]["fan_moby"] = math.log(max(self.lexicon.count_synonyms(cand), 1))
        for cand in self.lexicon.synonyms(lemma):
            ev[cand]["moby_synonym"] = 1
        if self.wordnet is not None:
            for cand in self.wordnet.candidates(lemma):
                ev[cand]["wordnet"] = 1
                ev[cand]["fan_wordnet"] = math.log(max(len(self.wordnet.candidates(cand)), 1))
        for cand in self.glove_inverse.get(lemma, []):
            ev[cand]["glove"] = 1
        for cand in (*self.learned.get(lemma, ()), *self.news.get(lemma, ())):
            ev[cand]["learned"] = 1
        for cand in self.phrase_inverse.get(lemma, []):
            ev[cand]["phrase"] = 1
        return ev

    def originals(self, spun: str) -> tuple[str, ...]:
        """Ranked candidate originals for a spun word or phrase (lowercase, inflected like it);
        the first entry is `spun` itself."""
        return self._ranked(spun)[0]

    def evidence(self, spun: str, candidate: str) -> dict[str, float]:
        """Why `candidate` is proposed for `spun`: which sources propose it (1 each, with the
        fan-outs), its word frequency (`zipf`), the ranking prior (`prior`) and its place in the
        ranking (`rank`, 1 = first after `spun`). Empty for `spun` itself."""
        out, ev = self._ranked(spun)
        key = candidate.lower()
        if key == out[0] or key not in ev:
            return {}
        return {**ev[key], "rank": out.index(key)}

    def _ranked(self, spun: str) -> tuple[tuple[str, ...], dict[str, dict[str, float]]]:
        key = spun.lower()
        if key in self._cache:
            return self._cache[key]
        # A form reached several ways (a function-phrase swap that is also a Moby entry, two
        # readings of the spun word) keeps the evidence of all of them: "according to" for "in
        # keeping with" must not lose its whole-phrase evidence to its Moby reading.
        found: dict[str, dict[str, float]] = {}

        def add(form: str | None, ev: dict[str, float]) -> None:
            if not form or form == key:
                return
            merged = found.setdefault(form, {})
            for k, v in ev.items():
                merged[k] = max(merged.get(k, v), v)

        for cand in self.phrase_inverse.get(key, []):
            add(cand, {"phrase_whole": 1})
        readings = analyse(key) if " " not in key else ()
        if readings:
            for lemma, tag in readings[:2]:
                inflected = tag not in ("NN", "JJ", "RB", "VB", "VBP")
                for cand, ev in self._lemma_sources(lemma).items():
                    add(inflect(cand, tag) if inflected else cand, ev)
        else:
            for cand, ev in self._lemma_sources(key).items():
                add(cand, ev)
            for lemma, tag in self.phrases.readings(key):
                for cand, ev in self._lemma_sources(lemma).items():
                    if " " not in cand or tag != "NNS":  # a phrase's plural is not its first word's
                        add(inflect(cand, tag), ev)
        if not found:
            for form, ev in self._hyphen_parts(key):
                add(form, ev)
        scores: dict[str, float] = {}
        evidence: dict[str, dict[str, float]] = {}
        for form, ev in found.items():
            if form in STOPWORDS and _votes(ev) < 3:
                continue
            z = zipf(form)
            # A whole-phrase swap is specific evidence: technical originals ("tanh function")
            # are rare words and must not be filtered as rare.
            if z < MIN_ZIPF and "phrase_whole" not in ev:
                continue
            ev = {**ev, "zipf": z}
            if self.ranker is None:
                scores[form] = _votes(ev) + z  # zipf itself has no votes
            else:
                scores[form] = sum(self.ranker.get(k, 0.0) * v for k, v in rank_features(ev, form).items())
            evidence[form] = {**ev, "prior": round(scores[form], 4)}
        ranked = list(islice(filter(_spinner_could(key), sorted(scores, key=lambda c: -scores[c])), self.max_candidates))
        out = (key, *ranked)
        if len(self._cache) >= CANDIDATE_CACHE:
            self._cache.clear()
        got = self._cache[key] = (out, {c: evidence[c] for c in ranked})
        return got

    def emitted_whole(self, phrase: str) -> bool:
        """Whether a multiword stretch is something a spinner puts in whole (PhraseLexicon)."""
        return self.phrases.emitted_whole(phrase)

    def _hyphen_parts(self, key: str) -> Iterator[tuple[str, dict[str, float]]]:
        """For a hyphenated word no source knows whole, the compounds with one part swapped
        back: spinners treat the hyphen as a space ("x-ray" -> "x-beam", "human-computer" ->
        "human-pc", "10-fold" -> "10-crease"; about one real tortured word swap in 40). Each
        carries its part's evidence; a part's phrase candidates are skipped (no hyphen inside
        a compound's part)."""
        parts = key.split("-")
        if " " in key or not 1 < len(parts) <= MAX_HYPHEN_PARTS or not all(parts):
            return
        for i, part in enumerate(parts):
            if not (part.isalpha() and len(part) > 1):
                continue
            out, evidence = self._ranked(part)
            for cand in out[1:]:
                if " " not in cand and "-" not in cand:
                    ev = {k: v for k, v in evidence[cand].items() if k not in ("zipf", "prior")}
                    yield "-".join([*parts[:i], cand, *parts[i + 1 :]]), ev

    # -- spans ------------------------------------------------------------------------------

    def units(self, sentence: str, words: list[tuple[int, int]]) -> list[Unit]:
        """Split the words of one span (character ranges in `sentence`) into units.

        Longest phrase match first: a multiword stretch that a spinner emits whole ("for the
        reason that", "in keeping with"), or an inflected form of one ("mustered out"), becomes
        one unit; everything else is one word each.
        """
        out: list[Unit] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                s, e = words[i][0], words[i + n - 1][1]
                text = sentence[s:e]
                key = " ".join(text.lower().split())
                if n > 1 and not self.emitted_whole(key):
                    continue
                cands = self.originals(key)
                if n > 1 and len(cands) == 1:
                    # A known phrase whose originals were all filtered out (too rare, as in
                    # "tanh work" -> "tanh function"): restore its words one by one instead.
                    continue
                out.append(Unit(s, e, text, tuple(match_case(text, c) if j else text for j, c in enumerate(cands))))
                i += n
                break
        return out

    def span_units(self, sentence: str, spans: Sequence[tuple[int, int]]) -> list[list[Unit]]:
        """The units of each (start, end) span of `sentence`."""
        out = []
        for s, e in spans:
            words = [(t.start, t.end) for t in tokenize(sentence[s:e], offset=s) if t.is_word]
            out.append(self.units(sentence, words))
        return out
