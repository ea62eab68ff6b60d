"""The real dev set's plumbing and the spinner's real mode, on stories written for these tests
(the real pages stay outside the repository)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from spinfix.errors import InputError
from spinfix.eval.real_spun import load_stories, sentence_records, story_split
from spinfix.lexicon.sources import MobySource, TableSource
from spinfix.train.real_mining import spintax_debris, story_substitutions
from spinfix.train.real_spinner import MinedSwap, RealSpinner, RealSpinnerSettings, read_mined
from spinfix.train.realism import producible, realism

ORIGINAL = [
    "Police said the shooting took place around 1 a.m. near the Main Street Police Department.",
    "“We will find who did this,” the chief said. Anyone with information is urged to call police.",
]
SPUN = [
    "Police stated the taking pictures came about round 1 a.m. close to the Main Street Police Division.",
    "“We will find who did this,” the chief mentioned. Anybody with data is urged to name {the} police.",
]


def write_story(root: Path, story_id: str, spun: list[str], original: list[str], url: str, quality: str = "exact") -> None:
    d = root / story_id
    d.mkdir(parents=True)
    (d / "spun.txt").write_text("\n".join(spun) + "\n", encoding="utf-8")
    (d / "original.txt").write_text("\n".join(original) + "\n", encoding="utf-8")
    meta = {"story_id": story_id, "topic": "crime", "spun_url": f"https://farm.example/{story_id}", "original_url": url, "quality": quality}
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    write_story(tmp_path, "shooting_a", SPUN, ORIGINAL, "https://wire.example/shooting")
    # Another spinner's copy of the same original: it must fall on the same side of the split.
    write_story(tmp_path, "shooting_b", [SPUN[0]], [ORIGINAL[0]], "https://wire.example/shooting", "partial")
    return tmp_path


def test_stories_load_and_two_copies_of_one_original_share_a_split(stories: Path) -> None:
    got = load_stories(stories)
    assert [s.story_id for s in got] == ["shooting_a", "shooting_b"]
    assert got[0].split == got[1].split == story_split("https://wire.example/shooting")
    assert load_stories(stories, got[0].split) == got
    assert "text" not in json.dumps(got[0].facts())  # facts only: no page text is written out
    assert got[0].facts()["spun_words"] == sum(len(p.split()) for p in SPUN)


def test_a_story_whose_paragraphs_do_not_align_is_refused(tmp_path: Path) -> None:
    write_story(tmp_path, "bad", SPUN, ORIGINAL[:1], "https://wire.example/x")
    with pytest.raises(InputError, match="align line by line"):
        load_stories(tmp_path)


def test_a_missing_cache_says_where_to_point() -> None:
    with pytest.raises(InputError, match="SPINFIX_REAL_SPUN"):
        load_stories(Path("/nonexistent/real_spun"))


def test_mined_substitutions_are_the_spinners_swaps(stories: Path) -> None:
    story = load_stories(stories)[0]
    pairs = {(s.original.lower(), s.spun.lower()) for s in story_substitutions(story)}
    assert {("said", "stated"), ("department", "division"), ("information", "data"), ("near", "close to")} <= pairs
    # Adjacent swaps come out as one substitution (no anchor word separates them), up to four
    # words a side: "shooting took place around" is one, and longer runs are left out.
    assert not any(len(o.split()) > 4 or len(sp.split()) > 4 for o, sp in pairs)
    assert ("call", "name {the}") in pairs
    assert spintax_debris(story) == ["{the}"]
    names = [s for s in story_substitutions(story) if s.in_name]
    assert [s.original for s in names] == ["Department"]


def test_sentence_records_give_each_spun_sentence_its_original(stories: Path) -> None:
    story = load_stories(stories)[0]
    article, original, records = sentence_records(story)
    assert article.splitlines() == SPUN and original.splitlines() == ORIGINAL
    assert [r["spun"] for r in records] == [True, True, True]  # the quoted sentence: "mentioned"
    assert records[0]["clean"] == ORIGINAL[0]
    for r in records:
        assert article[r["start"] : r["end"]] == r["text"]
        for s, e, _orig, spun, _src in r["edits"]:
            assert r["text"][s:e] == spun


def test_typographic_differences_are_not_spinning(tmp_path: Path) -> None:
    write_story(tmp_path, "quotes", ["It’s over, we’re told."], ["It's over, we're told."], "https://wire.example/q")
    _, _, records = sentence_records(load_stories(tmp_path)[0])
    assert [r["spun"] for r in records] == [False]


@pytest.fixture(scope="module")
def real(lexicon) -> RealSpinner:
    mined = [MinedSwap("shooting", "taking pictures", 10, False), MinedSwap("said", "stated", 13, False)]
    return RealSpinner([(MobySource(lexicon), 0.5), (TableSource("t", {"car": ["automobile"]}), 0.5)], mined)


def test_the_real_mode_swaps_set_phrases_function_words_and_mined_swaps(real: RealSpinner) -> None:
    rng = random.Random(0)
    outs = {real.spin("The shooting took place before noon, police said.", 1.0, rng).spun for _ in range(40)}
    joined = " ".join(outs)
    assert "taking pictures" in joined and "stated" in joined
    assert "came about" in joined or "happened" in joined
    assert "earlier than" in joined or "prior to" in joined


def test_the_real_mode_spins_inside_names_but_never_quotes_or_numbers(real: RealSpinner) -> None:
    rng = random.Random(1)
    s = "“The police said 12 people were hurt,” according to the City Police Department."
    spins = [real.spin(s, 1.0, rng) for _ in range(60)]
    assert any("Division" in x.spun or "Metropolis" in x.spun or "Town" in x.spun for x in spins)
    for x in spins:
        assert x.spun.startswith("“The police said 12 people were hurt,”")
        for e in x.edits:
            assert x.clean[e.orig_start : e.orig_end] == e.original
            assert x.spun[e.start : e.end] == e.replacement


def test_debris_is_left_when_asked(lexicon) -> None:
    spinner = RealSpinner([(MobySource(lexicon), 1.0)], settings=RealSpinnerSettings(debris_rate=1.0))
    out = spinner.spin("Police said the car was found near the river.", 1.0, random.Random(2))
    assert "{" in out.spun or "(*" in out.spun


def test_the_same_seed_spins_the_same(real: RealSpinner) -> None:
    s = "Officials said the storm damaged more than 100 homes overnight."
    assert real.spin(s, 0.5, random.Random(7)).spun == real.spin(s, 0.5, random.Random(7)).spun


def test_realism_counts_what_the_spinner_can_produce(real: RealSpinner, stories: Path) -> None:
    assert producible(real, "said", "stated")
    assert producible(real, "took place around", "came about round")  # a phrase, piece by piece
    assert not producible(real, "said", "giraffe")
    subs = story_substitutions(load_stories(stories)[0])
    r = realism(real, subs, samples=5)
    assert 0 < r.producible <= r.substitutions == sum(s.is_swap for s in subs)
    assert 0.0 <= r.mean_probability <= 1.0


def test_mined_table_reads_the_fit_part_only(tmp_path: Path) -> None:
    tsv = tmp_path / "subs.tsv"
    tsv.write_text(
        "original\tspun\tcount\tsplit\tin_name\tkind\tstories\n"
        "said\tstated\t13\tfit\t0\trewording\ta\n"
        "we're\twe’re\t2\tfit\t0\trewording\ta\n"
        "\thad\t5\tfit\t0\tinsertion\ta\n"
        "dead\tlifeless\t2\tmeasure\t0\trewording\tb\n",
        encoding="utf-8",
    )
    assert read_mined(tsv) == [MinedSwap("said", "stated", 13, False)]
