"""Sentence segmentation for news prose: boundaries, offsets, paragraphs, and speed."""
from __future__ import annotations

import time

import pytest

from spinfix.text.document import Document, Segment, split_sentences


def sents(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def assert_round_trip(text: str) -> list[Segment]:
    """Offsets index the input, sentences are stripped, and gaps hold only whitespace."""
    segments = split_sentences(text)
    pos = 0
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip() and seg.text
        assert not text[pos : seg.start].strip(), f"lost text before {seg!r}"
        assert "\n" not in seg.text and "\r" not in seg.text
        pos = seg.end
    assert not text[pos:].strip()
    return segments


# Original sentences written for these tests (no third-party text).
NEWS_PARAGRAPHS = [
    "The U.S. economy grew 3.5 percent in the third quarter, the Commerce Department said "
    "on Thursday. Economists had expected 3.1 percent.",
    "Sen. Maria Lopez, D-Ore., and Rep. Tom Baker met Gov. Ann Reyes at 9 a.m. on Feb. 24 in "
    "St. Louis. They talked for an hour — maybe longer -- before lunch.",
    "“We will not back down. We will win,” she said. Mr. Baker disagreed.",
    "He said: “It is over.” Then he left the room. Was it over? Nobody knew!",
    "Shares of Acme Corp. and Widget Inc. fell after the company moved to No. 5 on the list, "
    "e.g. behind Zeta Ltd. and Omega Co., i.e. near the bottom.",
    "Joseph R. Biden Jr. spoke with Dr. Jane Smith and Lt. Gen. Paul Ortiz vs. the critics.",
    "J.R.R. Tolkien wrote about the U.K. His books sold well.",
]


# --- abbreviations -------------------------------------------------------------------------


def test_abbreviation_us_does_not_end_sentence() -> None:
    assert sents("The U.S. economy grew last year.") == ["The U.S. economy grew last year."]


def test_abbreviation_uk_does_not_end_sentence() -> None:
    assert sents("The U.K. government said no.") == ["The U.K. government said no."]


def test_us_before_sentence_starter_ends_sentence() -> None:
    assert sents("The troops returned to the U.S. The war was over.") == [
        "The troops returned to the U.S.",
        "The war was over.",
    ]


def test_us_before_other_capitalised_word_prefers_not_splitting() -> None:
    # Documented choice: "U.S. Military ..." is read as one sentence.
    assert sents("They flew to the U.S. Military leaders met them.") == [
        "They flew to the U.S. Military leaders met them."
    ]


def test_us_title_before_name_does_not_split() -> None:
    assert sents("U.S. Rep. Ann Cole voted no.") == ["U.S. Rep. Ann Cole voted no."]


def test_am_pm_inside_sentence_do_not_end_it() -> None:
    assert sents("He arrived at 9 a.m. and left at 5 p.m. on Friday.") == [
        "He arrived at 9 a.m. and left at 5 p.m. on Friday."
    ]


def test_pm_at_real_sentence_end_splits_before_starter() -> None:
    assert sents("The vote was at 5 p.m. The bill passed.") == [
        "The vote was at 5 p.m.",
        "The bill passed.",
    ]


def test_month_abbreviations_before_day_do_not_end_sentence() -> None:
    text = "It began on Feb. 24 and ended on Sept. 3, after a pause in Jan. 2023."
    assert sents(text) == [text]


@pytest.mark.parametrize("title", ["Mr.", "Mrs.", "Ms.", "Dr.", "Sen.", "Rep.", "Gov.", "Gen.", "Lt."])
def test_titles_before_names_do_not_end_sentence(title: str) -> None:
    text = f"Yesterday {title} Carter spoke. Then she left."
    assert sents(text) == [f"Yesterday {title} Carter spoke.", "Then she left."]


def test_saint_does_not_end_sentence() -> None:
    assert sents("They met in St. Paul on Monday.") == ["They met in St. Paul on Monday."]


def test_number_abbreviation_no_does_not_end_sentence() -> None:
    assert sents("She is ranked No. 5 in the world.") == ["She is ranked No. 5 in the world."]


def test_the_word_no_as_a_sentence_still_splits() -> None:
    assert sents("Did he win? No. The count is not over.") == [
        "Did he win?",
        "No.",
        "The count is not over.",
    ]


def test_company_suffixes_do_not_end_sentence() -> None:
    text = "Acme Inc. Chief Executive Ann Lee and Big Corp. Chairman Bo Kim met."
    assert sents(text) == [text]


def test_company_suffix_at_sentence_end_splits_before_starter() -> None:
    assert sents("She works for Acme Inc. The company declined to comment.") == [
        "She works for Acme Inc.",
        "The company declined to comment.",
    ]


def test_junior_and_versus_do_not_end_sentence() -> None:
    text = "Martin Luther King Jr. Day honors him, as in Brown vs. Board of Education."
    assert sents(text) == [text]


def test_eg_and_ie_do_not_end_sentence() -> None:
    text = "Some states, e.g. Ohio, changed rules, i.e. the deadlines moved."
    assert sents(text) == [text]


def test_initials_do_not_end_sentence() -> None:
    assert sents("Joseph R. Biden met J.R.R. Tolkien fans.") == [
        "Joseph R. Biden met J.R.R. Tolkien fans."
    ]


def test_initial_that_looks_like_article_does_not_split() -> None:
    assert sents("The author J. A. Smith spoke.") == ["The author J. A. Smith spoke."]


def test_dotted_acronym_at_sentence_end_splits_before_starter() -> None:
    assert sents("She lives in Washington, D.C. He lives in Ohio.") == [
        "She lives in Washington, D.C.",
        "He lives in Ohio.",
    ]


def test_decimal_numbers_do_not_end_sentence() -> None:
    assert sents("Inflation rose 3.5 percent. Wages rose 4.1 percent.") == [
        "Inflation rose 3.5 percent.",
        "Wages rose 4.1 percent.",
    ]


def test_em_dashes_do_not_end_sentence() -> None:
    text = "The plan — which few had read — passed -- barely -- on Friday."
    assert sents(text) == [text]


def test_sentence_ending_with_number_splits_before_number() -> None:
    assert sents("He was born in 1990. 2001 was a hard year.") == [
        "He was born in 1990.",
        "2001 was a hard year.",
    ]


def test_hyphenated_acronym_does_not_split() -> None:
    assert sents("It was a U.S.-led effort. It worked.") == ["It was a U.S.-led effort.", "It worked."]


# --- quotations, ? and ! -------------------------------------------------------------------


def test_multi_sentence_quote_splits_inside_and_keeps_attribution_with_last_sentence() -> None:
    assert sents("“We will not back down. We will win,” she said. Then she left.") == [
        "“We will not back down.",
        "We will win,” she said.",
        "Then she left.",
    ]


def test_closing_quote_belongs_to_sentence_before_it() -> None:
    assert sents("He said: “It is over.” Then he left.") == ["He said: “It is over.”", "Then he left."]


def test_straight_quotes_behave_like_curly_quotes() -> None:
    assert sents('He said: "It is over." Then he left.') == ['He said: "It is over."', "Then he left."]


def test_lowercase_attribution_after_quoted_sentence_stays_attached() -> None:
    assert sents("“It is over.” he said.") == ["“It is over.” he said."]


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert sents("Is it over? Yes! We won.") == ["Is it over?", "Yes!", "We won."]


def test_question_inside_quote_followed_by_capitalised_word_splits() -> None:
    assert sents("“Why?” Nobody answered. “Go!” He ran.") == ["“Why?”", "Nobody answered.", "“Go!”", "He ran."]


def test_question_inside_quote_followed_by_lowercase_attribution_stays() -> None:
    assert sents("“Why?” she asked.") == ["“Why?” she asked."]


def test_ellipsis_before_lowercase_continues_sentence() -> None:
    assert sents("He paused... then went on. Wait… What?") == ["He paused... then went on.", "Wait…", "What?"]


def test_parenthesised_sentence_keeps_closing_bracket() -> None:
    assert sents("(See the chart.) The trend is clear.") == ["(See the chart.)", "The trend is clear."]


# --- paragraphs, offsets, whitespace -------------------------------------------------------


def test_whitespace_only_input_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n\t \r\n ") == []
    doc = Document.from_text(" \n ")
    assert doc.sentences == [] and doc.n_paragraphs == 0


def test_every_line_break_is_a_paragraph_break_and_blank_lines_do_not_count() -> None:
    text = "First line. Still first.\nSecond line\n\n\nThird line.\r\nFourth.\rFifth"
    segs = assert_round_trip(text)
    assert [(s.text, s.paragraph) for s in segs] == [
        ("First line.", 0),
        ("Still first.", 0),
        ("Second line", 1),
        ("Third line.", 2),
        ("Fourth.", 3),
        ("Fifth", 4),
    ]
    assert Document.from_text(text).n_paragraphs == 5


def test_sentence_never_crosses_a_newline() -> None:
    assert sents("He went to the U.S.\nMilitary leaders met him") == [
        "He went to the U.S.",
        "Military leaders met him",
    ]


def test_offsets_index_the_untouched_input_with_surrounding_whitespace() -> None:
    text = "  \tThe U.S. grew.   It rose.  \n\n   Next paragraph here.  "
    segs = assert_round_trip(text)
    assert [(s.start, s.end) for s in segs] == [(3, 17), (20, 28), (35, 55)]
    assert [s.paragraph for s in segs] == [0, 0, 1]


def test_offset_round_trip_over_news_paragraphs() -> None:
    text = "\n\n".join(NEWS_PARAGRAPHS) + "\n"
    segs = assert_round_trip(text)
    assert Document.from_text(text).n_paragraphs == len(NEWS_PARAGRAPHS)
    assert [s.text for s in segs] == [
        "The U.S. economy grew 3.5 percent in the third quarter, the Commerce Department said "
        "on Thursday.",
        "Economists had expected 3.1 percent.",
        "Sen. Maria Lopez, D-Ore., and Rep. Tom Baker met Gov. Ann Reyes at 9 a.m. on Feb. 24 in "
        "St. Louis.",
        "They talked for an hour — maybe longer -- before lunch.",
        "“We will not back down.",
        "We will win,” she said.",
        "Mr. Baker disagreed.",
        "He said: “It is over.”",
        "Then he left the room.",
        "Was it over?",
        "Nobody knew!",
        "Shares of Acme Corp. and Widget Inc. fell after the company moved to No. 5 on the list, "
        "e.g. behind Zeta Ltd. and Omega Co., i.e. near the bottom.",
        "Joseph R. Biden Jr. spoke with Dr. Jane Smith and Lt. Gen. Paul Ortiz vs. the critics.",
        "J.R.R. Tolkien wrote about the U.K.",
        "His books sold well.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        ". . . ! ? … ” “ ...",
        "a.b.c. d.e. F.G. H",
        "“”\"'. .” .) ( . \u00a0. \u2028 x. Y",
        "no final punctuation at all",
        "...Leading dots. And more",
    ],
)
def test_round_trip_holds_on_odd_punctuation(text: str) -> None:
    assert_round_trip(text)


