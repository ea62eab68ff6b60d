"""How restoration is scored, and how the default method is chosen from the scores."""
from __future__ import annotations

from spinfix.eval.restoration import (
    calibration_error,
    choose_default,
    edit_improves,
    edit_outcomes,
    evaluate_tortured,
    reliability,
    word_outcomes,
)
from spinfix.eval.tortured_pairs import TorturedPair
from spinfix.report import Report, SentenceReport, Span
from spinfix.restore.rules import Suggestion

RECORD = {
    "spun": True,
    "text": "Psaki mentioned the navy help would continue.",
    "clean": "Psaki said the military aid would continue.",
    "edits": [[6, 15, "said", "mentioned", "moby"], [20, 24, "military", "navy", "moby"], [25, 29, "aid", "help", "moby"]],
}


def test_word_outcomes_count_restored_and_damaged_words_on_the_clean_side() -> None:
    assert word_outcomes(RECORD["clean"], RECORD) == (3, 3, 4, 0)  # all back, nothing damaged
    assert word_outcomes(RECORD["text"], RECORD) == (3, 0, 4, 0)  # doing nothing
    assert word_outcomes("Psaki said the military aid will continue.", RECORD) == (3, 3, 4, 1)


def _restored(*edits: tuple[str, str, float]) -> Report:
    """A report of RECORD's text with a span (and its suggestion) per (span text, suggestion, confidence)."""
    text = RECORD["text"]
    spans = []
    for old, new, conf in edits:
        start = text.index(old)
        spans.append(Span(start, start + len(old), old, probability=0.9, suggestion=new, confidence=conf))
    return Report(text, [SentenceReport(text, 0, len(text), 0.99, True, spans)], threshold=0.5)


def test_an_edit_is_right_when_its_whole_stretch_reads_as_the_original() -> None:
    report = _restored(
        ("mentioned the", "said the", 0.8),  # wider than the gold span ("the" was clean): still right
        ("navy help", "military help", 0.6),  # half restored: wrong
        ("continue", "go on", 0.3),  # no spun word there: damage, wrong
    )
    assert edit_outcomes(report, RECORD) == [(0.8, True), (0.6, False), (0.3, False)]


def test_an_edit_that_cuts_through_a_gold_swap_is_wrong() -> None:
    report = _restored(("navy", "military", 0.7))  # the gold swaps are word by word: this one alone is right
    assert edit_outcomes(report, RECORD) == [(0.7, True)]
    report = _restored(("help would", "aid", 0.7))
    assert edit_outcomes(report, RECORD) == [(0.7, False)]  # drops "would": not the original


def test_an_edit_of_a_clean_sentence_is_wrong() -> None:
    clean = {"spun": False, "text": RECORD["text"], "clean": RECORD["text"], "edits": []}
    assert edit_outcomes(_restored(("navy help", "military aid", 0.9)), clean) == [(0.9, False)]


def _improves(old: str, new: str, record: dict = RECORD) -> bool:
    start = record["text"].index(old)
    return edit_improves(record["text"], record, start, start + len(old), new)


def test_an_edit_is_right_word_by_word_when_it_brings_back_originals_and_harms_nothing() -> None:
    assert _improves("mentioned the", "said the")
    assert _improves("navy help", "military help")  # half restored: better, harms nothing
    assert not _improves("navy help", "naval aid")  # "naval" is no original word
    assert not _improves("navy", "army")  # nothing back
    assert not _improves("continue", "go on")  # damage
    assert not _improves("help would", "aid")  # brings "aid" back but drops "would"


def test_word_by_word_a_deleted_insertion_and_a_merged_stretch_are_right() -> None:
    inserted = {"spun": True, "text": "At the least 14 people were hurt.", "clean": "At least 14 people were hurt.",
                "edits": [[3, 6, "", "the", "real"]]}
    assert _improves("At the least", "At least", inserted)
    merged = {"spun": True, "text": "The city earlier than noon.", "clean": "The town before noon.",
              "edits": [[4, 20, "town before", "city earlier than", "real"]]}
    assert _improves("earlier than", "before", merged)  # one of two words of a merged stretch
    assert edit_outcomes(_report(merged, "earlier than", "before"), merged) == [(0.9, False)]  # the exact rule: wrong


def _report(record: dict, old: str, new: str) -> Report:
    text = record["text"]
    start = text.index(old)
    span = Span(start, start + len(old), old, probability=0.9, suggestion=new, confidence=0.9)
    return Report(text, [SentenceReport(text, 0, len(text), 0.99, True, [span])], threshold=0.5)


