"""A causal LM and its tokenizer as a scorer of continuations: token ids remembered, batches of
rows read left to right (`spinfix.lm.rows.Rows`), attention row by row where the model allows it."""
from __future__ import annotations

from collections.abc import Sequence

from spinfix.lm.attention import cache_keyword, use_rows_attention
from spinfix.lm.rows import Rows

DOC_START = "<|endoftext|>"  # SmolLM2's document separator: "a text starts here"
IDS_CACHE = 100_000  # texts whose token ids are remembered (then forgotten all at once)


class LMScorer:
    """A causal LM and its tokenizer, with the one-off scoring the tests and tools use."""

    def __init__(self, model, tokenizer) -> None:
        self.model = model
        self.tok = tokenizer
        self.device = next(model.parameters()).device
        self.start_id = tokenizer.convert_tokens_to_ids(DOC_START)
        self._ids: dict[str, tuple[int, ...]] = {}
        self.by_rows = use_rows_attention(model)
        self.cache_kwarg = cache_keyword(model)

    def ids(self, text: str) -> list[int]:
        """Token ids of `text` (a copy). Remembered: the baseline tokenizes every candidate up to
        three times a unit (first-token ranking, token count, scoring)."""
        if not text:
            return []
        got = self._ids.get(text)
        if got is None:
            if len(self._ids) >= IDS_CACHE:
                self._ids.clear()
            got = self._ids[text] = tuple(self.tok(text, add_special_tokens=False)["input_ids"])
        return list(got)

    def prefetch(self, texts: Sequence[str]) -> None:
        """Tokenize the texts not yet remembered in one batched call: the baseline asks for the
        ids of about a hundred candidates per unit, and one tokenizer call per text costs far
        more than the tokenizing itself. The ids are those `ids` would give."""
        todo = list(dict.fromkeys(t for t in texts if t and t not in self._ids))
        if not todo:
            return
        if len(self._ids) + len(todo) > IDS_CACHE:
            self._ids.clear()
        for t, x in zip(todo, self.tok(todo, add_special_tokens=False)["input_ids"]):
            self._ids[t] = tuple(x)

    def rows(self, n: int) -> Rows:
        """An empty batch of `n` texts, each starting at the document start."""
        return Rows(self, n)

    def continuations(self, prefix: str, suffixes: Sequence[str]) -> list[float]:
        """log P(suffix | prefix) for each suffix, summed over its tokens."""
        rows = self.rows(1)
        rows.extend([prefix])
        return rows.score([list(suffixes)])[0]
