"""The rewriter's answer is checked, not trusted: only changes inside the spans are kept, and each
span's confidence is the probability of the tokens that wrote it."""
from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from spinfix.restore.rewriter import MAX_SENTENCE_TOKENS, Rewriter  # noqa: E402
from spinfix.restore.rules import SpanTask  # noqa: E402
from spinfix.restore.settings import RewriterSettings  # noqa: E402

SENT = "Psaki mentioned the navy help would continue for 2 years."
TASK = SpanTask(SENT, ((6, 15), (20, 29)))


@pytest.fixture(scope="module")
def rewriter(tiny_lm) -> Rewriter:
    model, tok = tiny_lm
    tok.padding_side = "left"
    return Rewriter(model, tok, RewriterSettings(batch_size=4, max_new_tokens=8))


def _suggest(rw: Rewriter, output: str, p: float = 0.5):
    ids = rw.tok(output, add_special_tokens=False)["input_ids"]
    return rw._suggestions(TASK, ids, [math.log(p)] * len(ids))


def test_a_clean_rewrite_gives_one_suggestion_per_span(rewriter: Rewriter) -> None:
    got = _suggest(rewriter, "Psaki said the military aid would continue for 2 years.")
    assert [g.text for g in got] == ["said", "military aid"]
    assert all(0.0 < g.confidence < 1.0 for g in got)


def test_changes_outside_the_spans_are_dropped_and_in_span_edits_kept(rewriter: Rewriter) -> None:
    got = _suggest(rewriter, "Psaki said the military aid will continue for 2 years.")
    assert [g.text for g in got] == ["said", "military aid"]  # "would" -> "will" is not a span


def test_an_unrelated_output_changes_nothing(rewriter: Rewriter) -> None:
    got = _suggest(rewriter, "Completely different words are written here instead.")
    assert [g.text for g in got] == ["mentioned", "navy help"]


def test_a_span_edit_that_invents_a_number_is_refused(rewriter: Rewriter) -> None:
    got = _suggest(rewriter, "Psaki said the 2 military ships would continue for 2 years.")
    assert got[0].text == "said"
    assert (got[1].text, got[1].confidence) == ("navy help", 0.0)


def test_confidence_is_the_probability_of_the_tokens_that_wrote_the_span(rewriter: Rewriter) -> None:
    sure = _suggest(rewriter, "Psaki said the military aid would continue for 2 years.", p=0.99)
    unsure = _suggest(rewriter, "Psaki said the military aid would continue for 2 years.", p=0.5)
    assert all(s.confidence > u.confidence for s, u in zip(sure, unsure))


def test_restore_with_a_random_model_keeps_every_span_or_a_safe_edit(rewriter: Rewriter) -> None:
    endless = "word " * (MAX_SENTENCE_TOKENS + 10) + "end."
    got = rewriter.restore([TASK, SpanTask(endless, ((0, 4),))])
    assert [len(g) for g in got] == [2, 1]
    assert (got[1][0].text, got[1][0].confidence) == ("word", 0.0)  # too long: left alone
    for g, (s, e) in zip(got[0], TASK.spans):
        assert "2" not in g.text and (g.text == SENT[s:e] or g.confidence > 0)
