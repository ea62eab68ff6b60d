"""Candidate originals: what could a spinner have replaced with this word or phrase?"""
from __future__ import annotations

import pytest

from spinfix.candidates import CandidateGenerator
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
