"""The baseline restorer: candidate originals scored by SmolLM2 as a language model.

No training of its own. For each unit of a flagged span (a word, or a phrase a spinner swaps
whole), the candidates (the spun text itself included) are put into the sentence and scored by the
LM: the log-probability of the candidate and the next few words given everything before it.
Units are decided left to right, each one seeing the choices made before it, so a phrase like
"counterfeit consciousness" can become "artificial" and then "artificial intelligence".

The LM reads each sentence once, left to right, and sentences are restored in batches: one pass
reads the next stretch of every sentence in the batch up to its next unit, one pass scores that
unit's candidates in all of them (`spinfix.lm.rows.Rows`). Only a short list of each unit's
candidates is scored in full (spinfix.restore.evidence). Once a sentence's last unit is decided,
a unit whose right context has changed since ("navy" was judged before "help" became "aid") can
be scored again against the restored words, from the cache the first reading left (`revisit`).
A candidate's score is its LM log-probability plus, when the release carries them, weighted
evidence (spinfix.restore.evidence). The confidence of a choice is the softmax of the scores
over the short list, mapped to the share of such choices that were right on dev; a span's is the
product of its units'.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

from spinfix.lm.rows import Mark, Rows
from spinfix.lm.scorer import LMScorer
from spinfix.restore.candidates import CandidateGenerator, Unit
from spinfix.restore.evidence import (
    candidate_features,
    evidence_score,
    needs_shortlist,
    shortlist_rank,
    shortlisted,
)
from spinfix.restore.rules import SpanTask, Suggestion, safe
from spinfix.restore.settings import BaselineSettings
from spinfix.text.tokens import tokenize

logger = logging.getLogger(__name__)

# Longer "sentences" (an unsplittable wall of text) keep their spans as they are, with
# confidence 0, as the rewriter does: every unit costs an LM batch, and thousands of them would
# keep a user waiting for many minutes.
MAX_SENTENCE_WORDS = 200


class BaselineRestorer:
    """Restore spans by choosing, unit by unit, the candidate with the best score."""

    name = "baseline"

    def __init__(
        self,
        scorer: LMScorer,
        candidates: CandidateGenerator,
        settings: BaselineSettings | None = None,
        discriminator: Callable[[list[str], list[tuple[int, int]]], list[float]] | None = None,
    ) -> None:
        settings = settings or BaselineSettings()
        self.scorer = scorer
        self.candidates = candidates
        self.settings = settings
        # Without fitted weights: the LM alone, with a log-probability head start for "leave
        # it" (precision before recall).
        self.weights = dict(settings.weights) if settings.weights else {"lm": 1.0, "keep": settings.keep_bonus}
        # Only the spun text and the best `shortlist` by evidence + the LM's first-token
        # log-probability are scored in full (the LM is the cost); None: all of them.
        self.shortlist = settings.shortlist
        self.shortlist_margin = settings.shortlist_margin
        self.batch_sentences = settings.batch_sentences
        self.right_context = settings.right_context  # words scored after a candidate
        # Decide again, once, every unit whose right context held a unit that was then changed
        # ("counterfeit consciousness": "counterfeit" was first judged before "intelligence").
        self.revisit = settings.revisit
        # ...scoring again only the candidates first scored within this much of the best (the
        # rest keep their first scores: a change of right context seldom moves a score that far).
        self.revisit_margin = settings.revisit_margin
        # (texts, spans) -> how spun the detector finds each span in its text (Detector.readings):
        # weighed as the "detector" evidence of a short-listed candidate, when the weights have it.
        self.discriminator = discriminator
        # What the short list ranks the evidence by, when not `weights`: the final score's weights
        # were fitted with the detector's reading, which the short list has not got yet.
        self.shortlist_weights = dict(settings.shortlist_weights) if settings.shortlist_weights else None
        # (a, b): P(right) = sigmoid(a * logit(p) + b) for a choice the softmax gives p, fitted
        # on dev decisions including those whose original is not among the candidates.
        self.calibration = tuple(settings.calibration) if settings.calibration else None

    # -- hooks for a restorer that records its decisions (spinfix.train.baseline_trace) --------

    # Whether the first-token scores are read for units the short list does not cut.
    reads_every_first_token = False

    def on_decision(
        self, task: int, st: SentenceState, k: int, cands: list[str], lm: list[float],
        feats: list[dict[str, float]], seen: dict[str, Sequence[float]],
    ) -> None:
        """Unit k of a sentence (task `task` of those given to `restore`) is about to be decided
        among `cands`, with these LM scores and features, and what the short list saw (`seen`)."""

    def on_choice(self, st: SentenceState, k: int, best: int, p: float) -> None:
        """Unit k of a sentence took candidate `best`, whose softmax probability is p (again,
        after a revisit)."""

    def _calibrated(self, p: float) -> float:
        if self.calibration is None:
            return p
        a, b = self.calibration
        p = min(max(p, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))

    def _candidates(
        self, unit: Unit, span_probability: float | None = None
    ) -> tuple[list[str], list[dict[str, float]], list[float]]:
        """The candidates (the spun text first), their features, and the evidence part of their
        scores (everything but the LM)."""
        cands = [c for c in unit.candidates if c == unit.text or safe(unit.text, c)]
        feats = [candidate_features(self.candidates, unit.text, c, span_probability) for c in cands]
        return cands, feats, [evidence_score(f, self.weights) for f in feats]

    def _restore_batch(self, tasks: Sequence[SpanTask], ids: Sequence[int]) -> list[list[Suggestion]]:
        """Restore a batch of sentences together; `ids` are their places in the caller's list."""
        states = [SentenceState.of(t, self.candidates) for t in tasks]
        active = [i for i, st in enumerate(states) if st.todo]
        if not active:
            return [st.suggestions() for st in states]
        rows = self.scorer.rows(len(active))
        while active:
            # Read every sentence up to its next unit, leaving the space before it to the candidates
            # (" word" is one token). Per sentence: the gap before the unit, its right context,
            # and its candidates with their features and evidence scores.
            pieces: list[str] = []
            plans: list[tuple[str, str, list[str], list[dict[str, float]], list[float]]] = []
            for st in (states[i] for i in active):
                k = st.todo[0]
                u = st.units[k]
                head = max(len(st.sentence[: u.start].rstrip()), st.read)
                piece = join_units(st.sentence, st.units, st.chosen, st.read, head)
                st.read = head
                rest = join_units(st.sentence, st.units[k + 1 :], st.chosen[k + 1 :], u.end, len(st.sentence))
                cands, feats, prior = self._candidates(u, st.unit_probability[k])
                pieces.append(piece)
                plans.append((st.sentence[head : u.start], first_words(rest, self.right_context), cands, feats, prior))
            rows.extend(pieces)
            marks: list[Mark | None] = [rows.mark(r) for r in range(len(plans))] if self.revisit else [None] * len(plans)
            suffixes: list[list[str]] = []
            firsts: list[dict[str, Sequence[float]]] = []  # what the short list saw
            for r, (gap, rest, cands, feats, prior) in enumerate(plans):
                ranked_by = prior if self.shortlist_weights is None else [evidence_score(f, self.shortlist_weights) for f in feats]
                keep, seen = self._lm_shortlist(rows, r, gap, cands, rest, ranked_by)
                firsts.append({k: [v[j] for j in keep] for k, v in seen.items()} if seen is not None else {})
                plans[r] = (gap, rest, [cands[j] for j in keep], [feats[j] for j in keep], [prior[j] for j in keep])
                suffixes.append([gap + c + rest for c in plans[r][2]])
            scored = rows.score(suffixes)
            readings = self._readings([(states[i], states[i].todo[0], p[2]) for i, p in zip(active, plans)])
            commits = []
            for r, (i, (gap, rest, cands, feats, prior), lm) in enumerate(zip(active, plans, scored)):
                st = states[i]
                k = st.todo.pop(0)
                u = st.units[k]
                if readings is not None:
                    feats = [{**f, "detector": d} for f, d in zip(feats, readings[r])]
                    prior = [p + self.weights.get("detector", 0.0) * d for p, d in zip(prior, readings[r])]
                scores = [self.weights.get("lm", 1.0) * x + p for x, p in zip(lm, prior)]
                self.on_decision(ids[i], st, k, cands, lm, feats, firsts[r])
                best = self._choose(st, k, cands, scores)
                st.options[k] = (gap, rest, cands, plans[r][4], marks[r], scores)  # the evidence without the detector's reading
                commits.append((best, self._advance(st, k, gap, rest)))
            rows.commit(commits)
            still = [r for r, i in enumerate(active) if states[i].todo]
            if len(still) < len(active):
                if self.revisit:
                    self._revisit(rows, [(r, states[i]) for r, i in enumerate(active) if not states[i].todo])
                active = [active[r] for r in still]
                if active:
                    rows.keep(still)
        return [st.suggestions() for st in states]

    def _choose(self, st: SentenceState, k: int, cands: Sequence[str], scores: Sequence[float]) -> int:
        """Unit k takes its best-scored candidate, with the calibrated softmax as confidence."""
        best = max(range(len(cands)), key=scores.__getitem__)
        z = scores[best]
        p = 1.0 / sum(math.exp(x - z) for x in scores)  # exp(best - z) == 1
        st.chosen[k] = cands[best]
        st.conf[k] = self._calibrated(p)
        self.on_choice(st, k, best, p)
        return best

    def _revisit(self, rows: Rows, done: Sequence[tuple[int, SentenceState]]) -> None:
        """For sentences just finished (row r, its state): score again, with the right context
        as now restored, the short list of every unit whose right context changed after it was
        decided; all such units in one pass, each from its row's cache as it stood before the
        unit (the choices before it are the first pass's)."""
        jobs = []
        for r, st in done:
            for k, (gap, rest, cands, _prior, mark, first) in st.options.items():
                u = st.units[k]
                after = join_units(st.sentence, st.units[k + 1 :], st.chosen[k + 1 :], u.end, len(st.sentence))
                now = first_words(after, self.right_context)
                if now == rest:
                    continue
                top = max(first)
                again = [j for j, x in enumerate(first) if self.revisit_margin is None or x >= top - self.revisit_margin]
                if len(again) > 1:
                    jobs.append((st, k, (r, mark, [gap + cands[j] + now for j in again]), again, now))
        if not jobs:
            return
        scored = rows.score_from([j[2] for j in jobs])
        # The detector reads the restored words on both sides now.
        readings = self._readings([(st, k, [st.options[k][2][j] for j in again]) for st, k, _, again, _ in jobs])
        w_lm, w_det = self.weights.get("lm", 1.0), self.weights.get("detector", 0.0)
        for n, ((st, k, _, again, now), lm) in enumerate(zip(jobs, scored)):
            gap, _, cands, prior, mark, first = st.options[k]
            det = readings[n] if readings is not None else [0.0] * len(again)
            scores = list(first)
            for j, x, d in zip(again, lm, det):
                scores[j] = w_lm * x + prior[j] + w_det * d
            self._choose(st, k, cands, scores)
            st.options[k] = (gap, now, cands, prior, mark, scores)

    def _readings(self, asks: Sequence[tuple[SentenceState, int, Sequence[str]]]) -> list[list[float]] | None:
        """The detector's reading of each candidate of unit k put in its sentence, with the
        choices made so far on both sides (none yet after it, but in the revisit): one batch for all. None
        when there is no detector or its reading carries no weight."""
        if self.discriminator is None or "detector" not in self.weights:
            return None
        texts, spans, sizes = [], [], []
        for st, k, cands in asks:
            u = st.units[k]
            left = join_units(st.sentence, st.units, st.chosen, 0, u.start)
            right = join_units(st.sentence, st.units, st.chosen, u.end, len(st.sentence))
            for c in cands:
                texts.append(left + c + right)
                spans.append((len(left), len(left) + len(c)))
            sizes.append(len(cands))
        flat = self.discriminator(texts, spans) if texts else []
        out, a = [], 0
        for n in sizes:
            out.append(flat[a : a + n])
            a += n
        return out

    def _advance(self, st: SentenceState, k: int, gap: str, rest: str) -> int:
        """Tokens of the chosen candidate's scored suffix (gap + choice + right context) that
        the row can keep as read, up to the next unit; `st.read` moves past them. 0: none (the
        next read starts before unit k again)."""
        if not st.todo:
            return 0
        u, nxt = st.units[k], st.units[st.todo[0]]
        head = len(st.sentence[: nxt.start].rstrip())
        # Past unit k nothing is decided yet: the right context is the sentence's own text.
        end = max(min(head, u.end + len(rest)), u.end)
        read = self.scorer.ids(gap + st.chosen[k] + st.sentence[u.end : end])
        if self.scorer.ids(gap + st.chosen[k] + rest)[: len(read)] != read:
            return 0  # a token straddles the cut: read it again next round
        st.read = end
        return len(read)

    def _lm_shortlist(
        self, rows: Rows, r: int, gap: str, cands: list[str], rest: str, prior: list[float]
    ) -> tuple[list[int], dict[str, Sequence[float]] | None]:
        """Indices of the candidates to score in full: the spun text, and the `shortlist` best by
        evidence plus the LM's log-probability of their first token, less EXTRA_TOKEN_COST for
        each further token. Also what they were ranked by, when it was read."""
        short = needs_shortlist(len(cands), self.shortlist, self.shortlist_margin)
        if not short and not self.reads_every_first_token:
            return list(range(len(cands))), None
        # One tokenizer call for both lists: the first-token ranking's texts and the token counts.
        self.scorer.prefetch([gap + c + rest for c in cands] + [gap + c for c in cands])
        seen: dict[str, Sequence[float]] = {
            "first": rows.first_token_logp(r, [gap + c + rest for c in cands]),
            "extra_tokens": [max(len(self.scorer.ids(gap + c)) - 1, 0) for c in cands],
        }
        if not short:
            return list(range(len(cands))), seen
        w_lm = (self.shortlist_weights or self.weights).get("lm", 1.0)
        rank = shortlist_rank(w_lm, seen["first"], prior, seen["extra_tokens"])
        return shortlisted(rank, self.shortlist, self.shortlist_margin), seen

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        out: list[list[Suggestion] | None] = [None] * len(tasks)
        todo = []
        for n, t in enumerate(tasks):
            words = sum(1 for tok in tokenize(t.sentence) if tok.is_word)
            if words > MAX_SENTENCE_WORDS:
                # Said, not silent: the marks stay in the report, unrestored (confidence 0).
                logger.warning(
                    "a sentence of %d words is too long to restore (over %d); its %d marked span(s) are left as they are",
                    words, MAX_SENTENCE_WORDS, len(t.spans),
                )
                out[n] = [Suggestion(t.sentence[s:e], 0.0) for s, e in t.spans]
            else:
                todo.append(n)
        # Batch sentences whose first span starts at a like offset: the first read, up to it,
        # is padded to the longest in the batch.
        todo.sort(key=lambda n: tasks[n].spans[0][0] if tasks[n].spans else 0)
        for a in range(0, len(todo), self.batch_sentences):
            part = todo[a : a + self.batch_sentences]
            for n, sugg in zip(part, self._restore_batch([tasks[n] for n in part], part)):
                out[n] = sugg
        return out  # type: ignore[return-value]


