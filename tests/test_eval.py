import numpy as np

from spinfix.eval import BinaryScores, gold_spans, template_for
from spinfix.train.detector import fit_calibration, pick_threshold


def test_gold_spans_are_runs_of_spun_words():
    text = "The navy help arrived for the reason that roads closed."
    labels = [0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0]
    assert gold_spans(text, labels) == {(4, 13), (22, 41)}


def test_binary_scores():
    s = BinaryScores.from_counts(tp=8, fp=2, fn=8)
    assert (s.precision, s.recall, s.support) == (0.8, 0.5, 16)
    assert BinaryScores.from_counts(0, 0, 0).f1 == 0.0


def test_threshold_is_the_lowest_reaching_the_target_precision():
    prob = np.array([0.1, 0.2, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1])
    t = pick_threshold(prob, y, 0.99)
    assert 0.6 < t <= 0.7


def test_calibration_increases_with_the_top_word_logit():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 500)
    y = (rng.uniform(size=500) < raw).astype(int)
    feats = np.stack([np.log(raw / (1 - raw)), rng.normal(size=500), rng.normal(size=500)], axis=1)
    w1, *_ = fit_calibration(feats, y)
    assert w1 > 0


def test_templates_are_stable_per_phrase():
    assert template_for("big data") == template_for("big data")
    assert "{}" in template_for("neural network")
