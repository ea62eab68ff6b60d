"""Technical-register training sentences: docstring prose only, tortured copies labelled on the
phrase, the held-out share of the tortured phrases never used."""
from __future__ import annotations

import random

import pytest

from spinfix.eval.tortured_pairs import TorturedPair
from spinfix.lexicon.sources import TableSource
from spinfix.text.tokens import tokenize
from spinfix.train.spinner import Spinner
from spinfix.train.technical import (
    package_versions,
    prose_sentences,
    split_of,
    technical_examples,
    term_examples,
)


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


def test_a_term_spin_swaps_words_of_one_term_and_nothing_else() -> None:
    table = TableSource("table", {"image": ["photo"], "segmentation": ["fragmentation"], "method": ["technique"]})
    spinner = Spinner([(table, 1.0)], slip_rate=0.0)
    sent = "We apply Otsu's image segmentation method to 12 scans."
    spun = [spinner.spin_term(sent, random.Random(seed), swap_prob=1.0) for seed in range(20)]
    assert all(s is not None for s in spun)
    for s in spun:
        assert "Otsu's" in s.spun and "12 scans." in s.spun and s.spun.startswith("We apply ")
        marked = [t.text for t, lab in s.labels() if lab]
        # 2 or 3 adjacent words of the run "image segmentation method", all of them swapped.
        # (A swap may come back in another number: the spinner's known flaw, models/detector/README.md.)
        assert 2 <= len(marked) <= 3 and {w.removesuffix("s") for w in marked} <= {"photo", "fragmentation", "technique"}
        assert " ".join(marked) in s.spun


def test_a_sentence_without_a_run_of_content_words_has_no_term_to_spin() -> None:
    spinner = Spinner([(TableSource("table", {"image": ["photo"]}), 1.0)])
    assert spinner.spin_term("It is what it is.", random.Random(0)) is None
    assert spinner.spin_term("The image is in A4.", random.Random(0)) is None  # a lone word


def test_term_examples_keep_the_clean_sentence_and_label_the_swaps() -> None:
    spinner = Spinner([(TableSource("table", {"random": ["irregular"], "forest": ["woodland"]}), 1.0)], slip_rate=0.0)
    sent = "Fit a random forest to the data."
    recs = term_examples([sent] * 40, spinner, random.Random(0), share=0.5)
    assert 5 < len(recs) < 35  # about half, each with a swap
    for r in recs:
        assert r["clean"] == sent and r["spun"]
        marked = [t.text for t, lab in zip(tokenize(r["text"]), r["labels"]) if lab]
        assert marked and {w.removesuffix("s") for w in marked} <= {"irregular", "woodland"}


def test_the_science_mix_keeps_every_science_sentence_samples_news_and_copies_dev(tmp_path, monkeypatch) -> None:
    import json

    import spinfix.train.technical as technical
    from spinfix.train.data import build_science_mix

    src = tmp_path / "tech"
    src.mkdir()
    clean_tech = "Fit a random forest to the data."
    records = [{"article": f"wh-written:{i}", "text": f"News sentence {i}.", "labels": [0, 0, 0, 0], "spun": False,
                "clean": f"News sentence {i}.", "rate": 0.0, "edits": []} for i in range(30)]
    records.append({"article": "tortured", "text": "x", "labels": [1], "spun": True, "clean": "y", "rate": 0.0, "edits": []})
    records.append({"article": "technical", "text": clean_tech, "labels": [0] * 8, "spun": False, "clean": clean_tech,
                    "rate": 0.0, "edits": []})
    (src / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (src / "dev.jsonl").write_text('{"dev": 1}\n')
    monkeypatch.setattr(technical, "docstring_sentences", lambda packages: ["Sort the index of a data frame."])
    monkeypatch.setattr(technical, "package_versions", lambda packages: {p: "test" for p in packages})
    spinner = Spinner([(TableSource("table", {"random": ["irregular"], "forest": ["woodland"]}), 1.0)], slip_rate=0.0)
    out = tmp_path / "sci"
    counts = build_science_mix(src, out, [], spinner, news=10)
    mixed = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert sum(r["article"].startswith("wh-written") for r in mixed) == 10 == counts["train"]["news"]
    assert sum(r["article"] == "tortured" for r in mixed) == 1
    assert sum(r["clean"] == "Sort the index of a data frame." for r in mixed) == counts["train"]["new_technical"] >= 1
    assert len(mixed) == sum(counts["train"].values())
    assert (out / "dev.jsonl").read_text() == '{"dev": 1}\n'


def test_the_science_mix_reads_the_packages_it_is_given(tmp_path, monkeypatch) -> None:
    import json

    import spinfix.train.technical as technical
    from spinfix.train.data import build_science_mix

    src = tmp_path / "tech"
    src.mkdir()
    news = [{"article": f"sotu:{i}", "text": f"News {i}.", "labels": [0, 0], "spun": False, "clean": f"News {i}.",
             "rate": 0.0, "edits": []} for i in range(3)]
    (src / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in news))
    (src / "dev.jsonl").write_text("")
    asked: list[tuple[str, ...]] = []
    monkeypatch.setattr(technical, "docstring_sentences", lambda packages: asked.append(tuple(packages)) or [])
    monkeypatch.setattr(technical, "package_versions", lambda packages: {p: "test" for p in packages})
    spinner = Spinner([(TableSource("table", {"news": ["tidings"]}), 1.0)], slip_rate=0.0)
    counts = build_science_mix(src, tmp_path / "a", [], spinner, news=1)
    assert asked == [technical.EXTRA_PACKAGES] and set(counts["package_versions"]) == set(technical.EXTRA_PACKAGES)
    counts = build_science_mix(src, tmp_path / "b", [], spinner, news=1, packages=("statsmodels", "Bio"))
    assert asked[-1] == ("statsmodels", "Bio") and set(counts["package_versions"]) == {"statsmodels", "Bio"}


def test_science_packages_are_looked_up_by_their_distribution_names(monkeypatch) -> None:
    import importlib.metadata

    seen: list[str] = []
    monkeypatch.setattr(importlib.metadata, "version", lambda dist: seen.append(dist) or "1.0")
    assert package_versions(("Bio", "skimage", "statsmodels")) == {"Bio": "1.0", "skimage": "1.0", "statsmodels": "1.0"}
    assert seen == ["biopython", "scikit-image", "statsmodels"]
