"""What real spinners did: the substitutions between real spun paragraphs and their originals.

Each story's paragraphs are aligned line by line (spinfix.eval.real_spun), so the words are
aligned within a paragraph (spinfix.reference.words.align_words: lemma anchors, then the gaps)
and every gap of at most MAX_WORDS words a side becomes a substitution, original -> spun, with
what kind of difference the reference check calls it. Longer gaps are rewordings or another
revision of the story, not one swap.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spinfix.eval.real_spun import Story, typographic
from spinfix.reference.words import align_words
from spinfix.text.tokens import tokenize

MAX_WORDS = 4
# Spintax a spinner failed to resolve: "{that a}", "{dollars}".
SPINTAX = re.compile(r"\{[^{}]{1,60}\}")


@dataclass(frozen=True)
class Substitution:
    original: str  # as in the clean text
    spun: str  # as in the spun copy
    kind: str  # the reference check's kind: swap, rewording, fact, insertion, deletion
    story: str
    paragraph: str = ""  # the original paragraph it sits in, and where (not written out: text)
    start: int = 0
    end: int = 0

    @property
    def key(self) -> tuple[str, str]:
        """Case-folded, as a substitution table holds it."""
        return self.original.lower(), self.spun.lower()

    @property
    def in_name(self) -> bool:
        """Inside a name or title: the original's words are capitalised ("Police Department"),
        and not only because the first starts a sentence."""
        words = [t.text for t in tokenize(self.original) if t.is_word]
        before = self.paragraph[: self.start].rstrip()
        if words and (not before or before[-1] in '.!?:"“”'):
            words = words[1:]  # capitalised as a sentence's first word
        return bool(words) and all(w[:1].isupper() for w in words)

    @property
    def words(self) -> tuple[int, int]:
        return _words(self.original), _words(self.spun)

    @property
    def is_swap(self) -> bool:
        """Words on both sides, and more than a typographic difference ("we're" / "we’re")."""
        return bool(_words(self.original)) and bool(_words(self.spun)) and typographic(self.original) != typographic(self.spun)


def _words(text: str) -> int:
    return sum(1 for t in tokenize(text) if t.is_word)


def story_substitutions(story: Story, related: Callable[[str, str], bool] | None = None) -> list[Substitution]:
    """The story's substitutions, in text order (a paragraph's first word capitalised only
    because it starts the paragraph is left as it is)."""
    out = []
    for spun, original in story.paragraph_pairs():
        for d in align_words(spun, original, related).differences:
            a, b = _words(d.reference_text), _words(d.suspect_text)
            if a == 0 and b == 0:
                continue  # punctuation
            if a > MAX_WORDS or b > MAX_WORDS:
                continue
            out.append(Substitution(d.reference_text, d.suspect_text, d.kind, story.story_id, original, d.reference_start, d.reference_end))
    return out


def spintax_debris(story: Story) -> list[str]:
    return [m.group(0) for p in story.spun for m in SPINTAX.finditer(p)]


def count(subs: Iterable[Substitution]) -> Counter[tuple[str, str]]:
    return Counter(s.key for s in subs)
