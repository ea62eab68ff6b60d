"""The detection API on a tiny random model: offsets, batching, thresholds, long input, loading.

The model's probabilities are random, so these tests check structure and invariants that hold
for any model, never particular verdicts.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

import spinfix
from spinfix.detect.encoder import Detector
from spinfix.report import Report

# Offsets must survive everything the reader keeps as is: CRLF, a lone CR, blank lines,
# non-BMP characters (one code point, two UTF-16 units), combining accents, repeated phrases.
TRICKY_TEXT = (
    "The aid will continue. The aid will continue.\r\n"
    "Café owners 😀 said the cafe\u0301 was fine.\rNew line after a lone CR.\n\n\n"
    "  Indented paragraph with “quotes” and the U.S. Army!  \n"
    "Last line without a terminator"
)


def check_offsets(report: Report) -> None:
    """Every sentence and span indexes the report's text; spans lie inside their sentence."""
    for s in report.sentences:
        assert report.text[s.start : s.end] == s.text
        for sp in s.spans:
            assert report.text[sp.start : sp.end] == sp.text
            assert s.start <= sp.start < sp.end <= s.end
        starts = [sp.start for sp in s.spans]
        assert starts == sorted(starts)


def with_threshold(sf: spinfix.Spinfix, threshold: float) -> spinfix.Spinfix:
    """The same loaded detector under another threshold (no reload)."""
    return spinfix.Spinfix(sf.detector, threshold=threshold)


@pytest.mark.parametrize("which", ["sample", "tricky"])
@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_offsets_index_the_input(sf: spinfix.Spinfix, sample_text: str, which: str, threshold: float) -> None:
    text = sample_text if which == "sample" else TRICKY_TEXT
    report = with_threshold(sf, threshold).detect(text)
    assert report.text == text
    assert report.sentences
    check_offsets(report)
    if threshold == 0.0:
        assert report.spans  # offsets of spans were actually exercised


def test_to_dict_is_json_serialisable(sf: spinfix.Spinfix) -> None:
    report = with_threshold(sf, 0.0).detect(TRICKY_TEXT, source="tricky.txt")
    d = report.to_dict()
    back = json.loads(json.dumps(d, allow_nan=False))
    assert back == d
    assert back["source"] == "tricky.txt"
    assert back["n_sentences"] == len(report.sentences) == len(back["sentences"])
    assert back["is_spun"] is True
    assert set(back["sentences"][0]) >= {"text", "start", "end", "paragraph", "probability", "is_spun", "spans"}
    assert set(back["sentences"][0]["spans"][0]) >= {"start", "end", "text", "probability"}
    assert "text" in report.to_dict(include_text=True)


def test_detect_many_matches_detect(sf: spinfix.Spinfix, sample_text: str) -> None:
    texts = [sample_text, TRICKY_TEXT, "One short sentence.", sample_text.upper()]
    sources = [f"t{i}" for i in range(len(texts))]
    done: list[int] = []
    many = sf.detect_many(texts, sources=sources, progress=done.append)
    assert sum(done) == sum(len(r.sentences) for r in many)
    assert [r.source for r in many] == sources
    for text, src, batched in zip(texts, sources, many):
        alone = sf.detect(text, source=src)
        assert batched.text == alone.text
        assert len(batched.sentences) == len(alone.sentences)
        for b, a in zip(batched.sentences, alone.sentences):
            assert (b.text, b.start, b.end, b.paragraph) == (a.text, a.start, a.end, a.paragraph)
            # Padding in a shared batch may move a probability in the last float digits.
            assert b.probability == pytest.approx(a.probability, abs=1e-4)
            if abs(a.probability - sf.threshold) > 1e-4:
                assert b.is_spun == a.is_spun
                assert [(x.start, x.end) for x in b.spans] == [(x.start, x.end) for x in a.spans]


def test_sentences_of_many_texts_share_length_bucketed_batches(sf: spinfix.Spinfix, monkeypatch: pytest.MonkeyPatch) -> None:
    # Many short texts, as a batch job's shard holds: their sentences go to the model together,
    # shortest first, so a batch holds sentences of several texts and pads little.
    texts = [f"Text number {i} has a sentence{' with more words' * (i % 5)}. And a short one." for i in range(40)]
    monkeypatch.setattr(sf.detector, "batch_size", 16)
    widths: list[list[int]] = []
    real_batches = sf.detector.batches

    def spy(windows):
        out = real_batches(windows)
        widths.extend([[len(windows[i]) for i in idx] for idx, _, _ in out])
        return out

    monkeypatch.setattr(sf.detector, "batches", spy)
    sf.detect_many(texts)
    assert sum(len(w) for w in widths) == 80  # every sentence once, in ceil(80 / 16) batches
    assert len(widths) == 5
    flat = [n for w in widths for n in w]
    assert flat == sorted(flat)  # bucketed by length: each batch pads to its own longest only


def test_detect_many_of_nothing(sf: spinfix.Spinfix) -> None:
    assert sf.detect_many([]) == []


@pytest.mark.parametrize("text", ["", " ", "\n\n\t \r\n"])
def test_empty_text_has_no_sentences(sf: spinfix.Spinfix, text: str) -> None:
    report = with_threshold(sf, 0.0).detect(text)
    assert report.sentences == []
    assert report.is_spun is False
    assert report.spun_share == 0.0
    assert report.to_dict()["n_sentences"] == 0


