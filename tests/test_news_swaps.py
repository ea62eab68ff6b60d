"""Real spinners' news-prose swaps (spinfix.lexicon.news): the restorer can undo them, and a
spinner's multiword replacement is marked and restored as one unit."""
from __future__ import annotations

from spinfix.lexicon.news import news_inverse
from spinfix.lexicon.phrases import PhraseLexicon
from spinfix.restore.candidates import CandidateGenerator


def test_the_tables_are_turned_around_into_originals() -> None:
    inverse = news_inverse()
    assert "where" in inverse["the place"]
    assert "year" in inverse["12 months"]
    assert "is not" in inverse["isn't"]
    # single words also under their lemma, as the candidates look them up
    assert "say" in inverse["state"]


def test_a_word_the_tables_leave_as_it_is_is_not_its_own_original() -> None:
    # "said" -> ["stated", "mentioned", "said"]: the spinner may keep "said"; that is no swap
    assert all(spun not in originals for spun, originals in news_inverse().items())


def test_a_real_spinners_phrase_is_one_span_and_one_unit(lexicon) -> None:
    phrases = PhraseLexicon(lexicon)
    assert phrases.emitted_whole("the place")
    assert phrases.emitted_whole("12 months")
    candidates = CandidateGenerator(lexicon, wordnet=None, phrases=phrases, news=news_inverse())
    sentence = "The store the place it happened closed 12 months ago."
    start = sentence.index("the place")
    words = [(start, start + 3), (start + 4, start + 9)]
    (unit,) = candidates.units(sentence, words)
    assert unit.text == "the place"
    assert "where" in unit.candidates


def test_news_swaps_are_candidates_with_learned_evidence(lexicon) -> None:
    candidates = CandidateGenerator(lexicon, wordnet=None, news=news_inverse())
    assert "said" in candidates.originals("stated")
    assert candidates.evidence("stated", "said").get("learned") == 1
    assert "people" in candidates.originals("folks")


def test_without_the_news_tables_the_evidence_is_the_thesaurus_alone(lexicon) -> None:
    candidates = CandidateGenerator(lexicon, wordnet=None)
    assert candidates.evidence("stated", "said").get("learned") is None
