"""The phrases spinners put in: stock function-phrase swaps, hallmarks of free spinners,
stopwords, and a lexicon of the stretches a spinner emits whole.

A spinner swaps a word for a phrase and emits the phrase whole ("since" -> "for the reason that",
"released" -> "mustered out"). Detection marks such a phrase as one span and restoration undoes
it as one unit, so both ask `PhraseLexicon.emitted_whole`.
"""
from __future__ import annotations

from collections import defaultdict

from spinfix.lexicon.morphology import analyse
from spinfix.lexicon.news import news_inverse
from spinfix.lexicon.sources import WordNetSource
from spinfix.lexicon.thesaurus import Lexicon
from spinfix.lexicon.tortured import load_swaps

# Multiword function phrases and stock swaps of article spinners ("since" -> "for the reason
# that"). Written for spinfix from the behaviour of common free spinners; keys are word forms,
# not lemmas, because these words barely inflect.
FUNCTION_PHRASES: dict[str, list[str]] = {
    "since": ["for the reason that", "considering that", "due to the fact"],
    "because": ["due to the fact that", "because of the fact that", "for the reason that", "due to the fact"],
    "according to": ["in keeping with", "in accordance with", "consistent with", "in step with"],
    "through": ["via", "by means of", "thru", "through the use of"],
    "about": ["approximately", "concerning", "regarding", "round"],
    "before": ["earlier than", "prior to", "previous to"],
    "after": ["after", "following", "once", "later than"],
    "become": ["grow to be", "turn out to be", "end up"],
    "became": ["grew to become", "turned into", "have become"],
    "also": ["additionally", "moreover", "furthermore"],
    "however": ["but", "nonetheless", "however"],
    "but": ["however", "however"],
    "during": ["at some point of", "throughout", "all through", "in the course of"],
    "while": ["even as", "whilst", "at the same time as"],
    "including": ["which include", "together with", "such as", "inclusive of"],
    "as well as": ["in addition to", "as well as"],
    "a number of": ["quite a number of", "a variety of", "a range of"],
    "various": ["numerous", "diverse", "a variety of"],
    "many": ["many", "a lot of", "numerous", "several"],
    "new": ["brand new", "new", "modern"],
    "today": ["nowadays", "these days", "these days"],
    "now": ["now", "presently", "these days"],
    "so": ["so", "consequently", "so"],
    "although": ["even though", "although", "even if", "despite the fact that"],
    "though": ["even though", "although"],
    "if": ["if", "whether"],
    "until": ["till", "until"],
    "against": ["in opposition to", "towards"],
    "within": ["inside", "within"],
    "without": ["without", "with out"],
    "among": ["amongst", "among"],
    "around": ["round", "around", "approximately"],
    "because of": ["due to", "as a result of", "due to the fact of"],
    "in order to": ["so as to", "in an effort to"],
    "as a result": ["as a end result", "consequently"],
    "in addition": ["further", "moreover"],
    "more than": ["extra than", "greater than"],
    "more": ["extra", "greater", "more"],
    "most": ["maximum", "most"],
    "other": ["different", "other"],
    "others": ["others", "different people"],
    "very": ["very", "extremely", "really"],
    "said": ["stated", "mentioned", "said"],
    "says": ["states", "says"],
    "told": ["informed", "advised"],
    "talk about": ["discuss concerning", "speak about"],
    "will": ["will", "can"],
    "must": ["should", "need to"],
    "need": ["want", "need"],
    "needs": ["wishes", "needs"],
    "want": ["need", "choose"],
    "help": ["assist", "help"],
    "use": ["use", "utilize", "employ"],
    "two": ["2", "two"],
    "three": ["3", "three"],
    "four": ["4", "four"],
    "first": ["first", "first-rate", "primary"],
    "last": ["final", "closing", "remaining"],
    "next": ["subsequent", "next"],
    "big": ["large", "huge", "massive"],
    "get": ["get", "obtain", "get hold of"],
    "make": ["make", "create"],
    "like": ["like", "such as"],
    "important": ["essential", "vital", "crucial"],
    "whether": ["whether or not", "whether"],
    "very important": ["very essential", "critical"],
    "to help": ["to assist", "to assist"],
}

# Stock swaps that mark the output of the commonest free article spinners, many on words other
# spinners leave alone ("by" -> "with the aid of", "not" -> "no longer", "only" -> "simplest",
# "last year" -> "remaining 12 months"). Written for spinfix (issue 2, spinner 0.4) from those
# tools' well-known output. A form listed twice is kept that often: how eagerly a word is swapped.
SPINNER_HALLMARKS: dict[str, list[str]] = {
    "by": ["by means of", "with the aid of", "by", "by"],
    "was": ["was once", "was", "was"],
    "not": ["no longer", "now not", "not", "not"],
    "some": ["a few", "some", "a number of"],
    "may": ["may additionally", "may", "might"],
    "could": ["may want to", "ought to", "could", "should"],
    "would": ["would", "might", "could"],
    "still": ["nevertheless", "nonetheless", "still"],
    "the same": ["the identical", "the equal", "the same"],
    "ago": ["in the past", "ago"],
    "at least": ["at the least", "at least"],
    "last year": ["final year", "closing year", "remaining 12 months", "last 12 months"],
    "this year": ["this 12 months", "this year"],
    "seek": ["search for", "look for", "seek"],
    "seeks": ["searches for", "looks for", "seeks"],
    "seeking": ["searching for", "looking for", "in search of"],
    "people": ["humans", "human beings", "people", "folks"],
    "government": ["authorities", "government"],
    "officials": ["officers", "officials", "authorities"],
    "announced": ["introduced", "announced"],
    "as well": ["as nicely", "as well"],
    "even though": ["despite the fact that", "even though"],
    "world": ["global", "world", "arena"],
    "continue": ["keep", "preserve", "continue"],
    "continues": ["keeps", "maintains", "continues"],
    "continue to": ["keep to", "preserve to", "hold to"],
    "ensure": ["make sure", "make certain", "ensure"],
    "each other": ["every other", "each other"],
    "each": ["every", "each", "each"],
    "just": ["simply", "just"],
    "only": ["simplest", "handiest", "best", "only", "only"],
    "really": ["definitely", "truly", "virtually"],
    "know": ["recognise", "understand", "realize", "know"],
    "think": ["assume", "suppose", "think"],
    "the following": ["the subsequent", "the following"],
    "therefore": ["consequently", "for that reason", "therefore"],
    "thus": ["for that reason", "hence", "accordingly"],
}
for _phrase, _forms in SPINNER_HALLMARKS.items():  # extends the table, never overrides an entry
    FUNCTION_PHRASES[_phrase] = FUNCTION_PHRASES.get(_phrase, []) + _forms

