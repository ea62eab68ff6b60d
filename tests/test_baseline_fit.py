"""Fitting the baseline's candidate scores: decisions are labelled from the spinner's gold edits,
and the fitted score learns what the evidence says."""
from __future__ import annotations

import json
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


def _with_first(units: list[dict], informative: bool) -> list[dict]:
    """Give each candidate a first-token score: high for the original when `informative`."""
    return [{**u, "candidates": [f"c{j}" for j in range(len(u["lm"]))],
             "first": [(5.0 if informative and j == u["label"] else 0.0) - j * 0.1 for j in range(len(u["lm"]))]}
            for u in units]


def test_an_lm_shortlist_keeps_the_spun_text_and_repoints_the_label() -> None:
    from spinfix.train.baseline_fit import lm_shortlisted

    units = _with_first(_decisions(50, seed=1), informative=True)
    short = lm_shortlisted(units, {"lm": 1.0}, 1)
    assert all(len(u["candidates"]) == 2 and u["candidates"][0] == "c0" for u in short)
    assert all(u["label"] == 1 and u["candidates"][1] == f"c{v['label']}" for u, v in zip(short, units))
    # First-token scores that point away from the original cut it: the label says so.
    misled = lm_shortlisted(_with_first(_decisions(50, seed=1), informative=False), {"lm": 1.0}, 1)
    assert all(u["candidates"] == ["c0", "c1"] for u in misled)
    assert [u["label"] for u in misled] == [1 if v["label"] == 1 else -1 for v in units]


def test_shortlists_are_measured_against_every_decision() -> None:
    from spinfix.train.baseline_fit import cross_validate_shortlists

    units = _with_first(_decisions(200, seed=2), informative=False)
    cv = cross_validate_shortlists(units, ["keep", "learned"], settings=((1, None), (2, None), (2, 0.5)))
    assert cv["all"]["right"] > 0.95  # the learned evidence finds the original
    assert cv["1"]["decisions"] == cv["all"]["decisions"] == 200
    # The first-token scores mislead, but the fitted evidence also picks the list: nothing lost.
    assert cv["1"]["right"] > 0.95
    # Each setting says how many candidates it scores in full, the spun text included.
    assert cv["1"]["scored"] == 2 and cv["2"]["scored"] == 3 and cv["all"]["scored"] > 3
    assert cv["2 within 0.5"]["scored"] <= 3
    # Without that evidence a one-candidate list (always c1 here) finds a third of the originals.
    blind = [{**u, "features": [{k: v for k, v in f.items() if k != "learned"} for f in u["features"]]} for u in units]
    cv = cross_validate_shortlists(blind, ["keep"], settings=((1, None),))
    assert 0.2 < cv["1"]["right"] < 0.5


def test_the_fit_sees_the_short_lists_its_own_weights_pick() -> None:
    from spinfix.train.baseline_fit import fit_on_shortlists

    # First-token scores mislead (c1 always ranks first), but the fitted evidence points at the
    # original: the lists the fitted weights pick hold it, so every label points into the list.
    units = _with_first(_decisions(200, seed=2), informative=False)
    short, w = fit_on_shortlists(units, ["keep", "learned"], 1, None)
    assert all(len(u["candidates"]) == 2 for u in short)
    assert all(u["label"] == 1 and u["candidates"][1] == f"c{v['label']}" for u, v in zip(short, units) if v["label"] >= 1)
    assert w["learned"] > 1 > abs(w["lm"])


def test_the_cheapest_setting_within_the_tolerance_is_chosen() -> None:
    from spinfix.train.baseline_fit import cheapest_shortlist

    by_setting = {
        "all": {"right": 0.60, "scored": 20.0},
        "4": {"right": 0.58, "scored": 4.6},
        "6": {"right": 0.596, "scored": 6.4},
        "6 within 3.0": {"right": 0.597, "scored": 4.9},
        "6 within 2.0": {"right": 0.59, "scored": 3.8},
    }
    assert cheapest_shortlist(by_setting, tolerance=0.005) == by_setting["6 within 3.0"]
    assert cheapest_shortlist(by_setting, tolerance=0.01) == by_setting["6 within 2.0"]
    assert cheapest_shortlist({"all": {"right": 0.60, "scored": 9.0}, "4": {"right": 0.5, "scored": 5.0}}, 0.01) is None


