"""The baseline restorer: candidate originals scored by SmolLM2 as a language model.

No training. For each unit of a flagged span (a word, or a phrase a spinner swaps whole), the
candidates (the spun text itself included) are put into the sentence and scored by the LM: the
log-probability of the candidate and the next few words given everything before it.
Units are decided left to right, each one seeing the choices made before it, so a phrase like
"counterfeit consciousness" can become "artificial" and then "artificial intelligence".

The LM reads each sentence once, left to right, and sentences are restored in batches: one pass
reads the next stretch of every sentence in the batch up to its next unit, one pass scores that
unit's candidates in all of them (`spinfix.lmscore.Rows`). Only a shortlist of each unit's
candidates is scored in full: the best few by the evidence plus the LM's log-probability of
their first token, which the reading pass gives for free, and of those only the ones within a
margin of the best. Once a sentence's last unit is decided, a unit whose right context has
changed since ("navy" was judged before "help" became "aid") can be scored again against the
restored words, from the cache the first reading left (`revisit`).
A candidate's score is its LM log-probability plus, when the release carries them, weighted
evidence from the candidate generator (which sources propose it, how common it is, its rank, a
head start for leaving the span alone): a conditional logit fitted on dev spans by
`scripts/fit_baseline.py`. The confidence of a choice is the softmax of the scores over the
shortlist, mapped to the share of such choices that were right on dev; a span's is the product
of its units'.
"""
from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Sequence

from spinfix.candidates import CandidateGenerator, Unit
from spinfix.lexicon import zipf
from spinfix.lmscore import LMScorer, Mark, Rows
from spinfix.proposals import LMProposer, proposal_features
from spinfix.restoration import SpanTask, Suggestion, safe
from spinfix.tokens import tokenize

logger = logging.getLogger(__name__)

# Words of right context scored after a candidate: enough to judge the fit ("military aid
# would"), and the cost no longer grows with the sentence. 3 words chose as well as 6 on dev
# decisions (76.1 % against 76.5 % right, cross-validated) at 1.4x the speed; 2 words, with
# the released shortlist, as well as 3 (57.9 % against 58.0 % of all dev decisions right) with a
# fifth fewer tokens through the LM (spinfix 0.1.5, models/rewriter/HISTORY.md).
RIGHT_CONTEXT_WORDS = 2
# Candidates per unit scored in full, besides the spun text: the best by evidence + first-token
# log-probability. See models/rewriter/HISTORY.md for what the cut costs.
SHORTLIST = 6
# The shortlist ranks a candidate by the LM's log-probability of its first token, which
# overrates candidates of several tokens (the rest of them costs too): each further token is
# charged this much score. 1.0 kept the most right answers of 1, 2 and 4 on dev decisions.
EXTRA_TOKEN_COST = 1.0
# ...and of those, only the ones within this much of the best ranked (the spun text included):
# far behind on the first token, a candidate is rarely chosen after its last. None: no margin.
SHORTLIST_MARGIN: float | None = 3.0
# Evidence that only the short-listed candidates get, after the LM's first-token ranking: the
# detector's reading of the candidate in place (a forward pass per candidate sentence).
AFTER_SHORTLIST = ("detector",)
# Sentences read together: each round is one LM pass over all of them. 32 restored a
# 40-sentence article about 1.15x faster than 16 (fewer, fuller passes); smaller was slower.
BATCH_SENTENCES = 32
# Longer "sentences" (an unsplittable wall of text) keep their spans as they are, with
# confidence 0, as the rewriter does: every unit costs an LM batch, and thousands of them would
# keep a user waiting for many minutes.
MAX_SENTENCE_WORDS = 200
# The joint pass (BaselineRestorer.joint) scores at most this many combinations of a span's
# units: each unit's top m by its own score, m lowered for long spans (m ** units <= this).
JOINT_MAX_COMBINATIONS = 27


