import math

import numpy as np
import pandas as pd
import pytest
from convergence_clubs import beta_convergence as cc_beta

from mccoord.analysis import beta_convergence, implied_speed

from .conftest import path_panel


@pytest.mark.parametrize(
    ("panel", "start", "end"), [("us_wide", 1929, 2009), ("us_wide", 1970, 2009), ("china_wide", 2006, 2024)]
)
def test_beta_matches_convergence_clubs(panel, start, end, request):
    wide = request.getfixturevalue(panel)
    ours = beta_convergence(wide, start, end)
    peer = cc_beta(wide, start=start, end=end, cov_type="nonrobust")
    assert ours["slope"].item() == pytest.approx(peer.beta, rel=1e-10)
    assert ours["slope_se"].item() == pytest.approx(peer.std_err, rel=1e-10)
    assert ours["r_squared"].item() == pytest.approx(peer.r_squared, rel=1e-10)
    assert ours["n"].item() == peer.n
    assert ours["speed"].item() == pytest.approx(peer.speed, rel=1e-10)
    if math.isfinite(peer.half_life):
        assert ours["half_life"].item() == pytest.approx(peer.half_life, rel=1e-10)


def test_speed_closed_form():
    # slope -0.01 over 50 years: lambda = -ln(0.5)/50, half-life = 50 years
    assert implied_speed(-0.01, 50) == pytest.approx(math.log(2) / 50)
    assert np.isnan(implied_speed(-0.03, 50))


def test_exact_convergence_recovers_slope():
    # ln y_T = 0.5 ln y_0 over T = 10 years: growth = -0.05 ln y_0 exactly
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    wide = pd.DataFrame({2000: y0, 2010: y0**0.5})
    ds = beta_convergence(wide)
    assert ds["slope"].item() == pytest.approx(-0.05)
    assert ds["speed"].item() == pytest.approx(math.log(2) / 10)
    assert ds["r_squared"].item() == pytest.approx(1.0)


def test_simulated_gives_one_result_per_path(simulated):
    ds = beta_convergence(simulated)
    assert ds["slope"].dims == ("path",)
    one = beta_convergence(path_panel(simulated, 1))
    assert ds["slope"].isel(path=1).item() == pytest.approx(one["slope"].item())
