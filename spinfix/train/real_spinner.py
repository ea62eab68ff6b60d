"""The spinner's real mode: what real news spinners do that the thesaurus mixture does not.

Real content-farm copies (the real dev set, spinfix.eval.real_spun) show spinners that
- swap the commonest words of news prose, function words and set phrases included ("where" ->
  "the place", "up to" -> "as much as", "took place" -> "came about", "is not" -> "isn't");
- take their swaps from a fixed table, so the same swap recurs ("said" -> "stated" and
  "mentioned", "shooting" -> "taking pictures"): the mined fit-part substitutions, by count;
- spin inside names and titles ("Police Department" -> "Police Division", "House" -> "Home");
- leave debris: unresolved spintax ("{that a}") and placeholders where a word was dropped.

RealSpinner is Spinner with those added, each at a rate of its own (RealSpinnerSettings); the
thesaurus sources stay for the words the tables do not know.
"""
from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from spinfix.lexicon.morphology import match_case, zipf
from spinfix.lexicon.news import CONTRACTIONS, NEWS_SWAPS
from spinfix.lexicon.phrases import STOPWORDS
from spinfix.lexicon.sources import SubstitutionSource
from spinfix.text.tokens import Token, tokenize
from spinfix.train.real_mining import typographic
from spinfix.train.spinner import Spinner, SpunSentence, protected_mask

# Changes whenever the real mode would spin the same text differently (data folders say which).
REAL_MODE_VERSION = "0.1"
# Longest stretch looked up in the tables, in words, at least ("earlier this year").
MAX_PHRASE = 4
# Placeholders spinners leave where they dropped a word they could not handle.
PLACEHOLDERS = ("(*{n}*)",)


@dataclass(frozen=True)
class RealSpinnerSettings:
    """How much of each real behaviour the spinner shows, relative to the sentence's rate."""

    table_share: float = 0.7  # of a known word's swaps, drawn from the real tables (else the thesaurus sources)
    function_rate: float = 0.6  # function words and contractions, relative to the rate
    name_rate: float = 0.25  # a common word inside a name or title, relative to the rate
    debris_rate: float = 0.02  # a sentence left with spintax or a placeholder
    wordnet_function_share: float = 0.2  # of function words, those a sense-blind WordNet spinner swaps
    mined_weight: float = 2.0  # a mined swap's weight per count, against 1 for each written one


@dataclass(frozen=True)
class MinedSwap:
    original: str
    spun: str
    count: int
    in_name: bool


def read_mined(path: Path, split: str = "fit") -> list[MinedSwap]:
    """The mined substitutions of one split (data/real/substitutions.tsv): swaps only, both
    sides words (not a deletion, an insertion, or a typographic difference)."""
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["split"] != split or not row["original"] or not row["spun"]:
                continue
            o, s = row["original"], row["spun"]
            if typographic(o) == typographic(s) or any(c.isdigit() for c in o):
                continue
            out.append(MinedSwap(o, s, int(row["count"]), row["in_name"] == "1"))
    return out