def candidate_features(
    gen: CandidateGenerator, spun: str, candidate: str, span_probability: float | None = None
) -> dict[str, float]:
    """The evidence for one candidate of a unit, as named features (the LM score aside).

    Leaving the unit as it is gets `keep`, and the spun word's own frequency: a rare word in
    news prose is more likely a spinner's choice. With the generator's swap rates, `swap_rate`
    is the log-probability that a spinner swaps the candidate at all (for the spun text kept, that
    it leaves it alone): "with" is almost never swapped, "according to" in most spun sentences.
    With the detector's probability of the span the unit is in, `keep_detector` is its logit: a
    mark the detector is sure of is less likely a word to leave alone.
    """
    rates = gen.swap_rates
    if candidate == spun:
        words = spun.lower().split()
        ev = {"keep": 1.0, "keep_zipf": sum(zipf(w) for w in words) / len(words)}
        if rates is not None:
            ev["swap_rate"] = rates.log_kept(spun)
        if span_probability is not None:
            ev["keep_detector"] = keep_detector(span_probability)
        return ev
    ev = dict(gen.evidence(spun, candidate))
    rank = ev.pop("rank", gen.max_candidates)
    ev["log_rank"] = math.log(rank)
    ev["extra_words"] = len(candidate.split()) - len(spun.split())
    if rates is not None:
        ev["swap_rate"] = rates.log_rate(candidate)
    return ev


def keep_detector(span_probability: float) -> float:
    """The `keep_detector` evidence: the logit of the detector's span probability, clipped."""
    p = min(max(span_probability, 0.01), 0.99)
    return math.log(p / (1 - p))


def evidence_score(features: dict[str, float], weights: dict[str, float]) -> float:
    """The score of a candidate without its LM part, as the short list sees it: evidence that
    only short-listed candidates get (the detector's reading) is added afterwards."""
    return sum(weights.get(k, 0.0) * v for k, v in features.items() if k not in AFTER_SHORTLIST)


def needs_shortlist(n: int, k: int | None, margin: float | None) -> bool:
    """Whether a unit of n candidates (the spun text first) is cut before it is scored in full."""
    return (k is not None and n > k + 1) or (margin is not None and n > 1)


def shortlist_rank(w_lm: float, first: Sequence[float], prior: Sequence[float], extra_tokens: Sequence[int]) -> list[float]:
    """What the shortlist ranks candidates by: evidence + w_lm * first-token log-probability,
    less EXTRA_TOKEN_COST for each further token."""
    return [w_lm * f + p - EXTRA_TOKEN_COST * t for f, p, t in zip(first, prior, extra_tokens)]


def shortlisted(rank: Sequence[float], k: int | None, margin: float | None) -> list[int]:
    """Indices kept, in order: the spun text (0), and of the rest the k best ranked (all when k
    is None) that are within `margin` of the best of all (the spun text included)."""
    top = sorted(range(1, len(rank)), key=lambda j: -rank[j])[:k]
    if margin is not None and top:
        floor = max(rank[0], rank[top[0]]) - margin
        top = [j for j in top if rank[j] >= floor]
    return [0, *sorted(top)]


