"""Method of simulated moments: moments, parameter recovery, scenario output."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.calibration import PARAMETERS, calibrate, load_panel, moment_matrix, moment_names
from mccoord.calibration.moments import sigma_offsets


def test_moments_agree_with_the_engine():
    sc = mccoord.load_scenario("demo")
    ds = mccoord.simulate(sc, None, paths=20, seed=3, years=12)
    m = moment_matrix(ds["ln_y"].values, ds["L"].values, 3)
    t = sigma_offsets(12, 3)
    assert t == [4, 8, 12]
    np.testing.assert_allclose(m[:, :3], ds["sigma"].values[:, t], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m[:, 3], ds["beta_slope"].values, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(m[:, 4], ds["growth"].values, rtol=1e-8, atol=1e-12)
    assert np.all(m[:, 5] > 0)
    assert moment_names(2000, 2012, 3) == [
        "sigma_2004",
        "sigma_2008",
        "sigma_2012",
        "beta_slope",
        "growth",
        "sd_growth",
    ]


def test_moments_are_invariant_to_the_income_unit():
    rng = np.random.default_rng(0)
    lny = rng.normal(size=(1, 6, 8))
    L = rng.uniform(1, 2, size=(1, 6, 8))
    np.testing.assert_allclose(moment_matrix(lny, L, 2), moment_matrix(lny + 5.0, 3 * L, 2))


def test_shipped_panels():
    china = load_panel("china")
    assert china.years.min() == 2006 and china.years.max() == 2024  # latest vintage only
    assert china.income.shape[0] == 31 and china.nominal
    assert set(china.static["group"]) == {"East", "Central", "West", "Northeast"}
    us = load_panel("us")
    assert us.income.shape[0] == 48 and us.years.min() == 1929 and us.years.max() == 2009
    cs = us.cross_section(1989)
    assert cs.notna().all().all() and len(cs) == 48


def test_parameter_recovery(recovery, truth):
    """Estimates lie within 3 standard errors of the parameters that made the data."""
    r = recovery
    assert r.converged
    for k in PARAMETERS:
        assert np.isfinite(r.se[k]) and r.se[k] > 0, k
        assert abs(r.estimates[k] - truth[k]) < 3 * r.se[k], (k, r.estimates[k], r.se[k])
    # the well-identified trend is also close in absolute terms
    assert abs(r.estimates["g"] - truth["g"]) < 0.015
    assert list(r.moments.index) == moment_names(2020, 2040, 3)
    assert (r.moments["t"].abs() < 3).all()
    assert r.objective == pytest.approx(float((r.moments["t"] ** 2).sum()), rel=0.05)
    cov = r.cov.to_numpy()
    np.testing.assert_allclose(cov, cov.T, atol=1e-15)
    assert "sigma_common" in r.summary()


def test_to_scenario_writes_a_loadable_toml(recovery, tmp_path):
    out = recovery.to_scenario(tmp_path / "fit.toml")
    sc = mccoord.load_scenario(out)
    assert sc.base_year == 2040
    assert (tmp_path / "fit_regions_2040.csv").is_file()
    for k in PARAMETERS:
        assert sc.params[k] == pytest.approx(recovery.estimates[k], rel=1e-12)
    panel = load_panel(recovery.panel)
    np.testing.assert_allclose(sc.regions["gdp_per_capita"], panel.income[2040].to_numpy())
    with pytest.raises(mccoord.ConfigError):
        recovery.to_scenario(out)


def test_bad_windows_and_inputs(synthetic_panel):
    with pytest.raises(mccoord.ConfigError, match="end year after"):
        calibrate(synthetic_panel, 2030, 2030)
    with pytest.raises(mccoord.ConfigError, match="inside the"):
        calibrate(synthetic_panel, 2010, 2030)
    with pytest.raises(mccoord.ConfigError, match="at least 3 years"):
        calibrate(synthetic_panel, 2020, 2022)
    with pytest.raises(mccoord.ConfigError, match="lat"):
        load_panel(synthetic_panel.drop(columns=["lat"]))
    with pytest.raises(mccoord.ConfigError, match="DATA"):
        load_panel("atlantis")
    gap = synthetic_panel[~((synthetic_panel["year"] == 2025) & (synthetic_panel["region"] == "North-1"))]
    with pytest.raises(mccoord.ConfigError, match="missing"):
        calibrate(gap, 2020, 2030)


def test_csv_defaults(synthetic_panel):
    """population, group and specialisation are optional in a user panel."""
    panel = load_panel(synthetic_panel.drop(columns=["population", "group", "specialisation"]))
    assert panel.population is None
    assert set(panel.static["group"]) == {"all"}
    assert (panel.static["specialisation"] == 0.5).all()
    lny, L = panel.window(2020, 2025)
    assert lny.shape == (6, 10) and np.allclose(L, 0.1)
