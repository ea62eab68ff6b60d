"""The baseline restorer: candidate originals scored by SmolLM2 as a language model.

No training. For each unit of a flagged span (a word, or a phrase a spinner swaps whole), every
candidate (the spun text itself included) is put into the sentence and scored by the LM: the
log-probability of the candidate and the next few words given everything before it.
Units are decided left to right, each one seeing the choices made before it, so a phrase like
"counterfeit consciousness" can become "artificial" and then "artificial intelligence".

All candidates of a unit go through the model in one batch, and the sentence prefix before the
unit, identical for all of them, is run once and its key/value cache shared across the batch.
The confidence of a choice is the softmax of the sentence log-probabilities over the candidates.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import torch

from spinfix.candidates import CandidateGenerator, Unit
from spinfix.restoration import SpanTask, Suggestion, safe
from spinfix.tokens import tokenize

logger = logging.getLogger(__name__)

DOC_START = "<|endoftext|>"  # SmolLM2's document separator: "a text starts here"
# Words of right context scored after a candidate: enough to judge the fit ("military aid
# would"), and the cost no longer grows with the sentence.
RIGHT_CONTEXT_WORDS = 6
# Words of left context: enough for the LM, and an endless sentence costs linear time.
LEFT_CONTEXT_WORDS = 48


class LMScorer:
    """Log-probability of sentence continuations under a causal LM, with a shared prefix."""

    def __init__(self, model, tokenizer) -> None:
        self.model = model
        self.tok = tokenizer
        self.device = next(model.parameters()).device
        self.start_id = tokenizer.convert_tokens_to_ids(DOC_START)

    @torch.inference_mode()
    def continuations(self, prefix: str, suffixes: Sequence[str]) -> list[float]:
        """log P(suffix | prefix) for each suffix, summed over its tokens."""
        p_ids = [self.start_id] + self.tok(prefix, add_special_tokens=False)["input_ids"] if prefix else [self.start_id]
        s_ids = [self.tok(s, add_special_tokens=False)["input_ids"] for s in suffixes]
        out = self.model(torch.tensor([p_ids], device=self.device), use_cache=True)
        first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
        cache = out.past_key_values
        n = len(suffixes)
        cache.batch_repeat_interleave(n)
        width = max(len(s) for s in s_ids)
        ids = torch.full((n, width), self.tok.pad_token_id, dtype=torch.long, device=self.device)
        mask = torch.zeros((n, len(p_ids) + width), dtype=torch.long, device=self.device)
        mask[:, : len(p_ids)] = 1
        for i, s in enumerate(s_ids):
            ids[i, : len(s)] = torch.tensor(s, device=self.device)
            mask[i, len(p_ids) : len(p_ids) + len(s)] = 1
        logits = self.model(ids, attention_mask=mask, past_key_values=cache, use_cache=False).logits
        logp = torch.log_softmax(logits.float(), dim=-1)
        scores = []
        for i, s in enumerate(s_ids):
            total = first[s[0]].item() if s else 0.0
            if len(s) > 1:
                tgt = torch.tensor(s[1:], device=self.device)
                total += logp[i, : len(s) - 1].gather(1, tgt[:, None]).sum().item()
            scores.append(total)
        return scores


class BaselineRestorer:
    """Restore spans by choosing, unit by unit, the candidate the language model likes best."""

    name = "baseline"

    def __init__(self, scorer: LMScorer, candidates: CandidateGenerator, keep_bonus: float = 0.0) -> None:
        self.scorer = scorer
        self.candidates = candidates
        # Log-probability head start for "leave it": precision before recall.
        self.keep_bonus = keep_bonus

    def _restore_one(self, task: SpanTask) -> list[Suggestion]:
        sentence = task.sentence
        per_span = self.candidates.span_units(task.sentence, task.spans)
        units = [u for us in per_span for u in us]
        chosen = [u.text for u in units]
        conf = [1.0 for _ in units]
        for k, u in enumerate(units):
            if len(u.candidates) < 2:
                continue
            # The prefix carries the choices made so far; the suffix is candidate + the rest.
            prefix = _last_words(_join(sentence, units[:k], chosen[:k], 0, u.start), LEFT_CONTEXT_WORDS)
            rest = _join(sentence, units[k + 1 :], chosen[k + 1 :], u.end, len(sentence))
            rest = _first_words(rest, RIGHT_CONTEXT_WORDS)
            cut = len(prefix.rstrip(" "))  # leave the space to the suffix: " word" is one token
            head, gap = prefix[:cut], prefix[cut:]
            cands = [c for c in u.candidates if c == u.text or safe(u.text, c)]
            scores = self.scorer.continuations(head, [gap + c + rest for c in cands])
            scores[0] += self.keep_bonus
            best = max(range(len(cands)), key=scores.__getitem__)
            z = max(scores)
            total = sum(math.exp(x - z) for x in scores)
            chosen[k] = cands[best]
            conf[k] = 1.0 / total  # exp(best - z) == 1
        out: list[Suggestion] = []
        i = 0
        for (s, e), us in zip(task.spans, per_span):
            n = len(us)
            text = _join(sentence, us, chosen[i : i + n], s, e)
            c = min(conf[i : i + n]) if n else 1.0
            out.append(Suggestion(text, c))
            i += n
        return out

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        return [self._restore_one(t) for t in tasks]


def _first_words(text: str, n: int) -> str:
    """The start of `text` up to the end of its n-th word."""
    words = [t for t in tokenize(text) if t.is_word]
    return text if len(words) <= n else text[: words[n - 1].end]


def _last_words(text: str, n: int) -> str:
    """The end of `text` from the start of its n-th last word."""
    words = [t for t in tokenize(text) if t.is_word]
    return text if len(words) <= n else text[words[-n].start :]


def _join(sentence: str, units: Sequence[Unit], chosen: Sequence[str], start: int, end: int) -> str:
    """sentence[start:end] with the units inside it replaced by their chosen texts."""
    out, pos = [], start
    for u, c in zip(units, chosen):
        if u.start < start or u.end > end:
            continue
        out.append(sentence[pos : u.start])
        out.append(c)
        pos = u.end
    out.append(sentence[pos:end])
    return "".join(out)