class RealSpinner(Spinner):
    """Spinner plus the real behaviours (see the module docstring)."""

    def __init__(
        self,
        sources: list[tuple[SubstitutionSource | None, float]],
        mined: list[MinedSwap] | None = None,
        settings: RealSpinnerSettings | None = None,
        function_phrases: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(sources, function_phrases=function_phrases)
        self.settings = settings or RealSpinnerSettings()
        # original -> [(replacement, weight)]: the written tables, then the mined swaps by count.
        table: dict[str, dict[str, float]] = defaultdict(dict)
        for o, reps in (*NEWS_SWAPS.items(), *CONTRACTIONS.items()):
            for r in reps:
                if r != o:
                    table[o][r] = table[o].get(r, 0.0) + 1.0
        for m in mined or []:
            table[m.original][m.spun] = table[m.original].get(m.spun, 0.0) + self.settings.mined_weight * m.count
        self.table = {o: list(reps.items()) for o, reps in table.items()}
        self.wordnet = next((src for src, _ in self.sources if src.name == "wordnet"), None)
        self._longest = max((len(tokenize(o)) for o in self.table), default=1)

    @classmethod
    def from_spinner(cls, base: Spinner, mined: list[MinedSwap] | None = None, settings: RealSpinnerSettings | None = None) -> RealSpinner:
        """The real mode on top of an existing spinner's sources and phrases."""
        return cls(list(base.sources), mined, settings, function_phrases=dict(base.function_phrases))

    def all_candidates(self, word: str) -> set[str]:
        out = super().all_candidates(word)
        out.update(r for r, _ in self.table.get(word, []))
        return out

    def table_options(self, phrase: str) -> list[tuple[str, float]]:
        return self.table.get(typographic(phrase), [])

    # -- spinning -------------------------------------------------------------------------

    def spin(self, sentence: str, rate: float, rng: random.Random) -> SpunSentence:
        st = self.settings
        tokens = tokenize(sentence)
        mask = protected_mask(tokens)
        names = _name_words(tokens, mask)
        swaps: list[tuple[int, int, str, str]] = []
        i = 0
        while i < len(tokens):
            step = self._spin_at(tokens, mask, names, i, rate, rng, swaps)
            i += step
        if swaps and rng.random() < st.debris_rate:
            swaps = self._debris(swaps, rng)
        return self._apply(sentence, tokens, swaps)

    def _spin_at(
        self, tokens: list[Token], mask: list[bool], names: set[int], i: int, rate: float, rng: random.Random,
        swaps: list[tuple[int, int, str, str]],
    ) -> int:
        """Decide at token i; returns how many tokens were consumed."""
        st = self.settings
        # The longest stretch a table knows, starting here (words, apostrophes inside a word).
        for n in range(min(max(self._longest, MAX_PHRASE), len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            if not all(t.is_word for t in span):
                continue
            inside_name = all(k in names for k in range(i, i + n))
            if any(mask[k] for k in range(i, i + n)) and not inside_name:
                continue
            phrase = " ".join(t.text for t in span)
            options = self.table_options(phrase)
            fphrase = self.function_phrases.get(phrase.lower())
            if not options and not fphrase:
                continue
            function = all(t.text.lower() in STOPWORDS for t in span) or typographic(phrase) in CONTRACTIONS
            p = rate * (st.name_rate if inside_name else st.function_rate if function else 1.0)
            if rng.random() < min(1.0, p):
                if options and (not fphrase or rng.random() < st.table_share):
                    reps, weights = zip(*options)
                    rep = rng.choices(reps, weights=weights, k=1)[0]
                    src = "real-table"
                else:
                    rep = rng.choice(fphrase or [phrase])
                    src = "function"
                if rep.lower() != phrase.lower():
                    swaps.append((i, i + n, match_case(tokens[i].text, rep), src))
            return n
        tok = tokens[i]
        low = tok.text.lower()
        if i in names and _common(low) and rng.random() < rate * st.name_rate:
            swap = self._swap_word(low, rng)
            if swap:
                swaps.append((i, i + 1, match_case(tok.text, swap[1]), "name-" + swap[0]))
            return 1
        if mask[i] or not tok.is_word or not low.isalpha():
            return 1
        if low in STOPWORDS:
            # Sense-blind spinners swap function words from WordNet too ("on" -> "connected").
            if self.wordnet is not None and rng.random() < rate * st.function_rate * st.wordnet_function_share:
                cands = self.candidates(self.wordnet, low)
                if cands:
                    swaps.append((i, i + 1, match_case(tok.text, self._pick(cands, rng)), "function-wordnet"))
            return 1
        if len(low) > 2 and rng.random() < rate:
            swap = self._swap_word(low, rng)
            if swap:
                swaps.append((i, i + 1, match_case(tok.text, swap[1]), swap[0]))
        return 1

    @staticmethod
    def _debris(swaps: list[tuple[int, int, str, str]], rng: random.Random) -> list[tuple[int, int, str, str]]:
        """One swap left as unresolved spintax ("{that a}") or a placeholder ("(*14*)")."""
        k = rng.randrange(len(swaps))
        ti, tj, rep, src = swaps[k]
        left = f"{{{rep}}}" if rng.random() < 0.8 else PLACEHOLDERS[0].format(n=rng.randint(1, 40))
        return [*swaps[:k], (ti, tj, left, src + "-debris"), *swaps[k + 1 :]]


def _common(word: str) -> bool:
    """A common English word (a name's part a spinner's table knows: "Department", "City")."""
    return word.isalpha() and len(word) > 2 and word not in STOPWORDS and zipf(word) >= 4.3


def _name_words(tokens: list[Token], mask: list[bool]) -> set[int]:
    """Tokens inside a name or title that the plain spinner protects only for their capital:
    capitalised words outside quotations, numbers and acronyms."""
    out = set()
    quoted = _quoted(tokens)
    for i, t in enumerate(tokens):
        if mask[i] and t.is_word and t.text[:1].isupper() and not t.text.isupper() and t.text.isalpha() and i not in quoted:
            out.add(i)
    return out


def _quoted(tokens: list[Token]) -> set[int]:
    inside, out = False, set()
    for i, t in enumerate(tokens):
        if t.text in ("\u201c", '"') and not inside:
            inside = True
        elif t.text in ("\u201d", '"') and inside:
            inside = False
        elif inside:
            out.add(i)
    return out

