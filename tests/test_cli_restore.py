"""`spinfix restore`, with a fake restorer: no model is loaded.

The fake marks every word "navy" as spun with the suggestion "military" (confidence 0.9), and
every word "help" as spun but left unchanged (suggestion "help"), building real Report objects,
so these tests pin down the command's behaviour: output formats, -o, exit codes and errors.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinfix import cli, render
from spinfix.cli import options
from spinfix.errors import ModelError
from spinfix.io import progress as progress_mod
from spinfix.io.inputs import STDIN_NAME
from spinfix.io.progress import Progress
from spinfix.report import Edit, Report, SentenceReport, Span

runner = CliRunner()

SPUN = "The president said the navy help would continue.\r\nOfficials welcomed the news. The navy said nothing.\n"
RESTORED = "The president said the military help would continue.\r\nOfficials welcomed the news. The military said nothing.\n"
CLEAN = "Officials welcomed the news.\r\n\r\nPrices rose 4% in “March”.\n"

_SENTENCE_RE = re.compile(r"[^\s.][^.\n]*\.?")
_WORD_RE = re.compile(r"\b(navy|help)\b")


class FakeSpinfix:
    """Stands in for spinfix.Spinfix: restore_many only, recording how it was called."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def restore_many(self, texts, references=None, method=None, sources=None, progress=None, min_confidence=None):
        self.calls.append({"texts": list(texts), "references": references, "method": method, "sources": sources})
        if method not in (None, "rewriter", "baseline"):
            raise ValueError(f"unknown restoration method {method!r}: use 'rewriter' or 'baseline'")
        sources = sources if sources is not None else [None] * len(texts)
        reports = []
        for text, source in zip(texts, sources):
            sentences = []
            for m in _SENTENCE_RE.finditer(text):
                spans = []
                for w in _WORD_RE.finditer(text, m.start(), m.end()):
                    new, conf = ("military", 0.9) if w.group() == "navy" else (w.group(), 0.6)
                    spans.append(Span(w.start(), w.end(), w.group(), 0.8, suggestion=new, confidence=conf))
                sentences.append(SentenceReport(m.group(), m.start(), m.end(), 0.9 if spans else 0.1, bool(spans), spans))
            if progress:
                progress(len(sentences))
                progress(sum(1 for s in sentences if s.spans))
            report = Report(text=text, sentences=sentences, threshold=0.5, source=source, model="fake")
            report.method = method or "rewriter"
            floor = 0.0 if min_confidence is None else min_confidence
            report.edits = [
                Edit(sp.start, sp.end, sp.text, sp.suggestion, sp.confidence)
                for sp in report.spans
                if sp.is_edit and sp.confidence >= floor
            ]
            reports.append(report)
        return reports


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSpinfix:
    sf = FakeSpinfix()
    monkeypatch.setattr(options, "load_models", lambda models, threshold, context=True, lm_reading=True: sf)
    return sf


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def invoke(*args: str, input: bytes | None = None):
    return runner.invoke(cli.app, ["restore", *args], input=input)


# -- output formats ------------------------------------------------------------------------------