def test_long_sentence_is_windowed_over_every_word(sf: spinfix.Spinfix) -> None:
    words = "the president said that military aid to the region would continue for years".split()
    text = " ".join(words[i % len(words)] for i in range(5000))  # one sentence, no terminator
    report = with_threshold(sf, 0.0).detect(text)
    assert len(report.sentences) == 1
    sent = report.sentences[0]
    assert (sent.start, sent.end) == (0, len(text))
    check_offsets(report)
    # Every word must be scored by some window. A word no window reached keeps probability 0.0;
    # with a tiny span threshold every scored word is "hot", so full coverage gives exactly one
    # span from the first word to the last.
    cfg = dataclasses.replace(sf.detector.config, span_threshold=1e-9)
    det = Detector(sf.detector.model, sf.detector.tokenizer, cfg, device=sf.detector.device)
    (scores,) = det.score([text])
    assert len(scores.tokens) == 5000
    assert (scores.probs > 0).all()
    spans = spinfix.Spinfix(det, threshold=0.0).detect(text).spans
    assert [(sp.start, sp.end) for sp in spans] == [(0, len(text))]


def test_a_hyphenated_word_is_read_at_its_most_suspicious_part(sf: spinfix.Spinfix) -> None:
    # Spinners swap one part ("x-ray" -> "x-beam"): the word's probability is the highest of
    # its parts' first sub-words, not only the first one's.
    det = sf.detector
    text = "The x-beam pictures of the human-pc link and the non-straight k-closest fit were clear."
    (scores,) = det.score([text])
    (w_ids,), (w_words,) = det.windows([[t.text for t in scores.tokens]])[0]
    probs = det._forward([w_ids])[0]
    dash = det.tokenizer.convert_tokens_to_ids("-")
    later_part_higher = 0
    for k, tok in enumerate(scores.tokens):
        pos = [i for i, w in enumerate(w_words) if w == k]
        parts = [i for i in pos if i == pos[0] or w_ids[i - 1] == dash]
        assert len(parts) == 1 + tok.text.count("-")
        assert scores.probs[k] == pytest.approx(max(probs[i] for i in parts))
        later_part_higher += max(probs[i] for i in parts) > probs[parts[0]]
    assert later_part_higher  # the test tells the two readings apart


def test_threshold_zero_flags_every_sentence_with_a_span(sf: spinfix.Spinfix, sample_text: str) -> None:
    report = with_threshold(sf, 0.0).detect(sample_text)
    assert report.sentences and all(s.is_spun for s in report.sentences)
    assert all(len(s.spans) >= 1 for s in report.sentences)
    assert report.is_spun and report.spun_share == 1.0


@pytest.mark.parametrize("threshold", [1.0, 0.999999])
def test_high_threshold_flags_nothing(sf: spinfix.Spinfix, sample_text: str, threshold: float) -> None:
    report = with_threshold(sf, threshold).detect(sample_text)
    # Guard: the claim below needs the tiny model to stay short of certainty.
    assert max(s.probability for s in report.sentences) < threshold
    assert not report.is_spun
    assert report.spans == []
    assert all(not s.is_spun and s.spans == [] for s in report.sentences)


def test_threshold_splits_sentences_by_probability(sf: spinfix.Spinfix, sample_text: str) -> None:
    probs = sorted(s.probability for s in sf.detect(sample_text).sentences)
    mid = (probs[0] + probs[-1]) / 2
    report = with_threshold(sf, mid).detect(sample_text)
    for s in report.sentences:
        assert s.is_spun == (s.probability >= mid)
        assert bool(s.spans) == s.is_spun
    assert report.threshold == mid


def test_load_threshold_overrides_the_checkpoint(tiny_models) -> None:
    assert spinfix.load(tiny_models, device="cpu").threshold == 0.5  # from spinfix.json
    assert spinfix.load(tiny_models, threshold=0.25, device="cpu").threshold == 0.25


def test_detect_many_rejects_a_string(sf: spinfix.Spinfix) -> None:
    with pytest.raises(TypeError):
        sf.detect_many("a string")  # type: ignore[arg-type]


def test_models_are_not_reread_per_call(sf: spinfix.Spinfix, sample_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("model files re-read after load")

    monkeypatch.setattr(transformers.AutoModelForTokenClassification, "from_pretrained", boom)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", boom)
    first = sf.detect(sample_text)
    second = sf.detect(sample_text)
    assert [s.probability for s in first.sentences] == [s.probability for s in second.sentences]


def test_missing_models_raise_model_error(tmp_path) -> None:
    with pytest.raises(spinfix.ModelError, match="no spinfix models"):
        spinfix.load(tmp_path / "nowhere")


def test_a_reading_is_the_most_suspicious_word_logit_inside_the_span(sf) -> None:
    import math

    text = "Psaki mentioned the navy help would continue."
    [scores] = sf.detector.score([text])
    logit = {t.text: math.log(p / (1 - p)) for t, p in zip(scores.tokens, scores.probs)}
    got = sf.detector.readings([text, text, text], [(20, 29), (6, 15), (15, 16)])
    assert got[0] == pytest.approx(max(logit["navy"], logit["help"]), abs=1e-5)
    assert got[1] == pytest.approx(logit["mentioned"], abs=1e-5)
    assert got[2] == 0.0  # a space: no word inside
