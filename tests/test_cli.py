"""The `spinfix` command line, with the tiny random model.

Most tests go through typer's CliRunner (in process, fast); a few run the real entry point, in
process via cli.run() and once as a subprocess, to pin down the exit codes a shell sees. The
tiny model's probabilities are random, so thresholds are chosen from what it actually outputs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spinfix
from spinfix import cli, render
from spinfix.cli import options
from spinfix.io import inputs
from spinfix.io import progress as progress_mod
from spinfix.io.inputs import STDIN_NAME
from spinfix.io.progress import Progress
from spinfix.report import Report, SentenceReport, Span

runner = CliRunner()

REPORT_FIELDS = {"schema", "source", "model", "threshold", "is_spun", "n_sentences", "n_spun_sentences", "sentences"}
SENTENCE_FIELDS = {"text", "start", "end", "paragraph", "probability", "is_spun", "spans"}
SPAN_FIELDS = {"start", "end", "text", "probability"}


def invoke(models: Path | None, *args: str, input: str | bytes | None = None):
    """Run `spinfix detect ...` in process (models first, so every test uses the tiny model)."""
    argv = ["detect", *(["--models", str(models)] if models is not None else []), *args]
    return runner.invoke(cli.app, argv, input=input)


@pytest.fixture
def good(tmp_path: Path, sample_text: str) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(sample_text, encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def max_probability(sf: spinfix.Spinfix, sample_text: str) -> float:
    """The highest sentence probability the tiny model gives the sample text."""
    return max(s.probability for s in sf.detect(sample_text).sentences)


# -- help and version ----------------------------------------------------------------------------


def test_help_describes_spinfix_and_lists_detect() -> None:
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    assert "detect" in result.stdout
    assert "spinner" in result.stdout and "Exit codes" in result.stdout


def test_detect_help_documents_exit_codes() -> None:
    result = runner.invoke(cli.app, ["detect", "--help"])
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())  # rich wraps lines to the terminal width
    for needle in ("--format", "--threshold", "--models", "--max-bytes", "--quiet", "0 = no spun", "1 = spun", "2 = error"):
        assert needle in out
    assert "Exit codes" in (cli.__doc__ or "")


def test_version() -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"spinfix {spinfix.__version__}"


# -- output formats ------------------------------------------------------------------------------


def test_json_output_has_the_schema(tiny_models: Path, good: Path, sample_text: str) -> None:
    result = invoke(tiny_models, "--format", "json", str(good))
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    assert set(doc) >= REPORT_FIELDS
    assert doc["source"] == str(good)
    assert doc["n_sentences"] == len(doc["sentences"]) > 0
    for s in doc["sentences"]:
        assert set(s) >= SENTENCE_FIELDS
        assert sample_text[s["start"] : s["end"]] == s["text"]
        for sp in s["spans"]:
            assert set(sp) >= SPAN_FIELDS
            assert sample_text[sp["start"] : sp["end"]] == sp["text"]
    assert result.exit_code == (1 if doc["is_spun"] else 0)


def test_json_output_is_stable(tiny_models: Path, good: Path) -> None:
    first = invoke(tiny_models, "-f", "json", "--threshold", "0.01", str(good))
    second = invoke(tiny_models, "-f", "json", "--threshold", "0.01", str(good))
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["threshold"] == 0.01


def test_json_with_several_files_is_an_array_in_input_order(tiny_models: Path, tmp_path: Path, sample_text: str) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"f{i}.txt"
        p.write_text(f"File number {i} has one sentence. " + sample_text)
        paths.append(str(p))
    result = invoke(tiny_models, "--format", "json", *paths)
    docs = json.loads(result.stdout)
    assert isinstance(docs, list)
    assert [d["source"] for d in docs] == paths


def test_jsonl_gives_one_line_per_file(tiny_models: Path, good: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("A different text. It has two sentences.")
    result = invoke(tiny_models, "--format", "jsonl", str(good), str(other), str(good))
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    docs = [json.loads(line) for line in lines]
    assert [d["source"] for d in docs] == [str(good), str(other), str(good)]
    assert docs[1]["n_sentences"] == 2


def test_stdin_dash(tiny_models: Path, sample_text: str) -> None:
    result = invoke(tiny_models, "-f", "jsonl", "-", input=sample_text.encode())
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["source"] == STDIN_NAME
    assert doc["n_sentences"] > 0


def test_text_output_marks_spans_without_color(tiny_models: Path, good: Path) -> None:
    result = invoke(tiny_models, "--threshold", "0.000001", "--no-color", str(good))
    assert result.exit_code == 1
    out = result.stdout
    assert out.splitlines()[0].startswith(f"{good}: ")
    assert "flagged as spun" in out and "threshold 1e-06" in out
    assert render.SPAN_OPEN in out and render.SPAN_CLOSE in out
    assert "\x1b[" not in out


def test_text_output_with_color_uses_ansi(tiny_models: Path, good: Path) -> None:
    result = invoke(tiny_models, "--threshold", "0.000001", "--color", str(good))
    assert "\x1b[1;31m" in result.stdout
    assert render.SPAN_OPEN not in result.stdout


def test_text_output_when_nothing_is_flagged(tiny_models: Path, good: Path, max_probability: float) -> None:
    threshold = (max_probability + 1) / 2
    result = invoke(tiny_models, "--threshold", repr(threshold), "--no-color", str(good))
    assert result.exit_code == 0
    assert "0 of" in result.stdout and "no spun text found" in result.stdout


# -- exit codes ----------------------------------------------------------------------------------


def test_exit_0_when_nothing_is_spun(tiny_models: Path, good: Path, max_probability: float) -> None:
    # 0.999999 when the tiny model stays below it (it does for the seeded weights), else halfway
    # between its highest probability and 1.
    threshold = 0.999999 if max_probability < 0.999999 else (max_probability + 1) / 2
    result = invoke(tiny_models, "-f", "json", "--threshold", repr(threshold), str(good))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["is_spun"] is False


def test_exit_1_when_spun_text_is_found(tiny_models: Path, good: Path) -> None:
    result = invoke(tiny_models, "-f", "json", "--threshold", "0.000001", str(good))
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["is_spun"] is True and doc["n_spun_sentences"] == doc["n_sentences"]


def _bad_input(tmp_path: Path, kind: str) -> tuple[list[str], str]:
    """Extra arguments and the expected stderr fragment for one way an input can be bad."""
    p = tmp_path / f"{kind}.txt"
    if kind == "missing":
        return [str(p)], "no such file"
    if kind == "empty":
        p.write_bytes(b"")
        return [str(p)], "is empty"
    if kind == "binary":
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
        return [str(p)], "not a text file"
    if kind == "latin1":
        p.write_bytes("Café au lait, s'il vous plaît.".encode("latin-1"))
        return [str(p)], "not valid UTF-8"
    if kind == "too_large":
        p.write_text("A sentence that is longer than the limit.")
        return ["--max-bytes", "10", str(p)], "over the limit"
    if kind == "directory":
        return [str(tmp_path)], "is a directory"
    raise AssertionError(kind)


BAD_INPUTS = ["missing", "empty", "binary", "latin1", "too_large", "directory"]


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_exits_2_with_a_clear_message(tiny_models: Path, tmp_path: Path, kind: str) -> None:
    args, message = _bad_input(tmp_path, kind)
    result = invoke(tiny_models, *args)
    assert result.exit_code == 2
    assert "spinfix: error:" in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line per file
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_missing_models_exit_2(tmp_path: Path, good: Path) -> None:
    result = invoke(tmp_path / "no-models", str(good))
    assert result.exit_code == 2
    assert "spinfix: error:" in result.stderr and "no spinfix models" in result.stderr
    assert "Traceback" not in result.output


def test_corrupt_models_exit_2(tmp_path: Path, good: Path) -> None:
    det = tmp_path / "broken" / "detector"
    det.mkdir(parents=True)
    (det / "config.json").write_text("{not json")
    result = invoke(tmp_path / "broken", str(good))
    assert result.exit_code == 2
    assert "spinfix: error:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "1.5"], "between 0 and 1"),
        (["--threshold", "0"], "between 0 and 1"),
        (["--threshold", "nan"], "between 0 and 1"),
        (["--threshold", "abc"], "threshold"),
        (["--format", "xml"], "format"),
        (["--max-bytes", "lots"], "not a size"),
    ],
)
def test_bad_option_values_exit_2(tiny_models: Path, good: Path, args: list[str], message: str) -> None:
    result = invoke(tiny_models, *args, str(good))
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_max_bytes_accepts_units(tiny_models: Path, good: Path) -> None:
    assert options.parse_size("512") == 512
    assert options.parse_size("2K") == 2048
    assert options.parse_size("1.5MiB") == 1536 * 1024
    result = invoke(tiny_models, "--max-bytes", "1M", "-f", "jsonl", str(good))
    assert result.exit_code in (0, 1)


def test_good_file_still_reported_beside_a_bad_one(tiny_models: Path, good: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = invoke(tiny_models, "-f", "json", str(missing), str(good))
    assert result.exit_code == 2
    docs = json.loads(result.stdout)
    assert [d["source"] for d in docs] == [str(good)]
    assert f"spinfix: error: {missing}: no such file" in result.stderr
    assert "Traceback" not in result.output


def test_every_file_bad_still_gives_valid_json(tiny_models: Path, tmp_path: Path) -> None:
    result = invoke(tiny_models, "-f", "json", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.exit_code == 2
    assert json.loads(result.stdout) == []
    assert result.stderr.count("spinfix: error:") == 2


def test_many_files_are_batched_in_order(tiny_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "BATCH_FILES", 2)
    paths = []
    for i in range(5):
        p = tmp_path / f"n{i}.txt"
        p.write_text(f"Article {i} says hello. " * (i + 1))
        paths.append(str(p))
    paths.insert(3, str(tmp_path / "gone.txt"))
    calls: list[int] = []
    original = spinfix.Spinfix.stream_detect

    def spy(self, texts, *args, **kwargs):
        calls.append(len(texts))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(spinfix.Spinfix, "stream_detect", spy)
    result = invoke(tiny_models, "-f", "jsonl", *paths)
    assert result.exit_code == 2
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [p for p in paths if "gone" not in p]
    assert calls == [2, 1, 2]  # batches of 2 arguments; the missing one is not scored
    assert all(n <= 2 for n in calls)


def test_progress_bar_does_not_touch_stdout(tiny_models: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend stderr is a terminal so the rich bar runs; results must still go to stdout, clean.
    real = progress_mod.stream_is_tty
    monkeypatch.setattr(progress_mod, "stream_is_tty", lambda stream: stream is sys.stderr or real(stream))
    started: list[bool] = []
    start = Progress.start
    monkeypatch.setattr(Progress, "start", lambda self: (started.append(True), start(self))[1])
    result = invoke(tiny_models, "-f", "json", str(good), str(good))
    assert started == [True]
    assert result.exit_code in (0, 1), result.output
    assert len(json.loads(result.stdout)) == 2
    assert "spinfix: error" not in result.stderr
    quiet = invoke(tiny_models, "-q", "-f", "json", str(good), str(good))
    assert quiet.stderr == ""


# -- the real entry point ------------------------------------------------------------------------


def test_run_maps_usage_errors_and_crashes_to_2(
    tiny_models: Path, good: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["detect", "--threshold", "2", str(good)]) == 2
    assert cli.run(["no-such-command"]) == 2
    assert cli.run([]) == 2  # no arguments: help, as a usage error
    capsys.readouterr()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(spinfix.Spinfix, "stream_detect", crash)
    # A bug must not exit 1, which would read as "spun text found".
    assert cli.run(["detect", "--models", str(tiny_models), str(good)]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "boom" in err and "Traceback" not in err


def test_subprocess_exit_code(tiny_models: Path, good: Path, tmp_path: Path) -> None:
    """What a shell sees from `python -m spinfix.cli` (one process: importing torch is slow)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("SPINFIX_MODELS", None)
    missing = tmp_path / "missing.txt"
    argv = ["detect", "--models", str(tiny_models), "--threshold", "0.000001", str(good), str(missing)]
    proc = subprocess.run([sys.executable, "-m", "spinfix.cli", *argv], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2  # an unreadable input outranks the spun text found
    assert proc.stdout.startswith(f"{good}: ") and "flagged as spun" in proc.stdout and "[[" in proc.stdout
    assert proc.stderr.strip() == f"spinfix: error: {missing}: no such file."


def test_run_returns_the_verdict(tiny_models: Path, good: Path, max_probability: float, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["detect", "--models", str(tiny_models), "-q", str(good)]
    assert cli.run([*base, "--threshold", "0.000001"]) == 1
    assert cli.run([*base, "--threshold", repr((max_probability + 1) / 2)]) == 0
    assert capsys.readouterr().err == ""


# -- rendering (no model needed) -----------------------------------------------------------------


def _report(text: str, spans: list[tuple[int, int]], threshold: float = 0.5) -> Report:
    sent = SentenceReport(
        text=text,
        start=0,
        end=len(text),
        probability=0.9,
        is_spun=True,
        spans=[Span(a, b, text[a:b], 0.8) for a, b in spans],
    )
    return Report(text=text, sentences=[sent], threshold=threshold, source="doc.txt")


def test_render_text_places_spans_by_offset() -> None:
    text = "the cat saw the cat"
    out = render.render_text(_report(text, [(12, 19)]), color=False)
    assert "the cat saw [[the cat]]" in out  # the second "the cat", not the first


def test_render_text_escapes_control_characters() -> None:
    text = "Evil \x1b[2J text with \u202e bidi."
    out = render.render_text(_report(text, [(0, 4)]), color=True)
    assert "\x1b[2J" not in out and "\\x1b[2J" in out
    assert "\u202e" not in out and "\\u202e" in out


def test_render_text_empty_report() -> None:
    out = render.render_text(Report(text="", sentences=[], threshold=0.5, source=None), color=False)
    assert "0 of 0 sentences" in out and "no text to check" in out


def test_render_json_and_jsonl_agree() -> None:
    report = _report("Navy help will continue — “soon”.", [(0, 9)])
    pretty, line = render.render_json(report), render.render_jsonl(report)
    assert "\n" not in line and "\n" in pretty
    assert json.loads(pretty) == json.loads(line) == report.to_dict()
    assert "“soon”" in line  # UTF-8 kept readable by default
    assert "\\u201c" in render.render_jsonl(report, ensure_ascii=True)


def test_no_context_reads_every_sentence_alone(tiny_models: Path, tmp_path: Path) -> None:
    import shutil

    from spinfix.detect.context import DocumentContext
    from spinfix.detect.encoder import CONFIG_NAME, DetectorSettings

    models = tmp_path / "models"
    shutil.copytree(tiny_models, models)
    cfg = DetectorSettings.load(models / "detector" / CONFIG_NAME)
    cfg.context = DocumentContext(weight=3.0).to_dict()
    cfg.save(models / "detector" / CONFIG_NAME)
    path = tmp_path / "article.txt"
    path.write_text("The Senate votes on Tuesday. Analysts had expected less.\nPrices rose in March.\n", encoding="utf-8")
    alone = json.loads(invoke(models, "-f", "json", "--no-context", str(path)).stdout)
    inside = json.loads(invoke(models, "-f", "json", str(path)).stdout)
    assert all(s["probability"] == s["probability_alone"] for s in alone["sentences"])
    assert any(s["probability"] != s["probability_alone"] for s in inside["sentences"])
    assert [s["probability_alone"] for s in alone["sentences"]] == [s["probability_alone"] for s in inside["sentences"]]


def test_render_text_says_when_only_the_neighbours_flagged_a_sentence() -> None:
    text = "Navy help will continue."
    report = _report(text, [(0, 9)])
    report.sentences[0].probability = 0.91
    report.sentences[0].probability_alone = 0.40
    assert "p=0.91 (alone 0.40)" in render.render_text(report, color=False)
    report.sentences[0].probability_alone = 0.95  # flagged on its own words: nothing to add
    assert "alone" not in render.render_text(report, color=False)


# -- long runs: interrupts, progress, inputs before models ---------------------------------------


def test_an_interrupted_run_keeps_the_reports_it_finished(
    tiny_models: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = spinfix.Spinfix.stream_detect

    def stopped_after_one(self, texts, *args, **kwargs):
        reports = original(self, texts, *args, **kwargs)
        yield next(reports)
        raise KeyboardInterrupt  # Ctrl-C while the second file is scored

    monkeypatch.setattr(spinfix.Spinfix, "stream_detect", stopped_after_one)
    result = invoke(tiny_models, "-f", "json", str(good), str(good), str(good))
    assert result.exit_code == 130
    assert [r["source"] for r in json.loads(result.stdout)] == [str(good)]  # valid JSON, the finished report
    assert "interrupted: 1 of 3 files reported" in result.stderr


def test_inputs_are_read_before_the_models_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[object] = []
    monkeypatch.setattr(options, "load_models", lambda *a, **k: loads.append(a))
    result = invoke(None, str(tmp_path / "typo.txt"), str(tmp_path / "other.txt"))
    assert result.exit_code == 2 and result.stderr.count("no such file") == 2
    assert loads == []  # nothing to check: no model loaded


def test_a_long_run_without_a_terminal_says_how_far_it_is(
    tiny_models: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_mod, "PLAIN_INTERVAL", 0.0)  # a line at every step
    result = invoke(tiny_models, "-f", "jsonl", str(good), str(good))
    assert result.exit_code in (0, 1)
    lines = [line for line in result.stderr.splitlines() if line.startswith("spinfix: checking:")]
    assert lines and "of 2 files" in lines[-1] and "so far" in lines[-1]
    assert len(result.stdout.splitlines()) == 2  # stdout holds the reports only
