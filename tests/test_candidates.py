"""Candidate originals: what could a spinner have replaced with this word or phrase?"""
from __future__ import annotations

import math

import pytest

from spinfix.candidates import CandidateGenerator, load_ranker
from spinfix.substitutions import GloveSource


@pytest.fixture(scope="module")
def candidates(lexicon) -> CandidateGenerator:
    glove = GloveSource({"assistance": ["help", "aid"], "war": ["conflict"]})
    learned = {"profound": ["deep"], "consciousness": ["intelligence"], "huge information": ["big data"]}
    return CandidateGenerator(lexicon, wordnet=None, glove=glove, learned=learned)


def test_the_spun_text_itself_comes_first(candidates: CandidateGenerator) -> None:
    assert candidates.originals("struggle")[0] == "struggle"


@pytest.mark.parametrize(
    ("spun", "original"),
    [
        ("struggle", "war"),  # Moby: "war" lists "struggle"
        ("mentioned", "said"),  # re-inflected: say -> said
        ("for the reason that", "since"),  # a function phrase, undone whole
        ("profound", "deep"),  # a learned tortured-phrase swap
        ("help", "assistance"),  # GloVe, inverted: "help" is a neighbour of "assistance"
        ("huge information", "big data"),  # a learned multiword phrase
    ],
)
def test_the_original_is_among_the_candidates(candidates: CandidateGenerator, spun: str, original: str) -> None:
    assert original in candidates.originals(spun)


def test_units_take_known_phrases_whole(candidates: CandidateGenerator) -> None:
    sent = "He left for the reason that the huge information was lost."
    spans = [(sent.index("for"), sent.index(" the huge")), (sent.index("huge"), sent.index(" was"))]
    units = candidates.span_units(sent, spans)
    assert [[u.text for u in us] for us in units] == [["for the reason that"], ["huge information"]]
    assert units[1][0].candidates[:2] == ("huge information", "big data")


def test_evidence_names_the_sources_that_propose_a_candidate(candidates: CandidateGenerator) -> None:
    ev = candidates.evidence("profound", "deep")
    assert ev["learned"] == 1
    assert ev["rank"] == candidates.originals("profound").index("deep")
    assert ev["zipf"] > 3


def test_the_spun_text_itself_has_no_evidence(candidates: CandidateGenerator) -> None:
    assert candidates.evidence("profound", "profound") == {}


def test_evidence_carries_how_many_words_the_candidates_entry_offers(candidates: CandidateGenerator, lexicon) -> None:
    # "war" lists "struggle" among its synonyms; a spinner picks one of them, so the size of
    # the entry is part of the evidence (a short entry makes "struggle" a likelier pick).
    ev = candidates.evidence("struggle", "war")
    assert ev["moby_source"] == 1
    assert ev["fan_moby"] == pytest.approx(math.log(len(lexicon.synonyms("war"))))


def test_a_fitted_ranker_orders_the_candidates_by_its_weights(lexicon) -> None:
    glove = GloveSource({"assistance": ["help", "aid"]})
    learned = {"profound": ["deep"]}
    trusting = CandidateGenerator(lexicon, glove=glove, learned=learned, ranker={"learned": 20.0, "zipf": 1.0})
    doubting = CandidateGenerator(lexicon, glove=glove, learned=learned, ranker={"learned": -20.0, "zipf": 1.0})
    assert trusting.originals("profound")[1] == "deep"
    assert "deep" not in doubting.originals("profound")[:2]
    ev = trusting.evidence("profound", "deep")
    assert ev["prior"] == pytest.approx(20.0 + ev["zipf"], abs=1e-3)  # the weighted evidence


def test_the_shipped_ranker_prefers_short_entries_and_agreeing_sources() -> None:
    weights = load_ranker()
    assert weights is not None
    assert weights["fan_moby"] < 0  # a spinner's pick from a long entry is less likely to be this one
    assert weights["sources"] > 0
