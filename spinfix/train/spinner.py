"""Synthetic spinner: clean sentence -> spun sentence, per-token labels and the alignment.

It imitates article spinners so that spinfix can be trained and red-teamed: sense-blind thesaurus
swaps with the inflection kept ("said" -> "mentioned", "military aid" -> "navy help"), the
multiword function phrases spinners are known for ("since" -> "for the reason that"),
expansions and contractions ("new" -> "brand new", "two" -> "2"), and it leaves quotations,
names and numbers alone. It makes training data; it is not offered as a spinning tool.
"""
from __future__ import annotations

import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spinfix.lexicon.morphology import analyse, inflect, match_case, zipf
from spinfix.lexicon.phrases import FUNCTION_PHRASES, STOPWORDS
from spinfix.lexicon.sources import (
    GloveSource,
    MobySource,
    SubstitutionSource,
    TableSource,
    WordNetSource,
)
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.text.tokens import Token, tokenize

logger = logging.getLogger(__name__)

_OPEN_QUOTES = {"“", "‘"}
_CLOSE_QUOTES = {"”", "’"}
_MAX_PHRASE = 4  # longest phrase looked up as a whole, in tokens
# Changes whenever the same clean text would be spun differently, so that data folders (their
# meta.json) and model cards can say which spinner made them. 0.4: SPINNER_HALLMARKS.
SPINNER_VERSION = "0.4"


@dataclass(frozen=True)
class Edit:
    """One swap: `original` at [orig_start, orig_end) of the clean text became `replacement`
    at [start, end) of the spun text."""

    start: int
    end: int
    orig_start: int
    orig_end: int
    original: str
    replacement: str
    source: str


@dataclass
class SpunSentence:
    clean: str
    spun: str
    edits: list[Edit] = field(default_factory=list)

    @property
    def is_spun(self) -> bool:
        return bool(self.edits)

    def labels(self) -> list[tuple[Token, int]]:
        """Word tokens of the spun text, each labelled 1 if a spinner put it there."""
        out = []
        for tok in tokenize(self.spun):
            inside = any(e.start <= tok.start and tok.end <= e.end for e in self.edits)
            out.append((tok, int(inside)))
        return out


def _adverb_bases(word: str) -> list[str]:
    """Candidate adjectives of an -ly adverb: visually -> visual, happily -> happy."""
    stem = word[:-2]
    bases = [stem]
    if word.endswith("ily"):
        bases.append(word[:-3] + "y")
    if word.endswith("ically"):
        bases.append(word[:-4])
    if word.endswith("bly"):
        bases.append(word[:-1] + "e")
    return bases


def _adverbize(adj: str) -> str:
    if adj.endswith("y") and len(adj) > 3:
        return adj[:-1] + "ily"
    if adj.endswith("ic"):
        return adj + "ally"
    if adj.endswith("le") and len(adj) > 3:
        return adj[:-1] + "y"
    return adj + "ly"


def same_pos(candidate: str, lemma: str) -> bool:
    """Whether two lemmas share a part of speech (lemminflect's lemma table)."""
    from lemminflect import getAllLemmas

    a = set(getAllLemmas(candidate.split()[0]))
    b = set(getAllLemmas(lemma))
    return bool(a & b)


def protected_mask(tokens: list[Token]) -> list[bool]:
    """Tokens a spinner leaves alone: quoted speech, names, numbers, acronyms."""
    mask = [False] * len(tokens)
    in_quote = False
    straight_open = False
    for i, tok in enumerate(tokens):
        t = tok.text
        if t in _OPEN_QUOTES or (t == '"' and not straight_open):
            in_quote = True
            straight_open = t == '"'
            mask[i] = True
            continue
        if t in ("”",) or (t == '"' and straight_open):
            in_quote = False
            straight_open = False
            mask[i] = True
            continue
        if in_quote:
            mask[i] = True
            continue
        if any(ch.isdigit() for ch in t):
            mask[i] = True
        elif t[:1].isupper():
            # Capitalised mid-sentence: a name. At sentence start, only a common word is spun.
            sentence_start = i == 0 or tokens[i - 1].text in {".", "!", "?", ":", "—", "(", "“", '"'}
            if not sentence_start or t.isupper() or zipf(t.lower()) < 4.0:
                mask[i] = True
    return mask


def _swappable(tok: Token) -> bool:
    """A word a spinner's thesaurus swaps: alphabetic, longer than two letters, not a stopword."""
    low = tok.text.lower()
    return tok.is_word and low.isalpha() and len(low) > 2 and low not in STOPWORDS