def test_segment_is_frozen() -> None:
    seg = split_sentences("Hello there.")[0]
    with pytest.raises(AttributeError):
        seg.start = 3  # type: ignore[misc]


# --- robustness and speed ------------------------------------------------------------------


def test_five_thousand_word_line_without_punctuation_is_one_segment_quickly() -> None:
    text = " ".join(f"word{i % 97}" for i in range(5000))
    t0 = time.perf_counter()
    segs = split_sentences(text)
    assert time.perf_counter() - t0 < 0.5
    assert len(segs) == 1 and segs[0].start == 0 and segs[0].end == len(text)


@pytest.mark.parametrize("text", ["." * 200_000 + "x", ". " * 100_000, "a" * 200_000 + ". B"])
def test_pathological_lines_stay_linear(text: str) -> None:
    t0 = time.perf_counter()
    assert_round_trip(text)
    assert time.perf_counter() - t0 < 2.0


def test_one_megabyte_of_news_segments_well_under_five_seconds() -> None:
    block = "\n".join(NEWS_PARAGRAPHS) + "\n"
    text = block * (1_000_000 // len(block) + 1)
    t0 = time.perf_counter()
    segs = split_sentences(text)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.5, f"{elapsed:.2f}s for {len(text):,} characters"
    assert len(segs) > 10_000


def test_round_trip_holds_on_random_punctuation_soup() -> None:
    import random

    rng = random.Random(1234)
    alphabet = ["The", "u.s.", "U.S.", "Mr.", "a", "B.", "3.5", " ", " ", "  ", "\n", "\r\n", ".", "?",
                "!", "…", "“", "”", '"', "'", "(", ")", "—", "--", "\t", "\u00a0", "x"]
    for _ in range(300):
        assert_round_trip("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))))


def test_quotations_pair_curly_and_straight_marks() -> None:
    from spinfix.text.document import quotations

    text = 'He said "we will win," then left. “One. Two.” And ” is stray.'
    assert [text[s:e] for s, e in quotations(text)] == ['"we will win,"', "“One. Two.”"]


def test_an_unclosed_quotation_ends_with_its_paragraph() -> None:
    from spinfix.text.document import quotations

    text = "“We will rebuild the bridge,\nsaid the mayor. “And the road.”"
    assert [text[s:e] for s, e in quotations(text)] == ["“We will rebuild the bridge,", "“And the road.”"]


def test_in_quotation_includes_the_marks_and_nothing_past_them() -> None:
    from spinfix.text.document import in_quotation, quotations

    text = 'a "b c" d'
    quotes = quotations(text)
    assert [i for i in range(len(text)) if in_quotation(quotes, i)] == [2, 3, 4, 5, 6]
    assert not in_quotation([], 0)
