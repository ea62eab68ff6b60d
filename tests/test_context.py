"""A sentence's neighbours as evidence: spinfix/detect/context.py, its fit, and its use in the pipeline."""
from __future__ import annotations

import json

import numpy as np
import pytest

from spinfix.detect.context import DocumentContext

CTX = DocumentContext(weight=2.0, bias=0.0, window=3, pseudo_count=2.0)


def test_a_sentence_alone_keeps_its_probability_exactly() -> None:
    assert CTX.probabilities([0.8123]) == [0.8123]
    assert CTX.probabilities([]) == []


def test_spun_neighbours_raise_a_borderline_sentence_and_clean_ones_lower_it() -> None:
    up = CTX.probabilities([0.99, 0.99, 0.6, 0.99, 0.99])[2]
    down = CTX.probabilities([0.01, 0.01, 0.6, 0.01, 0.01])[2]
    assert up > 0.9
    assert down < 0.1


def test_only_sentences_within_the_window_count() -> None:
    base = [0.5] * 12
    far = list(base)
    far[0] = 0.999  # four sentences away from index 4: outside a window of 3
    assert CTX.probabilities(far)[4] == pytest.approx(CTX.probabilities(base)[4])
    near = list(base)
    near[2] = 0.999
    assert CTX.probabilities(near)[4] > CTX.probabilities(base)[4]


def test_one_neighbour_moves_a_sentence_less_than_many() -> None:
    two = CTX.probabilities([0.6, 0.99])[0]
    many = CTX.probabilities([0.99, 0.99, 0.99, 0.6, 0.99, 0.99, 0.99])[3]
    assert 0.6 < two < many


def test_certain_neighbours_count_as_strong_not_unbounded_evidence() -> None:
    # A neighbour at p = 1 - 1e-12 counts no more than one at 1 - 1e-4.
    assert CTX.probabilities([0.3, 1 - 1e-12])[0] == pytest.approx(CTX.probabilities([0.3, 1 - 1e-4])[0])


def test_a_sentence_with_too_few_words_to_spin_is_not_moved_but_still_counts() -> None:
    # '"We cannot wait," she said.': two words outside the quotation, and "said" unswapped.
    own = [0.99, 0.99, 0.04, 0.99, 0.6]
    words = [20, 18, 2, 15, 12]
    moved = CTX.probabilities(own, CTX.movable(words))
    assert moved[2] == 0.04
    assert moved[4] == pytest.approx(CTX.probabilities(own)[4])  # its logit still counts for others
    assert CTX.movable([2, 3]) == [False, True]


def test_sentences_the_context_cannot_move_stay_out_of_its_fit() -> None:
    from spinfix.train.context import fit_weights

    # Short sentences whose labels contradict their articles would pull the weight down if
    # they were counted; the fit leaves them out as the pipeline leaves them unmoved.
    probs = [[0.9, 0.9, 0.1, 0.9]] * 50 + [[0.1, 0.1, 0.1, 0.1]] * 50
    labels = [[1, 1, 0, 1]] * 50 + [[0, 0, 0, 0]] * 50
    short = [[20, 20, 2, 20]] * 100
    assert fit_weights(probs, labels, words=short).weight > fit_weights(probs, labels).weight

def test_saved_and_loaded_with_the_checkpoint() -> None:
    assert DocumentContext.from_dict(None) is None
    assert DocumentContext.from_dict({}) is None
    assert DocumentContext.from_dict(CTX.to_dict()) == CTX
    # Keys a newer checkpoint adds are ignored, as DetectorSettings does.
    assert DocumentContext.from_dict({**CTX.to_dict(), "new_key": 1}) == CTX


def test_the_fit_finds_the_weight_neighbours_deserve() -> None:
    from spinfix.train.context import fit_weights

    rng = np.random.default_rng(0)
    probs, labels = [], []
    for _ in range(300):
        spun = rng.random() < 0.5
        y = [int(spun)] * 8
        # Each sentence alone is a weak, noisy witness; the article's label is shared.
        p = [float(np.clip(0.5 + (0.15 if spun else -0.15) + rng.normal(0, 0.2), 0.01, 0.99)) for _ in y]
        probs.append(p)
        labels.append(y)
    shared = fit_weights(probs, labels, window=6)
    assert shared.weight > 1.0
    # Labels drawn from each sentence's own probability: it says all there is to say, and
    # the neighbours (correlated with it, but no witness to the label) add nothing.
    independent = [[int(rng.random() < x) for x in p] for p in probs]
    noise = fit_weights(probs, independent, window=6)
    assert abs(noise.weight) < 0.5 < shared.weight


# -- in the pipeline (the tiny random detector of conftest.py) ---------------------------------

ARTICLE = (
    "The president said the military aid would continue. Officials in Kyiv welcomed the news.\n"
    "The Senate votes on Tuesday. Analysts had expected less.\n"
    "Prices rose in March, the report showed. The minister spoke to reporters."
)


@pytest.fixture(scope="module")
def with_context(sf):
    import spinfix

    return spinfix.Spinfix(sf.detector, threshold=sf.threshold, context=DocumentContext(weight=3.0, window=6))


def test_neighbours_move_probabilities_and_the_alone_figure_is_kept(sf, with_context) -> None:
    import spinfix

    alone = spinfix.Spinfix(sf.detector, threshold=sf.threshold, context=False).detect(ARTICLE)
    inside = with_context.detect(ARTICLE)
    assert [s.text for s in inside.sentences] == [s.text for s in alone.sentences]
    for a, b in zip(alone.sentences, inside.sentences):
        assert b.probability_alone == pytest.approx(a.probability)
        assert a.probability_alone == pytest.approx(a.probability)  # no context: the same
        assert b.is_spun == (b.probability >= with_context.threshold)
    assert any(abs(a.probability - b.probability) > 1e-3 for a, b in zip(alone.sentences, inside.sentences))