def test_text_output_is_the_input_with_edits_applied(fake: FakeSpinfix, tmp_path: Path) -> None:
    path = _file(tmp_path, "spun.txt", SPUN)
    result = invoke(str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout_bytes == RESTORED.encode("utf-8")
    assert result.stderr == ""
    assert fake.calls == [{"texts": [SPUN], "references": [None], "method": None, "sources": [str(path)]}]


def test_no_lm_reading_reaches_the_loader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked: dict = {}

    def load(models, threshold, context=True, lm_reading=True):
        asked["lm_reading"] = lm_reading
        return FakeSpinfix()

    monkeypatch.setattr(options, "load_models", load)
    path = _file(tmp_path, "spun.txt", SPUN)
    assert invoke(str(path)).exit_code == 1 and asked == {"lm_reading": True}
    assert invoke("--no-lm-reading", str(path)).exit_code == 1 and asked == {"lm_reading": False}


def test_clean_input_comes_back_byte_identical(fake: FakeSpinfix, tmp_path: Path) -> None:
    path = _file(tmp_path, "clean.txt", CLEAN)
    result = invoke(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == CLEAN.encode("utf-8")


def test_diff_without_color_uses_wdiff_markers_and_a_summary(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke("--format", "diff", "--no-color", str(_file(tmp_path, "spun.txt", SPUN)))
    assert result.exit_code == 1
    assert result.stdout_bytes.decode("utf-8") == (
        "The president said the [-navy-]{+military+} help would continue.\r\n"
        "Officials welcomed the news. The [-navy-]{+military+} said nothing.\n"
        "\n"
        "2 edits in 2 of 3 sentences (method: rewriter)\n"
    )


def test_diff_with_color(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke("--format", "diff", "--color", "--method", "baseline", str(_file(tmp_path, "spun.txt", SPUN)))
    out = result.stdout
    assert out.count("\x1b[9;31mnavy\x1b[0m\x1b[32mmilitary\x1b[0m") == 2
    assert "[-" not in out and "{+" not in out
    assert "\x1b[1m2 edits in 2 of 3 sentences (method: baseline)\x1b[0m" in out
    assert fake.calls[0]["method"] == "baseline"


def test_diff_of_a_clean_text(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke("-f", "diff", "--no-color", str(_file(tmp_path, "clean.txt", CLEAN)))
    assert result.exit_code == 0
    assert result.stdout_bytes.decode() == CLEAN + "\nno edits: no spun text found in 2 sentences (method: rewriter)\n"


def test_json_has_edits_suggestions_and_restored_text(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke("--format", "json", str(_file(tmp_path, "spun.txt", SPUN)))
    assert result.exit_code == 1
    doc = json.loads(result.stdout_bytes)
    start = SPUN.index("navy")
    second = SPUN.index("navy", start + 1)
    assert doc["edits"] == [
        {"start": start, "end": start + 4, "old": "navy", "new": "military", "confidence": 0.9},
        {"start": second, "end": second + 4, "old": "navy", "new": "military", "confidence": 0.9},
    ]
    assert doc["method"] == "rewriter" and doc["restored_text"] == RESTORED
    spans = doc["sentences"][0]["spans"]
    assert [(s["text"], s["suggestion"], s["confidence"]) for s in spans] == [("navy", "military", 0.9), ("help", "help", 0.6)]


def test_stdin(fake: FakeSpinfix) -> None:
    result = invoke("-", input=SPUN.encode("utf-8"))
    assert result.exit_code == 1, result.output
    assert result.stdout_bytes == RESTORED.encode("utf-8")
    assert fake.calls[0]["sources"] == [STDIN_NAME]


# -- -o ------------------------------------------------------------------------------------------


def test_output_file_is_written_and_stdout_stays_empty(fake: FakeSpinfix, tmp_path: Path) -> None:
    src = _file(tmp_path, "spun.txt", SPUN)
    out = _file(tmp_path, "out.txt", "old content that must be replaced entirely")
    result = invoke(str(src), "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout_bytes == b"" and result.stderr == ""
    assert out.read_bytes() == RESTORED.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "spun.txt"]  # no temporary left


def test_output_diff_file_gets_no_color_by_default(fake: FakeSpinfix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options, "auto_color", lambda: True)  # as if stdout were a terminal
    out = tmp_path / "d.txt"
    result = invoke("-f", "diff", str(_file(tmp_path, "spun.txt", SPUN)), "--output", str(out))
    assert result.exit_code == 1 and result.stdout_bytes == b""
    assert "[-navy-]{+military+}" in out.read_text(encoding="utf-8") and "\x1b" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("via_link", [False, True])
def test_output_onto_the_input_is_refused(fake: FakeSpinfix, tmp_path: Path, via_link: bool) -> None:
    src = _file(tmp_path, "spun.txt", SPUN)
    target = src
    if via_link:
        target = tmp_path / "link.txt"
        target.symlink_to(src)
    result = invoke(str(src), "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("spinfix: error:") and "refusing to overwrite" in result.stderr
    assert src.read_bytes() == SPUN.encode("utf-8")
    assert fake.calls == [] and result.stdout_bytes == b""


def test_output_in_a_missing_folder_fails_before_restoring(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)), "-o", str(tmp_path / "nope" / "out.txt"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert fake.calls == []


def test_failed_write_leaves_no_file(fake: FakeSpinfix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _file(tmp_path, "spun.txt", SPUN)

    def broken_replace(a: str, b: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = invoke(str(src), "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"spinfix: error: cannot write {tmp_path / 'out.txt'}: No space left on device."
    assert [p.name for p in tmp_path.iterdir()] == ["spun.txt"]


# -- errors and options --------------------------------------------------------------------------


@pytest.mark.parametrize("kind, message", [("missing", "no such file"), ("empty", "is empty")])
def test_unreadable_input_exits_2(fake: FakeSpinfix, tmp_path: Path, kind: str, message: str) -> None:
    path = tmp_path / "in.txt"
    if kind == "empty":
        path.write_bytes(b"")
    result = invoke(str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("spinfix: error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout_bytes == b"" and fake.calls == []


def test_reference_is_read_and_passed_on(fake: FakeSpinfix, tmp_path: Path) -> None:
    ref = _file(tmp_path, "ref.txt", "The president said the military aid would continue.\n")
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)), "--reference", str(ref))
    assert result.exit_code == 1
    # --reference may be given several times: a list per text
    assert fake.calls[0]["references"] == [["The president said the military aid would continue.\n"]]


def test_missing_reference_exits_2(fake: FakeSpinfix, tmp_path: Path) -> None:
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)), "--reference", str(tmp_path / "ref.txt"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"spinfix: error: {tmp_path / 'ref.txt'}: no such file."
    assert fake.calls == []


def test_bad_method_exits_2(fake: FakeSpinfix, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(_file(tmp_path, "spun.txt", SPUN))
    assert cli.run(["restore", "--method", "bogus", path]) == 2
    captured = capsys.readouterr()
    assert "bogus" in captured.err and captured.out == ""
    assert fake.calls == []


def test_value_error_from_the_pipeline_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing:
        def restore_many(self, texts, **kwargs):
            raise ValueError("unknown restoration method 'x': use 'rewriter' or 'baseline'")

    monkeypatch.setattr(options, "load_models", lambda models, threshold, context=True, lm_reading=True: Refusing())
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)))
    assert result.exit_code == 2
    assert result.stderr.strip() == "spinfix: error: unknown restoration method 'x': use 'rewriter' or 'baseline'"


def test_missing_rewriter_points_to_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoRewriter:
        def restore_many(self, texts, **kwargs):
            raise ModelError("no rewriter in the models folder (expected models/rewriter); use method='baseline'")

    monkeypatch.setattr(options, "load_models", lambda models, threshold, context=True, lm_reading=True: NoRewriter())
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("use --method baseline")


def test_model_error_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_models(models: Path | None, threshold: float | None, context: bool = True, lm_reading: bool = True) -> None:
        raise ModelError("no spinfix models at /x.")

    monkeypatch.setattr(options, "load_models", no_models)
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)))
    assert result.exit_code == 2
    assert result.stderr.strip() == "spinfix: error: no spinfix models at /x. Or pass --models PATH."


def test_run_returns_the_verdict(fake: FakeSpinfix, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["restore", str(_file(tmp_path, "spun.txt", SPUN))]) == 1
    assert cli.run(["restore", str(_file(tmp_path, "clean.txt", CLEAN))]) == 0
    captured = capsys.readouterr()
    assert captured.out == RESTORED + CLEAN and captured.err == ""


def test_progress_bar_does_not_touch_stdout(fake: FakeSpinfix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = progress_mod.stream_is_tty
    monkeypatch.setattr(progress_mod, "stream_is_tty", lambda stream: stream is sys.stderr or real(stream))
    monkeypatch.setattr(options, "PROGRESS_MIN_SENTENCES", 1)
    started: list[bool] = []
    start = Progress.start
    monkeypatch.setattr(Progress, "start", lambda self: (started.append(True), start(self))[1])
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)))
    assert started == [True]
    assert result.exit_code == 1 and result.stdout_bytes == RESTORED.encode("utf-8")


def test_help_documents_the_command() -> None:
    result = runner.invoke(cli.app, ["restore", "--help"])
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    for needle in ("--output", "--format", "--method", "--reference", "released", "0 = no spun", "2 = error"):
        assert needle in out


# -- renderers -----------------------------------------------------------------------------------


def _restored(text: str, edits: list[tuple[int, int, str]]) -> Report:
    sent = SentenceReport(text, 0, len(text), 0.9, True, [Span(a, b, text[a:b], 0.8, new, 0.9) for a, b, new in edits])
    report = Report(text=text, sentences=[sent], threshold=0.5, method="rewriter")
    report.edits = [Edit(a, b, text[a:b], new, 0.9) for a, b, new in edits]
    return report


def test_render_diff_places_edits_by_offset_and_escapes_controls() -> None:
    text = "the cat saw \x1b[2J the cat \u202e"
    out = render.render_diff(_restored(text, [(17, 24, "the dog")]), color=False)
    assert out == "the cat saw \\x1b[2J [-the cat-]{+the dog+} \\u202e\n\n1 edit in 1 of 1 sentence (method: rewriter)"
    assert render.render_restored(_restored(text, [(17, 24, "the dog")])) == text.replace("the cat \u202e", "the dog \u202e")


def test_render_diff_deletion_and_unchanged_flagged_text() -> None:
    report = _restored("a very big dog", [(2, 7, "")])
    assert render.render_diff(report, color=False).startswith("a [-very -]big dog\n\n")
    report.sentences[0].spans[0].suggestion = report.sentences[0].spans[0].text  # the restorer kept it
    report.edits = []
    assert render.render_diff(report, color=False) == (
        "a very big dog\n\nno edits: 1 of 1 sentence flagged as spun, none changed (method: rewriter)"
    )


def test_render_diff_shows_suggestions_not_applied_apart_from_edits() -> None:
    text = "The officers mentioned the place it came about."
    report = _restored(text, [(13, 22, "said")])
    spans = report.sentences[0].spans
    spans.append(Span(23, 32, "the place", 0.7, "where", 0.4))  # below the minimum confidence: not an edit
    out = render.render_diff(report, color=False)
    assert out.startswith("The officers [-mentioned-]{+said+} [~the place~]{?where?} it came about.\n\n")
    assert out.endswith("1 edit in 1 of 1 sentence; 1 suggestion not applied (method: rewriter)")
    assert render.render_restored(report) == "The officers said the place it came about."
    colored = render.render_diff(report, color=True)
    assert "\x1b[4;33mthe place\x1b[0m\x1b[2;33mwhere\x1b[0m" in colored


def test_render_diff_leaves_out_what_the_reference_contradicts() -> None:
    report = _restored("a very big dog", [])
    report.sentences[0].spans = [Span(2, 6, "very", 0.8, "really", 0.9, evidence="contradicted")]
    assert render.render_diff(report, color=False).startswith("a very big dog\n\nno edits")


def test_renderers_refuse_a_report_that_was_not_restored() -> None:
    report = Report(text="x.", sentences=[], threshold=0.5)
    with pytest.raises(ValueError):
        render.render_restored(report)
    with pytest.raises(ValueError):
        render.render_diff(report, color=False)


# -- outputs that must not destroy anything ------------------------------------------------------

# A process whose restore is the fake's (no model), driven like a shell would drive spinfix.
_FAKE_PROCESS = """
import sys
sys.path.insert(0, sys.argv[1])
import test_cli_restore as t
from spinfix import cli
from spinfix.cli import options
options.load_models = lambda *a, **k: t.FakeSpinfix()
sys.exit(cli.run(sys.argv[2:]))
"""


def _fake_process(args: list[str], **kwargs):
    import subprocess

    here = str(Path(__file__).resolve().parent)
    return subprocess.run([sys.executable, "-c", _FAKE_PROCESS, here, "restore", *args], capture_output=True, timeout=120, **kwargs)


def test_standard_input_cannot_be_overwritten_through_the_output(tmp_path: Path) -> None:
    # `spinfix restore - -o in.txt < in.txt`: the same file, reached through standard input.
    path = _file(tmp_path, "in.txt", SPUN)
    with open(path, "rb") as stdin:
        proc = _fake_process(["-", "-o", str(path)], stdin=stdin)
    assert proc.returncode == 2
    assert b"is standard input; refusing to overwrite it" in proc.stderr
    assert path.read_bytes() == SPUN.encode("utf-8")


def test_dev_stdout_into_a_pipe_is_written_through(tmp_path: Path) -> None:
    proc = _fake_process([str(_file(tmp_path, "spun.txt", SPUN)), "-o", "/dev/stdout"])
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == RESTORED.encode("utf-8") and proc.stderr == b""


def test_a_fifo_is_written_through_and_stays_a_fifo(fake: FakeSpinfix, tmp_path: Path) -> None:
    import stat
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)), "-o", str(fifo))
    if reader.is_alive():  # nothing was written: let the reader go, and fail below
        with open(fifo, "wb"):
            pass
    reader.join(timeout=30)
    assert result.exit_code == 1, result.output
    assert got == [RESTORED.encode("utf-8")]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_is_written_to_never_replaced(fake: FakeSpinfix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # /dev/null must stay the null device: the atomic write's rename would replace the node.
    renamed: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append(str(b)), real_replace(a, b))[1])
    result = invoke(str(_file(tmp_path, "spun.txt", SPUN)), "-o", "/dev/null")
    assert result.exit_code == 1, result.output
    assert renamed == []


def test_a_byte_order_mark_survives_restoration(fake: FakeSpinfix, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SPUN.encode("utf-8"))
    out = tmp_path / "out.txt"
    result = invoke(str(path), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert out.read_bytes() == b"\xef\xbb\xbf" + RESTORED.encode("utf-8")
    assert fake.calls[0]["texts"] == [SPUN]  # offsets count from the text, after the mark


def test_min_confidence_keeps_unsure_suggestions_out_of_the_text(fake: FakeSpinfix, tmp_path: Path) -> None:
    path = _file(tmp_path, "spun.txt", SPUN)
    sure = invoke(str(path), "--min-confidence", "0.95")  # the fake's "military" is 0.9 sure
    assert sure.exit_code == 1 and sure.stdout_bytes == SPUN.encode("utf-8")
    bad = invoke(str(path), "--min-confidence", "1.5")
    assert bad.exit_code == 2 and "not between 0 and 1" in bad.output
