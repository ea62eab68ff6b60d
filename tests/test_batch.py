"""`spinfix batch`: planning shards over each input kind, exactly-once shard output, resume, and
the command line; with the tiny random detector (the records' contents are random, their
bookkeeping is not)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spinfix
from spinfix import cli
from spinfix.batch import BatchSettings, ResumeRefused, ShardStore, open_job, plan_input, read_records, read_shard, run_job
from spinfix.batch.shards import Record
from spinfix.report import Report

runner = CliRunner()

SUBJECTS = ["The president", "Officials in Kyiv", "The Senate", "Analysts", "The navy", "The ministry", "Farmers", "The court"]
VERBS = ["said", "announced", "confirmed", "denied", "expected", "reported"]
OBJECTS = ["the military aid would continue", "prices rose in March", "the talks had stalled",
           "the budget was approved", "the harvest was poor", "the bridge would reopen"]


def article(i: int, sentences: int = 3) -> str:
    """A short news-like text, different for every i."""
    return " ".join(
        f"{SUBJECTS[(i + j) % len(SUBJECTS)]} {VERBS[(i * 3 + j) % len(VERBS)]} that "
        f"{OBJECTS[(i + 2 * j) % len(OBJECTS)]} on day {i * 10 + j}."
        for j in range(sentences)
    )


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet(path: Path, rows: list[dict], row_group_size: int = 3) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


def all_records(out: Path) -> list[Record]:
    """Every record in OUT's shard files, by index."""
    return sorted((r for p in sorted((out / "shards").glob("part-*")) for r in read_records(p)), key=lambda r: r.index)


def settings(inp: Path, out: Path, **kw) -> BatchSettings:
    return BatchSettings(input=str(inp), out=str(out), **kw)


# -- planning: every input kind, shards across files ---------------------------------------------


