"""Method of simulated moments: moments, parameterisation, parameter recovery, fit results."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.calibration import PARAMETERS, PARAMETERS_V1, calibrate, load_panel, moment_matrix, moment_names
from mccoord.calibration.moments import sigma_offsets
from mccoord.calibration.objective import PHI, Parameterisation
from mccoord.params import validate_params
from mccoord.stability import check_stability


@pytest.mark.slow
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
        "sd_rel_growth",
    ]


def test_growth_dispersion_moment_is_the_mean_yearly_cross_region_sd():
    lny = np.array([[0.0, 0.1, -0.1], [0.1, 0.4, 0.1], [0.1, 0.5, 0.5]])  # years x regions
    g = np.diff(lny, axis=0)  # [[.1, .3, .2], [0, .1, .4]]
    expected = np.mean([np.std(g[0]), np.std(g[1])])
    assert moment_matrix(lny, np.ones_like(lny), 1)[0, -1] == pytest.approx(expected, rel=1e-12)


def test_moments_are_invariant_to_the_income_unit():
    rng = np.random.default_rng(0)
    lny = rng.normal(size=(1, 6, 8))
    L = rng.uniform(1, 2, size=(1, 6, 8))
    np.testing.assert_allclose(moment_matrix(lny, L, 2), moment_matrix(lny + 5.0, 3 * L, 2))


@pytest.mark.parametrize("keys", [(*PARAMETERS, PHI), PARAMETERS_V1])
def test_every_trial_value_is_admissible_and_stable(keys):
    fixed = validate_params({})
    fmap = Parameterisation.for_keys(keys, fixed, substeps=1)
    rng = np.random.default_rng(1)
    for x in rng.normal(0, 20, size=(300, len(keys))):
        values = fmap.natural(x)
        params = validate_params({k: v for k, v in values.items() if k != PHI})
        check_stability(params, 1)
        np.testing.assert_allclose(
            list(fmap.natural(fmap.unconstrained(values)).values()), list(values.values()), atol=1e-10
        )


def test_shipped_panels():
    china = load_panel("china")
    assert china.years.min() == 2006 and china.years.max() == 2024  # latest vintage only
    assert china.income.shape[0] == 31 and china.nominal
    assert set(china.static["group"]) == {"East", "Central", "West", "Northeast"}
    us = load_panel("us")
    assert us.income.shape[0] == 48 and us.years.min() == 1929 and us.years.max() == 2009
    cs = us.cross_section(1989)
    assert cs.notna().all().all() and len(cs) == 48
    assert cs["specialisation"].min() == 0.0 and cs["specialisation"].max() == 1.0  # BEA shares, min-max


@pytest.mark.slow
def test_v1_parameter_recovery(recovery, truth):
    """Model v1 estimates lie within 3 standard errors of the parameters that made the data."""
    r = recovery
    assert r.converged
    assert r.model == "v1" and r.steady is None and r.regimes is None
    for k in PARAMETERS_V1:
        assert np.isfinite(r.se[k]) and r.se[k] > 0, k
        assert abs(r.estimates[k] - truth[k]) < 3 * r.se[k], (k, r.estimates[k], r.se[k])
    assert abs(r.estimates["g"] - truth["g"]) < 0.015
    assert list(r.moments.index) == moment_names(2020, 2040, 4)
    assert (r.moments["t"].abs() < 3).all()
    assert r.objective == pytest.approx(float((r.moments["t"] ** 2).sum()), rel=0.05)
    cov = r.cov.to_numpy()
    np.testing.assert_allclose(cov, cov.T, atol=1e-15)


def test_v2_fit_reports_steady_states_phi_and_regime_source(small_fit):
    r = small_fit
    assert r.model == "v2"
    assert r.keys == PARAMETERS
    assert r.steady is not None and 0 < r.steady.rho < 1
    assert r.phi_check_se is not None and r.phi_identified == (PHI in r.estimates)
    assert r.phi == (r.estimates[PHI] if r.phi_identified else 1.0)
    assert r.regimes is not None and (r.regimes.data, r.regimes.start, r.regimes.end) == ("us", 1929, 1989)
    assert r.params["regime_exit"] == r.params["regime_entry"] == pytest.approx(r.regimes.hazard)
    text = r.summary()
    for word in ("rho =", "phi", "regime hazards from us 1929-1989", "rho_a", "sd_rel_growth"):
        assert word in text


def test_calibrated_block_is_symmetric_positive_semidefinite(small_fit):
    block = small_fit.calibrated_block()
    assert block["keys"] == list(PARAMETERS)
    assert block["mean"] == [small_fit.estimates[k] for k in PARAMETERS]
    cov = np.array(block["cov"])
    np.testing.assert_array_equal(cov, cov.T)
    assert np.linalg.eigvalsh(cov).min() >= -1e-12 * np.abs(cov).max()


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
    with pytest.raises(mccoord.ConfigError, match="--model"):
        calibrate(synthetic_panel, 2020, 2030, model="v3")
    with pytest.raises(mccoord.ConfigError, match="no v2 key"):
        calibrate(synthetic_panel, 2020, 2030, model="v1", params={"rho_a": 0.1})
    gap = synthetic_panel[~((synthetic_panel["year"] == 2025) & (synthetic_panel["region"] == "North-1"))]
    with pytest.raises(mccoord.ConfigError, match="missing"):
        calibrate(gap, 2020, 2030)


def test_panel_without_dispersion_is_refused_before_any_simulation(synthetic_panel, monkeypatch):
    flat = synthetic_panel.copy()
    flat.loc[flat["year"] == 2024, "gdp_per_capita"] = 1234.0
    from mccoord.calibration import objective

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before refusing")

    monkeypatch.setattr(objective, "run_block", no_simulation)
    with pytest.raises(mccoord.ConfigError, match="no dispersion") as info:
        calibrate(flat, 2020, 2030)
    assert "2024" in str(info.value) and "\n" not in str(info.value)


def test_csv_defaults(synthetic_panel):
    """population, group and specialisation are optional in a user panel."""
    panel = load_panel(synthetic_panel.drop(columns=["population", "group", "specialisation"]))
    assert panel.population is None
    assert set(panel.static["group"]) == {"all"}
    assert (panel.static["specialisation"] == 0.5).all()
    lny, L = panel.window(2020, 2025)
    assert lny.shape == (6, 10) and np.allclose(L, 0.1)
