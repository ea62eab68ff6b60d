"""Morphology and frequency: lemmas and re-inflection (lemminflect), word frequency (wordfreq).

Stateless helpers; lemminflect and wordfreq cache internally, and the answers are cached here too:
candidate generation asks for the same few thousand forms again and again.
"""
from __future__ import annotations

import math
from functools import lru_cache

# Penn tags lemminflect can re-inflect to, in the order we try them when a word form is ambiguous.
_TAG_ORDER = ("VBD", "VBN", "VBG", "VBZ", "NNS", "JJR", "JJS", "RBR", "RBS", "VB", "VBP", "NN", "JJ", "RB")


@lru_cache(maxsize=200_000)
def analyse(word: str) -> tuple[tuple[str, str], ...]:
    """All (lemma, Penn tag) readings of an inflected word form, most specific tags first.

    `analyse("said")` -> (("say", "VBD"), ("say", "VBN")). Without a tagger we cannot know which
    reading is meant, so callers re-inflect with the first one and accept the rare miss.
    """
    from lemminflect import getAllInflections, getAllLemmas

    w = word.lower()
    readings: list[tuple[str, str]] = []
    for lemmas in getAllLemmas(w).values():
        for lemma in lemmas:
            for tag, forms in getAllInflections(lemma).items():
                if w in forms and (lemma, tag) not in readings:
                    readings.append((lemma, tag))
    # A form equal to its lemma is most likely the base form ("assistance" is NN, not an
    # uncountable NNS); an inflected form takes its most specific tag first.
    base_tags = {"NN", "VB", "VBP", "JJ", "RB"}

    def rank(r: tuple[str, str]) -> tuple[int, bool, int]:
        order = _TAG_ORDER.index(r[1]) if r[1] in _TAG_ORDER else len(_TAG_ORDER)
        if r[0] == w:
            return (0, r[1] not in base_tags, order)
        return (1, r[1] in base_tags, order)

    readings.sort(key=rank)
    return tuple(readings)


@lru_cache(maxsize=200_000)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's lemmas of a word form by part of speech ({"NOUN": ("network",), ...})."""
    from lemminflect import getAllLemmas

    return dict(getAllLemmas(word.lower()))


def noun_number(word: str) -> str | None:
    """"singular" or "plural" for a noun form ("network", "networks"); None for other words and
    for forms that are both ("data": datum's plural, and a singular mass noun). A form equal to
    its lemma counts as singular, though lemminflect also lists it as a plural ("technique")."""
    nouns = _lemmas(word).get("NOUN", ())
    w = word.lower()
    singular = w in nouns
    plural = any(lemma != w for lemma in nouns)
    if plural != singular:
        return "plural" if plural else "singular"
    return None


def same_lemma(a: str, b: str) -> bool:
    """Whether two words are forms of one lemma ("agreement", "agreements"): a spinner swaps
    words, it does not re-inflect them."""
    la = {lemma for lemmas in _lemmas(a).values() for lemma in lemmas}
    return any(lemma in la for lemmas in _lemmas(b).values() for lemma in lemmas)


@lru_cache(maxsize=200_000)
def inflect(lemma: str, tag: str) -> str | None:
    """Inflect a (possibly multiword) lemma to a Penn tag; a phrase inflects its first word.

    The same answer as lemminflect's getInflection, from forms kept per head word: candidate
    generation asks for up to a few tags of each of tens of thousands of lemmas per article, and
    getInflection deep-copies the head's whole table (or re-runs its guesser) on every call.
    """
    head, _, rest = lemma.partition(" ")
    forms = _inflection(head, tag)
    if not forms:
        return None
    return forms[0] + (" " + rest if rest else "")


def _inflection(head: str, tag: str) -> tuple[str, ...]:
    """lemminflect's getInflection(head, tag), with its dictionary and out-of-vocabulary
    tables looked up once per head (lowercase heads and tags other than NNP/NNPS: the rest go to
    lemminflect as they are)."""
    from lemminflect import getInflection
    from lemminflect.core.LexicalUtils import pennTagAlts, tagToUPos

    if tag in ("NNP", "NNPS") or head != head.lower():
        return getInflection(head, tag=tag)
    forms = _dictionary_forms(head)
    form = forms.get(tag)
    if form is None:
        for alt in pennTagAlts(tag):
            form = forms.get(alt)
            if form:
                break
    if form is None:
        form = _guessed_forms(head, tagToUPos(tag)).get(tag)
    return form or ()


@lru_cache(maxsize=100_000)
def _dictionary_forms(head: str) -> dict[str, tuple[str, ...]]:
    """getAllInflections(head) for a lowercase head, read from lemminflect's tables directly:
    getAllInflections deep-copies the entry on every call, half the cost of candidate generation
    in a cold article. The public call where this lemminflect keeps its tables elsewhere."""
    from lemminflect.core.Inflections import Inflections

    infl = Inflections()
    try:
        main, overrides = infl._getInflDict(), infl._getOverridesDict()
    except AttributeError:  # pragma: no cover - another lemminflect
        from lemminflect import getAllInflections

        return getAllInflections(head)
    forms = {**main.get(head, {}), **overrides.get(head, {})}
    # getAllInflections applies the head's capitalisation: lowercase here.
    return {t: tuple(w.lower() for w in ws) if isinstance(ws, (list, tuple)) else ws.lower() for t, ws in forms.items()}


@lru_cache(maxsize=100_000)
def _guessed_forms(head: str, upos: str | None) -> dict[str, tuple[str, ...]]:
    from lemminflect import getAllInflectionsOOV

    return getAllInflectionsOOV(head, upos) if upos else {}


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of a word or phrase in English (0 = unseen, 7 = 'the').

    Words and phrases of plain lowercase ASCII words are looked up in wordfreq's table
    directly, with its arithmetic (its tokenizer leaves such words as they are, and costs most of
    the time of a lookup); everything else goes through wordfreq.zipf_frequency.
    """
    parts = word.split(" ")
    if all(p.isascii() and p.isalpha() and p.islower() for p in parts):
        return _plain_zipf(parts)
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _plain_zipf(words: list[str]) -> float:
    """wordfreq's zipf_frequency of plain lowercase words, step by step: their frequencies
    combine as 1/f = sum of 1/f_i (any unknown word: Zipf 0), the minimum is 1e-9 (Zipf 0),
    three significant digits are kept, and the Zipf value is rounded to hundredths."""
    from wordfreq import get_frequency_dict

    table = get_frequency_dict("en", "best")
    one_over = 0.0
    for w in words:
        f = table.get(w)
        if f is None:
            return 0.0
        one_over += 1.0 / f
    freq = max(1.0 / one_over, 1e-9)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def match_case(template: str, word: str) -> str:
    """Give `word` the capitalisation pattern of `template` (Title, UPPER or lower)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