class Spinner:
    """Swaps words and phrases of clean sentences, at a rate chosen per call.

    `sources` are (source, weight) pairs; for each eligible word one source is drawn by weight,
    then a candidate from it, favouring words people know (spinner thesauri are curated lists).
    """

    def __init__(
        self,
        sources: Sequence[tuple[SubstitutionSource | None, float]],
        function_phrases: dict[str, list[str]] | None = None,
        phrase_rate: float = 1.5,
        slip_rate: float = 0.08,
    ) -> None:
        self.slip_rate = slip_rate  # share of swaps that lose the original's inflection
        # A source that could not be loaded (None) is left out.
        self.sources = [(s, w) for s, w in sources if s is not None and w > 0]
        self.function_phrases = FUNCTION_PHRASES if function_phrases is None else function_phrases
        self.phrase_rate = phrase_rate  # function phrases are swapped more eagerly than content words
        self._cand_cache: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def default(
        cls,
        lexicon: Lexicon | None = None,
        tortured_swaps: dict[str, list[str]] | None = None,
        tortured_phrases: dict[str, list[str]] | None = None,
    ) -> Spinner:
        """The mixture used for spinfix's training data (weights documented in the model card).

        `tortured_swaps` (word -> words) and `tortured_phrases` (multiword correct phrase ->
        tortured phrases) come from the spinner share of the dev tortured phrases only.
        """
        lexicon = lexicon or Lexicon.load()
        sources: list[tuple[SubstitutionSource | None, float]] = [
            (MobySource(lexicon), 0.40),
            (WordNetSource.load(), 0.25),
            (GloveSource.load(), 0.15),
        ]
        if tortured_swaps:
            sources.append((TableSource("tortured", tortured_swaps), 0.20))
        phrases = dict(FUNCTION_PHRASES)
        for k, v in (tortured_phrases or {}).items():
            phrases.setdefault(k, v)
        return cls(sources, function_phrases=phrases)

    # -- candidate generation -------------------------------------------------------------

    def candidates(self, source: SubstitutionSource, word: str) -> list[str]:
        """Inflected replacements that `source` offers for a word form."""
        key = (source.name, word)
        if key in self._cand_cache:
            return self._cand_cache[key]
        out: list[str] = []
        readings = analyse(word) or ((word, ""),)
        for lemma, tag in readings:
            for cand in source.candidates(lemma):
                if not plausible(cand, lemma):
                    continue
                if source.name == "glove" and not same_pos(cand, lemma):
                    continue  # distributional neighbours include non-synonyms of other classes
                inflected = bool(tag) and tag not in ("NN", "JJ", "RB", "VB", "VBP")
                form = inflect(cand, tag) if inflected else cand
                # lemminflect happily makes "recitationed" from a noun; spinners emit real words.
                if inflected and form and zipf(form.split()[0]) < 1.5:
                    continue
                if form and form != word and form not in out:
                    out.append(form)
        if word.endswith("ly") and len(word) > 5:
            out += [c for c in self._adverbs(source, word) if c not in out]
        self._cand_cache[key] = out
        return out

    def _adverbs(self, source: SubstitutionSource, word: str) -> list[str]:
        """Adverbs from the synonyms of their adjective ("visually" -> "outwardly"), the way
        spinner thesauri derive them."""
        out = []
        for base in _adverb_bases(word):
            for cand in source.candidates(base):
                if " " in cand or not plausible(cand, base):
                    continue
                adv = _adverbize(cand)
                if adv != word and zipf(adv) >= 1.5 and adv not in out:
                    out.append(adv)
        return out

    def slips(self, source: SubstitutionSource, word: str) -> list[str]:
        """Replacements left uninflected ("networks" -> "organization"): spinners that swap
        lemmas without re-inflecting make this error, and real spun text is full of it."""
        readings = analyse(word)
        if not readings or readings[0][0] == word:
            return []
        lemma = readings[0][0]
        return [c for c in source.candidates(lemma) if plausible(c, lemma)][:20]

    def all_candidates(self, word: str) -> set[str]:
        """Everything any source could put in for `word` (used to measure realism)."""
        out: set[str] = set()
        for src, _ in self.sources:
            out.update(self.candidates(src, word))
            out.update(self.slips(src, word))
        out.update(c for c in self.function_phrases.get(word, []) if c != word)
        return out

    def _pick(self, cands: list[str], rng: random.Random) -> str:
        weights = [max(zipf(c) - 2.0, 0.1) ** 1.5 for c in cands]
        return rng.choices(cands, weights=weights, k=1)[0]

    # -- spinning -------------------------------------------------------------------------

    def spin(self, sentence: str, rate: float, rng: random.Random) -> SpunSentence:
        """Spin one sentence; `rate` is the chance that an eligible word is swapped."""
        tokens = tokenize(sentence)
        mask = protected_mask(tokens)
        swaps: list[tuple[int, int, str, str]] = []  # (tok_i, tok_j exclusive, replacement, source)
        i = 0
        while i < len(tokens):
            done = False
            # Multiword function phrases first, longest match.
            for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
                if any(mask[i : i + n]) or not all(t.is_word for t in tokens[i : i + n]):
                    continue
                phrase = " ".join(t.text.lower() for t in tokens[i : i + n])
                options = self.function_phrases.get(phrase)
                if options:
                    if rng.random() < min(1.0, rate * self.phrase_rate):
                        rep = rng.choice(options)
                        if rep != phrase:
                            src = "function" if phrase in FUNCTION_PHRASES else "tortured-phrase"
                            swaps.append((i, i + n, match_case(tokens[i].text, rep), src))
                    i += n
                    done = True
                    break
            if done:
                continue
            tok = tokens[i]
            low = tok.text.lower()
            if not mask[i] and _swappable(tok) and rng.random() < rate:
                swap = self._swap_word(low, rng)
                if swap:
                    src, form = swap
                    swaps.append((i, i + 1, match_case(tok.text, form), src))
            i += 1
        return self._apply(sentence, tokens, swaps)

    def spin_term(self, sentence: str, rng: random.Random, swap_prob: float = 0.65) -> SpunSentence | None:
        """Spin one technical term and leave the rest of the sentence alone, as the tortured
        phrases of paper-mill papers sit in otherwise fluent prose ("profound learning").

        The term is 2 or 3 adjacent lowercase content words (a noun compound, mostly), drawn
        from the sentence's runs of them; each of its words is swapped with `swap_prob` by the
        same sources as `spin`. None when the sentence has no such run or nothing was swapped.
        """
        tokens = tokenize(sentence)
        mask = protected_mask(tokens)
        ok = [not mask[i] and _swappable(t) and t.text.islower() for i, t in enumerate(tokens)]
        runs, i = [], 0
        while i < len(tokens):
            if not ok[i]:
                i += 1
                continue
            j = i
            while j < len(tokens) and ok[j]:
                j += 1
            if j - i >= 2:
                runs.append((i, j))
            i = j
        if not runs:
            return None
        a, b = rng.choice(runs)
        n = min(b - a, rng.choice((2, 2, 3)))
        s = rng.randint(a, b - n)
        swaps: list[tuple[int, int, str, str]] = []
        for k in range(s, s + n):
            if rng.random() < swap_prob:
                rep = self._swap_word(tokens[k].text, rng)
                if rep:
                    swaps.append((k, k + 1, rep[1], "term-" + rep[0]))
        return self._apply(sentence, tokens, swaps) if swaps else None

    def _swap_word(self, word: str, rng: random.Random) -> tuple[str, str] | None:
        # Draw sources in weight order until one has something: a spinner's table either knows
        # the word or leaves it.
        order = list(self.sources)
        while order:
            src, _ = pick = rng.choices(order, weights=[w for _, w in order], k=1)[0]
            if rng.random() < self.slip_rate:
                slips = self.slips(src, word)
                if slips:
                    return src.name, self._pick(slips, rng)
            cands = self.candidates(src, word)
            if cands:
                return src.name, self._pick(cands, rng)
            order.remove(pick)
        return None

    @staticmethod
    def _apply(sentence: str, tokens: list[Token], swaps: list[tuple[int, int, str, str]]) -> SpunSentence:
        pieces: list[str] = []
        edits: list[Edit] = []
        cursor = 0  # in the clean sentence
        length = 0  # of the spun text built so far
        for ti, tj, rep, src in swaps:
            o_start, o_end = tokens[ti].start, tokens[tj - 1].end
            keep = sentence[cursor:o_start]
            pieces.append(keep)
            length += len(keep)
            pieces.append(rep)
            edits.append(Edit(length, length + len(rep), o_start, o_end, sentence[o_start:o_end], rep, src))
            length += len(rep)
            cursor = o_end
        pieces.append(sentence[cursor:])
        return SpunSentence(clean=sentence, spun="".join(pieces), edits=edits)


def plausible(candidate: str, original: str) -> bool:
    """Filter out candidates no spinner would emit: same word, odd tokens, very rare phrases."""
    if candidate == original or not candidate or len(candidate) > 30:
        return False
    if not re.fullmatch(r"[a-z][a-z' -]*[a-z]", candidate):
        return False
    if candidate.count(" ") > 3:
        return False
    if original in candidate.split() or candidate in original.split():
        return False
    # A real spinner's thesaurus offers words people know; zipf < 2 are mostly archaic or jargon.
    return zipf(candidate) >= 2.0
