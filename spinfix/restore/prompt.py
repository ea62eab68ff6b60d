"""The rewriter's text format: a spun sentence with its flagged spans in brackets, and the answer.

Shared by training and inference so the two can never drift apart. The format follows
SmolLM2-Instruct's chat markup without the default system prompt (it would cost 20 tokens per
sentence and teaches nothing here).
"""
from __future__ import annotations

from collections.abc import Sequence

OPEN, CLOSE = "[", "]"
INSTRUCTION = "Restore the original words in brackets:"
END = "<|im_end|>"


def mark(sentence: str, spans: Sequence[tuple[int, int]]) -> str:
    """`sentence` with each (start, end) span, in sentence offsets, wrapped in brackets."""
    out: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        out.append(sentence[pos:s])
        out.append(OPEN + sentence[s:e] + CLOSE)
        pos = e
    out.append(sentence[pos:])
    return "".join(out)


def prompt(marked: str) -> str:
    return f"<|im_start|>user\n{INSTRUCTION} {marked}{END}\n<|im_start|>assistant\n"


def answer(original: str) -> str:
    return original + END