class SentenceState:
    """One sentence being restored: its units, the choices so far, how far the LM has read."""

    def __init__(self, task: SpanTask, per_span: list[list[Unit]]) -> None:
        self.sentence = task.sentence
        self.spans = task.spans
        self.per_span = per_span
        self.units = [u for us in per_span for u in us]
        probs = task.probabilities or (None,) * len(per_span)
        self.unit_probability = [p for p, us in zip(probs, per_span) for _ in us]  # its span's, by the detector
        self.chosen = [u.text for u in self.units]
        self.conf = [1.0 for _ in self.units]
        # Units with a choice to make: candidates besides the spun text.
        self.todo = [k for k, u in enumerate(self.units) if len(u.candidates) >= 2]
        self.read = 0  # characters of the sentence the LM has read (with the choices made)
        # unit -> (gap before it, right context, short list, evidence, where its row stood, the
        # scores) as it was last decided
        self.options: dict[int, tuple[str, str, list[str], list[float], Mark | None, list[float]]] = {}

    @classmethod
    def of(cls, task: SpanTask, candidates: CandidateGenerator) -> SentenceState:
        return cls(task, candidates.span_units(task.sentence, task.spans))

    def suggestions(self) -> list[Suggestion]:
        out, i = [], 0
        for (s, e), us in zip(self.spans, self.per_span):
            n = len(us)
            text = join_units(self.sentence, us, self.chosen[i : i + n], s, e)
            # A span is right only if all its units are: the product, not the weakest unit
            # (the minimum was optimistic on dev for spans of several words).
            out.append(Suggestion(text, math.prod(self.conf[i : i + n])))
            i += n
        return out


def first_words(text: str, n: int) -> str:
    """The start of `text` up to the end of its n-th word."""
    words = [t for t in tokenize(text) if t.is_word]
    return text if len(words) <= n else text[: words[n - 1].end]


def join_units(sentence: str, units: Sequence[Unit], chosen: Sequence[str], start: int, end: int) -> str:
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