# Words a spinner leaves alone: articles, pronouns, auxiliaries, the commonest prepositions.
STOPWORDS = frozenset(
    """a an the and or nor of in on at to for from by with as is are was were be been being am
    i me my we our us you your he him his she her it its they them their this that these those
    there here who whom whose which what where when why how not no do does did has have had
    than then too very just only own same such each both all any some few more most other
    into onto over under out up down off again further once s t don shouldn 't 's
    would could should might may shall can will must let get got mr mrs ms dr""".split()
)

# Longest stretch looked up as a phrase, in words: detection grows marks over phrases this long
# (spinfix.detect.spans) and restoration undoes them as one unit (spinfix.restore.candidates).
MAX_PHRASE_WORDS = 5
# Stretches whose verdict is remembered; then forgotten all at once, so a batch job over millions
# of documents does not grow without bound.
PHRASE_CACHE = 200_000


def inverse_phrases(learned: dict[str, list[str]]) -> dict[str, list[str]]:
    """Spun phrase -> the originals it may stand for: the function phrases turned around, the
    news-prose swaps of real spinners of several words (spinfix.lexicon.news), and the learned
    tortured phrases of several words."""
    inv: dict[str, list[str]] = defaultdict(list)
    for original, spun_forms in FUNCTION_PHRASES.items():
        for s in spun_forms:
            if s != original and original not in inv[s]:
                inv[s].append(original)
    for spun, originals in news_inverse().items():
        if " " in spun:
            inv[spun].extend(o for o in originals if o not in inv[spun])
    for spun, originals in learned.items():
        if " " in spun:
            inv[spun].extend(o for o in originals if o not in inv[spun])
    return dict(inv)


class PhraseLexicon:
    """Which multiword stretches a spinner puts in whole: a function phrase or a learned tortured
    phrase, a Moby entry or a WordNet lemma ("scale back"), as it stands or inflected."""

    def __init__(
        self, lexicon: Lexicon, wordnet: WordNetSource | None = None, learned: dict[str, list[str]] | None = None
    ) -> None:
        self.lexicon = lexicon
        self.wordnet = wordnet
        self.inverse: dict[str, list[str]] = {}
        self._whole: dict[str, bool] = {}
        self.use_learned(learned or {})

    @classmethod
    def default(cls, lexicon: Lexicon | None = None) -> PhraseLexicon:
        """Moby, the shipped WordNet synsets and the shipped learned tortured phrases."""
        return cls(lexicon or Lexicon.load(), WordNetSource.load(), load_swaps())

    def use_learned(self, learned: dict[str, list[str]]) -> None:
        """Know these learned tortured phrases instead of the ones given before (forgetting every
        verdict that used them)."""
        self.inverse = inverse_phrases(learned)
        self._whole.clear()

    def emitted_whole(self, phrase: str) -> bool:
        """Whether a multiword stretch is something a spinner puts in whole, as it stands or
        inflected: one unit to restore, and one span to mark."""
        key = " ".join(phrase.lower().split())
        hit = self._whole.get(key)
        if hit is None:
            if len(self._whole) >= PHRASE_CACHE:
                self._whole.clear()
            hit = self._whole[key] = " " in key and (self.known(key) or bool(self.readings(key)))
        return hit

    def known(self, key: str) -> bool:
        """Whether a multiword stretch, as it stands, is something a spinner puts in whole."""
        return key in self.inverse or bool(self.lexicon.sources(key)) or bool(
            self.wordnet is not None and self.wordnet.candidates(key)
        )

    def readings(self, key: str) -> list[tuple[str, str]]:
        """(base phrase, Penn tag) for a multiword stretch that is an inflected form of a known
        phrase: a spinner re-inflects "muster out" for "released" as "mustered out" (verbs
        inflect their first word) and "drawing card" for "leaders" as "drawing cards" (nouns
        their head: the last word, or the word before "of", as in "systems of belief")."""
        words = key.split()
        if len(words) < 2:
            return []
        out = []
        for lemma, tag in analyse(words[0]):
            if tag in ("VBD", "VBZ", "VBG", "VBN") and lemma != words[0]:
                out.append((" ".join([lemma, *words[1:]]), tag))
        head = words[1:].index("of") if "of" in words[1:] else len(words) - 1
        for lemma, tag in analyse(words[head]):
            if tag == "NNS" and lemma != words[head]:
                out.append((" ".join([*words[:head], lemma, *words[head + 1 :]]), tag))
        kept: dict[str, str] = {}
        for phrase, tag in out:
            if phrase not in kept and self.known(phrase):
                kept[phrase] = tag
        return list(kept.items())
