"""Find the source: an index on disk that finds the original of a spun copy among many articles."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from spinfix.errors import InputError
from spinfix.index import Index, IndexSettings, build
from spinfix.index.minhash import MinHasher, agreement, band_keys
from spinfix.index.shingles import immutable_shingles, word_shingles
from spinfix.index.store import META

# Written for these tests (no copyrighted text): short "articles", each with its own facts.
ARTICLES = {
    f"doc-{i}": (
        f"The city council of Springfield{i} voted {i + 3} to {i % 4} on Tuesday to approve a budget of "
        f"${i + 1}.{i % 9} million for the {2000 + i} fiscal year, Mayor Ann Lee{i} said.\n"
        f"The plan adds {i * 7 + 11} police officers and repairs {i + 20} bridges over the Miller{i} River, "
        f"according to a statement from the office of Governor Ray Stone{i}.\n"
        f"\"We have waited long enough for this,\" said council member Jo Park{i}, who voted for it."
    )
    for i in range(60)
}
SPUN_17 = (
    "The metropolis council of Springfield17 voted 20 to 1 on Tuesday to approve a finances of "
    "$18.8 million for the 2017 fiscal 12 months, Mayor Ann Lee17 stated.\n"
    "The plan provides 130 law enforcement officials and fixes 37 bridges over the Miller17 River, "
    "in keeping with a remark from the workplace of Governor Ray Stone17.\n"
    "\"We have waited long enough for this,\" mentioned council member Jo Park17, who voted for it."
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "articles.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in ARTICLES.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ix") / "index"
    summary = build(corpus, root, IndexSettings(embed=False, segment_size=25))
    assert summary.added == 60 and summary.errors == 0
    return root


def test_minhash_agreement_estimates_jaccard() -> None:
    hasher = MinHasher(num_perm=256)
    a = {f"s{i}" for i in range(100)}
    b = {f"s{i}" for i in range(50, 150)}  # Jaccard 50 / 150
    sig = np.stack([hasher.signature(a), hasher.signature(b)])
    assert agreement(sig[0], sig)[1] == pytest.approx(1 / 3, abs=0.08)
    assert agreement(hasher.signature(set()), sig).tolist() == [0.0, 0.0]


def test_band_keys_of_equal_signatures_are_equal_and_empty_ones_never_match() -> None:
    hasher = MinHasher(num_perm=8)
    sig = np.stack([hasher.signature({"a", "b"}), hasher.signature({"a", "b"}), hasher.signature(set())])
    keys = band_keys(sig, rows=2)
    assert keys.shape == (3, 4) and (keys[0] == keys[1]).all()
    assert (keys[2] == np.uint64(0xFFFFFFFFFFFFFFFF)).all()


def test_spinning_breaks_word_shingles_but_not_the_order_of_names_and_numbers() -> None:
    original = ARTICLES["doc-17"]

    def jaccard(a: set[str], b: set[str]) -> float:
        return len(a & b) / len(a | b)

    assert jaccard(immutable_shingles(SPUN_17), immutable_shingles(original)) > 0.6
    assert jaccard(word_shingles(SPUN_17), word_shingles(original)) < 0.35


def test_search_finds_the_source_of_a_spun_copy_first(index_dir: Path) -> None:
    ix = Index.open(index_dir)
    assert len(ix) == 60 and len(ix.segments) >= 2  # segments of 25 and more
    hits = ix.search(SPUN_17, k=3, signal="immutables")
    assert hits[0].id == "doc-17"
    assert ix.document(hits[0]) == ARTICLES["doc-17"]
    assert ix.search(SPUN_17, k=3)[0].id == "doc-17"  # combined


def test_an_unrelated_text_finds_nothing_by_its_immutables(index_dir: Path) -> None:
    hits = Index.open(index_dir).search("A quiet afternoon in the garden, with tea and no news at all.", signal="immutables")
    assert hits == []


def test_add_skips_ids_the_index_holds_and_indexes_new_ones(index_dir: Path, tmp_path: Path) -> None:
    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps({"id": "doc-3", "text": "again"}) + "\n" + json.dumps({"id": "new-1", "text": SPUN_17.replace("17", "99")}) + "\n"
        + json.dumps({"id": "empty", "text": ""}) + "\n",
        encoding="utf-8",
    )
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    summary = build(more, copy, add=True)
    assert (summary.added, summary.duplicates, summary.errors) == (1, 1, 1)
    ix = Index.open(copy)
    assert len(ix) == 61
    assert ix.search(SPUN_17.replace("17", "99"), k=1, signal="immutables")[0].id == "new-1"


def test_build_refuses_a_folder_that_holds_an_index(index_dir: Path, corpus: Path) -> None:
    with pytest.raises(InputError, match="already holds an index"):
        build(corpus, index_dir)


def test_open_refuses_a_folder_that_is_no_index(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a spinfix index"):
        Index.open(tmp_path)


def test_an_interrupted_segment_write_leaves_the_index_as_it_was(index_dir: Path, tmp_path: Path, monkeypatch) -> None:
    import shutil

    import spinfix.index.builder as build_mod

    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    before = (copy / META).read_text()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod, "write_segment", crash)
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "x", "text": "Some text about Springfield 1 and 2 and 3."}) + "\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(more, copy, add=True)
    assert (copy / META).read_text() == before
    assert len(Index.open(copy)) == 60
    assert not any(p.name.startswith("seg-") and p.name not in before for p in copy.iterdir())


def test_a_search_asks_for_a_signal_the_index_has(index_dir: Path) -> None:
    with pytest.raises(InputError, match="no signal 'embedding'"):
        Index.open(index_dir).search(SPUN_17, signal="embedding")


def test_an_index_opens_without_reading_its_documents(index_dir: Path) -> None:
    ix = Index.open(index_dir)
    assert all(isinstance(s.signatures["immutables"], np.memmap) for s in ix.segments)
    assert os.path.getsize(index_dir / ix.segments[0].path.name / "docs.jsonl") > 0


# -- the command line -------------------------------------------------------------------------

def _cli(*args: str):
    from typer.testing import CliRunner

    from spinfix import cli

    return CliRunner().invoke(cli.app, list(args))


def test_cli_builds_an_index_and_finds_the_source(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    built = _cli("index", "build", str(corpus), "--index", str(root), "--no-embed")
    assert built.exit_code == 0, built.output
    assert "indexed 60 document(s)" in built.output
    suspect = tmp_path / "suspect.txt"
    suspect.write_text(SPUN_17, encoding="utf-8")
    found = _cli("index", "search", str(suspect), "--index", str(root), "--top", "2", "--format", "json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["hits"][0]["id"] == "doc-17"
    again = _cli("index", "build", str(corpus), "--index", str(root), "--no-embed")
    assert again.exit_code == 2 and "already holds an index" in again.output


def test_cli_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    missing = _cli("index", "search", str(tmp_path / "nope.txt"), "--index", str(tmp_path))
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    (tmp_path / "s.txt").write_text("Some text.", encoding="utf-8")
    no_index = _cli("index", "search", str(tmp_path / "s.txt"), "--index", str(tmp_path))
    assert no_index.exit_code == 2 and "not a spinfix index" in no_index.output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _cli("index", "build", str(empty), "--index", str(tmp_path / "ix"), "--no-embed")
    assert nothing.exit_code == 2 and "Traceback" not in nothing.output


@pytest.mark.slow
def test_a_build_on_ray_writes_the_same_index_as_a_local_build(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from spinfix.batch.ray_engine import RaySettings
    from spinfix.index.ray_build import ray_features

    root = tmp_path / "ray-index"
    summary = build(corpus, root, IndexSettings(embed=False, segment_size=25), engine=ray_features(RaySettings(actors=2)))
    assert summary.added == 60
    local, remote = Index.open(index_dir), Index.open(root)
    assert [s.ids() for s in remote.segments] == [s.ids() for s in local.segments]
    for a, b in zip(local.segments, remote.segments):
        for fam in ("immutables", "words"):
            assert np.array_equal(a.signatures[fam], b.signatures[fam])
            assert np.array_equal(a.lsh[fam][0], b.lsh[fam][0])
    assert remote.search(SPUN_17, k=1)[0].id == "doc-17"


def test_a_build_reports_its_progress_in_documents(corpus: Path, tmp_path: Path) -> None:
    from spinfix.batch.progress import JobProgress

    progress = JobProgress(enabled=False)
    build(corpus, tmp_path / "ix", IndexSettings(embed=False, segment_size=25), progress=progress)
    assert (progress.total, progress.done) == (60, 60)


def test_verify_calls_the_source_of_a_spun_copy_derived_and_its_look_alikes_not(index_dir: Path, tiny_models: Path, tmp_path: Path) -> None:
    """The released reference check (its fitted derivation and search threshold) on hits that
    share a template: the source is confirmed, the articles with other names and numbers not."""
    import shutil

    import spinfix
    from spinfix.paths import default_models_dir

    root = tmp_path / "models"
    shutil.copytree(tiny_models / "detector", root / "detector")
    shutil.copytree(default_models_dir() / "reference", root / "reference")
    sf = spinfix.Spinfix.load(root, device="cpu")
    ix = Index.open(index_dir)
    # Look-alikes first (the template's other articles), the source third.
    look_alikes = [ix.search(ARTICLES[f"doc-{i}"], k=1, signal="immutables")[0] for i in (18, 41, 5, 6)]
    for h in look_alikes:
        h.signals.clear()  # their similarity to the suspect, not to themselves, is computed by verify
    source = ix.search(SPUN_17, k=1)[0]
    hits = ix.verify(SPUN_17, [*look_alikes[:2], source, *look_alikes[2:]], sf, n=3)
    assert hits[0].id == "doc-17" and hits[0].is_derived
    assert hits[0].derived is not None and hits[0].derived >= sf.reference_checker().settings.search.threshold
    assert [h.is_derived for h in hits[1:3]] == [False, False]
    assert [h.derived for h in hits[3:]] == [None, None]  # only the best n are checked
