"""Settings: each component's JSON is read into its one dataclass, by field name."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from spinfix.detect.context import DocumentContext
from spinfix.errors import ModelError
from spinfix.restore.methods import METHODS
from spinfix.restore.settings import BaselineSettings, RestoreSettings, RewriterSettings
from spinfix.settings import from_dict, to_dict

RELEASE = Path(__file__).resolve().parents[1] / "models"


def test_a_section_is_read_into_its_dataclass_by_field_name() -> None:
    got = from_dict(BaselineSettings, {"weights": {"lm": 0.5}, "calibration": [0.6, -0.4], "revisit": True})
    assert got.weights == {"lm": 0.5} and got.revisit is True
    assert got.calibration == (0.6, -0.4)  # JSON lists become the tuples the field declares
    assert got.shortlist == BaselineSettings().shortlist  # what the JSON leaves out keeps its default


def test_unknown_keys_are_left_out_and_a_wrong_value_names_the_setting() -> None:
    assert from_dict(RewriterSettings, {"batch_size": 8, "from_a_newer_release": 1}) == RewriterSettings(batch_size=8)
    with pytest.raises(ModelError, match="rewriter: `batch_size` should be int, not 'eight'"):
        from_dict(RewriterSettings, {"batch_size": "eight"}, "rewriter")
    with pytest.raises(ModelError, match="`revisit` should be bool"):
        from_dict(BaselineSettings, {"revisit": 1})
    with pytest.raises(ModelError, match="the detector's context settings: `window` should be int"):
        DocumentContext.from_dict({"weight": 1.0, "window": 2.5})
    assert from_dict(BaselineSettings, {"keep_bonus": 1, "shortlist": None}).keep_bonus == 1  # an int is a float


def test_settings_written_out_are_read_back_the_same() -> None:
    s = BaselineSettings(weights={"lm": 1.0}, calibration=(1.0, 0.0), shortlist=None)
    assert from_dict(BaselineSettings, json.loads(json.dumps(to_dict(s)))) == s


def test_the_released_restoration_settings_are_read_section_by_section() -> None:
    settings = RestoreSettings.load(RELEASE / "rewriter")
    raw = json.loads((RELEASE / "rewriter" / "spinfix.json").read_text())
    assert settings.default_method == raw["default_method"] in METHODS
    assert settings.min_confidence == raw["min_confidence"]
    for name, value in raw["baseline"].items():
        assert getattr(settings.baseline, name) == (tuple(value) if isinstance(value, list) else value), name
    assert dataclasses.asdict(settings.rewriter) == {**dataclasses.asdict(RewriterSettings()), **raw["rewriter"]}


def test_without_a_rewriter_folder_the_baseline_restores_by_default() -> None:
    assert RestoreSettings.load(None).default_method == "baseline"


def test_the_flat_settings_of_older_releases_read_as_they_did(caplog: pytest.LogCaptureFixture) -> None:
    # Before spinfix 0.7.0 the baseline's settings were flat keys and the rewriter's "inference".
    old = {
        "default_method": "baseline", "min_confidence": {"baseline": 0.0}, "keep_bonus": 0.5,
        "baseline_weights": {"lm": 0.5}, "baseline_shortlist": 6, "baseline_calibration": [0.6, -0.4],
        "baseline_joint": 2, "inference": {"batch_size": 32}, "training": {"steps": 450},
    }
    got = RestoreSettings.from_dict(old)
    assert got.baseline == BaselineSettings(weights={"lm": 0.5}, keep_bonus=0.5, shortlist=6, calibration=(0.6, -0.4))
    assert got.rewriter.batch_size == 32
    assert "ignoring settings this version does not know: joint" in caplog.text  # a removed experiment
