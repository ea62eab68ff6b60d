"""Word tokens with character offsets: the unit the spinner labels and the detector tags."""
from __future__ import annotations

import re
from dataclasses import dataclass

# A word keeps its inner hyphens and apostrophes ("well-known", "don't", "U.S" stays split on
# the final dot, which is punctuation); everything else that is not space is one token.
_TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "_"


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split `text` into word and punctuation tokens; offsets are shifted by `offset`."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN_RE.finditer(text)]
