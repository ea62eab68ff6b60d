"""Candidate originals: what could a spinner have replaced with this word or phrase?"""
from __future__ import annotations

import math

import pytest

from spinfix.lexicon.morphology import noun_number
from spinfix.lexicon.sources import GloveSource, WordNetSource
from spinfix.restore.candidates import CandidateGenerator, load_ranker


@pytest.fixture(scope="module")
def candidates(lexicon) -> CandidateGenerator:
    glove = GloveSource({"assistance": ["help", "aid"], "war": ["conflict"]})
    learned = {"profound": ["deep"], "consciousness": ["intelligence"], "huge information": ["big data"],
               "tanh work": ["tanh function"]}
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
        ("tanh work", "tanh function"),  # a learned phrase whose original is a rare word
        ("with the aid of", "by"),  # a spinner hallmark on a stopword, undone whole
        ("the identical", "the same"),
        ("simplest", "only"),
        ("3", "three"),  # a spinner's number swap, which restoration.safe lets back
        ("remaining 12 months", "last year"),
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


@pytest.mark.parametrize(
    ("spun", "original"),
    [
        ("mustered out", "released"),  # "muster out", its first word re-inflected like "released"
        ("talked of", "discussed"),
        ("drawing cards", "lures"),  # a noun phrase inflects its head, the last word
        ("systems of belief", "faiths"),  # ...or the word before "of"
    ],
)
def test_an_inflected_thesaurus_phrase_is_undone_whole_and_inflected_alike(
    candidates: CandidateGenerator, spun: str, original: str
) -> None:
    sent = f"The board {spun} in March."
    start = sent.index(spun)
    (units,) = candidates.span_units(sent, [(start, start + len(spun))])
    assert [u.text for u in units] == [spun]
    assert original in units[0].candidates


@pytest.mark.parametrize(
    ("stretch", "whole"),
    [
        ("For the  reason that", True),  # a function phrase, any case and spacing
        ("mustered out", True),  # a thesaurus phrase, inflected
        ("huge information", True),  # a learned tortured phrase
        ("walked cards", False),
        ("reason", False),  # one word is no phrase
    ],
)
def test_a_spinner_emits_known_phrases_whole(candidates: CandidateGenerator, stretch: str, whole: bool) -> None:
    # What the span marks grow to (spinfix.detect.spans) and the units take whole.
    assert candidates.emitted_whole(stretch) is whole


def test_a_stretch_that_is_no_phrase_when_uninflected_stays_word_by_word(candidates: CandidateGenerator) -> None:
    # "walked" + "cards" is no thesaurus phrase in any form: two units.
    sent = "They walked cards home."
    (units,) = candidates.span_units(sent, [(5, 18)])
    assert [u.text for u in units] == ["walked", "cards"]


def test_a_wordnet_phrase_is_a_unit(lexicon) -> None:
    # "scale back" is in no Moby entry; as a WordNet lemma it is still a phrase a spinner emits.
    sent = "They scale back the plan."
    where = [(5, 15)]
    assert [u.text for u in CandidateGenerator(lexicon).span_units(sent, where)[0]] == ["scale", "back"]
    wordnet = WordNetSource({"scale back": ["reduce", "cut"], "reduce": ["scale back"], "cut": ["scale back"]})
    (units,) = CandidateGenerator(lexicon, wordnet=wordnet).span_units(sent, where)
    assert [u.text for u in units] == ["scale back"]
    assert "reduce" in units[0].candidates


def test_a_function_phrase_swap_keeps_its_evidence_when_a_thesaurus_also_lists_it(candidates: CandidateGenerator) -> None:
    # "according to" -> "in keeping with" is a function-phrase swap, and Moby also lists "in
    # keeping with" under "according to": the candidate must carry both kinds of evidence, not
    # only the weaker one, or "with" outranks it.
    ev = candidates.evidence("in keeping with", "according to")
    assert ev["phrase_whole"] == 1 and ev["moby_source"] == 1
    assert candidates.originals("in keeping with")[1] == "according to"


