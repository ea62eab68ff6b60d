"""Marks: the spans a flagged sentence shows, from its word probabilities, grown to the whole
phrase a spinner put in.

A mark is a run of adjacent words over the span threshold, in the input's offsets; words inside
quotations are never marked (spinners leave quoted speech alone, so a mark there would be a false
accusation and an invitation to edit a quote).

A spinner swaps a word for a phrase and emits the phrase whole ("since" -> "for the reason that",
"released" -> "mustered out"), but the detector scores words: it often marks "reason" or
"mustered" and leaves the rest of the phrase under the span threshold. A span that covers part
of such a phrase is wrong as a mark (exact spans) and useless to the restorer, which can only undo
a phrase it sees whole. So a marked word that lies inside a stretch the lexicon knows as
something a spinner emits whole (a function phrase, a learned tortured phrase, a Moby entry or a
WordNet lemma, as it stands or inflected: `PhraseLexicon.emitted_whole`) takes the whole
stretch, provided every word of it is at least a little suspicious (`floor`) and the words are
separated by single spaces (no punctuation, no quotation in between). Names and numbers never
join a mark this way: spinners leave them alone, and the restorer must not get them to rewrite.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from spinfix.detect.encoder import WordScores
from spinfix.lexicon.phrases import MAX_PHRASE_WORDS
from spinfix.report import Span
from spinfix.text.document import Segment, in_quotation


def grow_to_phrases(
    words: Sequence[str],
    joined: Sequence[bool],
    probs: np.ndarray,
    marked: Iterable[int],
    is_phrase: Callable[[str], bool],
    floor: float,
    max_words: int = MAX_PHRASE_WORDS,
) -> list[int]:
    """The indices of the words to mark, in order: `marked`, plus, for each marked word, the
    longest stretch of 2 to `max_words` words around it that `is_phrase` knows (its words
    lowercased, joined by single spaces), whose words all have a probability of at least `floor`
    and are separated by one space each (`joined[j]`: between words j and j + 1), none of them a
    name or a number (`looks_like_a_name_or_number`; the first word of the sentence may be
    capitalised). The longest wins even when it is marked already: "voted in" does not grow out
    of a marked "in opposition to". Quoted words, whose probability is negative, never join."""
    hot = set(marked)
    n = len(words)
    fixed = [looks_like_a_name_or_number(w, first=j == 0) for j, w in enumerate(words)]
    for i in sorted(hot):  # the words the detector marked; stretches found on the way add to `hot`
        best: tuple[int, int] | None = None
        for a in range(max(0, i - max_words + 1), i + 1):
            for b in range(i + 1, min(n, a + max_words) + 1):
                if b - a < 2 or (best is not None and b - a <= best[1] - best[0]):
                    continue
                if any(probs[j] < floor or fixed[j] for j in range(a, b)) or not all(joined[a : b - 1]):
                    continue
                if is_phrase(" ".join(w.lower() for w in words[a:b])):
                    best = (a, b)
        if best is not None:
            hot.update(range(*best))
    return sorted(hot)


def looks_like_a_name_or_number(word: str, first: bool = False) -> bool:
    """A word holding a digit, or a capital letter past its sentence's first word ("York",
    "NASA", "McCain"): never grown over."""
    return any(c.isdigit() for c in word) or (not first and any(c.isupper() for c in word))


def quoted_words(seg: Segment, sc: WordScores, quotes: Sequence[tuple[int, int]], offset: int = 0) -> np.ndarray:
    """Which of the sentence's words lie inside one of `quotes` (from `quotations` of the text the
    sentence is in, which starts at `offset` in `seg`'s offsets)."""
    return np.array([in_quotation(quotes, seg.start - offset + t.start) for t in sc.tokens], dtype=bool)


def mark_spans(
    seg: Segment,
    sc: WordScores,
    over: float,
    quoted: np.ndarray | None = None,
    is_phrase: Callable[[str], bool] | None = None,
    floor: float | None = None,
) -> list[Span]:
    """Runs of adjacent words at least `over` probable, as spans in the input's offsets; with
    `is_phrase` and `floor`, grown over the phrases a spinner puts in whole (`grow_to_phrases`).

    With no word over `over`, the most suspicious word alone, so that a sentence flagged on its
    own words shows why (the caller decides when that word is used). Words inside quotations
    (`quoted`) are never marked.
    """
    probs = sc.probs if quoted is None else np.where(quoted, -1.0, sc.probs)
    hot = np.flatnonzero(probs >= over).tolist()
    if not hot:
        best = int(probs.argmax()) if len(probs) else -1
        return [make_span(seg, sc, [best])] if best >= 0 and probs[best] >= 0.0 else []
    if is_phrase is not None and floor is not None:
        toks = sc.tokens
        words = [seg.text[t.start : t.end] for t in toks]
        joined = [seg.text[a.end : b.start] == " " for a, b in zip(toks, toks[1:])]
        hot = grow_to_phrases(words, joined, probs, hot, is_phrase, floor)
    spans: list[Span] = []
    run: list[int] = []
    for i in hot:
        if run and i != run[-1] + 1:
            spans.append(make_span(seg, sc, run))
            run = []
        run.append(i)
    if run:
        spans.append(make_span(seg, sc, run))
    return spans


def make_span(seg: Segment, sc: WordScores, run: list[int]) -> Span:
    """The span over words `run` (adjacent, in order) of a sentence, with their highest probability."""
    start = seg.start + sc.tokens[run[0]].start
    end = seg.start + sc.tokens[run[-1]].end
    return Span(start=start, end=end, text=seg.text[start - seg.start : end - seg.start], probability=float(max(sc.probs[i] for i in run)))