class BaselineRestorer:
    """Restore spans by choosing, unit by unit, the candidate with the best score."""

    name = "baseline"

    def __init__(
        self,
        scorer: LMScorer,
        candidates: CandidateGenerator,
        keep_bonus: float = 0.0,
        weights: dict[str, float] | None = None,
        calibration: Sequence[float] | None = None,
        shortlist: int | None = SHORTLIST,
        shortlist_margin: float | None = SHORTLIST_MARGIN,
        batch_sentences: int = BATCH_SENTENCES,
        right_context: int = RIGHT_CONTEXT_WORDS,
        revisit: bool = False,
        revisit_margin: float | None = None,
        discriminator: Callable[[list[str], list[tuple[int, int]]], list[float]] | None = None,
        shortlist_weights: dict[str, float] | None = None,
        joint: int | None = None,
        joint_margin: float | None = None,
        proposer: LMProposer | None = None,
    ) -> None:
        self.scorer = scorer
        self.candidates = candidates
        # Without fitted weights: the LM alone, with a log-probability head start for "leave
        # it" (precision before recall).
        self.weights = dict(weights) if weights else {"lm": 1.0, "keep": keep_bonus}
        # Only the spun text and the best `shortlist` by evidence + the LM's first-token
        # log-probability are scored in full (the LM is the cost); None: all of them.
        self.shortlist = shortlist
        self.shortlist_margin = shortlist_margin
        self.batch_sentences = batch_sentences
        self.right_context = right_context  # words scored after a candidate
        # Decide again, once, every unit whose right context held a unit that was then changed
        # ("counterfeit consciousness": "counterfeit" was first judged before "intelligence").
        self.revisit = revisit
        # ...scoring again only the candidates first scored within this much of the best (the
        # rest keep their first scores: a change of right context seldom moves a score that far).
        self.revisit_margin = revisit_margin
        # With the revisit: decide every span of several units once more as a whole, among the
        # combinations of each unit's `joint` best candidates ("pooling stratum": "pooling layer"
        # as a phrase, where unit by unit "stratum" was judged after a changed "pooling"). None: off.
        self.joint = joint
        self.joint_margin = joint_margin  # ...of those, only the ones within this much of the unit's best; None: all
        # The LM's own next words near the spun word in meaning, offered as candidates too
        # (spinfix.proposals); None: the candidate generator's alone.
        self.proposer = proposer
        # (texts, spans) -> how spun the detector finds each span in its text (Detector.readings):
        # weighed as the "detector" evidence of a short-listed candidate, when the weights have it.
        self.discriminator = discriminator
        # What the short list ranks the evidence by, when not `weights`: the final score's weights
        # were fitted with the detector's reading, which the short list has not got yet.
        self.shortlist_weights = dict(shortlist_weights) if shortlist_weights else None
        # (a, b): P(right) = sigmoid(a * logit(p) + b) for a choice the softmax gives p, fitted
        # on dev decisions including those whose original is not among the candidates.
        self.calibration = tuple(calibration) if calibration else None
        # When a list: every decision is appended to it (for fitting the weights), with the
        # candidate finally chosen ("chosen", after any revisit) and its softmax probability ("p").
        self.trace: list[dict] | None = None

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

    def _restore_batch(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        states = [_Sentence.of(t, self.candidates, self.proposer is not None) for t in tasks]
        active = [i for i, st in enumerate(states) if st.todo]
        rows = self.scorer.rows(len(active)) if active else None
        while active:
            # Read every sentence up to its next unit, leaving the space before it to the candidates
            # (" word" is one token).
            plans = []
            for st in (states[i] for i in active):
                k = st.todo[0]
                u = st.units[k]
                head = max(len(st.sentence[: u.start].rstrip()), st.read)
                piece = _join(st.sentence, st.units, st.chosen, st.read, head)
                st.read = head
                rest = _join(st.sentence, st.units[k + 1 :], st.chosen[k + 1 :], u.end, len(st.sentence))
                cands, feats, prior = self._candidates(u, st.unit_probability[k])
                plans.append((piece, st.sentence[head : u.start], _first_words(rest, self.right_context), cands, feats, prior))
            rows.extend([p[0] for p in plans])
            if self.proposer is not None:
                for r, (i, (_, gap, _, cands, feats, prior)) in enumerate(zip(active, plans)):
                    self._add_proposals(rows, r, states[i].units[states[i].todo[0]].text, gap, cands, feats, prior)
            marks = [rows.mark(r) for r in range(len(plans))] if self.revisit else [None] * len(plans)
            suffixes, firsts = [], []  # firsts: what the shortlist saw, for the trace
            for r, (_, gap, rest, cands, feats, prior) in enumerate(plans):
                ranked_by = prior if self.shortlist_weights is None else [evidence_score(f, self.shortlist_weights) for f in feats]
                keep, seen = self._lm_shortlist(rows, r, gap, cands, rest, ranked_by)
                if seen is not None:
                    firsts.append({k: [v[j] for j in keep] for k, v in seen.items()})
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
                if self.trace is not None:
                    self.trace.append({"task": i, "start": u.start, "end": u.end, "candidates": cands, "lm": lm, "features": feats, **firsts[r]})
                    st.traced[k] = self.trace[-1]
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

    def _add_proposals(
        self, rows: Rows, r: int, spun: str, gap: str, cands: list[str], feats: list[dict[str, float]], prior: list[float]
    ) -> None:
        """Append the LM's proposals for unit `spun` of row r (read up to it) to its candidates."""
        if not self.proposer.applies(spun, gap):
            return
        rates = self.candidates.swap_rates
        for word, cos in self.proposer.propose(rows.next_logp[r], spun, {c.lower() for c in cands}):
            if not safe(spun, word):
                continue
            f = proposal_features(word, cos)
            if rates is not None:
                f["swap_rate"] = rates.log_rate(word)
            cands.append(word)
            feats.append(f)
            prior.append(evidence_score(f, self.weights))

    def _choose(self, st: _Sentence, k: int, cands: Sequence[str], scores: Sequence[float]) -> int:
        """Unit k takes its best-scored candidate, with the calibrated softmax as confidence."""
        best = max(range(len(cands)), key=scores.__getitem__)
        z = scores[best]
        p = 1.0 / sum(math.exp(x - z) for x in scores)  # exp(best - z) == 1
        st.chosen[k] = cands[best]
        st.conf[k] = self._calibrated(p)
        if k in st.traced:  # the decision as it stands, for fitting the confidence map
            st.traced[k].update(chosen=best, p=p)
        return best

    def _revisit(self, rows: Rows, done: Sequence[tuple[int, _Sentence]]) -> None:
        """For sentences just finished (row r, its state): score again, with the right context
        as now restored, the short list of every unit whose right context changed after it was
        decided; all such units in one pass, each from its row's cache as it stood before the
        unit (the choices before it are the first pass's). With `joint`, the spans of several
        units are decided again as a whole instead (`_joint_jobs`), in the same pass: a second
        pass over the cache cost more than its tokens."""
        joint = self._joint_jobs(done) if self.joint else []
        covered = {(id(st), k) for st, ks, _, _ in joint for k in ks}
        jobs = []
        for r, st in done:
            for k, (gap, rest, cands, prior, mark, first) in st.options.items():
                if (id(st), k) in covered:
                    continue
                u = st.units[k]
                now = _first_words(_join(st.sentence, st.units[k + 1 :], st.chosen[k + 1 :], u.end, len(st.sentence)), self.right_context)
                if now == rest:
                    continue
                top = max(first)
                again = [j for j, x in enumerate(first) if self.revisit_margin is None or x >= top - self.revisit_margin]
                if len(again) > 1:
                    jobs.append((st, k, (r, mark, [gap + cands[j] + now for j in again]), again, now))
        if not jobs and not joint:
            return
        scored = rows.score_from([j[2] for j in jobs] + [j[3] for j in joint])
        self._apply_joint(joint, scored[len(jobs) :])
        scored = scored[: len(jobs)]
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

    def _joint_jobs(self, done: Sequence[tuple[int, _Sentence]]) -> list:
        """For sentences just finished: every span with several decided units, to be decided
        again as a whole. The combinations of each unit's best candidates (by its first scores,
        within `joint_margin` of its best: `_joint_top`) are each scored as the whole stretch
        from the span's first unit to its last plus the restored right context, from the row's
        cache before the first unit. Per span: (sentence, its units, the combinations, the ask
        for `Rows.score_from`)."""
        jobs = []
        for r, st in done:
            first = 0
            for us in st.per_span:
                ks = [k for k in range(first, first + len(us)) if k in st.options]
                first += len(us)
                m = min(self.joint, int(round(JOINT_MAX_COMBINATIONS ** (1 / max(len(ks), 1)), 6)))
                if len(ks) < 2 or m < 2:
                    continue
                tops = [self._joint_top(st.options[k][5], m) for k in ks]
                combos = list(itertools.product(*tops))
                if len(combos) < 2:
                    continue
                gap, mark = st.options[ks[0]][0], st.options[ks[0]][4]
                a, b = st.units[ks[0]].start, st.units[ks[-1]].end
                right = _first_words(_join(st.sentence, st.units, st.chosen, b, len(st.sentence)), self.right_context)
                texts = []
                for combo in combos:
                    chosen = list(st.chosen)
                    for k, j in zip(ks, combo):
                        chosen[k] = st.options[k][2][j]
                    texts.append(gap + _join(st.sentence, st.units, chosen, a, b) + right)
                jobs.append((st, ks, combos, (r, mark, texts)))
        return jobs

    def _apply_joint(self, jobs: Sequence, scored: Sequence[Sequence[float]]) -> None:
        """Each span of `_joint_jobs` takes its best combination: the LM's score times its weight
        plus every unit's evidence. A unit's confidence is the calibrated share of the
        combinations' softmax that agrees with its choice."""
        w_lm = self.weights.get("lm", 1.0)
        for (st, ks, combos, _), lm in zip(jobs, scored):
            totals = [w_lm * x + sum(st.options[k][3][j] for k, j in zip(ks, c)) for x, c in zip(lm, combos)]
            z = max(totals)
            ps = [math.exp(t - z) for t in totals]
            best = combos[totals.index(z)]
            for n, (k, j) in enumerate(zip(ks, best)):
                p = sum(q for q, c in zip(ps, combos) if c[n] == j) / sum(ps)
                st.chosen[k] = st.options[k][2][j]
                st.conf[k] = self._calibrated(p)
                if k in st.traced:
                    st.traced[k].update(chosen=j, p=p)

    def _joint_top(self, scores: Sequence[float], m: int) -> list[int]:
        """A unit's candidates in the joint pass: its m best, and of those only the ones within
        `joint_margin` of the best (a unit far ahead on its own is not decided again)."""
        order = sorted(range(len(scores)), key=lambda j: -scores[j])[:m]
        if self.joint_margin is None:
            return order
        return [j for j in order if scores[j] >= scores[order[0]] - self.joint_margin]

    def _readings(self, asks: Sequence[tuple[_Sentence, int, Sequence[str]]]) -> list[list[float]] | None:
        """The detector's reading of each candidate of unit k put in its sentence, with the
        choices made so far on both sides (none yet after it, but in the revisit): one batch for all. None
        when there is no detector or its reading carries no weight."""
        if self.discriminator is None or "detector" not in self.weights:
            return None
        texts, spans, sizes = [], [], []
        for st, k, cands in asks:
            u = st.units[k]
            left = _join(st.sentence, st.units, st.chosen, 0, u.start)
            right = _join(st.sentence, st.units, st.chosen, u.end, len(st.sentence))
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

    def _advance(self, st: _Sentence, k: int, gap: str, rest: str) -> int:
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
    ) -> tuple[list[int], dict[str, list[float]] | None]:
        """Indices of the candidates to score in full: the spun text, and the `shortlist` best by
        evidence plus the LM's log-probability of their first token, less EXTRA_TOKEN_COST for
        each further token. Also what they were ranked by, when it was read (for the trace)."""
        short = needs_shortlist(len(cands), self.shortlist, self.shortlist_margin)
        if not short and self.trace is None:
            return list(range(len(cands))), None
        # One tokenizer call for both lists: the first-token ranking's texts and the token counts.
        self.scorer.prefetch([gap + c + rest for c in cands] + [gap + c for c in cands])
        seen = {
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
            if sum(1 for tok in tokenize(t.sentence) if tok.is_word) > MAX_SENTENCE_WORDS:
                logger.info("sentence of %d characters too long to restore; spans left as they are", len(t.sentence))
                out[n] = [Suggestion(t.sentence[s:e], 0.0) for s, e in t.spans]
            else:
                todo.append(n)
        # Batch sentences whose first span starts at a like offset: the first read, up to it,
        # is padded to the longest in the batch.
        todo.sort(key=lambda n: tasks[n].spans[0][0] if tasks[n].spans else 0)
        for a in range(0, len(todo), self.batch_sentences):
            part = todo[a : a + self.batch_sentences]
            trace_from = len(self.trace) if self.trace is not None else 0
            for n, sugg in zip(part, self._restore_batch([tasks[n] for n in part])):
                out[n] = sugg
            if self.trace is not None:
                for d in self.trace[trace_from:]:
                    d["task"] = part[d["task"]]  # the index in `tasks`, not in the batch
        return out  # type: ignore[return-value]


class _Sentence:
    """One sentence being restored: its units, the choices so far, how far the LM has read."""

    def __init__(self, task: SpanTask, per_span: list[list[Unit]], proposals: bool = False) -> None:
        self.sentence = task.sentence
        self.spans = task.spans
        self.per_span = per_span
        self.units = [u for us in per_span for u in us]
        probs = task.probabilities or (None,) * len(per_span)
        self.unit_probability = [p for p, us in zip(probs, per_span) for _ in us]  # its span's, by the detector
        self.chosen = [u.text for u in self.units]
        self.conf = [1.0 for _ in self.units]
        # Units with a choice to make: candidates besides the spun text, or, with the LM's
        # proposals, a word the LM may propose for.
        self.todo = [k for k, u in enumerate(self.units) if len(u.candidates) >= 2 or (proposals and LMProposer.applies(u.text, " "))]
        self.read = 0  # characters of the sentence the LM has read (with the choices made)
        # unit -> (gap before it, right context, short list, evidence, where its row stood, the
        # scores) as it was last decided
        self.options: dict[int, tuple[str, str, list[str], list[float], Mark | None, list[float]]] = {}
        self.traced: dict[int, dict] = {}  # unit -> its entry in the restorer's trace, when tracing

    @classmethod
    def of(cls, task: SpanTask, candidates: CandidateGenerator, proposals: bool = False) -> _Sentence:
        return cls(task, candidates.span_units(task.sentence, task.spans), proposals)

    def suggestions(self) -> list[Suggestion]:
        out, i = [], 0
        for (s, e), us in zip(self.spans, self.per_span):
            n = len(us)
            text = _join(self.sentence, us, self.chosen[i : i + n], s, e)
            # A span is right only if all its units are: the product, not the weakest unit
            # (the minimum was optimistic on dev for spans of several words).
            out.append(Suggestion(text, math.prod(self.conf[i : i + n])))
            i += n
        return out


def _first_words(text: str, n: int) -> str:
    """The start of `text` up to the end of its n-th word."""
    words = [t for t in tokenize(text) if t.is_word]
    return text if len(words) <= n else text[: words[n - 1].end]


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
