"""Hostile input, generated: random Unicode, control and invisible characters, random bytes.

Whatever comes in, spinfix answers with a report or a clear refusal, never a traceback; every
offset it reports slices the input to the string it reports there; and restoration changes
nothing outside its edits. The tiny random detector stands in at threshold 0, so every sentence
it judges is flagged and every span goes to the restorer.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from spinfix.errors import InputError  # noqa: E402
from spinfix.io.reading import decode_text  # noqa: E402
from spinfix.report import Report  # noqa: E402
from spinfix.restore.rules import SpanTask, Suggestion  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Words, spaces and sentence ends, with everything else mixed in: control characters, invisible
# ones, quotation marks, other scripts, emoji, lone surrogates.
PIECES = st.one_of(
    st.sampled_from(["The", "navy", "help", "said", " ", " ", ". ", ".\n", "\n\n", "“", "”", '"', "3.5%", "U.S.", "—"]),
    st.sampled_from(["\u00ad", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\x1b[31m", "\r", "\t", "\x0b"]),
    st.text(min_size=1, max_size=12),
)
TEXTS = st.lists(PIECES, min_size=1, max_size=40).map("".join)


class ChaoticRestorer:
    """Suggests anything for a span: the same text, another word, nothing, a number."""

    name = "chaos"

    def __init__(self) -> None:
        self.rng = random.Random(0)

    def restore(self, tasks: list[SpanTask]) -> list[list[Suggestion]]:
        choices = ["military", "", "2", "aid help", "“", "\u00ad"]
        return [
            [Suggestion(self.rng.choice([t.sentence[s:e], *choices]), self.rng.random()) for s, e in t.spans] for t in tasks
        ]


@pytest.fixture(scope="module")
def flag_all(tiny_models):
    import spinfix

    sf = spinfix.Spinfix.load(tiny_models, threshold=0.0, device="cpu")
    sf.use_restorer(ChaoticRestorer())
    return sf


def _offsets_slice_the_input(report: Report) -> None:
    text = report.text
    for s in report.sentences:
        assert text[s.start : s.end] == s.text
        for sp in s.spans:
            assert s.start <= sp.start <= sp.end <= s.end
            assert text[sp.start : sp.end] == sp.text
    for e in report.edits or []:
        assert text[e.start : e.end] == e.old


def _outside_edits_untouched(report: Report) -> None:
    edits = sorted(report.edits or [], key=lambda e: e.start)
    out = report.restored_text
    assert out is not None
    pos = shift = 0
    for e in edits:
        assert e.start >= pos  # never overlapping
        assert out[pos + shift : e.start + shift] == report.text[pos : e.start]
        shift += len(e.new) - (e.end - e.start)
        pos = e.end
    assert out[pos + shift :] == report.text[pos:]


@FUZZ
@given(text=TEXTS)
def test_any_text_gives_a_report_whose_offsets_slice_it(flag_all, text: str) -> None:
    report = flag_all.detect(text)
    _offsets_slice_the_input(report)
    assert all(not s.is_spun for s in report.not_checked)


@FUZZ
@given(text=TEXTS)
def test_invisible_characters_change_no_verdict_and_no_mark(flag_all, text: str) -> None:
    # The report on a text equals the report on it without its invisible characters, offsets
    # apart: the same sentences judged alike, the same marks, each covering the same words.
    from spinfix.text.view import INVISIBLE

    plain = INVISIBLE.sub("", text)
    a, b = flag_all.detect(text), flag_all.detect(plain)
    assert [(s.probability, s.is_spun, s.language) for s in a.sentences] == [(s.probability, s.is_spun, s.language) for s in b.sentences]
    assert [INVISIBLE.sub("", sp.text) for sp in a.spans] == [sp.text for sp in b.spans]


@FUZZ
@given(text=TEXTS)
def test_restoration_changes_nothing_outside_its_edits(flag_all, text: str) -> None:
    report = flag_all.restore(text, method="chaos", min_confidence=0.0)
    _offsets_slice_the_input(report)
    _outside_edits_untouched(report)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_are_refused_clearly_or_read_as_given(data: bytes) -> None:
    try:
        text = decode_text(data, "fuzz.bin")
    except InputError as exc:
        assert "fuzz.bin" in str(exc)
        return
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    assert text.encode("utf-8") == body  # nothing cleaned, nothing lost


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(min_size=1, max_size=200), TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_the_command_line_never_shows_a_traceback(tiny_models: Path, tmp_path_factory, data: bytes) -> None:
    import contextlib
    import io

    from spinfix import cli

    path = tmp_path_factory.mktemp("fuzz") / "in.txt"
    path.write_bytes(data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.run(["detect", "--models", str(tiny_models), "--no-color", "-q", str(path)])
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()