def test_a_jsonl_folder_is_cut_into_shards_that_span_files(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": f"a{i}", "text": article(i)} for i in range(7)])
    # A blank line is not a document; a document without an id is named by its line.
    write_jsonl(tmp_path / "in" / "b.jsonl", [{"text": article(7)}, "", *({"id": f"b{i}", "text": article(i)} for i in range(8, 13))])
    plan = plan_input(str(tmp_path / "in"), shard_size=5)
    assert plan.source.kind == "jsonl" and plan.documents == 13
    assert [(t.first, t.last) for t in plan.tasks] == [(0, 4), (5, 9), (10, 12)]
    middle = plan.tasks[1]
    assert [(r.file, r.count) for r in middle.ranges] == [("a.jsonl", 2), ("b.jsonl", 3)]
    docs = read_shard(middle)  # alone: no earlier shard read
    assert [d.index for d in docs] == [5, 6, 7, 8, 9]
    assert [d.id for d in docs] == ["a5", "a6", "b.jsonl:1", "b8", "b9"]
    assert docs[2].text == article(7)


def test_a_single_jsonl_file_names_lines_without_an_id_by_their_number(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": article(i)} for i in range(4)])
    [task] = plan_input(str(path), shard_size=10).tasks
    assert [d.id for d in read_shard(task)] == ["1", "2", "3", "4"]


def test_parquet_shards_read_their_rows_only_across_row_groups_and_files(tmp_path: Path) -> None:
    write_parquet(tmp_path / "in" / "p1.parquet", [{"id": f"x{i}", "text": article(i)} for i in range(10)])
    write_parquet(tmp_path / "in" / "p2.parquet", [{"id": f"y{i}", "text": article(i), "reference": article(i + 1)} for i in range(3)])
    plan = plan_input(str(tmp_path / "in"), shard_size=4)
    assert plan.source.kind == "parquet" and [t.count for t in plan.tasks] == [4, 4, 4, 1]
    docs = read_shard(plan.tasks[1])
    assert [(d.index, d.id) for d in docs] == [(4, "x4"), (5, "x5"), (6, "x6"), (7, "x7")]
    docs = read_shard(plan.tasks[2])
    assert [d.id for d in docs] == ["x8", "x9", "y0", "y1"]
    assert docs[2].reference == article(1) and docs[0].reference is None


def test_a_text_folder_is_read_recursively_in_path_order(tmp_path: Path) -> None:
    for rel in ["b.txt", "a/z.txt", "a/c.md", ".hidden.txt", ".git/x.txt"]:
        (tmp_path / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / rel).write_text(article(len(rel)), encoding="utf-8")
    plan = plan_input(str(tmp_path / "in"), shard_size=2)
    assert plan.source.kind == "text"
    docs = [d for t in plan.tasks for d in read_shard(t)]
    assert [d.id for d in docs] == ["a/c.md", "a/z.txt", "b.txt"]
    assert all(d.ok for d in docs)


def test_bad_documents_become_error_records(tmp_path: Path) -> None:
    folder = tmp_path / "text"
    folder.mkdir()
    (folder / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Caf\xe9 prices rose.".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "big.txt").write_text(article(1, sentences=40), encoding="utf-8")
    (folder / "good.txt").write_text(article(2), encoding="utf-8")
    docs = {d.id: d for t in plan_input(str(folder), 10, max_bytes=2000).tasks for d in read_shard(t)}
    assert docs["good.txt"].ok
    expected = {"binary.bin": "not a text file", "latin1.txt": "not valid UTF-8", "empty.txt": "empty", "big.txt": "over the limit"}
    for name, words in expected.items():
        assert words in (docs[name].error or ""), name

    lines = [
        '{"id": "ok", "text": "Prices rose."}', '{"id": "cut", "text": "Pri', '{"id": "none"}', '{"id": "blank", "text": "  "}',
        '["a list"]', '{"id": "ref", "text": "Prices rose.", "reference": 3}', '{"id": 7, "text": "A number id."}',
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    with open(path, "ab") as fh:
        fh.write(b'{"text": "caf\xe9"}\n')
    docs = {d.id: d for t in plan_input(str(path), 100).tasks for d in read_shard(t)}
    assert docs["ok"].ok and docs["7"].ok
    assert "2: not valid JSON" in (docs["2"].error or "")  # no id could be read: the line number
    assert "no `text`" in (docs["none"].error or "") and "empty" in (docs["blank"].error or "")
    assert "not a JSON object" in (docs["5"].error or "") and "`reference`" in (docs["ref"].error or "")
    assert "not valid UTF-8" in (docs["8"].error or "")


def test_inputs_that_are_not_a_batch_input_are_refused(tmp_path: Path) -> None:
    from spinfix.errors import InputError

    (tmp_path / "one.txt").write_text("Prices rose.")
    write_parquet(tmp_path / "notext.parquet", [{"body": "Prices rose."}])
    (tmp_path / "empty").mkdir()
    for path, words in [("one.txt", "single file"), ("notext.parquet", "no `text` column"), ("empty", "no files"), ("missing", "no such")]:
        with pytest.raises(InputError, match=words):
            plan_input(str(tmp_path / path), 10)


# -- shard files and the ledger ------------------------------------------------------------------


RECORDS = [
    Record("a", 10, '{"is_spun":true}', None, True), Record("b", 11, None, "b: empty", False), Record("c", 12, '{"x":"é"}', None, False),
]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_a_shard_written_twice_is_the_same_file_and_leaves_no_temporary(tmp_path: Path, fmt: str) -> None:
    store = ShardStore(tmp_path, fmt)
    entry = store.write(3, RECORDS)
    first = store.path(3).read_bytes()
    assert store.write(3, RECORDS) == entry
    assert store.path(3).read_bytes() == first
    assert [p.name for p in store.folder.iterdir()] == [f"part-000003.{fmt}"]
    assert store.read(3) == RECORDS
    assert (entry.first, entry.last, entry.records, entry.errors, entry.spun) == (10, 12, 3, 1, 1)
    assert store.done() == {}  # written is not committed
    store.commit(entry)
    assert store.done() == {3: entry}


def test_recover_drops_a_cut_ledger_line_temporaries_and_uncommitted_shards(tmp_path: Path) -> None:
    store = ShardStore(tmp_path, "jsonl")
    store.commit(store.write(0, RECORDS[:1]))
    store.write(1, RECORDS[1:2])  # killed after the rename, before the ledger
    (store.folder / ".part-000002.jsonl.x1y2.tmp").write_bytes(b"half")
    with open(store.ledger, "ab") as fh:
        fh.write(b'{"shard": 1, "fir')  # killed while appending
    assert list(store.recover()) == [0]
    assert sorted(p.name for p in store.folder.iterdir()) == ["part-000000.jsonl"]
    assert store.ledger.read_bytes().endswith(b"}\n")
    store.commit(store.write(1, RECORDS[1:2]))
    assert sorted(store.done()) == [0, 1]


# -- jobs ----------------------------------------------------------------------------------------


def make_input(tmp_path: Path, kind: str, n: int) -> Path:
    if kind == "text":
        for i in range(n):
            (tmp_path / "in" / f"d{i // 4}" / f"{i:03d}.txt").parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "in" / f"d{i // 4}" / f"{i:03d}.txt").write_text(article(i), encoding="utf-8")
        return tmp_path / "in"
    rows = [{"id": f"doc{i}", "text": article(i)} for i in range(n)]
    if kind == "jsonl":
        write_jsonl(tmp_path / "in" / "a.jsonl", rows[: n // 2])
        write_jsonl(tmp_path / "in" / "b.jsonl", rows[n // 2 :])
        return tmp_path / "in"
    return write_parquet(tmp_path / "in.parquet", rows)


@pytest.mark.parametrize("kind", ["text", "jsonl", "parquet"])
def test_a_job_records_every_document_once_with_its_report(tmp_path: Path, sf: spinfix.Spinfix, kind: str) -> None:
    inp = make_input(tmp_path, kind, 11)
    out = tmp_path / "out"
    summary = run_job(settings(inp, out, shard_size=4), sf)
    records = all_records(out)
    assert [r.index for r in records] == list(range(11))
    assert sorted(p.name for p in (out / "shards").iterdir()) == ["part-000000.parquet", "part-000001.parquet", "part-000002.parquet"]
    docs = [d for t in plan_input(str(inp), 4).tasks for d in read_shard(t)]
    expected = sf.detect_many([d.text or "" for d in docs], sources=[d.id for d in docs])
    for r, d, rep in zip(records, docs, expected):
        assert r.id == d.id and r.error is None
        assert json.loads(r.report or "") == rep.to_dict() and r.spun == rep.is_spun
    assert (summary.documents, summary.errors, summary.spun) == (11, 0, sum(r.spun for r in records))
    assert json.loads((out / "summary.json").read_text())["documents"] == 11
    ledger = [json.loads(line) for line in (out / "ledger.jsonl").read_text().splitlines()]
    assert [(e["shard"], e["first"], e["last"], e["records"]) for e in ledger] == [(0, 0, 3, 4), (1, 4, 7, 4), (2, 8, 10, 3)]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spinfix"] == spinfix.__version__ and manifest["settings"]["shard_size"] == 4
    assert manifest["models"]["detector"] == "detector" and manifest["input"]["kind"] == kind and manifest["documents"] == 11


def test_a_job_with_bad_documents_finishes_with_error_records_in_input_order(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    rows = [{"id": "a", "text": article(1)}, "{not json", {"id": "c", "text": ""}, {"id": "d", "text": article(2)}]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    summary = run_job(settings(path, tmp_path / "out", format="jsonl", shard_size=3), sf)
    records = all_records(tmp_path / "out")
    assert [(r.id, r.error is None) for r in records] == [("a", True), ("2", False), ("c", False), ("d", True)]
    assert records[1].report is None and not records[1].spun
    assert (summary.documents, summary.errors) == (4, 2)


def test_a_document_the_pipeline_fails_on_is_an_error_record_and_the_shard_goes_on(
    tmp_path: Path, sf: spinfix.Spinfix, monkeypatch: pytest.MonkeyPatch
) -> None:
    detect_many = sf.detect_many

    def fragile(texts, sources=None, progress=None):
        if any("POISON" in t for t in texts):
            raise RuntimeError("the tokenizer choked")
        return detect_many(texts, sources=sources, progress=progress)

    monkeypatch.setattr(sf, "detect_many", fragile)
    rows = [{"id": "a", "text": article(1)}, {"id": "p", "text": "POISON " + article(2)}, {"id": "c", "text": article(3)}]
    summary = run_job(settings(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out"), sf)
    a, p, c = all_records(tmp_path / "out")
    assert a.report is not None and c.report is not None
    assert p.report is None and "the tokenizer choked" in (p.error or "")
    assert summary.errors == 1
    # Failing on every document is not the documents' fault: the job stops, nothing committed.
    only_poison = write_jsonl(tmp_path / "poison.jsonl", [{"text": "POISON one."}, {"text": "POISON two."}])
    with pytest.raises(RuntimeError, match="choked"):
        run_job(settings(only_poison, tmp_path / "out2"), sf)
    assert not (tmp_path / "out2" / "ledger.jsonl").exists()


def test_ctrl_c_keeps_the_finished_shards_and_exits_130(tmp_path: Path, sf: spinfix.Spinfix, monkeypatch: pytest.MonkeyPatch) -> None:
    from spinfix.cli import options

    detect_many = sf.detect_many
    calls = []

    def interrupted(texts, sources=None, progress=None):
        calls.append(len(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return detect_many(texts, sources=sources, progress=progress)

    monkeypatch.setattr(sf, "detect_many", interrupted)
    monkeypatch.setattr(options, "load_models", lambda *a, **k: sf)
    inp = make_input(tmp_path, "jsonl", 6)
    result = runner.invoke(cli.app, ["batch", str(inp), "--out", str(tmp_path / "out"), "--shard-size", "2", "-q"])
    assert result.exit_code == 130
    assert "1 of 3 shards done" in result.output and "--resume" in result.output
    assert [r.index for r in all_records(tmp_path / "out")] == [0, 1]
    result = runner.invoke(cli.app, ["batch", str(inp), "--out", str(tmp_path / "out"), "--shard-size", "2", "-q", "--resume"])
    assert result.exit_code in (0, 1) and [r.index for r in all_records(tmp_path / "out")] == list(range(6))


def test_progress_counts_documents_within_a_shard_and_leaves_resumed_ones_out_of_the_speed() -> None:
    from spinfix.batch import JobProgress

    progress = JobProgress(enabled=False)
    progress.start(total=100, done=20)
    progress.begin_shard(documents=10, sentences=40)
    progress.sentences_done(20)
    assert progress.position == 25
    progress.sentences_done(1000)  # never past the shard
    assert progress.position == 30
    progress.shard_done(10)
    assert progress.done == 30 and "30 of 100 documents (30 %)" in progress.line()


def test_a_finished_job_resumed_does_nothing_more(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    inp = make_input(tmp_path, "jsonl", 6)
    s = settings(inp, tmp_path / "out", shard_size=4)
    run_job(s, sf)
    before = all_records(tmp_path / "out")
    summary = run_job(s, sf, resume=True)
    assert summary.processed == 0 and summary.documents == 6 and all_records(tmp_path / "out") == before


def test_resume_redoes_exactly_the_shards_not_committed(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    inp = make_input(tmp_path, "text", 10)
    out = tmp_path / "out"
    s = settings(inp, out, shard_size=3)
    run_job(s, sf)
    whole = all_records(out)
    ledger = (out / "ledger.jsonl").read_text().splitlines(keepends=True)
    # Killed after shard 1's ledger line and shard 2's rename, while writing shard 3.
    (out / "ledger.jsonl").write_text("".join(ledger[:2]) + ledger[2][:9])
    (out / "shards" / "part-000003.parquet").unlink()
    (out / "shards" / ".part-000003.parquet.abc.tmp").write_bytes(b"PAR1")
    summary = run_job(s, sf, resume=True)
    assert summary.processed == 10 - 6 and summary.documents == 10
    assert all_records(out) == whole
    assert [json.loads(line)["shard"] for line in (out / "ledger.jsonl").read_text().splitlines()] == [0, 1, 2, 3]


def test_a_job_killed_before_its_first_commit_resumes_from_the_start(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    inp = make_input(tmp_path, "jsonl", 5)
    out = tmp_path / "out"
    s = settings(inp, out, shard_size=2, format="jsonl")
    run_job(s, sf)
    whole = all_records(out)
    (out / "ledger.jsonl").unlink()
    (out / "summary.json").unlink()  # as after a kill: the manifest and a shard file not committed
    for p in sorted((out / "shards").iterdir())[1:]:
        p.unlink()
    assert run_job(s, sf, resume=True).processed == 5
    assert all_records(out) == whole


def test_a_second_job_in_the_same_folder_while_the_first_runs_is_refused(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    from spinfix.batch.manifest import job_lock

    inp = make_input(tmp_path, "jsonl", 3)
    job = open_job(settings(inp, tmp_path / "out"))
    with job_lock(str(tmp_path / "out")), pytest.raises(ResumeRefused, match="another spinfix batch is running"):
        run_job(job.settings, sf, job=job)
    run_job(job.settings, sf, job=job)  # the lock goes with its holder
    assert len(all_records(tmp_path / "out")) == 3


def test_resume_with_a_changed_setting_or_input_is_refused(tmp_path: Path, sf: spinfix.Spinfix) -> None:
    inp = make_input(tmp_path, "jsonl", 6)
    out = tmp_path / "out"
    run_job(settings(inp, out, shard_size=4), sf)
    with pytest.raises(ResumeRefused, match=r"shard_size: 4 then, 5 now"):
        open_job(settings(inp, out, shard_size=5), resume=True)
    with pytest.raises(ResumeRefused, match=r"lm_reading: True then, False now"):
        open_job(settings(inp, out, shard_size=4, lm_reading=False), resume=True)
    with open(inp / "b.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": article(99)}) + "\n")
    with pytest.raises(ResumeRefused, match=r"b\.jsonl was modified"):
        open_job(settings(inp, out, shard_size=4), resume=True)
    # Moving the output folder or choosing another device changes nothing the job computes.
    assert not settings(inp, tmp_path / "elsewhere", shard_size=4, device="cpu").changes(settings(inp, out, shard_size=4))


def test_the_restore_task_restores_each_shard_in_one_call(tmp_path: Path, tiny_models: Path) -> None:
    from spinfix.restore.rules import Suggestion

    class Upper:
        name = "baseline"

        def __init__(self) -> None:
            self.calls = 0

        def restore(self, tasks):
            self.calls += 1
            return [[Suggestion(t.sentence[a:b].upper(), 0.9) for a, b in t.spans] for t in tasks]

    restorer = Upper()
    sf = spinfix.load(tiny_models, device="cpu")
    sf.use_restorer(restorer)
    inp = make_input(tmp_path, "jsonl", 8)
    run_job(settings(inp, tmp_path / "out", task="restore", shard_size=4), sf)
    reports = [json.loads(r.report or "") for r in all_records(tmp_path / "out")]
    assert all(r["method"] == "baseline" and "restored_text" in r for r in reports)
    edits = [e for r in reports for e in r["edits"]]
    assert edits and all(e["new"] == e["old"].upper() for e in edits)
    assert restorer.calls <= 2  # a call per shard at most (none when nothing is flagged)


def test_the_compare_task_needs_a_reference_for_each_document(tmp_path: Path, sf: spinfix.Spinfix, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeComparison:
        def __init__(self, report: Report, derived: bool) -> None:
            self.report, self.is_derived = report, derived

        def to_dict(self) -> dict:
            return {"is_derived": self.is_derived, "report": self.report.to_dict()}

    def compare(text, reference, method=None, source=None, min_confidence=None):
        return FakeComparison(sf.detect(text, source=source), derived=text in reference)

    monkeypatch.setattr(sf, "compare", compare)
    rows = [{"id": "copy", "text": article(1), "reference": [article(1), article(2)]},
            {"id": "other", "text": article(3), "reference": article(4)}, {"id": "alone", "text": article(5)}]
    summary = run_job(settings(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out", task="compare"), sf)
    copy, other, alone = all_records(tmp_path / "out")
    assert copy.spun and json.loads(copy.report or "")["is_derived"]
    assert json.loads(other.report or "")["report"]["source"] == "other"
    assert alone.report is None and "compare needs one" in (alone.error or "")
    assert summary.errors == 1


# -- the command line ----------------------------------------------------------------------------


def batch(models: Path, *args: str):
    return runner.invoke(cli.app, ["batch", "--models", str(models), "-q", *args])


def test_the_command_writes_the_job_and_exits_1_when_something_is_spun(tmp_path: Path, tiny_models: Path) -> None:
    inp = make_input(tmp_path, "parquet", 9)
    result = batch(tiny_models, str(inp), "--out", str(tmp_path / "out"), "--shard-size", "4", "--format", "jsonl")
    records = all_records(tmp_path / "out")
    assert [r.index for r in records] == list(range(9))
    assert result.exit_code == (1 if any(r.spun for r in records) else 0), result.output
    assert any(r.spun for r in records)  # the tiny model flags some of these: exit 1 is tested


def test_the_command_exits_0_when_nothing_is_spun(tmp_path: Path, tiny_models: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", ['{"id": "x"}', "not json"])
    result = batch(tiny_models, str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert [r.error is not None for r in all_records(tmp_path / "out")] == [True, True]


def test_the_command_refuses_a_non_empty_folder_without_resume(tmp_path: Path, tiny_models: Path) -> None:
    inp = make_input(tmp_path, "jsonl", 4)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    result = batch(tiny_models, str(inp), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--resume" in result.output and "Traceback" not in result.output
    result = batch(tiny_models, str(inp), "--out", str(tmp_path / "out"), "--resume")
    assert result.exit_code == 2 and "not a batch job" in result.output
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


def test_the_command_refuses_to_resume_with_another_setting(tmp_path: Path, tiny_models: Path) -> None:
    inp = make_input(tmp_path, "jsonl", 4)
    out = str(tmp_path / "out")
    assert batch(tiny_models, str(inp), "--out", out, "--shard-size", "2").exit_code in (0, 1)
    result = batch(tiny_models, str(inp), "--out", out, "--shard-size", "3", "--resume")
    assert result.exit_code == 2
    assert "shard_size: 2 then, 3 now" in result.output and "Traceback" not in result.output
    result = batch(tiny_models, str(inp), "--out", out, "--shard-size", "2")
    assert result.exit_code == 2 and "holds a batch job" in result.output


def test_the_command_names_a_bad_input(tmp_path: Path, tiny_models: Path) -> None:
    result = batch(tiny_models, str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no such file or folder" in result.output
    assert not (tmp_path / "out").exists()


# -- kill -9 at any moment, then resume ----------------------------------------------------------


def _start(inp: Path, out: Path, models: Path, resume: bool) -> subprocess.Popen:
    """`spinfix batch` in a process of its own, to be killed."""
    argv = [sys.executable, "-m", "spinfix.cli", "batch", str(inp), "--out", str(out), "--shard-size", "5", "--models", str(models), "-q"]
    return subprocess.Popen([*argv, *(["--resume"] if resume else [])], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 60.0) -> None:
    """SIGKILL `proc` as soon as `ready()` holds (polled every 2 ms); it must still be running."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"the job ended before it could be killed: {proc.stderr.read().decode() if proc.stderr else ''}"
        assert time.monotonic() < deadline, "the job made no progress"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _ledger_lines(out: Path) -> int:
    try:
        return (out / "ledger.jsonl").read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_a_job_killed_at_any_moment_resumes_to_the_records_of_an_uninterrupted_run(
    tmp_path: Path, tiny_models: Path, sf: spinfix.Spinfix
) -> None:
    # Paragraphs enough that a shard takes a while next to the 2 ms polls.
    rows = [{"id": f"doc{i}", "text": "\n".join(article(i * 7 + k, sentences=3) for k in range(3))} for i in range(60)]
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    whole = tmp_path / "whole"
    run_job(settings(inp, whole, shard_size=5), sf)  # the same models, uninterrupted
    out = tmp_path / "out"

    _kill_when(_start(inp, out, tiny_models, resume=False), lambda: _ledger_lines(out) >= 2)
    assert _ledger_lines(out) < 12
    _kill_when(_start(inp, out, tiny_models, resume=True), lambda: _ledger_lines(out) >= 5)
    assert _ledger_lines(out) < 12
    # The last resume in process (the command's own code; a third interpreter start costs ~6 s).
    result = batch(tiny_models, str(inp), "--out", str(out), "--shard-size", "5", "--resume")
    assert result.exit_code in (0, 1), result.output

    records = all_records(out)
    assert [r.index for r in records] == list(range(60))  # none missing, none twice
    assert records == all_records(whole)
    assert [json.loads(line)["shard"] for line in (out / "ledger.jsonl").read_text().splitlines()] == list(range(12))
    assert sorted(p.name for p in (out / "shards").iterdir()) == [f"part-{n:06d}.parquet" for n in range(12)]
    assert json.loads((out / "summary.json").read_text())["documents"] == 60
