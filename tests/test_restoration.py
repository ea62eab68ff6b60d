"""The rules every restorer obeys: text outside the spans comes back verbatim, numbers and quotes
inside spans survive, and the bracket format is the same for training and inference."""
from __future__ import annotations

import pytest

from spinfix.restore import prompt
from spinfix.restore.rules import align_spans, apply, safe, split_output

SENT = "Psaki mentioned the navy help would continue for 2 years."
MENTIONED = (6, 15)
NAVY_HELP = (20, 29)


def test_mark_brackets_each_span() -> None:
    assert prompt.mark(SENT, [NAVY_HELP, MENTIONED]) == "Psaki [mentioned] the [navy help] would continue for 2 years."


def test_prompt_and_answer_use_the_chat_markup() -> None:
    p = prompt.prompt("a [b] c")
    assert p.startswith("<|im_start|>user\n") and p.endswith("<|im_start|>assistant\n")
    assert prompt.answer("a b c").endswith(prompt.END)


def test_split_output_reads_the_replacements() -> None:
    out = "Psaki said the military aid would continue for 2 years."
    assert split_output(SENT, [MENTIONED, NAVY_HELP], out) == ["said", "military aid"]


def test_split_output_accepts_an_unchanged_span() -> None:
    out = "Psaki said the navy help would continue for 2 years."
    assert split_output(SENT, [MENTIONED, NAVY_HELP], out) == ["said", "navy help"]


@pytest.mark.parametrize(
    "out",
    [
        "Psaki said the military aid will continue for 2 years.",  # 'would' changed outside
        "Psaki said the military aid would continue for 3 years.",  # a number outside a span
        "Jen Psaki said the military aid would continue for 2 years.",  # a name added
        "Psaki said the military aid would continue for 2 years",  # full stop dropped
    ],
)
def test_split_output_refuses_changes_outside_the_spans(out: str) -> None:
    assert split_output(SENT, [MENTIONED, NAVY_HELP], out) is None


def test_split_output_with_replacement_containing_the_following_text() -> None:
    # The replacement contains " the ", the text that follows the span: the parse must still
    # line up with the end of the sentence.
    sent = "He spoke at some point of the meeting."
    span = (9, 25)  # "at some point of"
    assert sent[slice(*span)] == "at some point of"
    assert split_output(sent, [span], "He spoke in the course of the meeting.") == ["in the course of"]


def test_apply_is_the_inverse_of_split() -> None:
    out = "Psaki said the military aid would continue for 2 years."
    parts = split_output(SENT, [MENTIONED, NAVY_HELP], out)
    assert apply(SENT, [MENTIONED, NAVY_HELP], parts) == out
    assert apply(SENT, [MENTIONED, NAVY_HELP], ["mentioned", "navy help"]) == SENT


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        ("navy help", "military aid", True),
        ("5 navy ships", "five military ships", False),  # a number lost
        ("2 navy ships", "two military ships", True),  # the spinner's own "two" -> "2", undone
        ("2 navy ships", "three military ships", False),
        ("remaining 12 months", "last year", True),  # a stock swap that puts a number in
        ("12 months", "year", False),  # ...only whole
        ("$2 million", "$two million", False),  # an amount is the writer's
        ("2.5 ships", "two.5 ships", False),
        ("navy help", "navy help in 2022", False),  # a number invented
        ("“navy help”", "military aid", False),  # quotation marks lost
        ("navy", "", False),  # a deletion of a whole span
        ("isn't", "is not", True),  # an apostrophe is not a quotation mark
    ],
)
def test_safe_protects_numbers_and_quotes(old: str, new: str, ok: bool) -> None:
    assert safe(old, new) is ok


def test_align_keeps_in_span_edits_and_drops_the_rest() -> None:
    sent = "Chen voted in opposition to the plan but desired the council to are searching for cash."
    spans = [(sent.index(w), sent.index(w) + len(w)) for w in ("in opposition to", "desired", "searching", "cash")]
    out = "Chen voted against the plan but wanted the council to be searching for funds."
    got = [text for text, _ in align_spans(sent, spans, out)]
    # "are" -> "be" is outside every span: dropped, while the in-span edits are kept.
    assert got == ["against", "wanted", "searching", "funds"]
    assert apply(sent, spans, got) == "Chen voted against the plan but wanted the council to are searching for funds."


def test_align_leaves_spans_alone_when_the_output_is_unrelated() -> None:
    sent = "Psaki mentioned the navy help would continue."
    spans = [(6, 15), (20, 29)]
    got = [text for text, _ in align_spans(sent, spans, "Completely different words here.")]
    assert got == ["mentioned", "navy help"]
