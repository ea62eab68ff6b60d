"""`--format html` for detect, restore and compare, and `spinfix report` over a batch job's folder:
one self-contained page, written whole, as UTF-8 whatever stdout's encoding."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from htmldom import is_tip, parse
from test_cli_restore import SPUN, FakeSpinfix
from test_render_html import comparison
from typer.testing import CliRunner

from spinfix import cli
from spinfix.cli import options

runner = CliRunner()


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_detect_writes_one_page_for_all_its_files(tmp_path: Path, tiny_models: Path, sample_text: str) -> None:
    a = _file(tmp_path, "a.txt", sample_text)
    b = _file(tmp_path, "b <é>.txt", "The navy help came. Officials said so.")
    result = runner.invoke(cli.app, ["detect", str(a), str(b), "--format", "html", "--models", str(tiny_models), "-q"])
    assert result.exit_code in (0, 1), result.output
    html = result.stdout_bytes.decode("utf-8")
    assert html.startswith("<!doctype html>") and html.count("<html") == 1
    page = parse(html)
    # The browser normalises CRLF; the page holds the text as it is.
    assert page.by_id("t1-text").text(skip=is_tip) == sample_text
    assert page.by_id("t2-title").text() == str(b)
    assert "Detector" in page.text()


def test_restore_writes_the_page_with_the_restored_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(options, "load_models", lambda models, threshold, context=True, lm_reading=True: FakeSpinfix())
    path = _file(tmp_path, "spun.txt", SPUN)
    out = tmp_path / "report.html"
    result = runner.invoke(cli.app, ["restore", str(path), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    page = parse(out.read_bytes().decode("utf-8"))  # read_text would turn its CRLF into LF
    restored = next(e for e in page.iter() if "restored" in e.classes)
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "del") == SPUN.replace("navy", "military")
    assert [m.text() for m in page.select("mark") if "data-start" in m.attrs] == ["navy", "help", "navy"]


def test_compare_writes_the_page_with_the_pairs_and_the_reference_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cmp = comparison()

    class Fake:
        def compare(self, text, references, **kw):
            return cmp

    monkeypatch.setattr(options, "load_models", lambda models, threshold, context=True, lm_reading=True: Fake())
    s, r = _file(tmp_path, "suspect.txt", cmp.text), _file(tmp_path, "source.txt", cmp.references[0])
    result = runner.invoke(cli.app, ["compare", str(s), str(r), "--format", "html"])
    assert result.exit_code == 1, result.output
    page = parse(result.stdout_bytes.decode("utf-8"))
    assert page.by_id("p1") is not None and str(r) in page.find_all(lambda e: e.tag == "h1")[0].text()


# -- spinfix report -------------------------------------------------------------------------------


def _job(tmp_path: Path, tiny_models: Path, fmt: str) -> Path:
    inp = tmp_path / "in.jsonl"
    docs = [{"id": f"doc-{i}", "text": t} for i, t in enumerate([
        "The navy help came for the reason that it rained. Officials mentioned it.",
        "Prices rose in March. Analysts had expected less.",
    ])]
    inp.write_text("\n".join(json.dumps(d) for d in docs) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / f"job-{fmt}"
    result = runner.invoke(cli.app, ["batch", str(inp), "--out", str(out), "--models", str(tiny_models), "-q", "--format", fmt])
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_report_turns_a_batch_folder_into_one_page(tmp_path: Path, tiny_models: Path, fmt: str) -> None:
    job = _job(tmp_path, tiny_models, fmt)
    out = tmp_path / "report.html"
    result = runner.invoke(cli.app, ["report", str(job), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = parse(out.read_text(encoding="utf-8"))
    rows = next(e for e in page.iter() if e.tag == "tbody").select("tr")
    assert sorted(r.select("td")[1].text() for r in rows) == ["3", "doc-0", "doc-1"]
    assert "not checked" in rows[-1].text()  # the bad line: last, with its error
    for a in [r.select("a")[0] for r in rows[:2]]:
        assert page.by_id(a.attrs["href"][1:]).tag == "section"
    assert "detect" in page.select("dl", "facts")[0].text()  # the manifest's task


def test_report_sorts_as_asked_and_writes_to_stdout(tmp_path: Path, tiny_models: Path) -> None:
    job = _job(tmp_path, tiny_models, "jsonl")
    result = runner.invoke(cli.app, ["report", str(job), "--sort", "input"])
    assert result.exit_code == 0, result.output
    page = parse(result.stdout_bytes.decode("utf-8"))
    rows = next(e for e in page.iter() if e.tag == "tbody").select("tr")
    assert [r.select("td")[1].text() for r in rows] == ["doc-0", "doc-1", "3"]
    assert "their order in the input" in page.text()


def test_report_refuses_a_folder_that_is_not_a_batch_job(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "holds no finished shard" in result.stderr
    result = runner.invoke(cli.app, ["report", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "is not a folder" in result.stderr


def test_help_lists_the_report_command_and_the_html_format() -> None:
    assert "report" in runner.invoke(cli.app, ["--help"]).stdout
    for command in ("detect", "restore", "compare"):
        assert "html" in runner.invoke(cli.app, [command, "--help"]).stdout
