"""Batched left-to-right reading: whatever the batch, the ragged growth or the packing of many
continuations into one row, every score must equal scoring the whole text on its own."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from spinfix.lm.scorer import LMScorer  # noqa: E402
from tests.test_baseline import _naive  # noqa: E402  (scoring the whole text from scratch)


def test_ragged_rows_score_as_if_each_text_were_alone(tiny_lm) -> None:
    model, tok = tiny_lm
    rows = LMScorer(model, tok).rows(3)
    rows.extend(["Psaki", "", "The war in"])  # the second row is only the document start
    rows.extend([" said the", "Officials", ""])  # the third does not grow this time
    got = rows.score([[" navy help", " military aid"], [" mentioned", " said that", " stated"], [" Ukraine has"]])
    want = [
        [_naive(model, tok, "Psaki said the", s) for s in (" navy help", " military aid")],
        [_naive(model, tok, "Officials", s) for s in (" mentioned", " said that", " stated")],
        [_naive(model, tok, "The war in", " Ukraine has")],
    ]
    for g, w in zip(got, want):
        assert g == pytest.approx(w, abs=1e-4)


def test_scoring_leaves_the_rows_as_they_were_and_rows_can_leave(tiny_lm) -> None:
    model, tok = tiny_lm
    rows = LMScorer(model, tok).rows(2)
    rows.extend(["Psaki said the", "The war in"])
    rows.score([[" navy help would", " military"], [" Ukraine"]])  # visited, then forgotten
    rows.keep([1])  # the first sentence is done
    rows.extend([" Ukraine"])
    [[ended, over]] = rows.score([[" has ended", " is over"]])
    assert ended == pytest.approx(_naive(model, tok, "The war in Ukraine", " has ended"), abs=1e-4)
    assert over == pytest.approx(_naive(model, tok, "The war in Ukraine", " is over"), abs=1e-4)


def test_first_token_scores_come_from_the_last_read(tiny_lm) -> None:
    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    rows = scorer.rows(1)
    rows.extend(["The president"])
    [first] = rows.first_token_logp(0, [" mentioned the"])
    ids = [scorer.start_id] + scorer.ids("The president")
    with torch.no_grad():
        want = torch.log_softmax(model(torch.tensor([ids])).logits[0, -1], dim=-1)[scorer.ids(" mentioned the")[0]]
    assert first == pytest.approx(want.item(), abs=1e-4)


def test_prefetched_ids_are_the_ids_of_each_text_alone(tiny_lm) -> None:
    model, tok = tiny_lm
    texts = [" mentioned the", " navy help", "", " navy help", "Psaki's \u201cwar\u201d"]
    scorer = LMScorer(model, tok)
    scorer.prefetch(texts)
    alone = LMScorer(model, tok)
    assert [scorer.ids(t) for t in texts] == [alone.ids(t) for t in texts]
    assert [scorer.ids(t) for t in texts] == [tok(t, add_special_tokens=False)["input_ids"] for t in texts]


def test_first_token_scores_of_many_texts_come_from_one_read(tiny_lm) -> None:
    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    rows = scorer.rows(1)
    rows.extend(["The president"])
    texts = [" mentioned the", "", " said"]
    got = rows.first_token_logp(0, texts)
    with torch.no_grad():
        ids = [scorer.start_id] + scorer.ids("The president")
        logp = torch.log_softmax(model(torch.tensor([ids])).logits[0, -1], dim=-1)
    assert got[1] == 0.0  # nothing to score
    assert got[0] == pytest.approx(logp[scorer.ids(" mentioned")[0]].item(), abs=1e-4)
    assert got[2] == pytest.approx(logp[scorer.ids(" said")[0]].item(), abs=1e-4)


def test_a_committed_continuation_is_read_as_if_extended(tiny_lm) -> None:
    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    rows = scorer.rows(2)
    rows.extend(["Psaki", "The war"])
    rows.score([[" mentioned the navy", " said the military"], [" in Ukraine"]])
    n = len(scorer.ids(" said the"))
    rows.commit([(1, n), (0, 0)])  # row 0 keeps " said the"; row 1 keeps nothing
    rows.extend(["", " is"])
    [[aid], [over]] = rows.score([[" military aid"], [" over"]])
    assert aid == pytest.approx(_naive(model, tok, "Psaki said the", " military aid"), abs=1e-4)
    assert over == pytest.approx(_naive(model, tok, "The war is", " over"), abs=1e-4)


def test_a_row_scores_from_where_it_stood_at_a_mark(tiny_lm) -> None:
    # The revisit: once "help" is restored, "navy" is scored again against the row as it stood
    # before it, from the cache, whatever the row has read, kept or dropped since.
    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    rows = scorer.rows(3)
    rows.extend(["Psaki mentioned the", "The war", "Officials"])
    marks = [rows.mark(0), rows.mark(1)]
    rows.score([[" military help would", " navy help"], [" in Ukraine"], [" said"]])
    rows.commit([(0, len(scorer.ids(" military"))), (0, 0), (0, 1)])
    rows.extend(["", " is", " that"])
    rows.score([[" aid would"], [" over"], [" the"]])  # visited, then forgotten
    rows.keep([0, 1])  # the third row leaves
    asks = [(0, marks[0], [" navy aid would", " military aid would"]), (1, marks[1], [" in Ukraine"]), (0, marks[0], [" army"])]
    got = rows.score_from(asks)
    want = [
        [_naive(model, tok, "Psaki mentioned the", s) for s in (" navy aid would", " military aid would")],
        [_naive(model, tok, "The war", " in Ukraine")],
        [_naive(model, tok, "Psaki mentioned the", " army")],
    ]
    for g, w in zip(got, want):
        assert g == pytest.approx(w, abs=1e-4)
    # ...and the rows read on as before.
    [[aid], [over]] = rows.score([[" aid would"], [" over"]])
    assert aid == pytest.approx(_naive(model, tok, "Psaki mentioned the military", " aid would"), abs=1e-4)
    assert over == pytest.approx(_naive(model, tok, "The war is", " over"), abs=1e-4)


def test_an_int8_model_scores_through_the_same_rows(tiny_lm) -> None:
    import copy

    from spinfix.lm.loading import quantize_int8

    model, tok = tiny_lm
    q = quantize_int8(copy.deepcopy(model))
    assert type(q.model.layers[0].mlp.down_proj) is not torch.nn.Linear  # quantised
    assert type(q.lm_head) is torch.nn.Linear  # the head stays fp32
    suffixes = [" said the military aid", " mentioned the navy help would"]
    want = LMScorer(model, tok).continuations("The president", suffixes)
    got = LMScorer(q, tok).continuations("The president", suffixes)
    assert got == pytest.approx(want, abs=0.5)  # close, not equal: int8 rounding
    assert got != pytest.approx(want, abs=1e-6)


def test_attention_row_by_row_scores_as_attention_over_the_whole_masked_cache(tiny_lm) -> None:
    model, tok = tiny_lm

    def read(scorer: LMScorer) -> list[list[float]]:
        rows = scorer.rows(3)
        rows.extend(["Psaki", "", "The war in"])
        mark = rows.mark(0)
        rows.extend([" said the", "Officials", " Ukraine"])
        got = rows.score([[" navy help", " military aid would"], [" mentioned", " said that"], [" has ended"]])
        rows.commit([(1, 2), (0, 0), (0, 1)])
        got += rows.score_from([(0, mark, [" mentioned the", " stated"]), (2, rows.mark(2), [" is over"])])
        return got

    by_rows = LMScorer(model, tok)
    assert by_rows.by_rows  # an SDPA model attends row by row
    masked = LMScorer(model, tok)
    masked.by_rows = False
    for g, w in zip(read(by_rows), read(masked)):
        assert g == pytest.approx(w, abs=1e-5)


def test_reading_rows_gives_users_no_deprecation_notice(tiny_lm) -> None:
    import warnings

    model, tok = tiny_lm
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # transformers' notice for a renamed keyword
        rows = LMScorer(model, tok).rows(2)
        rows.extend(["Psaki said the", "The war in"])
        rows.score([[" navy help"], [" Ukraine"]])
