"""Regime hazards from the sign changes of the sigma trend (MODEL.md section 9.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mccoord
from mccoord.calibration import regime_hazards
from mccoord.calibration.regimes import parse_regime_source


def panel_with_sigma(sigma: np.ndarray, start: int = 1900) -> pd.DataFrame:
    """Three regions whose log incomes have cross-region sd exactly ``sigma[t]``."""
    spread = np.sqrt(1.5) * np.array([-1.0, 0.0, 1.0])  # std(ddof=0) of spread is 1
    rows = []
    for t, s in enumerate(sigma):
        for i, name in enumerate("abc"):
            rows.append(
                {
                    "region": name,
                    "year": start + t,
                    "gdp_per_capita": math.exp(s * spread[i]),
                    "lat": i,
                    "lon": 0,
                }
            )
    return pd.DataFrame(rows)


def test_counts_the_sign_changes_of_the_moving_average():
    # 10 years down, 10 up, 10 down, 10 up: three turns of a smooth trend
    legs = [np.linspace(0.5, 0.3, 11)[:-1], np.linspace(0.3, 0.5, 11)[:-1]]
    sigma = np.concatenate(legs * 2 + [[0.5]])
    h = regime_hazards(panel_with_sigma(sigma), 1900, 1940, window=5)
    assert h.n_switches == 3
    assert h.n_pairs == 41 - 4 - 2  # 37 trend values, 36 changes, 35 pairs
    assert h.hazard == pytest.approx(-math.log(1 - 3 / 35), rel=1e-12)
    assert h.params == {"regime_exit": h.hazard, "regime_entry": h.hazard, "regime0": 0.5}


def test_us_record_1929_1989_gives_the_documented_hazard():
    h = regime_hazards("us", 1929, 1989)
    assert (h.n_switches, h.n_pairs) == (8, 55)
    assert h.hazard == pytest.approx(-math.log(1 - 8 / 55), rel=1e-12)
    assert 0.14 < h.hazard < 0.16
    assert "us 1929-1989" in h.source


def test_a_trend_without_turns_is_refused():
    with pytest.raises(mccoord.ConfigError, match="changes sign"):
        regime_hazards(panel_with_sigma(np.linspace(0.5, 0.2, 30)), 1900, 1929)


@pytest.mark.parametrize("text", ["us:1929", "us-1929-1989", ":1929:1989", "us:a:b"])
def test_bad_regime_source_is_refused(text):
    with pytest.raises(mccoord.ConfigError, match="DATA:Y0:Y1"):
        parse_regime_source(text)


def test_regime_source_parses():
    assert parse_regime_source("us:1929:1989") == ("us", 1929, 1989)
    assert parse_regime_source("/tmp/a:b.csv:1990:2000") == ("/tmp/a:b.csv", 1990, 2000)