def test_a_singular_noun_gets_no_plural_or_other_forms_of_itself(candidates: CandidateGenerator) -> None:
    # Real spinners keep the number of a noun and swap words, not inflections: "networks" for
    # "network" would be damage, however well the LM likes it in context.
    cands = candidates.originals("network")
    assert "networks" not in cands
    assert not [c for c in cands[1:] if noun_number(c) == "plural"]
    assert "methods" not in candidates.originals("technique")


def test_a_phrase_with_nothing_to_offer_is_restored_word_by_word(candidates: CandidateGenerator) -> None:
    # Moby lists "wind force" under "anemology" only, a word too rare to be an original in
    # news: the phrase has no candidates, so its words are units of their own.
    sent = "The wind force rose."
    units = candidates.span_units(sent, [(sent.index("wind"), sent.index(" rose"))])[0]
    assert [u.text for u in units] == ["wind", "force"]
    assert all(len(u.candidates) > 1 for u in units)


def test_a_hyphenated_word_no_source_knows_gets_its_parts_swapped_back(candidates: CandidateGenerator) -> None:
    # Spinners treat the hyphen as a space: "10-fold" became "10-crease" and "k-nearest"
    # "k-closest" in real paper-mill texts.
    assert "k-nearest" in candidates.originals("k-closest")
    cands = candidates.originals("10-crease")
    assert "10-fold" in cands
    assert all(c.startswith("10-") for c in cands)  # numbers and one-letter parts stay as they are
    assert candidates.evidence("10-crease", "10-fold")["moby_source"] == 1  # the part's evidence: "fold" lists "crease"


def test_a_hyphenated_word_a_source_knows_whole_keeps_those_candidates(candidates: CandidateGenerator) -> None:
    cands = candidates.originals("well-being")
    assert "welfare" in cands
    assert not [c for c in cands[1:] if c.startswith("well-")]


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


def test_the_caches_are_bounded_for_long_batch_jobs(lexicon, monkeypatch) -> None:
    import spinfix.lexicon.phrases as phrases
    import spinfix.restore.candidates as cand

    monkeypatch.setattr(cand, "CANDIDATE_CACHE", 3)
    monkeypatch.setattr(phrases, "PHRASE_CACHE", 3)
    gen = CandidateGenerator(lexicon)
    words = ["struggle", "mentioned", "help", "navy", "war", "aid", "said"]
    first = {w: gen.originals(w) for w in words}
    whole = {w: gen.emitted_whole(f"{w} out") for w in words}
    assert len(gen._cache) <= 3 and len(gen.phrases._whole) <= 3
    assert {w: gen.emitted_whole(f"{w} out") for w in words} == whole
    assert {w: gen.originals(w) for w in words} == first  # forgetting changes no answer


def test_withholding_the_learned_swaps_forgets_them_and_their_cached_answers(lexicon) -> None:
    gen = CandidateGenerator(lexicon, learned={"profound": ["deep"], "huge information": ["big data"]})
    assert gen.evidence("profound", "deep").get("learned") == 1 and gen.emitted_whole("huge information")
    gen.withhold_learned()
    assert "learned" not in gen.evidence("profound", "deep")  # Moby still offers "deep", on its own evidence
    assert not gen.emitted_whole("huge information")


def test_learned_swaps_can_come_from_some_pairs_only(lexicon) -> None:
    """A dev check learns from part of the dev phrases: only those swaps are undone."""
    gen = CandidateGenerator(lexicon, learned={"profound": ["deep"]})
    gen.use_learned({"counterfeit": ["artificial"], "huge information": ["big data"]})
    assert "learned" not in gen.evidence("profound", "deep")
    assert gen.evidence("counterfeit", "artificial").get("learned") == 1
    assert gen.emitted_whole("huge information")
