"""`spinfix compare`, and `spinfix restore --reference`: the tiny detector with a hand-set
derivation, the real encoder and lexicon."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_reference import REFERENCE, SPUN_COPY
from typer.testing import CliRunner

from spinfix import cli

runner = CliRunner()
UNRELATED = "The library opens a new reading room for children on Saturday. Volunteers painted the walls in two weeks."


@pytest.fixture(scope="module")
def models(tiny_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from spinfix.reference.derive import EVIDENCE

    root = tmp_path_factory.mktemp("cli_reference")
    shutil.copytree(tiny_models / "detector", root / "detector")
    (root / "reference").mkdir()
    weights = dict.fromkeys(EVIDENCE, 0.0) | {"copied_share": 12.0, "aligned_share": 6.0}
    (root / "reference" / "spinfix.json").write_text(json.dumps({"derivation": {"weights": weights, "bias": -12.0, "threshold": 0.5}}))
    return root


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_copy_is_called_derived_with_its_evidence(models: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["compare", _file(tmp_path, "s.txt", SPUN_COPY), _file(tmp_path, "r.txt", REFERENCE),
                                     "--models", str(models), "--no-color"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "derived from the reference" in out and "evidence:" in out and "not an accusation" in out
    assert "~mentioned~" in out and "~said~" in out  # a spinner's swap, marked on both sides


def test_json_holds_the_verdict_pairs_and_report(models: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["compare", "-f", "json", _file(tmp_path, "s.txt", SPUN_COPY), _file(tmp_path, "r.txt", REFERENCE),
                                     "--models", str(models)])
    d = json.loads(result.stdout)
    assert d["is_derived"] is True and 0.5 <= d["derived"] <= 1
    assert d["pairs"] and {"suspect_start", "reference", "similarity", "differences"} <= set(d["pairs"][0])
    assert d["report"]["restored_text"].startswith("Advertisement")


def test_an_unrelated_text_is_not_derived(models: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["compare", _file(tmp_path, "u.txt", UNRELATED), _file(tmp_path, "r.txt", REFERENCE),
                                     "--models", str(models), "--no-color", "--threshold", "0.999"])
    assert result.exit_code == 0, result.output
    assert "not derived from the reference" in result.stdout


def test_restore_takes_references(models: Path, tmp_path: Path) -> None:
    ref = _file(tmp_path, "r.txt", REFERENCE)
    result = runner.invoke(cli.app, ["restore", _file(tmp_path, "s.txt", SPUN_COPY), "--reference", ref, "--reference", ref,
                                     "--models", str(models)])
    assert result.exit_code == 1, result.output
    assert "Mayor Elena Ortiz said the work would begin in the spring" in result.stdout


def test_a_bad_reference_is_refused_before_the_models_load(tmp_path: Path) -> None:
    empty = _file(tmp_path, "empty.txt", "")
    result = runner.invoke(cli.app, ["compare", _file(tmp_path, "s.txt", SPUN_COPY), empty, "--models", str(tmp_path / "none")])
    assert result.exit_code == 2 and "is empty" in result.output
    twice = runner.invoke(cli.app, ["compare", "-", "-"])
    assert twice.exit_code == 2 and "only one input" in twice.output


def test_a_binary_or_undecodable_reference_is_refused(models: Path, tmp_path: Path) -> None:
    suspect = _file(tmp_path, "s.txt", SPUN_COPY)
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 owners said the bridge".encode("latin-1"))
    for bad in (binary, latin):
        result = runner.invoke(cli.app, ["compare", suspect, str(bad), "--models", str(models)])
        assert result.exit_code == 2, result.output
        assert str(bad.name) in result.output and "Traceback" not in result.output
