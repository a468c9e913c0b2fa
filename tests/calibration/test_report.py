"""The backtest page: targets, summary rows and commands come from the backtest results."""

from __future__ import annotations

import pytest

from mccoord.calibration import backtest, calibrate
from mccoord.calibration.report import SPLITS, Split, render


@pytest.fixture(scope="module")
def small_backtest():
    cal = calibrate("us", 1990, 1995, paths=30, seed=1, maxfev=40)
    return backtest("us", (1990, 1995), (1995, 1999), paths=40, calibration=cal)


def test_documented_splits_are_the_backtest_targets():
    assert [(s.data, s.train, s.test, s.min_inside, s.final_year) for s in SPLITS] == [
        ("china", (2006, 2018), (2018, 2024), 5, False),
        ("us", (1969, 1989), (1989, 2009), 15, False),
        ("china", (2006, 2015), (2015, 2024), None, True),
    ]
    assert SPLITS[0].command("v1") == "mccoord backtest china --train 2006:2018 --test 2018:2024 --model v1"


def test_target_follows_the_judged_band(small_backtest):
    inside, n, beta = small_backtest.counts()
    assert n == 4
    assert Split("us", (1990, 1995), (1995, 1999), "", inside).met(small_backtest) == beta
    assert not Split("us", (1990, 1995), (1995, 1999), "", inside + 1).met(small_backtest)
    final = bool(small_backtest.table.loc["sigma 1999", f"inside_{small_backtest.band}"])
    assert Split("us", (1990, 1995), (1995, 1999), "", None, True).met(small_backtest) == (final and beta)


def test_page_shows_both_models_with_counts_and_commands(small_backtest):
    split = Split("us", (1990, 1995), (1995, 1999), "a target", 3)
    page = render({split: {"v2": (small_backtest, 1.0), "v1": (small_backtest, 2.0)}}, version="9.9")
    inside, n, _ = small_backtest.counts()
    shocks, _, _ = small_backtest.counts("shocks")
    assert f"| US 1990-1995 -> 1995-1999 | a target | v1 | {inside} of {n} ({shocks} shocks only) |" in page
    assert "### Model v2" in page and "### Model v1" in page
    assert "$ mccoord backtest us --train 1990:1995 --test 1995:1999 --model v1" in page
    assert small_backtest.verdict in page
