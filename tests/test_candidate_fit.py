"""Fitting the candidate ranker: decisions come from spinner edits, and the fit learns which
evidence points at the original."""
from __future__ import annotations

import pytest

from spinfix.lexicon.sources import GloveSource
from spinfix.restore.candidates import CandidateGenerator
from spinfix.train.candidate_fit import collect, coverage, fit_ranker


@pytest.fixture(scope="module")
def generator(lexicon) -> CandidateGenerator:
    return CandidateGenerator(
        lexicon, glove=GloveSource({"assistance": ["help"]}), learned={"profound": ["deep"]}, max_candidates=100_000
    )


def test_an_edit_whose_original_is_never_proposed_is_not_a_decision(generator: CandidateGenerator) -> None:
    data, seen = collect(generator, [("war", "struggle"), ("zebra", "struggle")])
    assert seen == 2
    assert len(data) == 1
    feats, y = data[0]
    assert feats[y]["moby_source"] == 1
    assert "prior" not in feats[y] and "rank" not in feats[y]  # outputs of a ranking, not evidence


def test_the_fit_learns_the_evidence_that_marks_the_original() -> None:
    # The original is always the one with "learned"; frequency is noise.
    data = []
    for i in range(40):
        feats = [{"zipf": 3.0 + (j * 7 + i) % 5 * 0.3, "learned": float(j == i % 4)} for j in range(4)]
        data.append((feats, i % 4))
    w = fit_ranker(data)
    assert w["learned"] > 1.0
    assert abs(w["zipf"]) < w["learned"]


def test_coverage_counts_the_original_within_the_top_k(generator: CandidateGenerator) -> None:
    cov = coverage(generator, [("deep", "profound"), ("zebra", "profound")], ks=(1, 100_000))
    assert cov["n"] == 2
    assert cov["top100000"] == 0.5
