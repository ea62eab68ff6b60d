"""End-to-end checks of the released detector (slow: real model, hundreds of sentences).

Thresholds here are regression guards set below the figures measured for the model card, so a
worse checkpoint fails them; they are not the figures themselves.
"""
import itertools
import random
import subprocess
import sys
from pathlib import Path

import pytest

import spinfix
from spinfix.eval.detection import clean_flag_rate
from spinfix.eval.tortured import tortured_flag_rate
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import default_models_dir, shared_data_dir
from spinfix.train.data import article_sentences, article_split, iter_wh_written

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture(scope="module")
def sf():
    if not (default_models_dir() / "detector" / "config.json").exists():
        pytest.fail("the released detector is missing from models/detector")
    return spinfix.load()


def test_bundled_spun_article_is_flagged_and_the_clean_one_is_not(sf):
    spun = sf.detect((EXAMPLES / "spun_article.txt").read_text())
    clean = sf.detect((EXAMPLES / "clean_article.txt").read_text())
    assert len(spun.spun_sentences) >= len(spun.sentences) // 2
    assert not clean.is_spun
    # The untouched quotation is not flagged.
    quote = next(s for s in spun.sentences if s.text.startswith('"We cannot'))
    assert not quote.is_spun


def test_spans_mark_the_swapped_phrases_of_the_bundled_article(sf):
    text = (EXAMPLES / "spun_article.txt").read_text()
    spans = [sp.text for sp in sf.detect(text).spans]
    # Adjacent swapped words make one span, as in the gold runs ("heavy vans for the reason that
    # March": "trucks since" was spun whole), so the stock phrase is inside a span.
    assert any("for the reason that" in sp for sp in spans)
    assert "mentioned" in spans
    for sp in sf.detect(text).spans:
        assert text[sp.start : sp.end] == sp.text
        assert not any(name in sp.text for name in ("Millbrook", "Ortiz", "Chen", "4.2"))


def test_clean_heldout_sentences_are_rarely_flagged(sf):
    shared = shared_data_dir()
    arts = (a for a in iter_wh_written(shared / "corpora" / "wh_written.txt.gz") if article_split(a.id) == "test")
    sents = list(itertools.islice((s for a in arts for s in article_sentences(a)), 600))
    # Measured: 1.4% of the synthetic test split's clean sentences read alone (detector 0.5.0, model card).
    assert clean_flag_rate(sf, sents)["rate"] <= 0.03


def test_heldout_tortured_phrases_are_mostly_flagged(sf):
    pairs = [p for p in load_pairs() if p.split == "heldout"]
    sample = random.Random(0).sample(pairs, 300)
    res = tortured_flag_rate(sf, sample)
    # Measured on all 2,602 held-out pairs: 0.62 flagged, 0.087 of the controls (detector 0.5.0);
    # on these 300: 0.617 and 0.087 (detector 0.4.0: 0.553 and 0.110, which this test now fails).
    assert res["flagged_on_phrase"] >= 0.58
    assert res["control_correct_phrase_flagged"] <= 0.12


def test_cli_exit_codes_with_the_released_model():
    cmd = [sys.executable, "-m", "spinfix.cli", "detect", "--no-color"]
    assert subprocess.run(cmd + [str(EXAMPLES / "spun_article.txt")], capture_output=True).returncode == 1
    assert subprocess.run(cmd + [str(EXAMPLES / "clean_article.txt")], capture_output=True).returncode == 0