def test_a_margin_keeps_only_candidates_near_the_best_rank() -> None:
    from spinfix.restore.evidence import shortlisted

    rank = [0.0, -1.0, 2.0, -5.0, 1.5]  # the spun text first
    assert shortlisted(rank, None, None) == [0, 1, 2, 3, 4]
    assert shortlisted(rank, 2, None) == [0, 2, 4]
    assert shortlisted(rank, 3, 1.0) == [0, 2, 4]  # within 1 of the best (2.0)
    assert shortlisted([3.0, -1.0, 2.0], 6, 0.5) == [0]  # the spun text is far ahead: nothing else


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
    from test_baseline import _FixedCandidates

    from spinfix.lm.scorer import LMScorer
    from spinfix.restore.baseline import BaselineRestorer
    from spinfix.restore.rules import SpanTask
    from spinfix.restore.settings import BaselineSettings

    model, tok = tiny_lm
    task = SpanTask("Psaki mentioned the navy help would continue.", ((25, 29),))
    weights = {"lm": 0.0, "learned": 20.0}
    sure = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(weights=weights))
    damped = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(weights=weights, calibration=(1.0, -20.0)))
    sure, damped = (r.restore([task])[0][0] for r in (sure, damped))
    assert sure.text == damped.text == "aid"
    assert sure.confidence > 0.99 and damped.confidence < 0.5


def test_a_recorded_decision_finds_its_sentence_among_the_records() -> None:
    from spinfix.train.baseline_fit import attach_sentences

    records = [{"text": "Psaki mentioned the navy help would continue."}, {"text": "Officials mentioned it."}]
    units = [{"sentence_id": 0, "start": 6, "end": 15, "candidates": ["mentioned", "said"]},
             {"sentence_id": 0, "start": 20, "end": 24, "candidates": ["navy", "military"]},
             {"sentence_id": 1, "start": 0, "end": 3, "candidates": ["Yes", "No"]}]  # matches no record
    assert attach_sentences(units, records) == 2
    assert units[0]["sentence"] == units[1]["sentence"] == records[0]["text"]
    assert "sentence" not in units[2]


def test_readings_put_each_candidate_after_the_recorded_choices() -> None:
    # The trace was recorded with the LM alone choosing, so the text before a unit holds the
    # LM's best candidate of every earlier unit; the text after it is still spun.
    from spinfix.train.baseline_fit import fill_readings

    sent = "Psaki mentioned the navy help would continue."
    first = {"sentence_id": 0, "sentence": sent, "start": 6, "end": 15, "candidates": ["mentioned", "said"],
             "lm": [-5.0, -1.0], "features": [{}, {}]}
    second = {"sentence_id": 0, "sentence": sent, "start": 20, "end": 24, "candidates": ["navy", "military"],
              "lm": [-1.0, -2.0], "features": [{"keep": 1.0}, {}]}
    asked = []

    def read(texts, spans):
        asked.extend(t[s:e] + "|" + t for t, (s, e) in zip(texts, spans))
        return [float(len(t)) for t in texts]

    assert fill_readings([second], [first, second], read) == 2
    assert asked == ["navy|Psaki said the navy help would continue.", "military|Psaki said the military help would continue."]
    assert second["features"][1]["detector"] == len("Psaki said the military help would continue.")
    assert fill_readings([second], [first, second], read) == 0  # already read: not asked again


def test_traces_read_together_keep_distinct_sentences_and_their_halves(tmp_path) -> None:
    from spinfix.train.baseline_fit import read_traces

    synthetic = [{"sentence_id": i, "label": 0} for i in (0, 1, 2)]
    tortured = [{"sentence_id": i, "label": 0, "source": "tortured"} for i in (0, 1)]
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for p, units in zip(paths, (synthetic, tortured)):
        p.write_text(json.dumps(units))
    units = read_traces(paths)
    assert [u["sentence_id"] for u in units] == [0, 1, 2, 4, 5]  # no id shared, parity kept
    assert [u["source"] for u in units] == ["synthetic"] * 3 + ["tortured"] * 2


def test_cross_validation_reports_each_source_of_decisions_fitted_together() -> None:
    units = _decisions(200, seed=3)
    for i, u in enumerate(units):
        u["source"] = "tortured" if i % 4 == 0 else "synthetic"
    cv = cross_validate(units, ["keep", "learned"])
    assert {"fitted_tortured", "fitted_synthetic", "lm_only_tortured"} <= set(cv)
    both = [a["decisions"] + b["decisions"] for a, b in zip(cv["fitted_tortured"], cv["fitted_synthetic"])]
    assert both == [f["decisions"] for f in cv["fitted"]]
