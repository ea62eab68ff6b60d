"""Marks grow to the whole phrase a spinner put in, and no further."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import spinfix
from spinfix.detect.encoder import Detector, WordScores
from spinfix.detect.spans import grow_to_phrases
from spinfix.text.document import Segment
from spinfix.text.tokens import tokenize

PHRASES = {"for the reason that", "in opposition to", "voted in", "mustered out"}


def _grow(text: str, probs: list[float], marked: list[int], floor: float = 0.05) -> list[str]:
    toks = [t for t in tokenize(text) if t.is_word]
    joined = [text[a.end : b.start] == " " for a, b in zip(toks, toks[1:])]
    kept = grow_to_phrases([t.text for t in toks], joined, np.array(probs), marked, PHRASES.__contains__, floor)
    return [toks[i].text for i in kept]


def test_a_marked_word_inside_a_spinner_phrase_takes_the_whole_phrase() -> None:
    # "reason" alone is no span the restorer can undo; "for the reason that" is "since".
    got = _grow("closed for the reason that March", [0.1, 0.2, 0.3, 0.9, 0.4, 0.1], [3])
    assert got == ["for", "the", "reason", "that"]


def test_a_phrase_word_below_the_floor_or_quoted_keeps_the_mark_as_it_was() -> None:
    assert _grow("closed for the reason that March", [0.1, 0.01, 0.3, 0.9, 0.4, 0.1], [3]) == ["reason"]
    # quoted words carry a negative probability: never marked
    assert _grow("closed for the reason that March", [0.1, -1.0, 0.3, 0.9, 0.4, 0.1], [3], floor=0.0) == ["reason"]


def test_a_phrase_does_not_reach_across_punctuation() -> None:
    assert _grow("closed for the reason, that March", [0.1, 0.2, 0.3, 0.9, 0.4, 0.1], [3]) == ["reason"]


def test_the_longest_phrase_wins_even_when_it_is_marked_already() -> None:
    # "voted in" is a phrase too, but "in" belongs to the marked "in opposition to".
    got = _grow("who voted in opposition to the plan", [0.0, 0.3, 0.6, 0.7, 0.6, 0.0, 0.0], [2, 3, 4])
    assert got == ["in", "opposition", "to"]


def test_unknown_stretches_and_unmarked_phrases_are_left_alone() -> None:
    assert _grow("the navy help would continue", [0.1, 0.9, 0.8, 0.2, 0.1], [1, 2]) == ["navy", "help"]
    # a phrase with no marked word in it is not the detector's to mark
    assert _grow("they mustered out the navy", [0.1, 0.3, 0.3, 0.1, 0.9], [4]) == ["navy"]


@pytest.mark.parametrize("floor, want", [(None, ["reason"]), (0.05, ["for the reason that"])])
def test_the_pipeline_grows_spans_when_the_detector_settings_ask_for_it(
    sf: spinfix.Spinfix, floor: float | None, want: list[str]
) -> None:
    cfg = dataclasses.replace(sf.detector.config, span_threshold=0.5, phrase_floor=floor)
    det = Detector(sf.detector.model, sf.detector.tokenizer, cfg, device=sf.detector.device)
    grown = spinfix.Spinfix(det, phrases=PHRASES.__contains__)
    text = "The bridge was closed for the reason that March."
    toks = [t for t in tokenize(text) if t.is_word]
    probs = np.array([0.9 if t.text == "reason" else 0.2 for t in toks], dtype=np.float32)
    spans = grown.scorer.scored(Segment(text, 0, len(text), 0), WordScores(toks, probs), quotes=[]).spans
    assert [sp.text for sp in spans] == want


def test_names_and_numbers_never_join_a_mark() -> None:
    # Spinners leave them alone; a grown mark would hand them to the restorer.
    phrases = {"new york", "3 times", "many times"}
    text = "She moved to New York 3 times and many times"
    toks = [t for t in tokenize(text) if t.is_word]
    joined = [True] * (len(toks) - 1)
    probs = np.array([0.1, 0.1, 0.1, 0.9, 0.3, 0.3, 0.9, 0.1, 0.3, 0.9])
    kept = grow_to_phrases([t.text for t in toks], joined, probs, [3, 6, 9], phrases.__contains__, 0.05)
    assert [toks[i].text for i in kept] == ["New", "times", "many", "times"]
    # ...but a sentence's first word may be capitalised: "In keeping with" grows from "keeping".
    text = "In keeping with the report"
    toks = [t for t in tokenize(text) if t.is_word]
    kept = grow_to_phrases([t.text for t in toks], [True] * 4, np.array([0.2, 0.9, 0.3, 0.0, 0.0]), [1],
                           {"in keeping with"}.__contains__, 0.05)
    assert [toks[i].text for i in kept] == ["In", "keeping", "with"]
