"""End-to-end checks of the released restorers (slow: SmolLM2, with the adapter or scoring
candidates, on real text).

Regression guards below the model card's figures, not the figures themselves.
"""
import random
import subprocess
import sys
from pathlib import Path

import pytest

import spinfix
from spinfix.eval.restoration import evaluate_tortured
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.paths import default_models_dir

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture(scope="module")
def sf():
    if not (default_models_dir() / "rewriter" / "adapter_config.json").exists():
        pytest.fail("the released rewriter is missing from models/rewriter")
    return spinfix.load()


@pytest.fixture(scope="module", params=["rewriter", "baseline"])
def spun_report(sf, request):
    return sf.restore((EXAMPLES / "spun_article.txt").read_text(), method=request.param)


def test_restoration_edits_only_flagged_spans(spun_report):
    spans = {(s.start, s.end) for s in spun_report.spans}
    assert spun_report.edits
    for e in spun_report.edits:
        assert (e.start, e.end) in spans
        assert spun_report.text[e.start : e.end] == e.old


def test_names_numbers_and_quotes_survive(spun_report):
    out = spun_report.restored_text
    for kept in ("Millbrook", "$4.2 million", "Elena Ortiz", "David Chen", "Harbor Street",
                 '"We cannot keep asking drivers to take a twenty-minute detour," she said.'):
        assert kept in out


def test_the_bundled_article_gets_a_stock_phrase_back(spun_report):
    # "for the reason that March" -> "since March" (confidence 0.90 when measured). The word
    # before it ("vans", spun from "trucks") shares its span with detector 0.3.0 and may change.
    assert " since March." in spun_report.restored_text
    assert "for the reason that" not in spun_report.restored_text


def test_a_clean_article_comes_back_unchanged(sf):
    text = (EXAMPLES / "clean_article.txt").read_text()
    assert sf.restore(text).restored_text == text


def test_clean_technical_sentences_are_rarely_changed(sf):
    pairs = [p for p in load_pairs() if p.split == "heldout"]
    res = evaluate_tortured(sf, random.Random(1).sample(pairs, 120), method="rewriter")
    # Measured on 300 pairs with the rewriter: 3.7 % of the controls changed (detector 0.2.0,
    # model card). Restoration of the tortured phrases themselves is about 2 %: too low to guard.
    assert res["control_changed"] <= 0.10


def test_cli_restore_writes_the_clean_text_back_byte_for_byte(tmp_path):
    out = tmp_path / "out.txt"
    cmd = [sys.executable, "-m", "spinfix.cli", "restore", "-q"]
    assert subprocess.run(cmd + [str(EXAMPLES / "clean_article.txt"), "-o", str(out)]).returncode == 0
    assert out.read_bytes() == (EXAMPLES / "clean_article.txt").read_bytes()
    assert subprocess.run(cmd + [str(EXAMPLES / "spun_article.txt"), "-o", str(out)]).returncode == 1
    assert out.read_text() != (EXAMPLES / "spun_article.txt").read_text()


def test_a_damaged_rewriter_is_a_clear_error_not_a_library_s_advice(tmp_path):
    # The released adapter's settings with a file that is not an adapter: a ModelError that says
    # what to do, not an UnpicklingError passing on advice to load untrusted weights.
    import shutil

    from spinfix.errors import ModelError
    from spinfix.restore.rewriter import Rewriter

    broken = tmp_path / "rewriter"
    broken.mkdir()
    shutil.copy(default_models_dir() / "rewriter" / "adapter_config.json", broken)
    (broken / "adapter_model.safetensors").write_bytes(b"\x80\x04 not an adapter at all" * 10)
    with pytest.raises(ModelError, match="damaged or not a LoRA adapter") as info:
        Rewriter.load(broken, device="cpu")
    assert "weights_only" not in str(info.value)
