"""The LM tagger: a head on the LM's hidden states read in the same pass as the surprisal, saved
beside the detector, trained on per-word labels, and weighed by the LM reading."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import spinfix  # noqa: E402
from spinfix.detect.reading import FEATURES, LMReading  # noqa: E402
from spinfix.detect.tagger import LMTagger, TaggerHead, TaggerSettings  # noqa: E402
from spinfix.errors import ModelError  # noqa: E402
from spinfix.lm.surprisal import SurprisalReader
from spinfix.text.tokens import tokenize  # noqa: E402
from spinfix.train.tagger import train_head

SENTENCES = [
    "Officials mentioned that the navy help was not enough.",
    "The president said the military aid would continue through the winter, officials said.",
    "Deep learning.",
]


def _words(text: str):
    return [t for t in tokenize(text) if t.is_word]


def _tiny_tagger(hidden: int = 32, seed: int = 0) -> LMTagger:
    torch.manual_seed(seed)
    cfg = TaggerSettings(layer=1, hidden=hidden, proj=8, rnn=4)
    return LMTagger(TaggerHead(cfg), cfg)


def test_each_words_state_is_the_lms_state_at_its_last_token(tiny_lm) -> None:
    model, tok = tiny_lm
    reader = SurprisalReader(model, tok, max_batch_tokens=40)  # several batches, with padding
    got = reader.read_states(SENTENCES, [_words(s) for s in SENTENCES], layer=1)
    plain = reader.read(SENTENCES, [_words(s) for s in SENTENCES])
    for text, (rows, states), alone in zip(SENTENCES, got, plain):
        enc = tok(text, return_offsets_mapping=True, add_special_tokens=False)
        ids = [tok.eos_token_id] + enc["input_ids"]
        with torch.no_grad():
            hidden = model(torch.tensor([ids]), output_hidden_states=True).hidden_states[1][0]
        words = _words(text)
        assert states.shape == (len(words), 32)
        np.testing.assert_allclose(rows, alone)  # the surprisal is what `read` gives
        for w, state in zip(words, states):
            last = max(k for k, (s, e) in enumerate(enc["offset_mapping"]) if s < w.end and e > w.start)
            np.testing.assert_allclose(state, hidden[last + 1].numpy(), atol=1e-4)


def test_a_saved_tagger_loads_with_the_same_logits(tmp_path) -> None:
    tagger = _tiny_tagger()
    rng = np.random.default_rng(0)
    states = [rng.normal(size=(n, 32)).astype(np.float32) for n in (5, 1, 9)] + [np.zeros((0, 32), np.float32)]
    rows = [rng.uniform(0, 10, size=(len(s), 3)) for s in states]
    tagger.save(tmp_path)
    back = LMTagger.load(tmp_path)
    assert back is not None and back.config == tagger.config
    for a, b in zip(tagger.logits(states, rows), back.logits(states, rows)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=2e-2)  # saved as fp16
    assert LMTagger.load(tmp_path / "elsewhere") is None


def test_the_head_learns_what_the_states_say() -> None:
    # A word is "spun" when its state's first coordinate is positive and the next word's is
    # too: the head must read its right neighbour (the GRU runs both ways) to learn it.
    rng = np.random.default_rng(1)
    states = [rng.normal(size=(int(n), 16)).astype(np.float32) for n in rng.integers(3, 12, size=260)]
    labels = [((s[:, 0] > 0) & np.append(s[1:, 0] > 0, False)).astype(np.int8) for s in states]
    rows = [np.zeros((len(s), 3)) for s in states]
    cfg = TaggerSettings(layer=1, hidden=16, proj=16, rnn=16)
    tagger = train_head(states[:200], rows[:200], labels[:200], cfg, epochs=10, batch=32, lr=1e-2)
    z = np.concatenate(tagger.logits(states[200:], rows[200:]))
    y = np.concatenate(labels[200:])
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y, z) > 0.9


def _with(sf: spinfix.Spinfix, tiny_lm, reading: LMReading, tagger: LMTagger | None) -> spinfix.Spinfix:
    cfg = dataclasses.replace(sf.detector.config, lm_reading=reading.to_dict())
    det = type(sf.detector)(sf.detector.model, sf.detector.tokenizer, cfg, lm_tagger=tagger)
    out = spinfix.Spinfix(det, context=False)
    out._lm = tiny_lm
    return out


def test_a_reading_that_weighs_only_the_tagger_gives_the_taggers_probabilities(sf, tiny_lm) -> None:
    tagger = _tiny_tagger()
    only = LMReading(tuple(1.0 if f == "tagger" else 0.0 for f in FEATURES), 0.0, (1.0, 0.0, 0.0, 0.0), (0.0, 1.0))
    report = _with(sf, tiny_lm, only, tagger).detect(" ".join(SENTENCES))
    segs = report.sentences
    assert len(segs) == len(SENTENCES)
    reader = SurprisalReader(*tiny_lm)
    words = [_words(s.text) for s in segs]
    got = reader.read_states([s.text for s in segs], words, layer=1)
    expected = tagger.logits([st for _, st in got], [r for r, _ in got])
    for sent, z in zip(segs, expected):
        top = 1.0 / (1.0 + np.exp(-z.max()))
        # the read sentences' regression here is the identity on the top word: the tagger's
        assert sent.probability == pytest.approx(top, abs=2e-3)


def test_a_reading_that_needs_a_missing_tagger_is_refused(sf, tiny_lm) -> None:
    needs = LMReading(tuple(1.0 if f == "tagger" else 0.0 for f in FEATURES), 0.0, (1.0, 0.0, 0.0, 0.0), (0.0, 1.0))
    with pytest.raises(ModelError, match="lm_tagger"):
        _with(sf, tiny_lm, needs, None)
    # Without the reading the checkpoint still loads: the detector alone needs no tagger.
    cfg = dataclasses.replace(sf.detector.config, lm_reading=needs.to_dict())
    det = type(sf.detector)(sf.detector.model, sf.detector.tokenizer, cfg)
    assert spinfix.Spinfix(det, lm_reading=False).lm_reading is None


def test_a_reading_saved_before_the_tagger_weighs_it_zero() -> None:
    old = {"weights": {f: 1.0 for f in FEATURES if f != "tagger"}, "bias": 0.0,
           "calibration": [1.0, 0.0, 0.0, 0.0], "band": [0.1, 0.97]}
    reading = LMReading.from_dict(old)
    assert reading is not None and not reading.uses_tagger
