"""One input document as a batch job reads it: its place in the input, its id, and its text, or
why it has none (then it becomes an error record, and the job goes on)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Doc:
    """A document of the input. `index` is its position in the whole input (0-based, across
    files); exactly one of `text` and `error` is set."""

    index: int
    id: str
    text: str | None = None
    reference: str | tuple[str, ...] | None = None  # a clean parallel article, or several
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def doc_from_fields(index: int, where: str, fields: dict[str, Any]) -> Doc:
    """The document of a JSONL line's object or a Parquet row (`fields`: id, text, reference).

    `where` names the line or row ("12", "part-3.jsonl:12"): the id of a document that has
    none, and the place an error message points at."""
    raw_id = fields.get("id")
    doc_id = where if raw_id is None or raw_id == "" else str(raw_id)

    def bad(message: str) -> Doc:
        return Doc(index, doc_id, error=f"{where}: {message}")

    text = fields.get("text")
    if text is None:
        return bad("no `text` field")
    if not isinstance(text, str):
        return bad(f"`text` should be a string, not {type(text).__name__}")
    if not text.strip():
        return bad("the text is empty")
    if "\x00" in text:  # never text; the models would read it as an unknown character
        return bad("the text holds a NUL character")
    reference = fields.get("reference")
    if reference is None:
        return Doc(index, doc_id, text=text)
    if isinstance(reference, str):
        refs: list[Any] = [reference]
    elif isinstance(reference, (list, tuple)):
        refs = list(reference)
    else:
        return bad(f"`reference` should be a string or a list of strings, not {type(reference).__name__}")
    if not refs or not all(isinstance(r, str) for r in refs):
        return bad("`reference` should be a string or a non-empty list of strings")
    if any(not r.strip() for r in refs):
        return bad("a reference is empty")
    return Doc(index, doc_id, text=text, reference=reference if isinstance(reference, str) else tuple(refs))
