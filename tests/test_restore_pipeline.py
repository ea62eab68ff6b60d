"""restore() and restore_many(): suggestions land on the detector's spans, the restored text
differs from the input only inside spans, and unconfident suggestions are reported, not applied."""
from __future__ import annotations

import json

import pytest

from spinfix.restore.rules import SpanTask, Suggestion


class UpperRestorer:
    """Suggests each span in upper case; confidence 0.9, or 0.1 for spans of odd length."""

    name = "upper"

    def __init__(self) -> None:
        self.calls: list[list[SpanTask]] = []

    def restore(self, tasks):
        self.calls.append(list(tasks))
        return [
            [Suggestion(t.sentence[s:e].upper(), 0.1 if (e - s) % 2 else 0.9) for s, e in t.spans] for t in tasks
        ]


@pytest.fixture()
def flag_all(tiny_models):
    """The tiny detector at threshold 0 (every sentence flagged) with the fake restorer."""
    import spinfix

    sf = spinfix.Spinfix.load(tiny_models, threshold=0.0, device="cpu")
    fake = UpperRestorer()
    sf.use_restorer(fake)
    return sf, fake


def test_restored_text_changes_only_inside_spans(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    report = sf.restore(sample_text, method="upper")
    assert report.method == "upper"
    out = report.restored_text
    assert out != sample_text
    # Undo every applied edit in the restored text: the input must come back exactly.
    pos, rebuilt, shift = 0, [], 0
    for e in sorted(report.edits, key=lambda e: e.start):
        rebuilt.append(sample_text[pos : e.start])
        rebuilt.append(out[e.start + shift : e.start + shift + len(e.new)])
        shift += len(e.new) - (e.end - e.start)
        pos = e.end
    rebuilt.append(sample_text[pos:])
    assert "".join(rebuilt) == out
    for e in report.edits:
        assert sample_text[e.start : e.end] == e.old
        assert e.new == e.old.upper()


def test_every_span_gets_a_suggestion_and_confidence(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    report = sf.restore(sample_text, method="upper")
    assert report.spans
    for span in report.spans:
        assert span.suggestion == span.text.upper()
        assert span.confidence in (0.1, 0.9)


def test_min_confidence_keeps_unsure_edits_out_of_the_text(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    sf.restore_settings.min_confidence["upper"] = 0.5
    report = sf.restore(sample_text, method="upper")
    assert all(e.confidence >= 0.5 for e in report.edits)
    unsure = [s for s in report.spans if s.is_edit and s.confidence < 0.5]
    assert unsure  # at threshold 0 the sample text has spans of odd length
    for s in unsure:  # reported on the span, not applied
        assert all(not (e.start == s.start and e.end == s.end) for e in report.edits)


def test_restore_many_batches_all_flagged_sentences_in_one_call(flag_all, sample_text: str) -> None:
    sf, fake = flag_all
    reports = sf.restore_many([sample_text, "Nothing here.", ""], method="upper")
    assert len(fake.calls) == 1
    assert len(fake.calls[0]) == sum(len(r.sentences) for r in reports)
    assert reports[2].restored_text == "" and reports[2].edits == []
    assert [r.restored_text for r in reports] == [sf.restore(t, method="upper").restored_text for t in (sample_text, "Nothing here.", "")]


def test_restoring_detect_reports_later_gives_what_restore_gives(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    reports = sf.detect_many([sample_text, "Nothing here."])
    assert sf.restore_reports(reports, method="upper") == reports  # filled in place
    assert [r.restored_text for r in reports] == [sf.restore(t, method="upper").restored_text for t in (sample_text, "Nothing here.")]


def test_detect_reports_carry_no_restoration(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    report = sf.detect(sample_text)
    assert report.restored_text is None and report.edits is None
    assert "edits" not in report.to_dict()


def test_restore_report_serialises_its_edits(flag_all, sample_text: str) -> None:
    sf, _ = flag_all
    d = json.loads(json.dumps(sf.restore(sample_text, method="upper").to_dict()))
    assert d["method"] == "upper" and d["restored_text"]
    assert {"start", "end", "old", "new", "confidence"} <= set(d["edits"][0])


def test_reference_must_be_text(flag_all) -> None:
    sf, _ = flag_all
    with pytest.raises(TypeError):
        sf.restore("Some text.", reference=b"bytes", method="upper")  # type: ignore[arg-type]
    assert sf.restore("Some text.", reference="A clean article.", method="upper").restored_text


def test_unknown_method_is_refused(flag_all) -> None:
    sf, _ = flag_all
    with pytest.raises(ValueError, match="unknown restoration method"):
        sf.restore("Some text.", method="bogus")


def test_rewriter_missing_is_a_model_error(tiny_models) -> None:
    import spinfix

    sf = spinfix.Spinfix.load(tiny_models, device="cpu")  # tiny_models has no rewriter/
    assert sf.restore_settings.default_method == "baseline"
    with pytest.raises(spinfix.ModelError, match="no rewriter"):
        sf.restorer("rewriter")


def test_the_restorer_is_told_how_sure_the_detector_is_of_each_span(flag_all, sample_text: str) -> None:
    sf, fake = flag_all
    report = sf.restore(sample_text, method="upper")
    tasks = [t for call in fake.calls for t in call]
    flagged = [s for s in report.sentences if s.spans]
    assert len(tasks) == len(flagged)
    for task, sent in zip(tasks, flagged):
        assert task.probabilities == tuple(sp.probability for sp in sent.spans)


def test_the_restorer_reads_past_invisible_characters_and_edits_the_input(flag_all) -> None:
    sf, fake = flag_all
    text = "The na\u00advy help would con\u200btinue."
    report = sf.restore(text, method="upper")
    [task] = fake.calls[-1]
    assert "\u00ad" not in task.sentence and "\u200b" not in task.sentence  # read as a reader sees it
    for e in report.edits:
        assert text[e.start : e.end] == e.old  # the input's own words, invisible characters and all
        assert "\u00ad" not in e.new and "\u200b" not in e.new
    assert report.edits and report.restored_text is not None
    kept = [sp for sp in report.spans if not sp.is_edit]
    assert all(sp.suggestion == sp.text for sp in kept)  # a span left alone keeps its characters
