"""Fitting the baseline's candidate scores: decisions are labelled from the spinner's gold edits,
and the fitted score learns what the evidence says."""
from __future__ import annotations

import random

import pytest

pytest.importorskip("torch")

from spinfix.train.baseline_fit import cross_validate, fit_weights, label  # noqa: E402

EDITS = [[6, 15, "said", "mentioned", "moby"], [20, 29, "military aid", "navy help", "moby"]]


def _unit(start: int, end: int, candidates: list[str]) -> dict:
    return {"start": start, "end": end, "candidates": candidates}


def test_a_unit_that_is_one_gold_edit_is_labelled_with_its_original() -> None:
    assert label(_unit(6, 15, ["mentioned", "stated", "said"]), EDITS) == 2


def test_a_unit_outside_every_edit_should_be_kept() -> None:
    assert label(_unit(30, 35, ["would", "could"]), EDITS) == 0


def test_a_missing_original_and_a_partial_overlap_are_told_apart() -> None:
    assert label(_unit(6, 15, ["mentioned", "stated"]), EDITS) == -1
    assert label(_unit(20, 24, ["navy", "military"]), EDITS) is None  # half of a two-word edit


def _decisions(n: int, seed: int = 0) -> list[dict]:
    """Synthetic decisions where the LM is noise and the "learned" source marks the original."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randrange(1, 4)
        feats = [{"keep": 1.0}] + [{"learned": 1.0 if j == k else 0.0} for j in range(1, 4)]
        out.append({"sentence_id": i, "label": k, "lm": [rng.gauss(0, 1) for _ in range(4)], "features": feats})
    return out


def test_the_fit_learns_to_trust_informative_evidence() -> None:
    units = _decisions(200)
    w = fit_weights(units, ["keep", "learned"])
    assert w["learned"] > 2 and abs(w["lm"]) < w["learned"]
    cv = cross_validate(units, ["keep", "learned"])
    assert all(f["right"] > 0.95 for f in cv["fitted"])
    assert all(lm["right"] < 0.6 for lm in cv["lm_only"])


def test_a_shortlist_by_evidence_loses_nothing_when_the_evidence_is_right() -> None:
    import torch

    from spinfix.train.baseline_fit import design, shortlisted_accuracy

    units = _decisions(100, seed=1)
    w = torch.tensor([0.0, 0.0, 5.0], dtype=torch.float64)  # lm, keep, learned
    data = design(units, ["keep", "learned"])
    assert shortlisted_accuracy(data, w, 1) == 1.0
    w_lm = torch.tensor([1.0, 0.0, -5.0], dtype=torch.float64)  # evidence now ranks the original last
    assert shortlisted_accuracy(data, w_lm, 1) == 0.0


def test_the_shortest_list_within_tolerance_is_chosen() -> None:
    from spinfix.train.baseline_fit import shortest_list

    cv = {"fitted": [{"right": 0.60, "right_top4": 0.50, "right_top8": 0.597, "right_top12": 0.60, "right_top16": 0.60}] * 2}
    assert shortest_list(cv) == 8
    cv = {"fitted": [{"right": 0.60, "right_top4": 0.5, "right_top8": 0.5, "right_top12": 0.5, "right_top16": 0.5}]}
    assert shortest_list(cv) is None


def test_calibration_shrinks_an_overconfident_score() -> None:
    from spinfix.train.baseline_fit import calibration

    # The evidence always points at candidate 1, which is right only half of the time (the
    # other half the original is missing): a sure softmax must map to about one half.
    rng = random.Random(2)
    units = []
    for i in range(400):
        feats = [{"keep": 1.0}, {"learned": 1.0}, {"learned": 0.0}]
        units.append({"sentence_id": i, "label": 1 if i % 4 < 2 else -1, "lm": [rng.gauss(0, 0.1) for _ in range(3)], "features": feats})
    (a, b), table = calibration(units, ["keep", "learned"])
    after = [r for r in table if r["confidence"] == "calibrated"]
    assert sum(r["decisions"] for r in after) == 400
    for r in after:
        if r["decisions"] >= 50:
            assert abs(r["mean"] - r["right"]) < 0.1
    before = [r for r in table if r["confidence"] == "softmax" and r["decisions"] >= 50]
    assert any(r["mean"] - r["right"] > 0.3 for r in before)


def test_the_restorer_reports_calibrated_confidence(tiny_lm) -> None:
    from spinfix.baseline import BaselineRestorer, LMScorer
    from spinfix.restoration import SpanTask
    from test_baseline import _FixedCandidates

    model, tok = tiny_lm
    task = SpanTask("Psaki mentioned the navy help would continue.", ((25, 29),))
    weights = {"lm": 0.0, "learned": 20.0}
    sure = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), weights=weights).restore([task])[0][0]
    damped = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), weights=weights, calibration=(1.0, -20.0)).restore([task])[0][0]
    assert sure.text == damped.text == "aid"
    assert sure.confidence > 0.99 and damped.confidence < 0.5
