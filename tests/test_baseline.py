"""The LM-scoring baseline: shared-prefix batching must give the same scores as scoring each
candidate sentence on its own, and the restorer only ever picks among its candidates."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from spinfix.lm.scorer import LMScorer  # noqa: E402
from spinfix.restore.baseline import BaselineRestorer  # noqa: E402
from spinfix.restore.candidates import CandidateGenerator, Unit  # noqa: E402
from spinfix.restore.evidence import candidate_features, keep_detector  # noqa: E402
from spinfix.restore.rules import SpanTask  # noqa: E402
from spinfix.restore.settings import BaselineSettings  # noqa: E402
from spinfix.train.baseline_trace import TracingBaselineRestorer  # noqa: E402
from spinfix.train.swap_rates import count_swap_rates


def _naive(model, tok, prefix: str, suffix: str) -> float:
    start = tok.convert_tokens_to_ids("<|endoftext|>")
    p = [start] + tok(prefix, add_special_tokens=False)["input_ids"]
    s = tok(suffix, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([p + s])
    with torch.no_grad():
        logp = torch.log_softmax(model(ids).logits[0].float(), dim=-1)
    return sum(logp[len(p) - 1 + i, t].item() for i, t in enumerate(s))


def test_shared_prefix_scores_equal_one_by_one_scores(tiny_lm) -> None:
    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    prefix = "The president"
    suffixes = [" said the military aid", " mentioned the navy help would", " stated"]
    got = scorer.continuations(prefix, suffixes)
    want = [_naive(model, tok, prefix, s) for s in suffixes]
    assert got == pytest.approx(want, abs=1e-4)


def test_empty_prefix_is_scored_from_the_document_start(tiny_lm) -> None:
    model, tok = tiny_lm
    got = LMScorer(model, tok).continuations("", ["Officials mentioned", "Officials said"])
    assert got == pytest.approx([_naive(model, tok, "", "Officials mentioned"), _naive(model, tok, "", "Officials said")], abs=1e-4)


class _FixedCandidates:
    """Stand-in for CandidateGenerator: fixed candidates per word."""

    span_units = CandidateGenerator.span_units

    TABLE = {"mentioned": ("mentioned", "said", "stated"), "navy": ("navy", "military"), "help": ("help", "aid")}
    EVIDENCE = {("help", "aid"): {"learned": 1.0}}
    max_candidates = 24
    swap_rates = None

    def evidence(self, spun: str, candidate: str) -> dict[str, float]:
        cands = self.TABLE.get(spun, (spun,))
        return {**self.EVIDENCE.get((spun, candidate), {}), "rank": cands.index(candidate)}

    def units(self, sentence: str, words: list[tuple[int, int]]) -> list[Unit]:
        return [Unit(s, e, sentence[s:e], self.TABLE.get(sentence[s:e], (sentence[s:e],))) for s, e in words]


def test_restorer_picks_among_candidates_and_keeps_offsets(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    task = SpanTask(sent, ((6, 15), (20, 29)))
    [sugg] = BaselineRestorer(LMScorer(model, tok), _FixedCandidates()).restore([task])
    assert len(sugg) == 2
    assert sugg[0].text in {"mentioned", "said", "stated"}
    first, second = sugg[1].text.split()
    assert first in {"navy", "military"} and second in {"help", "aid"}
    assert all(0.0 < g.confidence <= 1.0 for g in sugg)


def test_a_large_keep_bonus_leaves_every_span_alone(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    task = SpanTask(sent, ((6, 15), (20, 29)))
    [sugg] = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(keep_bonus=1e6)).restore([task])
    assert [g.text for g in sugg] == ["mentioned", "navy help"]


def test_fitted_weights_can_outvote_the_language_model(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    task = SpanTask(sent, ((25, 29),))
    # The LM ignored, the learned-swap evidence decides: "help" -> "aid", and surely so.
    restorer = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(weights={"lm": 0.0, "learned": 20.0}))
    [[sugg]] = restorer.restore([task])
    assert sugg.text == "aid" and sugg.confidence > 0.99


def test_every_decision_can_be_recorded_for_fitting(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    restorer = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates())
    restorer.restore([SpanTask(sent, ((6, 15), (20, 29)))])
    assert [(d["start"], d["end"]) for d in restorer.trace] == [(6, 15), (20, 24), (25, 29)]
    assert all(len(d["lm"]) == len(d["candidates"]) for d in restorer.trace)


def test_candidate_features_tell_keeping_from_replacing() -> None:
    gen = _FixedCandidates()
    keep = candidate_features(gen, "mentioned", "mentioned")
    assert keep["keep"] == 1.0 and keep["keep_zipf"] > 0
    other = candidate_features(gen, "help", "aid")
    assert "keep" not in other and other["learned"] == 1.0 and other["extra_words"] == 0
    assert "swap_rate" not in keep and "swap_rate" not in other  # no table, no such evidence


def test_the_detectors_certainty_is_evidence_only_for_leaving_a_unit_alone() -> None:
    import math

    gen = _FixedCandidates()
    assert candidate_features(gen, "mentioned", "mentioned", 0.9)["keep_detector"] == pytest.approx(math.log(9))
    assert "keep_detector" not in candidate_features(gen, "mentioned", "said", 0.9)
    assert "keep_detector" not in candidate_features(gen, "mentioned", "mentioned")  # spans from elsewhere
    assert keep_detector(1.0) == keep_detector(0.99)  # clipped
    assert keep_detector(0.0) == pytest.approx(-keep_detector(1.0))


def test_a_sure_detector_talks_the_restorer_out_of_leaving_a_unit(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    # A head start of 50 for leaving the word, less 20 per unit of the detector's logit (4.6 at 0.99).
    weights = {"lm": 1.0, "keep": 50.0, "keep_detector": -20.0}
    restorer = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(weights=weights))
    unsure, sure, unknown = restorer.restore(
        [SpanTask(sent, ((6, 15),), (0.01,)), SpanTask(sent, ((6, 15),), (0.99,)), SpanTask(sent, ((6, 15),))]
    )
    assert unsure[0].text == "mentioned" and unknown[0].text == "mentioned"
    assert sure[0].text in ("said", "stated")


def test_swap_rates_say_which_original_a_spinner_would_have_touched() -> None:
    gen = _FixedCandidates()
    gen.swap_rates = count_swap_rates([("They said it would help.", ["said", "help"]), ("She said no.", ["said"])])
    said = candidate_features(gen, "mentioned", "said")["swap_rate"]
    stated = candidate_features(gen, "mentioned", "stated")["swap_rate"]
    assert said > stated  # "said" was swapped each time it was seen; "stated" is unseen: the overall rate
    assert candidate_features(gen, "mentioned", "mentioned")["swap_rate"] < 0  # log P(left alone)


def test_an_endless_sentence_is_left_alone_quickly_and_said_so(tiny_lm, caplog: pytest.LogCaptureFixture) -> None:
    model, tok = tiny_lm
    sent = " ".join(["Psaki mentioned the navy help would continue"] * 40) + "."
    restorer = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates())
    [sugg] = restorer.restore([SpanTask(sent, ((6, 15), (20, 29)))])
    assert [(g.text, g.confidence) for g in sugg] == [("mentioned", 0.0), ("navy help", 0.0)]
    assert restorer.trace == []  # no LM work at all
    assert "a sentence of 280 words is too long to restore (over 200); its 2 marked span(s) are left as they are" in caplog.text


def test_a_span_is_as_sure_as_all_its_units_together(tiny_lm) -> None:
    # "navy help" is two units; the span is right only if both are, so its confidence is the
    # product of theirs (the weakest unit alone overstated it on dev).
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    restorer = BaselineRestorer(LMScorer(model, tok), _FixedCandidates())
    [[navy, help_]] = restorer.restore([SpanTask(sent, ((20, 24), (25, 29)))])
    [[both]] = restorer.restore([SpanTask(sent, ((20, 29),))])  # the same units, decided alike
    assert both.text == f"{navy.text} {help_.text}"
    assert both.confidence == pytest.approx(navy.confidence * help_.confidence, rel=1e-6)
    assert both.confidence < min(navy.confidence, help_.confidence)


def test_a_shortlist_scores_the_spun_text_and_the_best_few_in_full(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    restorer = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(shortlist=1, shortlist_margin=None))
    restorer.restore([SpanTask(sent, ((6, 15),))])
    [d] = restorer.trace
    assert d["candidates"][0] == "mentioned" and len(d["candidates"]) == 2  # of three
    full = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(shortlist=None, shortlist_margin=None))
    full.restore([SpanTask(sent, ((6, 15),))])
    [e] = full.trace
    # The one kept has the best first-token score of the two alternatives, and the same scores.
    alt = {c: f for c, f in zip(e["candidates"][1:], e["first"][1:])}
    assert d["candidates"][1] == max(alt, key=alt.get)
    assert d["lm"] == pytest.approx([e["lm"][e["candidates"].index(c)] for c in d["candidates"]], abs=1e-4)


def test_a_margin_drops_candidates_far_behind_on_the_first_token(tiny_lm) -> None:
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    full = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(shortlist=None, shortlist_margin=None))
    full.restore([SpanTask(sent, ((6, 15),))])
    [e] = full.trace
    rank = [f - t for f, t in zip(e["first"], e["extra_tokens"])]  # no evidence weights: the LM alone
    for margin in (0.0, 100.0):
        cut = TracingBaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(shortlist=None, shortlist_margin=margin))
        cut.restore([SpanTask(sent, ((6, 15),))])
        [d] = cut.trace
        floor = max(rank) - margin
        assert d["candidates"] == [e["candidates"][0]] + [c for c, r in zip(e["candidates"][1:], rank[1:]) if r >= floor]


def test_sentences_restored_together_come_out_as_restored_alone(tiny_lm) -> None:
    model, tok = tiny_lm
    tasks = [
        SpanTask("Psaki mentioned the navy help would continue.", ((6, 15), (20, 29))),
        SpanTask("The navy help arrived.", ((4, 13),)),
        SpanTask("Nothing to do here.", ()),
        SpanTask("Officials mentioned it.", ((10, 19),)),
    ]
    restorer = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), BaselineSettings(batch_sentences=3))
    together = restorer.restore(tasks)
    alone = [restorer.restore([t])[0] for t in tasks]
    assert [[g.text for g in s] for s in together] == [[g.text for g in s] for s in alone]
    for s, t in zip(together, alone):
        assert [g.confidence for g in s] == pytest.approx([g.confidence for g in t], abs=1e-5)


def test_every_score_is_the_lm_reading_the_sentence_with_the_choices_so_far(tiny_lm) -> None:
    # The restorer reads each sentence once and keeps the chosen candidate's tokens as read;
    # every decision's scores must still be those of the whole text scored from scratch.
    from spinfix.restore.baseline import first_words

    model, tok = tiny_lm
    scorer = LMScorer(model, tok)
    tasks = [
        SpanTask("Psaki mentioned the navy help would continue, mentioned officials.", ((6, 15), (20, 29), (46, 55))),
        SpanTask("The navy help arrived and help mentioned it.", ((4, 13), (26, 40))),
    ]
    restorer = TracingBaselineRestorer(scorer, _FixedCandidates(), BaselineSettings(shortlist=None, shortlist_margin=None))
    restorer.restore(tasks)
    done: dict[int, list[tuple[int, int, str]]] = {0: [], 1: []}
    for d in restorer.trace:
        sent = tasks[d["task"]].sentence
        text, pos = "", 0
        for s, e, c in done[d["task"]]:
            text, pos = text + sent[pos:s] + c, e
        text += sent[pos : d["start"]]
        head = text.rstrip()
        gap = text[len(head):]
        rest = first_words(sent[d["end"] :], BaselineSettings().right_context)
        want = [_naive(model, tok, head, gap + c + rest) for c in d["candidates"]]
        assert d["lm"] == pytest.approx(want, abs=1e-4)
        best = max(range(len(d["lm"])), key=d["lm"].__getitem__)
        done[d["task"]].append((d["start"], d["end"], d["candidates"][best]))
    assert len(restorer.trace) == 8


def test_the_trace_holds_each_decision_as_finally_made(tiny_lm) -> None:
    # The confidence map is fitted on the choices as they end up (scripts/calibrate_baseline.py):
    # after the revisit, the trace's "chosen" and "p" are the revisited decision's.
    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    restorer = TracingBaselineRestorer(
        LMScorer(model, tok), _FixedCandidates(),
        BaselineSettings(weights={"lm": 1.0, "learned": 1e3}, shortlist=None, shortlist_margin=None, revisit=True),
    )
    [[sugg]] = restorer.restore([SpanTask(sent, ((20, 29),))])
    navy, aid = sorted(restorer.trace, key=lambda d: d["start"])
    assert navy["candidates"][navy["chosen"]] + " " + aid["candidates"][aid["chosen"]] == sugg.text
    assert navy["p"] * aid["p"] == pytest.approx(sugg.confidence, rel=1e-6)  # no calibration map here


@pytest.mark.parametrize(
    "revisit, margin, right",
    [(True, None, " aid would"), (True, 1e9, " aid would"), (True, 0.0, " help would"), (False, None, " help would")],
)
def test_a_unit_is_decided_again_once_the_words_after_it_are_restored(
    tiny_lm, revisit: bool, margin: float | None, right: str
) -> None:
    # "navy" is first judged before "help" -> "aid" is decided; the revisit scores it again
    # with the restored right context, exactly as the LM reads that text from scratch. Without
    # it, or when no other candidate was first scored within the margin of the best, the first
    # judgement (against the spun "help") stands.
    import math

    model, tok = tiny_lm
    sent = "Psaki mentioned the navy help would continue."
    restorer = BaselineRestorer(
        LMScorer(model, tok), _FixedCandidates(),
        BaselineSettings(
            weights={"lm": 1.0, "learned": 1e3}, shortlist=None, shortlist_margin=None, revisit=revisit, revisit_margin=margin
        ),
    )
    [[sugg]] = restorer.restore([SpanTask(sent, ((20, 29),))])
    navy, aid = sugg.text.split()
    assert aid == "aid"
    want = {c: _naive(model, tok, "Psaki mentioned the", f" {c}{right}") for c in ("navy", "military")}
    assert navy == max(want, key=want.get)
    navy_conf = 1.0 / sum(math.exp(v - want[navy]) for v in want.values())
    assert sugg.confidence == pytest.approx(navy_conf, rel=1e-4)  # "aid" is sure: the product is navy's


def test_recording_the_decisions_changes_none_of_them(tiny_lm) -> None:
    # The fitting scripts record the release's decisions: a recording restorer made like the
    # released one must restore exactly as it does, cut short lists and revisits included.
    model, tok = tiny_lm
    settings = BaselineSettings(weights={"lm": 1.0, "learned": 2.0}, shortlist=1, shortlist_margin=3.0, revisit=True)
    plain = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), settings)
    plain.calibration = (0.5, 0.1)  # changed on the restorer itself, as calibrate_baseline.py does
    tasks = [
        SpanTask("Psaki mentioned the navy help would continue.", ((6, 15), (20, 29))),
        SpanTask("The navy help arrived.", ((4, 13),)),
    ]
    recording = TracingBaselineRestorer.like(plain)
    assert recording.restore(tasks) == plain.restore(tasks)
    assert {d["task"] for d in recording.trace} == {0, 1}
    assert all("chosen" in d and "p" in d and "first" in d for d in recording.trace)
