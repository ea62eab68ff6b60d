"""How an index is built and searched: one settings dataclass, stored in the index's index.json
so that every later `add` and `search` hashes and embeds the way the build did."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from spinfix.errors import SpinfixError


@dataclass(frozen=True)
class IndexSettings:
    """`families`: the MinHash shingle families indexed (spinfix.index.shingles.FAMILIES);
    `embed`: whether documents get a sentence-embedding vector; `num_perm` and `rows`: the
    signatures' length and the LSH band width; `max_sentences`: the sentences of a document
    (from its start) its vector is pooled over; `segment_size`: documents per segment written."""

    families: tuple[str, ...] = ("immutables", "words")
    embed: bool = True
    num_perm: int = 128
    rows: int = 2
    seed: int = 1
    max_sentences: int = 16
    segment_size: int = 20_000
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from spinfix.index.shingles import FAMILIES

        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown:
            raise SpinfixError(f"unknown shingle families {unknown}: use {sorted(FAMILIES)}")
        if self.num_perm < 1 or self.rows < 1 or self.num_perm % self.rows:
            raise SpinfixError(f"num_perm ({self.num_perm}) must be a positive multiple of rows ({self.rows})")
        if self.max_sentences < 1 or self.segment_size < 1:
            raise SpinfixError("max_sentences and segment_size must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["families"] = list(self.families)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IndexSettings:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "families" in known:
            known["families"] = tuple(known["families"])
        return cls(**known)
