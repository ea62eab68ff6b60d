"""Real tortured phrases (Problematic Paper Screener dev split): loading, splitting, word swaps.

The dev file is divided here, by its correct phrase, into a *spinner* share (its word swaps feed
the synthetic spinner) and a *held-out* share used only for evaluation, so that evaluation on
tortured phrases never measures phrases whose swaps the training data contained. The split is a
stable hash of the correct phrase, so it is the same on every machine.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from spinfix.lexicon.morphology import analyse
from spinfix.lexicon.tortured import SWAPS_RESOURCE
from spinfix.paths import shared_data_dir

# Share of correct phrases whose word swaps the spinner may use; the rest is held out.
SPINNER_SHARE = 0.5


@dataclass(frozen=True)
class TorturedPair:
    tortured: str
    correct: str  # cleaned: "(roi)" abbreviations and "(?)" removed

    @property
    def split(self) -> str:
        h = int(hashlib.sha1(self.correct.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        return "spinner" if h < SPINNER_SHARE else "heldout"

    @property
    def tortured_bare(self) -> str:
        """The tortured phrase as evaluation places it in a sentence: without abbreviations in
        parentheses, which `clean_correct` strips from the correct phrase ("synthetic
        intelligence (ai)" against "artificial intelligence"), so that exact restoration is
        possible. As it stands where that would leave nothing or the correct phrase itself
        (the spinner swapped inside the parentheses: "polyethylene glycol (stake)")."""
        bare = " ".join(_PARENTHESES.sub(" ", self.tortured).split())
        return bare if bare and bare != self.correct else self.tortured

    @property
    def spinner_part(self) -> str:
        """Within the spinner share, by another stable hash of the correct phrase: "fit" (three
        quarters: decisions the baseline's weights may be fitted on) or "check" (a quarter, kept
        for dev checks of what such a fit does). Meaningless for held-out pairs."""
        h = int(hashlib.sha1(self.correct.encode()).hexdigest()[8:16], 16)
        return "check" if h % 4 == 0 else "fit"


_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def clean_correct(text: str) -> tuple[str, bool]:
    """Strip abbreviations in parentheses; report whether the screener was unsure ("(?)")."""
    unsure = "(?)" in text
    text = _PARENTHESES.sub(" ", text)
    return " ".join(text.split()).lower(), unsure


def load_pairs(path: Path | None = None, include_unsure: bool = False) -> list[TorturedPair]:
    path = path or shared_data_dir() / "tortured_phrases_dev.tsv"
    pairs: list[TorturedPair] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            tortured = " ".join(parts[0].lower().split())
            correct, unsure = clean_correct(parts[1])
            if not tortured or not correct or tortured == correct or (unsure and not include_unsure):
                continue
            key = (tortured, correct)
            if key not in seen:
                seen.add(key)
                pairs.append(TorturedPair(tortured, correct))
    return pairs


def word_swaps(pairs: list[TorturedPair]) -> list[tuple[str, str]]:
    """Word-level (correct word, tortured word) swaps from pairs of equal length.

    "deep learning" -> "profound learning" gives ("deep", "profound"). Words are reduced to
    lemmas where possible so that a swap learned on a plural also applies to a singular.
    """
    swaps: list[tuple[str, str]] = []
    for p in pairs:
        t, c = p.tortured.split(), p.correct.split()
        if len(t) != len(c):
            continue
        for tw, cw in zip(t, c):
            if tw != cw and tw.isalpha() and cw.isalpha():
                correct, tortured = _lemma(cw), _lemma(tw)
                if correct != tortured:  # "actions" -> "action" is an inflection slip, not a swap
                    swaps.append((correct, tortured))
    return swaps


def _lemma(word: str) -> str:
    readings = analyse(word)
    return readings[0][0] if readings else word


def swap_table(pairs: list[TorturedPair]) -> dict[str, list[str]]:
    """correct lemma -> tortured lemmas, most frequent first."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for c, t in word_swaps(pairs):
        counts[c][t] += 1
    return {c: [t for t, _ in cnt.most_common()] for c, cnt in counts.items()}


def phrase_table(pairs: list[TorturedPair]) -> dict[str, list[str]]:
    """Multiword correct phrase -> its tortured forms, for whole-phrase swaps by the spinner."""
    table: dict[str, list[str]] = defaultdict(list)
    for p in pairs:
        if " " in p.correct and len(p.correct.split()) <= 4 and p.tortured not in table[p.correct]:
            table[p.correct].append(p.tortured)
    return dict(table)


def undo_swaps(pairs: list[TorturedPair]) -> list[tuple[str, str]]:
    """The swaps a restorer may undo, as (tortured, correct): word swaps (lemmas), most frequent
    first per tortured word, then whole multiword phrases."""
    counts: Counter = Counter()
    for c, t in word_swaps(pairs):
        counts[(t, c)] += 1
    out = [tc for tc, _ in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))]
    for correct, forms in sorted(phrase_table(pairs).items()):
        out += [(t, correct) for t in forms if " " in t]
    return out


def learned_table(pairs: list[TorturedPair]) -> dict[str, list[str]]:
    """tortured word or phrase -> correct ones, as `load_swaps` reads what `write_swaps` wrote for
    the same pairs (for a restorer that may learn from some pairs only, as in a dev check)."""
    table: dict[str, list[str]] = defaultdict(list)
    for t, c in undo_swaps(pairs):
        if c not in table[t]:
            table[t].append(c)
    return dict(table)


def write_swaps(pairs: list[TorturedPair], path: Path = SWAPS_RESOURCE) -> int:
    """Write the swaps a restorer may undo (`undo_swaps`), one `tortured<TAB>correct` line each.
    Only the spinner share of the dev file may go in here; the held-out share stays unseen.
    """
    lines = [f"{t}\t{c}" for t, c in undo_swaps(pairs)]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Tortured-phrase fingerprints from the Problematic Paper Screener (Cabanac, Labbé, Magazinov), CC BY 4.0.\n"
    header += "# Spinner share of the dev split only (spinfix.eval.tortured_pairs): tortured<TAB>correct, words as lemmas.\n"
    text = header + "\n".join(lines) + "\n"
    # Rewritten only when it changes: the file ships in the package, and a rebuild of the data
    # from the same pairs must not touch an installed (possibly read-only) copy.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return len(lines)
