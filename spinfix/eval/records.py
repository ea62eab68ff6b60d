"""The labelled records that data building writes (data/generated/*/*.jsonl) and that evaluation
and training read: a spun or clean sentence with its word labels and the spinner's edits."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSON Lines file, one at a time."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def merge_edits(text: str, edits: list[list]) -> list[tuple[int, int, str]]:
    """A record's gold edits as (start, end, original) spans in the spun text, adjacent ones
    (only space between them) merged into one."""
    spans: list[tuple[int, int, str]] = []
    for s, e, orig, _rep, _src in sorted(edits, key=lambda x: x[0]):
        if spans and text[spans[-1][1] : s].strip() == "":
            ps, pe, po = spans[-1]
            spans[-1] = (ps, e, po + text[pe:s] + orig)
        else:
            spans.append((s, e, orig))
    return spans
