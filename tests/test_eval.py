import numpy as np

from spinfix.eval.detection import BinaryScores, gold_spans
from spinfix.eval.tortured import template_for
from spinfix.train.detector import fit_calibration, pick_threshold


def test_gold_spans_are_runs_of_spun_words():
    text = "The navy help arrived for the reason that roads closed."
    labels = [0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0]
    assert gold_spans(text, labels) == {(4, 13), (22, 41)}


def test_binary_scores():
    s = BinaryScores.from_counts(tp=8, fp=2, fn=8)
    assert (s.precision, s.recall, s.support) == (0.8, 0.5, 16)
    assert BinaryScores.from_counts(0, 0, 0).f1 == 0.0


def test_threshold_is_the_lowest_reaching_the_target_precision():
    prob = np.array([0.1, 0.2, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1])
    t = pick_threshold(prob, y, 0.99)
    assert 0.6 < t <= 0.7


def test_calibration_increases_with_the_top_word_logit():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 500)
    y = (rng.uniform(size=500) < raw).astype(int)
    feats = np.stack([np.log(raw / (1 - raw)), rng.normal(size=500), rng.normal(size=500)], axis=1)
    w1, *_ = fit_calibration(feats, y)
    assert w1 > 0


def test_templates_are_stable_per_phrase():
    assert template_for("big data") == template_for("big data")
    assert "{}" in template_for("neural network")


def test_recalibration_fits_thresholds_on_dev_and_saves_them(tiny_models, tmp_path):
    import json
    import shutil

    from spinfix.detect.encoder import DetectorSettings
    from spinfix.text.tokens import tokenize
    from spinfix.train.detector import recalibrate

    ckpt = tmp_path / "detector"
    shutil.copytree(tiny_models / "detector", ckpt)
    dev = tmp_path / "dev.jsonl"
    rows = []
    for i in range(40):
        text = f"The officials mentioned the navy help on day {i}." if i % 2 else f"Officials said on day {i} that aid would continue."
        labels = [int(t.text in ("mentioned", "navy", "help")) for t in tokenize(text)]
        rows.append({"text": text, "labels": labels, "spun": any(labels)})
    dev.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    settings = json.loads((ckpt / "spinfix.json").read_text())
    (ckpt / "spinfix.json").write_text(json.dumps({**settings, "phrase_floor": 0.05}))
    cfg = recalibrate(ckpt, dev)
    saved = DetectorSettings.load(ckpt / "spinfix.json")
    assert 0.0 < saved.threshold < 1.0 and 0.2 <= saved.span_threshold <= 0.8
    assert saved.calibration == cfg.calibration and len(saved.calibration) == 4
    assert saved.extra["dev_sentences"] == 40
    # the span threshold is fitted on the marks before they grow; the floor is kept as it was
    assert saved.phrase_floor == 0.05


def test_number_changes_count_how_a_spinner_treats_inflection():
    from spinfix.eval.tortured import number_changes

    got = number_changes([("network", "networks"), ("network", "web"), ("networks", "web"), ("agreement", "agreements")])
    assert got == {"word_swaps": 4, "singular_made_plural": 0.6667, "plural_made_singular": 1.0, "same_word_other_form": 0.5}


def test_a_hyphen_part_swap_changes_some_parts_of_a_hyphenated_word():
    from spinfix.eval.tortured import hyphen_part_swap

    assert hyphen_part_swap("x-ray", "x-beam")
    assert hyphen_part_swap("human-computer", "human-pc")
    assert not hyphen_part_swap("well-being", "health")  # a whole-word swap
    assert not hyphen_part_swap("x-ray", "x-ray")
    assert not hyphen_part_swap("low-level", "beam-shine")  # every part swapped: the whole word


def test_hyphen_part_detection_counts_the_words_and_phrases_marked(sf):
    from spinfix.eval.tortured import hyphen_part_detection
    from spinfix.eval.tortured_pairs import TorturedPair

    pairs = [TorturedPair("x-beam pictures", "x-ray images"), TorturedPair("profound learning", "deep learning")]
    got = hyphen_part_detection(sf, pairs)
    assert got["pairs"] == 1 and got["words"] == 1  # only the hyphen-part swap counts
    assert 0.0 <= got["words_marked"] <= 1.0 and 0.0 <= got["flagged_on_phrase"] <= 1.0
    assert hyphen_part_detection(sf, pairs[1:]) == {"pairs": 0}


def _article_records():
    spun = [{"article": f"s:{a}", "text": t, "clean": t, "spun": True} for a in range(2)
            for t in ("The navy help arrived.", "Roads closed for the reason that rain fell.")]
    clean = [{"article": f"c:{a}", "text": t, "clean": t, "spun": False} for a in range(3)
             for t in ("The minister spoke.", "Trains ran late.", "Shops opened early.")]
    return spun + clean


def test_mixed_articles_pair_each_spun_article_with_a_clean_one(sf):
    from spinfix.eval.detection import mixed_article_flag_rates

    out = mixed_article_flag_rates(sf, _article_records())
    assert out["pairs"] == 2  # two spun articles, three clean: two pairs
    for key in ("clean_flagged_mixed", "clean_flagged_alone", "spun_flagged_mixed", "spun_flagged_alone"):
        assert 0.0 <= out[key] <= 1.0


def test_clean_articles_are_read_from_the_clean_side(sf):
    from spinfix.eval.detection import clean_article_flag_rate

    records = _article_records()
    everything = clean_article_flag_rate(type(sf)(sf.detector, threshold=0.0), records)
    nothing = clean_article_flag_rate(type(sf)(sf.detector, threshold=1.0), records)
    assert everything == {"sentences": len(records), "flagged": len(records), "rate": 1.0}
    assert nothing["flagged"] == 0


def test_tortured_papers_place_every_pair_once_tortured_and_once_correct(sf):
    from spinfix.eval.tortured import tortured_paper_flag_rates
    from spinfix.eval.tortured_pairs import TorturedPair

    pairs = [TorturedPair(tortured=f"counterfeit thing{i}", correct=f"artificial thing{i}") for i in range(23)]
    flag_all = type(sf)(sf.detector, threshold=0.0)
    out = tortured_paper_flag_rates(flag_all, pairs, per_paper=10)
    assert out["papers"] == 4 and out["all_correct_papers"] == 2  # 20 of 23 pairs fill two groups
    assert out["correct_in_same_papers_flagged"] == 1.0 == out["all_correct_papers_sentences_flagged"]
    assert 0.0 <= out["tortured_flagged_on_phrase"] <= 1.0
