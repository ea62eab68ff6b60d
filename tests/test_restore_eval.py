"""How restoration is scored, and how the default method is chosen from the scores."""
from __future__ import annotations

from spinfix.restoration import Suggestion
from spinfix.restore_eval import choose_default, evaluate_tortured, word_outcomes
from spinfix.tortured import TorturedPair

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
    sf._restorers[fake.name] = fake
    pairs = [TorturedPair("counterfeit consciousness", "artificial intelligence"), TorturedPair("sack of words", "bag of words")]
    res = evaluate_tortured(sf, pairs, method=fake.name, oracle=True)
    assert fake.seen == ["counterfeit consciousness", "sack of words"]
    assert res["pairs"] == 2 and res["restored_exactly"] == 0.5
    assert res["chrf"] > res["do_nothing_chrf"]
