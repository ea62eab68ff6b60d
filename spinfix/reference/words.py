"""Word alignment inside an aligned pair of sentences, and what each difference is.

Words the two sides share (the same word, or the same lemma) are the anchors; what lies between
two anchors is a difference, labelled:
- `swap`: a spinner's kind of change, a few words for a few words that a thesaurus, WordNet,
  the GloVe neighbours or the learned tortured phrases relate (the restorer's candidate
  originals: spinfix.restore.candidates), or whose embeddings are close;
- `rewording`: a few words for a few others, unrelated;
- `fact`: the sides differ in a number, a name (a capitalised word) or a quotation mark;
- `insertion` / `deletion`: words on one side only.
Offsets are character offsets into each side's text.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spinfix.lexicon.morphology import analyse, same_lemma
from spinfix.restore.candidates import CandidateGenerator
from spinfix.text.tokens import Token, tokenize

# A change of more words than this on either side is a rewording, whatever the lexicon says.
MAX_SWAP_WORDS = 4
KINDS = ("swap", "rewording", "fact", "insertion", "deletion")


@dataclass(frozen=True)
class Difference:
    """One difference between the suspect side and the reference side of a pair."""

    kind: str
    suspect_start: int
    suspect_end: int
    suspect_text: str
    reference_start: int
    reference_end: int
    reference_text: str

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "suspect_start": self.suspect_start, "suspect_end": self.suspect_end,
            "suspect_text": self.suspect_text, "reference_start": self.reference_start,
            "reference_end": self.reference_end, "reference_text": self.reference_text,
        }


@dataclass(frozen=True)
class WordAlignment:
    """The differences of a pair, and how many of the suspect's words are anchors."""

    differences: tuple[Difference, ...]
    suspect_words: int
    shared_words: int

    @property
    def copied_share(self) -> float:
        return self.shared_words / self.suspect_words if self.suspect_words else 0.0

    @property
    def swapped_words(self) -> int:
        """The suspect's words in spinner-style swaps."""
        return sum(len(d.suspect_text.split()) for d in self.differences if d.kind == "swap")


def _key(tok: Token) -> str:
    """What an anchor matches on: a word's lemma (lowercase), any other token as it is."""
    if not tok.is_word:
        return tok.text
    low = tok.text.lower()
    readings = analyse(low) if low.isalpha() else ()
    return readings[0][0] if readings else low


def _is_fact(a: Sequence[Token], b: Sequence[Token], first_a: bool, first_b: bool) -> bool:
    def facts(toks: Sequence[Token], first: bool) -> list[str]:
        out = []
        for n, t in enumerate(toks):
            if any(c.isdigit() for c in t.text) or t.text in ('"', "“", "”"):
                out.append(t.text)
            elif t.is_word and t.text[:1].isupper() and not (first and n == 0):
                out.append(t.text)
        return out

    return facts(a, first_a) != facts(b, first_b)


def align_words(
    suspect: str,
    reference: str,
    related: Callable[[str, str], bool] | None = None,
) -> WordAlignment:
    """The differences between `suspect` and `reference` (two sentences, or two stretches of
    text). `related(spun, original)` says whether a spinner could have put `spun` for
    `original` (lowercase phrases); without it no difference is a swap."""
    a, b = tokenize(suspect), tokenize(reference)
    ka, kb = [_key(t) for t in a], [_key(t) for t in b]
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    diffs: list[Difference] = []
    shared = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            shared += sum(1 for t in a[i1:i2] if t.is_word)
            continue
        sa, sb = a[i1:i2], b[j1:j2]
        a0, a1 = (sa[0].start, sa[-1].end) if sa else (a[i1 - 1].end if i1 else 0,) * 2
        b0, b1 = (sb[0].start, sb[-1].end) if sb else (b[j1 - 1].end if j1 else 0,) * 2
        wa, wb = [t for t in sa if t.is_word], [t for t in sb if t.is_word]
        if not wa and not wb:
            kind = "rewording"  # punctuation only
        elif not wb:
            kind = "insertion"
        elif not wa:
            kind = "deletion"
        elif _is_fact(sa, sb, i1 == 0, j1 == 0):
            kind = "fact"
        elif len(wa) <= MAX_SWAP_WORDS and len(wb) <= MAX_SWAP_WORDS and related is not None and related(
            " ".join(t.text.lower() for t in wa), " ".join(t.text.lower() for t in wb)
        ):
            kind = "swap"
        else:
            kind = "rewording"
        diffs.append(Difference(kind, a0, a1, suspect[a0:a1], b0, b1, reference[b0:b1]))
    return WordAlignment(tuple(diffs), sum(1 for t in a if t.is_word), shared)


def lexicon_related(gen: CandidateGenerator) -> Callable[[str, str], bool]:
    """`related(spun, original)` for word alignment: the original is among the restorer's
    candidate originals of the spun words, as a whole or word for word (or is another form of
    the same word)."""

    def related(spun: str, original: str) -> bool:
        if spun == original or original in gen.originals(spun):
            return True
        sw, ow = spun.split(), original.split()
        return len(sw) == len(ow) > 1 and all(
            a == b or same_lemma(a, b) or b in gen.originals(a) for a, b in zip(sw, ow)
        )

    return related
