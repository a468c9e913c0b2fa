"""Within-estimator steady states and the no-dispersion guard (MODEL.md section 9.1)."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.calibration import estimate_steady_states
from mccoord.calibration.steady_state import check_dispersion


def ar1_panel(*, rho: float, ystar: np.ndarray, years: int, sd: float, seed: int) -> np.ndarray:
    """Log incomes whose relative part follows x(t+1) = (1 - rho) y*_i + rho x(t) + e."""
    rng = np.random.default_rng(seed)
    R = len(ystar)
    x = np.empty((years + 1, R))
    x[0] = ystar + rng.normal(0, 0.3, R)
    for t in range(years):
        x[t + 1] = (1 - rho) * ystar + rho * x[t] + rng.normal(0, sd, R)
    return x + 0.03 * np.arange(years + 1)[:, None]  # a common trend does not matter


def test_within_estimator_recovers_rho_and_the_steady_states():
    ystar = np.linspace(-0.5, 0.5, 40)
    lny = ar1_panel(rho=0.8, ystar=ystar, years=60, sd=0.03, seed=1)
    ss = estimate_steady_states(lny, [f"r{i}" for i in range(40)], 1950)
    assert abs(ss.rho - 0.8) < 3 * ss.rho_se
    assert ss.rho_se < 0.02
    assert abs(ss.ln_ystar.mean()) < 1e-12
    np.testing.assert_allclose(ss.ln_ystar, ystar - ystar.mean(), atol=0.05)
    assert (ss.start, ss.end, ss.n_obs) == (1950, 2010, 2400)


def test_steady_state_column_is_scaled_by_phi():
    lny = ar1_panel(rho=0.7, ystar=np.array([-0.3, 0.0, 0.1, 0.2]), years=30, sd=0.02, seed=2)
    ss = estimate_steady_states(lny, list("abcd"), 2000)
    np.testing.assert_allclose(np.log(ss.column(0.5)), 0.5 * ss.ln_ystar, rtol=1e-12)
    np.testing.assert_allclose(ss.column(0.0), 1.0)


def test_a_year_without_dispersion_is_refused_with_one_line():
    lny = np.log(np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [1.0, 3.0, 2.0]]))
    with pytest.raises(mccoord.ConfigError, match="2001") as info:
        check_dispersion(lny, np.array([2000, 2001, 2002]), name="flat")
    assert "\n" not in str(info.value)
    check_dispersion(lny[[0, 2]], np.array([2000, 2002]), name="flat")  # no flat year: no error


def test_diverging_panel_has_no_steady_state():
    rng = np.random.default_rng(3)
    x0 = rng.normal(0, 0.2, 10)
    lny = np.array([x0 * 1.1**t for t in range(15)])
    with pytest.raises(mccoord.ConfigError, match="persistence below 1"):
        estimate_steady_states(lny, [str(i) for i in range(10)], 2000)
