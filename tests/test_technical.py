"""Technical-register training sentences: docstring prose only, tortured copies labelled on the
phrase, the held-out share of the tortured phrases never used."""
from __future__ import annotations

import random

import pytest

from spinfix.spinner import Spinner
from spinfix.substitutions import TableSource
from spinfix.tokens import tokenize
from spinfix.tortured import TorturedPair
from spinfix.train.technical import package_versions, prose_sentences, split_of, technical_examples


def test_only_prose_sentences_are_taken_from_a_docstring() -> None:
    doc = """Compute the discrete Fourier transform of a real input signal.

    Parameters
    ----------
    x : array_like
        Input array, e.g. ``np.ones(3)``.

    >>> rfft([1, 2, 3])
    """
    assert prose_sentences(doc) == ["Compute the discrete Fourier transform of a real input signal."]


def test_the_split_is_stable_and_mostly_train() -> None:
    sents = [f"Sentence number {i} describes a method for the estimator." for i in range(400)]
    assert [split_of(s) for s in sents] == [split_of(s) for s in sents]
    assert 0.01 < sum(split_of(s) == "dev" for s in sents) / len(sents) < 0.12


@pytest.fixture()
def spinner() -> Spinner:
    return Spinner([(TableSource("table", {"compute": ["calculate"], "signal": ["sign"]}), 1.0)])


def test_a_sentence_with_a_known_phrase_gets_a_tortured_copy(spinner: Spinner) -> None:
    sent = "Fit a random forest to the training data and compute the error."
    pairs = [TorturedPair("irregular woodland", "random forest")]
    recs = technical_examples([sent], pairs, spinner, random.Random(0), spun_share=0.0)
    assert len(recs) == 2
    clean, tortured = recs
    assert clean["text"] == sent and not clean["spun"] and not any(clean["labels"])
    assert tortured["text"] == "Fit a irregular woodland to the training data and compute the error."
    assert tortured["clean"] == sent
    marked = [t.text for t, lab in zip(tokenize(tortured["text"]), tortured["labels"]) if lab]
    assert marked == ["irregular", "woodland"]
    [[s, e, original, new, _]] = tortured["edits"]
    assert tortured["text"][s:e] == new == "irregular woodland" and original == "random forest"


def test_sentences_without_a_known_phrase_are_used_once(spinner: Spinner) -> None:
    recs = technical_examples(["Compute the mean of the signal along an axis."], [TorturedPair("irregular woodland", "random forest")],
                              spinner, random.Random(0), spun_share=1.0)
    assert len(recs) == 1 and recs[0]["spun"]


def test_the_docstrings_package_versions_are_recorded() -> None:
    import numpy

    versions = package_versions(("numpy", "sklearn", "no_such_package_here"))
    assert versions["numpy"] == numpy.__version__
    assert versions["sklearn"] != "not installed"  # looked up by its distribution name
    assert versions["no_such_package_here"] == "not installed"
