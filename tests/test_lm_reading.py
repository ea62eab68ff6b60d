"""The LM's second reading of uncertain sentences: word surprisal read in batches as if each
sentence were alone, the fitted combination, and where the pipeline uses it."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import spinfix  # noqa: E402
from spinfix.detect.reading import FEATURES, LMReading, word_features  # noqa: E402
from spinfix.lm.surprisal import PAD_RATIO, PAD_SLACK, SurprisalReader  # noqa: E402
from spinfix.text.tokens import tokenize  # noqa: E402

SENTENCES = [
    "Officials mentioned that the navy help was not enough.",
    "The president said the military aid would continue through the winter, officials said.",
    "Deep learning.",
]


def _naive_word_surprisal(model, tok, text: str, start: int, end: int) -> float:
    """-log P of the LM tokens overlapping text[start:end], the text read alone from its start."""
    enc = tok(text, return_offsets_mapping=True, add_special_tokens=False)
    ids = [tok.eos_token_id] + enc["input_ids"]
    with torch.no_grad():
        lp = torch.log_softmax(model(torch.tensor([ids])).logits[0, :-1].float(), -1)
    return -sum(
        lp[k, ids[k + 1]].item() for k, (s, e) in enumerate(enc["offset_mapping"]) if e > start and s < end
    )


def _words(text: str):
    return [t for t in tokenize(text) if t.is_word]


def test_each_word_surprisal_is_as_if_the_sentence_were_read_alone(tiny_lm) -> None:
    model, tok = tiny_lm
    # A small token budget forces several batches of unequal lengths.
    got = SurprisalReader(model, tok, max_batch_tokens=40).read(SENTENCES, [_words(s) for s in SENTENCES])
    for text, rows in zip(SENTENCES, got):
        words = _words(text)
        assert rows.shape == (len(words), 3)
        for w, row in zip(words, rows):
            assert row[0] == pytest.approx(_naive_word_surprisal(model, tok, text, w.start, w.end), abs=1e-3)
            assert row[2] >= 1 and row[1] <= row[0] + 1e-6  # the first token is part of the word's sum


def test_batches_hold_every_sentence_once_with_little_padding(tiny_lm) -> None:
    model, tok = tiny_lm
    reader = SurprisalReader(model, tok, max_batch_tokens=4096)
    texts = [" ".join(["word"] * n) + "." for n in (3, 40, 4, 90, 41, 5, 88, 42)]
    batches = reader.batches(reader.encode(texts))
    assert sorted(i for idx, _, _ in batches for i in idx) == list(range(len(texts)))
    # A big budget alone would put all eight in one batch, mostly padding.
    assert len(batches) >= 3
    for _idx, ids, mask in batches:
        lengths = mask.sum(1)
        assert int(lengths.max()) <= PAD_RATIO * int(lengths.min()) + PAD_SLACK
        assert ids.shape[0] * ids.shape[1] <= reader.max_batch_tokens


def test_the_reading_round_trips_through_its_saved_form() -> None:
    reading = LMReading(tuple(float(i) for i in range(len(FEATURES))), -1.5, (0.6, 0.2, 0.0, 0.3), (0.1, 0.99))
    assert LMReading.from_dict(reading.to_dict()) == reading
    assert LMReading.from_dict(None) is None
    assert reading.in_band(0.5) and not reading.in_band(0.05) and not reading.in_band(0.995)


def test_a_reading_that_weighs_only_the_detector_returns_its_probabilities() -> None:
    identity = LMReading((1.0,) + (0.0,) * (len(FEATURES) - 1), 0.0, (1.0, 0.0, 0.0, 0.0), (0.0, 1.0))
    words = _words(SENTENCES[0])
    probs = np.linspace(0.05, 0.95, len(words)).astype(np.float32)
    lm = np.random.default_rng(0).uniform(0, 10, size=(len(words), 3))
    assert identity.word_probs(word_features(words, probs, lm)) == pytest.approx(probs, abs=1e-5)


def _with_reading(sf: spinfix.Spinfix, tiny_lm, reading: LMReading | None) -> spinfix.Spinfix:
    """The same tiny detector with `reading` as its checkpoint's LM reading, and the tiny LM."""
    cfg = dataclasses.replace(sf.detector.config, lm_reading=reading.to_dict() if reading else None)
    det = type(sf.detector)(sf.detector.model, sf.detector.tokenizer, cfg)
    out = spinfix.Spinfix(det, context=False)
    out._lm = tiny_lm
    return out


