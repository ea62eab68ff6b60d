"""`--format html` for detect, restore and compare, and `spinfix report` over a batch job's folder:
one self-contained page, written whole, as UTF-8 whatever stdout's encoding."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from htmldom import is_tip, parse
from test_cli_restore import SPUN, FakeSpinfix
from test_render_html import comparison, spun_report
from typer.testing import CliRunner

from spinfix import cli
from spinfix.batch.shards import Record, ShardStore
from spinfix.cli import options
from spinfix.report import Report, SentenceReport

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


def _job(tmp_path: Path, tiny_models: Path, fmt: str) -> tuple[Path, int]:
    """A small batch job's folder (a bad line among its documents), and the job's exit code."""
    inp = tmp_path / "in.jsonl"
    docs = [{"id": f"doc-{i}", "text": t} for i, t in enumerate([
        "The navy help came for the reason that it rained. Officials mentioned it.",
        "Prices rose in March. Analysts had expected less.",
    ])]
    inp.write_text("\n".join(json.dumps(d) for d in docs) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / f"job-{fmt}"
    result = runner.invoke(cli.app, ["batch", str(inp), "--out", str(out), "--models", str(tiny_models), "-q", "--format", fmt])
    assert result.exit_code in (0, 1), result.output
    return out, result.exit_code


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_report_turns_a_batch_folder_into_one_page(tmp_path: Path, tiny_models: Path, fmt: str) -> None:
    job, code = _job(tmp_path, tiny_models, fmt)
    out = tmp_path / "report.html"
    result = runner.invoke(cli.app, ["report", str(job), "-o", str(out)])
    assert result.exit_code == code, result.output  # as the job's: 1 when a document was found spun
    page = parse(out.read_text(encoding="utf-8"))
    rows = next(e for e in page.iter() if e.tag == "tbody").select("tr")
    assert sorted(r.select("td")[1].text() for r in rows) == ["3", "doc-0", "doc-1"]
    assert "not checked" in rows[-1].text()  # the bad line: last, with its error
    for a in [r.select("a")[0] for r in rows[:2]]:
        assert page.by_id(a.attrs["href"][1:]).tag == "section"
    assert "detect" in page.select("dl", "facts")[0].text()  # the manifest's task


def test_report_sorts_as_asked_and_writes_to_stdout(tmp_path: Path, tiny_models: Path) -> None:
    job, code = _job(tmp_path, tiny_models, "jsonl")
    result = runner.invoke(cli.app, ["report", str(job), "--sort", "input"])
    assert result.exit_code == code, result.output
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


def _made_job(tmp_path: Path, shards: list[list[Record]], fmt: str = "jsonl") -> Path:
    """A job's folder written by hand (no manifest, as a job whose manifest was lost): the
    records of each shard, every shard committed."""
    store = ShardStore(tmp_path / "job", fmt)
    store.out.mkdir(parents=True)
    store.ledger.touch()
    for n, records in enumerate(shards):
        store.commit(store.write(n, records))
    return store.out


def _rec(index: int, report: Report | None) -> Record:
    if report is None:
        return Record(f"doc-{index}", index, None, "empty", False)
    return Record(f"doc-{index}", index, json.dumps(report.to_dict()), None, report.is_spun)


def test_report_exits_as_the_other_commands_and_keeps_to_max_pages(tmp_path: Path) -> None:
    clean = Report("Fine.", [SentenceReport("Fine.", 0, 5, 0.2, False)], 0.835)
    spun = spun_report()
    job = _made_job(tmp_path, [[_rec(0, clean), _rec(1, None)], [_rec(2, spun), _rec(3, clean)]])
    out = tmp_path / "report.html"
    result = runner.invoke(cli.app, ["report", str(job), "-o", str(out), "--max-pages", "1"])
    assert result.exit_code == 1, result.output  # a document found spun
    page = parse(out.read_text(encoding="utf-8"))
    sections = page.select("section", "doc")
    assert len(sections) == 1 and sections[0].by_id(sections[0].attrs["id"] + "-title").text() == "doc-2"
    assert len(next(e for e in page.iter() if e.tag == "tbody").select("tr")) == 4
    clean_job = _made_job(tmp_path / "clean", [[_rec(0, clean), _rec(1, None)]], fmt="parquet")
    assert runner.invoke(cli.app, ["report", str(clean_job), "-o", str(out)]).exit_code == 0


def test_report_of_a_job_with_no_record_yet_and_of_a_damaged_shard(tmp_path: Path) -> None:
    empty = _made_job(tmp_path / "empty", [])
    result = runner.invoke(cli.app, ["report", str(empty)])
    assert result.exit_code == 0, result.output
    assert "0 documents" in parse(result.stdout_bytes.decode("utf-8")).text()
    clean = Report("Fine.", [SentenceReport("Fine.", 0, 5, 0.2, False)], 0.835)
    damaged = _made_job(tmp_path / "damaged", [[_rec(0, clean)]])
    ShardStore(damaged, "jsonl").path(0).write_text("{cut short", encoding="utf-8")
    result = runner.invoke(cli.app, ["report", str(damaged)])
    assert result.exit_code == 2 and "cannot read the shards" in result.stderr, result.output
