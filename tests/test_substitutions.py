"""WordNet ships with spinfix: restoration must not depend on a Debian package being installed."""
from __future__ import annotations

from pathlib import Path

import pytest

from spinfix.lexicon.sources import (
    WORDNET_DIR,
    WORDNET_RESOURCE,
    WordNetSource,
    read_synsets,
)


def _fake_wordnet(root: Path) -> Path:
    root.mkdir()
    lines = {
        "noun": ["  1 licence header line", "00000001 03 n 02 war 0 warfare 0 000 | armed conflict",
                 "00000002 03 n 01 peace 0 000 | no war"],
        "verb": ["00000003 29 v 03 say 0 state 0 tell 0 000 | to express"],
        "adj": ["00000004 00 a 02 big(a) 0 large 0 000 | above average in size"],
        "adv": [],
    }
    for pos, rows in lines.items():
        (root / f"data.{pos}").write_text("".join(r + "\n" for r in rows), encoding="latin-1")
    return root


def test_the_shipped_synsets_load_without_debians_files() -> None:
    assert WORDNET_RESOURCE.exists()
    wn = WordNetSource.load(root=Path("/nonexistent"))
    assert wn is not None
    assert "warfare" in wn.candidates("war")
    assert "war" in wn.candidates("warfare")  # a synset's words are each other's synonyms


def test_the_resource_round_trips_and_is_written_the_same_every_time(tmp_path: Path) -> None:
    root = _fake_wordnet(tmp_path / "wn")
    a, b = tmp_path / "a.txt.gz", tmp_path / "b.txt.gz"
    assert WordNetSource.write_resource(root, a) == 3  # "peace" alone is nobody's synonym
    WordNetSource.write_resource(root, b)
    assert a.read_bytes() == b.read_bytes()
    shipped = WordNetSource.load(resource=a, root=Path("/nonexistent"))
    assert shipped.table == WordNetSource.from_synsets(read_synsets(root)).table
    assert shipped.candidates("big") == ["large"]  # the adjective marker is dropped
    assert shipped.candidates("say") == ["state", "tell"]


def test_without_resource_or_debian_files_it_says_so(tmp_path: Path, caplog) -> None:
    assert WordNetSource.load(resource=tmp_path / "missing.gz", root=tmp_path) is None
    assert "WordNet not found" in caplog.text


@pytest.mark.skipif(not (WORDNET_DIR / "data.noun").exists(), reason="Debian's wordnet-base is not installed")
def test_the_shipped_synsets_are_debians_wordnet() -> None:
    assert WordNetSource.load().table == WordNetSource.from_synsets(read_synsets()).table