def test_reliability_bins_edits_by_confidence_and_measures_the_gap() -> None:
    bins = reliability([(0.1, False), (0.15, False), (0.9, True), (0.95, True), (1.0, False)])
    assert [(b["confidence"], b["edits"], b["right"]) for b in bins] == [("0.0-0.2", 2, 0.0), ("0.8-1.0", 3, 0.667)]
    # (2 * |0.125 - 0| + 3 * |0.95 - 0.667|) / 5
    assert calibration_error(bins) == round((2 * 0.125 + 3 * abs(0.95 - 0.667)) / 5, 4)


def test_the_faster_method_stays_default_when_the_lead_is_noise() -> None:
    fast = [(3, 1), (3, 2), (3, 0), (3, 1)] * 10
    slow = [(3, 2), (3, 1), (3, 0), (3, 1)] * 10  # same total: no lead at all
    best, notes = choose_default({"baseline": slow, "rewriter": fast}, ("rewriter", "baseline"))
    assert best == "rewriter"
    assert notes["baseline_minus_rewriter"]["lead"] == 0.0


def test_a_slower_method_wins_on_a_clear_lead() -> None:
    fast = [(3, 0), (3, 1)] * 50
    slow = [(3, 2), (3, 3)] * 50
    best, notes = choose_default({"rewriter": fast, "baseline": slow}, ("rewriter", "baseline"))
    assert best == "baseline"
    lead = notes["baseline_minus_rewriter"]
    assert lead["lead"] > 2 * lead["standard_error"]


class AnswerRestorer:
    """Knows the correct phrase of the tortured phrases in ANSWERS; leaves anything else."""

    name = "answers"
    ANSWERS = {"counterfeit consciousness": "artificial intelligence"}

    def __init__(self) -> None:
        self.seen: list[str] = []

    def restore(self, tasks):
        out = []
        for t in tasks:
            texts = [t.sentence[s:e] for s, e in t.spans]
            self.seen += texts
            out.append([Suggestion(self.ANSWERS.get(x, x), 0.9) for x in texts])
        return out


def test_tortured_phrases_with_gold_spans_are_restored_on_the_phrase_alone(tiny_models) -> None:
    import spinfix

    sf = spinfix.Spinfix.load(tiny_models, device="cpu")
    fake = AnswerRestorer()
    sf.use_restorer(fake)
    pairs = [TorturedPair("counterfeit consciousness", "artificial intelligence"), TorturedPair("sack of words", "bag of words")]
    res = evaluate_tortured(sf, pairs, method=fake.name, oracle=True)
    assert fake.seen == ["counterfeit consciousness", "sack of words"]
    assert res["pairs"] == 2 and res["restored_exactly"] == 0.5
    assert res["chrf"] > res["do_nothing_chrf"]


def test_a_placed_tortured_phrase_has_one_gold_edit_per_swapped_word() -> None:
    from spinfix.eval.restoration import phrase_edits

    sentence = "We used counterfeit consciousness methods."
    where = (8, 8 + len("counterfeit consciousness"))
    edits = phrase_edits(TorturedPair("counterfeit consciousness", "artificial intelligence"), where)
    assert [(sentence[s:e], c) for s, e, c in edits] == [("counterfeit", "artificial"), ("consciousness", "intelligence")]
    same_word = phrase_edits(TorturedPair("profound learning", "deep learning"), (8, 8 + len("profound learning")))
    assert [(sentence[s:e], c) for s, e, c in same_word] == [("counterf", "deep")]  # "learning" is no edit
    # Unequal lengths: no word alignment, the whole phrase is one edit.
    assert phrase_edits(TorturedPair("flag to clamor ratio", "snr"), (0, 20)) == [[0, 20, "snr"]]


def test_the_spinner_share_is_split_again_into_fit_and_check_by_correct_phrase() -> None:
    pairs = [TorturedPair(f"tortured {i}", f"correct {i}") for i in range(400)]
    parts = [p.spinner_part for p in pairs]
    assert 0.15 < parts.count("check") / len(parts) < 0.35
    assert parts == [TorturedPair("other wording", p.correct).spinner_part for p in pairs]  # the correct phrase decides


def test_spells_says_whether_some_choice_of_candidates_gives_the_correct_phrase():
    from spinfix.eval.restoration import spells
    from spinfix.restore.candidates import Unit

    s = "We used profound neural organization here."
    a = s.index("profound")
    e = a + len("profound neural organization")
    words = [Unit(a, a + 8, "profound", ("profound", "Deep", "intense")), Unit(a + 9, a + 15, "neural", ("neural",)),
             Unit(a + 16, e, "organization", ("organization", "network"))]
    assert spells(words, s, (a, e), "deep neural network")  # case-insensitive
    assert not spells(words, s, (a, e), "deep neural net")  # no candidate ends it so
    assert not spells(words, s, (a, e), "deep network")  # "neural" cannot vanish
    phrase = [Unit(a, a + 15, "profound neural", ("profound neural", "deep neural")), words[2]]
    assert spells(phrase, s, (a, e), "deep neural network")