def test_a_one_sentence_text_reads_the_same_with_or_without_context(sf, with_context) -> None:
    text = "The president said the military aid would continue."
    assert with_context.detect(text).sentences[0].probability == pytest.approx(sf.detect(text).sentences[0].probability)


def test_a_sentence_without_words_neither_counts_nor_moves(with_context) -> None:
    plain = with_context.detect("The Senate votes on Tuesday.\nAnalysts had expected less.")
    with_dash = with_context.detect("The Senate votes on Tuesday.\n—\nAnalysts had expected less.")
    worded = [s for s in with_dash.sentences if any(c.isalpha() for c in s.text)]
    assert [s.probability for s in worded] == pytest.approx([s.probability for s in plain.sentences])
    assert all(not s.is_spun for s in with_dash.sentences if s.text == "—")


def test_reports_carry_the_alone_probability_in_json(with_context) -> None:
    d = with_context.detect(ARTICLE).to_dict()
    assert all("probability_alone" in s for s in d["sentences"])
    json.dumps(d)


def test_the_checkpoint_context_is_used_unless_turned_off(tiny_models, tmp_path) -> None:
    import shutil

    import spinfix
    from spinfix.detect.encoder import CONFIG_NAME, DetectorSettings

    models = tmp_path / "models"
    shutil.copytree(tiny_models, models)
    cfg = DetectorSettings.load(models / "detector" / CONFIG_NAME)
    cfg.context = DocumentContext(weight=3.0).to_dict()
    cfg.save(models / "detector" / CONFIG_NAME)
    assert spinfix.load(models).context == DocumentContext(weight=3.0)
    assert spinfix.load(models, context=False).context is None


def test_grouping_records_into_articles_keeps_every_record_and_its_offsets() -> None:
    from spinfix.eval.detection import as_articles

    records = [
        {"article": "wh-written:1", "text": "One."},
        {"article": "tortured:x", "text": "Template one."},
        {"article": "wh-written:2", "text": "Other."},
        {"article": "wh-written:1", "text": "Two."},
        {"article": "tortured:x", "text": "Template two."},
    ]
    groups = as_articles(records)
    assert sorted(i for g in groups for i in g.indices) == list(range(len(records)))
    first = next(g for g in groups if 0 in g.indices)
    assert first.indices == [0, 3] and first.text == "One.\nTwo."
    for g in groups:
        for i, start in zip(g.indices, g.starts):
            assert g.text[start : start + len(records[i]["text"])] == records[i]["text"]
    # Template sentences are texts of their own, even under one article id.
    assert [g.indices for g in groups if 1 in g.indices or 4 in g.indices] == [[1], [4]]


def test_record_verdicts_in_articles_give_spans_in_the_records_offsets(with_context) -> None:
    from spinfix.eval.detection import record_verdicts

    records = [
        {"article": "a:1", "text": "The president said the military aid would continue."},
        {"article": "a:1", "text": "Officials in Kyiv welcomed the news."},
        {"article": "a:2", "text": "The Senate votes on Tuesday."},
    ]
    verdicts = record_verdicts(with_context, records, articles=True)
    assert len(verdicts) == 3
    for rec, v in zip(records, verdicts):
        for s, e in v.spans:
            assert 0 <= s < e <= len(rec["text"])
        for sent in v.sentences:
            assert rec["text"][sent.start : sent.end] == sent.text


def test_words_inside_quotations_are_never_marked_nor_evidence(sf) -> None:
    import spinfix

    flag_all = spinfix.Spinfix(sf.detector, threshold=0.0, context=False)
    text = 'The minister said "the military aid would continue" on Tuesday.\n"Officials welcomed the news."'
    report = flag_all.detect(text)
    start = text.index('"')
    end = text.index('"', start + 1) + 1
    for span in report.spans:
        assert span.end <= start or span.start >= end, span
    whole_quote = report.sentences[-1]
    assert whole_quote.text == '"Officials welcomed the news."'
    # Nothing a spinner could have touched: no evidence, no verdict, whatever the threshold.
    assert whole_quote.probability == 0.0 and not whole_quote.is_spun and not whole_quote.spans


def test_a_sentence_carried_over_by_its_neighbours_marks_only_words_over_the_span_threshold(sf) -> None:
    import copy
    from dataclasses import replace

    import spinfix

    det = copy.copy(sf.detector)
    det.config = replace(sf.detector.config, span_threshold=1.01)  # no word is over it
    ctx = DocumentContext(weight=10.0, window=6)
    own = [s.probability for s in spinfix.Spinfix(det, context=False).detect(ARTICLE).sentences]
    final = ctx.probabilities(own)
    raised = max(range(len(own)), key=lambda i: final[i] - own[i])
    assert final[raised] > own[raised]
    threshold = (own[raised] + final[raised]) / 2
    report = spinfix.Spinfix(det, threshold=threshold, context=ctx).detect(ARTICLE)
    carried = report.sentences[raised]
    assert carried.is_spun and carried.probability_alone < threshold
    assert carried.spans == []  # flagged, but nothing in the sentence itself to point at
    for s in report.sentences:
        if s.probability_alone >= threshold:
            assert len(s.spans) == 1  # flagged on its own words: its most suspicious word shows
