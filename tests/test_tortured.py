from spinfix.eval.tortured_pairs import (
    TorturedPair,
    clean_correct,
    load_pairs,
    swap_table,
    word_swaps,
)


def test_abbreviations_and_unsure_marks_are_stripped():
    assert clean_correct("region of interest (roi)") == ("region of interest", False)
    assert clean_correct("rythm pattern (?)") == ("rythm pattern", True)


def test_split_is_stable_and_roughly_half(tmp_path):
    f = tmp_path / "t.tsv"
    rows = [f"tortured {i}\tcorrect {i}" for i in range(400)]
    f.write_text("tortured\tcorrect\n" + "\n".join(rows) + "\n")
    pairs = load_pairs(f)
    share = sum(p.split == "heldout" for p in pairs) / len(pairs)
    assert 0.4 < share < 0.6
    assert [p.split for p in pairs] == [p.split for p in load_pairs(f)]


def test_word_swaps_come_from_equal_length_pairs():
    pairs = [TorturedPair("profound learning", "deep learning"), TorturedPair("counterfeit consciousness", "artificial intelligence"),
             TorturedPair("huge information", "big data"), TorturedPair("a b c", "x y")]
    swaps = word_swaps(pairs)
    assert ("deep", "profound") in swaps and ("artificial", "counterfeit") in swaps
    assert swap_table(pairs)["big"] == ["huge"]


def test_swaps_round_trip_through_the_resource_file(tmp_path):
    from spinfix.eval.tortured_pairs import write_swaps
    from spinfix.lexicon.tortured import load_swaps

    pairs = [TorturedPair("profound learning", "deep learning"), TorturedPair("huge information", "big data"),
             TorturedPair("profound neural organization", "deep neural network")]
    path = tmp_path / "swaps.tsv"
    write_swaps(pairs, path)
    table = load_swaps(path)
    assert table["profound"] == ["deep"]  # seen twice, written once
    assert table["huge information"] == ["big data"]  # whole phrases too
    assert load_swaps(tmp_path / "absent.tsv") == {}
    # The same pairs again (every data build writes them): an installed copy is left untouched.
    import os

    os.utime(path, ns=(10**18, 10**18))
    write_swaps(pairs, path)
    assert path.stat().st_mtime_ns == 10**18
    write_swaps(pairs[:1], path)  # other pairs do rewrite it
    assert path.stat().st_mtime_ns != 10**18


def test_learned_table_is_what_the_resource_file_reads_back(tmp_path):
    from spinfix.eval.tortured_pairs import learned_table, write_swaps
    from spinfix.lexicon.tortured import load_swaps

    pairs = [TorturedPair("profound learning", "deep learning"), TorturedPair("huge information", "big data"),
             TorturedPair("profound neural organization", "deep neural network"), TorturedPair("enormous information", "big data")]
    write_swaps(pairs, tmp_path / "swaps.tsv")
    assert learned_table(pairs) == load_swaps(tmp_path / "swaps.tsv")
    assert learned_table(pairs[:1]) == {"profound": ["deep"], "profound learning": ["deep learning"]}


def test_packaged_swaps_hold_no_held_out_phrase():
    """The held-out share measures phrases spinfix never saw: none of them may be packaged."""
    import pytest

    from spinfix.lexicon.tortured import load_swaps
    from spinfix.paths import shared_data_dir

    if not (shared_data_dir() / "tortured_phrases_dev.tsv").exists():
        pytest.skip("shared data not here")
    table = load_swaps()
    leaked = [p for p in load_pairs() if p.split == "heldout" and p.correct in table.get(p.tortured, [])
              and " " in p.tortured]
    assert leaked == []


def test_evaluation_places_the_tortured_phrase_without_the_abbreviation_the_correct_one_lost():
    """"synthetic intelligence (ai)" against "artificial intelligence": the "(ai)" would make
    exact restoration impossible, so both sides go without it."""
    from spinfix.eval.restoration import phrase_edits
    from spinfix.eval.tortured import placed

    pair = TorturedPair("synthetic intelligence (ai)", "artificial intelligence")
    assert pair.tortured_bare == "synthetic intelligence"
    (spun,), (clean,), ((s, e),) = placed([pair])
    assert spun[s:e] == "synthetic intelligence" and "(ai)" not in spun
    assert phrase_edits(pair, (s, e)) == [[s, s + len("synthetic"), "artificial"]]
    # A swap inside the parentheses only: stripping would leave the correct phrase, so it stays.
    assert TorturedPair("polyethylene glycol (stake)", "polyethylene glycol").tortured_bare == "polyethylene glycol (stake)"
    assert TorturedPair("profound learning", "deep learning").tortured_bare == "profound learning"


def test_plain_carriers_place_the_phrase_where_it_says_and_capitalise_an_opening_phrase():
    from spinfix.eval.tortured import PLAIN_CARRIERS, TEMPLATES, placed

    pairs = [TorturedPair(f"profound learning {n}", f"deep learning {n}") for n in range(40)]
    spun, clean, where = placed(pairs, PLAIN_CARRIERS)
    assert {s for s in spun} & {t.format(p.tortured_bare) for t in TEMPLATES for p in pairs} == set()
    for p, text, (s, e), c in zip(pairs, spun, where, clean):
        assert text[s:e].lower() == p.tortured_bare
        assert text[:1].isupper() and c[:1].isupper()
    assert any(s == 0 for s, _ in where) and any(s > 0 for s, _ in where)
