"""How real a spinner is: of the substitutions real spinners made (the real dev set's measuring
part), the share a spinner can produce, and how likely it is to produce each where it was made.

- producible: the spun form is among what the spinner can put in for the original (its tables,
  its function phrases, its thesaurus sources; word by word for a phrase of as many words).
- probability: the original paragraph spun `samples` times at rate 1 (every eligible word
  swapped, so the figure is the chance of the exact spun form given the spinner acts there):
  the share of spins whose text at the substitution's place is the real spun form.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from spinfix.train.real_mining import Substitution, typographic
from spinfix.train.real_spinner import RealSpinner
from spinfix.train.spinner import Spinner


def producible(spinner: Spinner, original: str, spun: str) -> bool:
    o, s = typographic(original), typographic(spun)
    if s in (typographic(x) for x in spinner.function_phrases.get(o, [])):
        return True
    if isinstance(spinner, RealSpinner) and s in (typographic(r) for r, _ in spinner.table_options(o)):
        return True
    ow, sw = o.split(), s.split()
    if len(ow) == 1:
        return s in {typographic(c) for c in spinner.all_candidates(o)}
    # A phrase: cut both sides into consecutive pieces, each kept or producible on its own
    # ("town before" -> "city" + "earlier than").
    return _pieces(spinner, tuple(ow), tuple(sw), whole=False)


def _pieces(spinner: Spinner, ow: tuple[str, ...], sw: tuple[str, ...], whole: bool = True) -> bool:
    if not ow or not sw:
        return not ow and not sw
    for i in range(1, len(ow) + 1):
        for j in range(1, len(sw) + 1):
            if (i, j) == (len(ow), len(sw)) and not whole:
                continue  # the whole phrase as one piece: producible() asked that already
            a, b = " ".join(ow[:i]), " ".join(sw[:j])
            if a == b or (i, j) == (1, 1) and producible(spinner, a, b) or (i, j) != (1, 1) and _one_piece(spinner, a, b):
                if _pieces(spinner, ow[i:], sw[j:]):
                    return True
    return False


def _one_piece(spinner: Spinner, a: str, b: str) -> bool:
    """A phrase the spinner's tables swap whole."""
    if b in (typographic(x) for x in spinner.function_phrases.get(a, [])):
        return True
    if isinstance(spinner, RealSpinner) and b in (typographic(r) for r, _ in spinner.table_options(a)):
        return True
    return len(a.split()) == 1 and b in {typographic(c) for c in spinner.all_candidates(a)}


def spun_there(spinner: Spinner, sub: Substitution, rng: random.Random) -> str | None:
    """What one spin of the substitution's paragraph puts at its place; None when an edit
    crosses its edges (the spinner made another cut there)."""
    result = spinner.spin(sub.paragraph, 1.0, rng)
    out, cursor = [], sub.start
    for e in sorted(result.edits, key=lambda e: e.orig_start):
        if e.orig_end <= sub.start or e.orig_start >= sub.end:
            continue
        if e.orig_start < sub.start or e.orig_end > sub.end:
            return None
        out.append(sub.paragraph[cursor : e.orig_start])
        out.append(e.replacement)
        cursor = e.orig_end
    out.append(sub.paragraph[cursor : sub.end])
    return "".join(out)


def probability(spinner: Spinner, sub: Substitution, samples: int, seed: int = 13) -> float:
    rng = random.Random(f"{seed}:{sub.story}:{sub.start}")
    want = typographic(sub.spun)
    hits = sum(1 for _ in range(samples) if (got := spun_there(spinner, sub, rng)) is not None and typographic(got) == want)
    return hits / samples


@dataclass
class Realism:
    substitutions: int
    producible: int
    mean_probability: float
    likely: int  # produced in at least 5 % of spins

    @property
    def producible_share(self) -> float:
        return self.producible / self.substitutions if self.substitutions else 0.0

    def to_dict(self) -> dict:
        return {
            "substitutions": self.substitutions, "producible": self.producible,
            "producible_share": round(self.producible_share, 4), "mean_probability": round(self.mean_probability, 4),
            "produced_in_5pct_of_spins": self.likely,
        }


def realism(spinner: Spinner, subs: Sequence[Substitution], samples: int = 50) -> Realism:
    swaps = [s for s in subs if s.is_swap]
    probs = [probability(spinner, s, samples) for s in swaps] if samples else [0.0] * len(swaps)
    return Realism(
        substitutions=len(swaps), producible=sum(producible(spinner, s.original, s.spun) for s in swaps),
        mean_probability=sum(probs) / len(probs) if probs else 0.0, likely=sum(p >= 0.05 for p in probs),
    )