def test_an_identity_reading_changes_no_verdict_and_no_span(sf, tiny_lm, sample_text) -> None:
    plain = _with_reading(sf, tiny_lm, None).detect(sample_text)
    calib = sf.detector.config.calibration
    identity = LMReading((1.0,) + (0.0,) * (len(FEATURES) - 1), 0.0, calib, (0.0, 1.0))
    read = _with_reading(sf, tiny_lm, identity).detect(sample_text)
    assert [s.probability for s in read.sentences] == pytest.approx([s.probability for s in plain.sentences], abs=1e-5)
    assert [[(sp.start, sp.end) for sp in s.spans] for s in read.sentences] == [
        [(sp.start, sp.end) for sp in s.spans] for s in plain.sentences
    ]


def test_only_sentences_in_the_band_are_read(sf, tiny_lm, sample_text) -> None:
    # A reading that would call every word spun: only sentences it reads can change.
    loud = LMReading((0.0,) * len(FEATURES), 20.0, (1.0, 0.0, 0.0, 5.0), (0.0, 1.0))
    everything = _with_reading(sf, tiny_lm, loud).detect(sample_text)
    assert all(s.probability > 0.99 for s in everything.sentences)
    nothing = _with_reading(sf, tiny_lm, dataclasses.replace(loud, band=(2.0, 3.0))).detect(sample_text)
    plain = _with_reading(sf, tiny_lm, None).detect(sample_text)
    assert [s.probability for s in nothing.sentences] == [s.probability for s in plain.sentences]


def test_lm_reading_false_leaves_the_checkpoints_reading_out(sf, tiny_lm, sample_text) -> None:
    loud = LMReading((0.0,) * len(FEATURES), 20.0, (1.0, 0.0, 0.0, 5.0), (0.0, 1.0))
    with_it = _with_reading(sf, tiny_lm, loud)
    without = spinfix.Spinfix(with_it.detector, context=False, lm_reading=False)
    plain = _with_reading(sf, tiny_lm, None).detect(sample_text)
    assert [s.probability for s in without.detect(sample_text).sentences] == [s.probability for s in plain.sentences]


def test_switched_off_the_reading_gives_way_to_the_detector_alones_threshold_and_context(sf, tiny_lm) -> None:
    identity = LMReading((1.0,) + (0.0,) * (len(FEATURES) - 1), 0.0, (1.0, 0.0, 0.0, 0.0), (0.0, 1.0))
    alone = {"threshold": 0.61, "context": {"weight": 0.5, "bias": -0.2}}
    cfg = dataclasses.replace(sf.detector.config, threshold=0.7, context={"weight": 1.5, "bias": 0.3},
                              lm_reading=identity.to_dict(), without_reading=alone)
    det = type(sf.detector)(sf.detector.model, sf.detector.tokenizer, cfg)
    read = spinfix.Spinfix(det)
    assert read.threshold == 0.7 and (read.context.weight, read.context.bias) == (1.5, 0.3)
    off = spinfix.Spinfix(det, lm_reading=False)
    assert off.threshold == 0.61 and (off.context.weight, off.context.bias) == (0.5, -0.2)
    assert spinfix.Spinfix(det, lm_reading=False, threshold=0.9).threshold == 0.9  # asked for: kept
    # A checkpoint without a reading ignores it: its threshold is the detector alone's already.
    plain = type(sf.detector)(sf.detector.model, sf.detector.tokenizer, dataclasses.replace(cfg, lm_reading=None))
    assert spinfix.Spinfix(plain, lm_reading=False).threshold == 0.7


def test_a_readings_own_span_threshold_marks_its_read_sentences(sf, tiny_lm, sample_text) -> None:
    calib = sf.detector.config.calibration
    identity = LMReading((1.0,) + (0.0,) * (len(FEATURES) - 1), 0.0, calib, (0.0, 1.0))
    assert LMReading.from_dict(dataclasses.replace(identity, span_threshold=0.3).to_dict()).span_threshold == 0.3

    def marks(reading: LMReading) -> list[list[tuple[int, int]]]:
        read = _with_reading(sf, tiny_lm, reading)
        read.threshold = 0.0  # every sentence flagged: the marks are the span threshold's
        return [[(sp.start, sp.end) for sp in s.spans] for s in read.detect(sample_text).sentences]

    everything = marks(dataclasses.replace(identity, span_threshold=0.0))
    # At 0 every word outside quotations of a read sentence is marked, more than at the detector's.
    words_marked = sum(len(_words(sample_text[a:b])) for s in everything for a, b in s)
    assert words_marked > sum(len(_words(sample_text[a:b])) for s in marks(identity) for a, b in s)
