"""Swap rates: how often a spinner touches a word at all, counted on spun sentences."""
from __future__ import annotations

import math

import pytest

from spinfix.restore.swap_rates import PRIOR_WEIGHT, SWAP_RATES_RESOURCE, SwapRates
from spinfix.train.swap_rates import count_swap_rates, save_swap_rates

PAIRS = [
    ("According to the report, the bridge was closed.", ["according to", "report"]),
    ("According to officials, the road is closed.", ["according to"]),
    ("The bridge is closed with a fence.", ["bridge"]),
]


def test_rates_are_swaps_over_occurrences_shrunk_toward_the_overall_rate() -> None:
    r = count_swap_rates(PAIRS)
    assert r.occurrences["according to"] == 2 and r.swaps["according to"] == 2
    assert r.occurrences["with"] == 1 and "with" not in r.swaps
    assert r.overall == pytest.approx(4 / 22)  # 4 swaps in 22 words
    assert r.rate("According to") == pytest.approx((2 + PRIOR_WEIGHT * r.overall) / (2 + PRIOR_WEIGHT))
    assert r.rate("according to") > r.overall > r.rate("with") > 0
    assert r.rate("never seen") == pytest.approx(r.overall)  # unseen: the overall rate, not 0 or 1


def test_keeping_and_swapping_are_complementary_probabilities() -> None:
    r = count_swap_rates(PAIRS)
    for form in ("according to", "with", "bridge", "unseen"):
        assert math.exp(r.log_rate(form)) + math.exp(r.log_kept(form)) == pytest.approx(1.0)


def test_the_table_survives_a_round_trip_through_its_file(tmp_path) -> None:
    r = count_swap_rates(PAIRS * 3)
    path = tmp_path / "rates.tsv.gz"
    assert save_swap_rates(r, path, min_occurrences=3) == len([f for f, n in r.occurrences.items() if n >= 3])
    back = SwapRates.load(path)
    assert back.overall == pytest.approx(r.overall, abs=1e-6)
    assert back.rate("according to") == pytest.approx(r.rate("according to"), abs=1e-6)
    assert back.rate("with") == pytest.approx(r.rate("with"), abs=1e-6)
    again = tmp_path / "again.tsv.gz"
    save_swap_rates(r, again, min_occurrences=3)
    assert again.read_bytes() == path.read_bytes()  # the same counts, the same bytes


def test_a_missing_table_is_a_warning_not_a_crash(tmp_path, caplog) -> None:
    assert SwapRates.load(tmp_path / "none.tsv.gz") is None
    assert "swap rates" in caplog.text


def test_the_shipped_table_knows_spinners_leave_function_words_alone() -> None:
    r = SwapRates.load(SWAP_RATES_RESOURCE)
    assert r is not None
    assert r.rate("according to") > 0.3 and r.rate("said") > 0.3
    assert r.rate("with") < 0.01 and r.rate("the") < 0.01
