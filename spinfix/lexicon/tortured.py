"""The tortured-phrase swaps a restorer may undo, shipped in spinfix/resources.

Learned from the spinner share of the Problematic Paper Screener's dev file
(spinfix.eval.tortured_pairs.write_swaps): tortured word or phrase -> correct ones.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from spinfix.paths import RESOURCES

SWAPS_RESOURCE = RESOURCES / "tortured_swaps.tsv"


def load_swaps(path: Path = SWAPS_RESOURCE) -> dict[str, list[str]]:
    """tortured word or phrase -> correct ones, as written by write_swaps (empty if absent)."""
    table: dict[str, list[str]] = defaultdict(list)
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        t, c = line.split("\t", 1)
        if c not in table[t]:
            table[t].append(c)
    return dict(table)
