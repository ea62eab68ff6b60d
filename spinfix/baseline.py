"""The baseline restorer: candidate originals scored by SmolLM2 as a language model.

No training. For each unit of a flagged span (a word, or a phrase a spinner swaps whole), every
candidate (the spun text itself included) is put into the sentence and scored by the LM: the
log-probability of the candidate and the next few words given everything before it.
Units are decided left to right, each one seeing the choices made before it, so a phrase like
"counterfeit consciousness" can become "artificial" and then "artificial intelligence".

All candidates of a unit go through the model in one batch, and the sentence prefix before the
unit, identical for all of them, is run once and its key/value cache shared across the batch.
A candidate's score is its LM log-probability plus, when the release carries them, weighted
evidence from the candidate generator (which sources propose it, how common it is, its rank, a
head start for leaving the span alone): a conditional logit fitted on dev spans by
`scripts/fit_baseline.py`. The confidence of a choice is the softmax of the scores over the
candidates, mapped to the share of such choices that were right on dev; a span's is the product
of its units'.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import torch

from spinfix.candidates import CandidateGenerator, Unit
from spinfix.lexicon import zipf
from spinfix.restoration import SpanTask, Suggestion, safe
from spinfix.tokens import tokenize

logger = logging.getLogger(__name__)

DOC_START = "<|endoftext|>"  # SmolLM2's document separator: "a text starts here"
# Words of right context scored after a candidate: enough to judge the fit ("military aid
# would"), and the cost no longer grows with the sentence. 3 words chose as well as 6 on dev
# decisions (76.1 % against 76.5 % right, cross-validated) at 1.4x the speed.
RIGHT_CONTEXT_WORDS = 3
# Words of left context: enough for the LM, and an endless sentence costs linear time.
LEFT_CONTEXT_WORDS = 48
# Longer "sentences" (an unsplittable wall of text) keep their spans as they are, with
# confidence 0, as the rewriter does: every unit costs an LM batch, and thousands of them would
# keep a user waiting for many minutes.
MAX_SENTENCE_WORDS = 200


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


def candidate_features(gen: CandidateGenerator, spun: str, candidate: str) -> dict[str, float]:
    """The evidence for one candidate of a unit, as named features (the LM score aside).

    Leaving the unit as it is gets `keep`, and the spun word's own frequency: a rare word in
    news prose is more likely a spinner's choice.
    """
    if candidate == spun:
        words = spun.lower().split()
        return {"keep": 1.0, "keep_zipf": sum(zipf(w) for w in words) / len(words)}
    ev = dict(gen.evidence(spun, candidate))
    rank = ev.pop("rank", gen.max_candidates)
    ev["log_rank"] = math.log(rank)
    ev["extra_words"] = len(candidate.split()) - len(spun.split())
    return ev


class BaselineRestorer:
    """Restore spans by choosing, unit by unit, the candidate with the best score."""

    name = "baseline"

    def __init__(
        self,
        scorer: LMScorer,
        candidates: CandidateGenerator,
        keep_bonus: float = 0.0,
        weights: dict[str, float] | None = None,
        max_scored: int | None = None,
        calibration: Sequence[float] | None = None,
    ) -> None:
        self.scorer = scorer
        self.candidates = candidates
        # Without fitted weights: the LM alone, with a log-probability head start for "leave
        # it" (precision before recall).
        self.weights = dict(weights) if weights else {"lm": 1.0, "keep": keep_bonus}
        # Only the best `max_scored` candidates by the evidence alone go to the LM (the LM is
        # the cost); None: all of them.
        self.max_scored = max_scored
        # (a, b): P(right) = sigmoid(a * logit(p) + b) for a choice the softmax gives p, fitted
        # on dev decisions including those whose original is not among the candidates.
        self.calibration = tuple(calibration) if calibration else None
        # When a list: every decision is appended to it (for fitting the weights).
        self.trace: list[dict] | None = None

    def _calibrated(self, p: float) -> float:
        if self.calibration is None:
            return p
        a, b = self.calibration
        p = min(max(p, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))

    def _shortlist(self, unit: Unit) -> tuple[list[str], list[dict[str, float]], list[float]]:
        """The candidates the LM will score (the spun text first), their features, and the
        evidence part of their scores (everything but the LM)."""
        cands = [c for c in unit.candidates if c == unit.text or safe(unit.text, c)]
        feats = [candidate_features(self.candidates, unit.text, c) for c in cands]
        prior = [sum(self.weights.get(k, 0.0) * v for k, v in f.items()) for f in feats]
        if self.max_scored is not None and len(cands) > self.max_scored + 1:
            top = sorted(range(1, len(cands)), key=lambda i: -prior[i])[: self.max_scored]
            keep = [0, *sorted(top)]
            cands, feats, prior = [cands[i] for i in keep], [feats[i] for i in keep], [prior[i] for i in keep]
        return cands, feats, prior

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
            cands, feats, prior = self._shortlist(u)
            lm = self.scorer.continuations(head, [gap + c + rest for c in cands])
            scores = [self.weights.get("lm", 1.0) * x + p for x, p in zip(lm, prior)]
            if self.trace is not None:
                self.trace.append({"start": u.start, "end": u.end, "candidates": cands, "lm": lm, "features": feats})
            best = max(range(len(cands)), key=scores.__getitem__)
            z = max(scores)
            total = sum(math.exp(x - z) for x in scores)
            chosen[k] = cands[best]
            conf[k] = self._calibrated(1.0 / total)  # exp(best - z) == 1
        out: list[Suggestion] = []
        i = 0
        for (s, e), us in zip(task.spans, per_span):
            n = len(us)
            text = _join(sentence, us, chosen[i : i + n], s, e)
            # A span is right only if all its units are: the product, not the weakest unit
            # (the minimum was optimistic on dev for spans of several words).
            c = math.prod(conf[i : i + n])
            out.append(Suggestion(text, c))
            i += n
        return out

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        out = []
        for t in tasks:
            if sum(1 for tok in tokenize(t.sentence) if tok.is_word) > MAX_SENTENCE_WORDS:
                logger.info("sentence of %d characters too long to restore; spans left as they are", len(t.sentence))
                out.append([Suggestion(t.sentence[s:e], 0.0) for s, e in t.spans])
            else:
                out.append(self._restore_one(t))
        return out


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
