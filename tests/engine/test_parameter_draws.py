"""Per-path parameter draws (MODEL.md section 10): the table, the draws, their invariance."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from mccoord.kernels.layout import P_DRAWS, P_VALID, PARAM_ORDER
from mccoord.kernels.parameters import norm_ppf
from mccoord.kernels.rules import first_violation
from scipy import stats

import mccoord
from mccoord.blocks import run_block
from mccoord.errors import ConfigError
from mccoord.inputs import PARAM_HIGH, PARAM_LOW, mix_vector, model_inputs
from mccoord.uncertainty import parse_uncertainty

TABLE = {
    "lambda_c": {"dist": "uniform", "low": 0.025, "high": 0.075},
    "tau_max": {"dist": "normal", "mean": 0.10, "sd": 0.04, "low": 0.0, "high": 0.2},
    "eta": {"dist": "lognormal", "median": 0.05, "sd_log": 0.3},
    "hr1": {"dist": "triangular", "low": 0.2, "mode": 0.5, "high": 0.8},
    "calibrated": {"keys": ["sigma", "g"], "mean": [0.03, 0.02], "cov": [[1e-5, 2e-6], [2e-6, 4e-6]]},
}
SETTINGS = dict(years=5, substeps=1, record_every=1, target_reduction=0.25)


def _draws(scenario, n=4000, mix=None, seed=3, path0=0):
    inputs = model_inputs(scenario)
    res = run_block(inputs, mix_vector(mix or {}), seed=seed, path0=path0, n_paths=n, **SETTINGS)
    return inputs, res


def test_drawn_parameters_follow_the_declared_distributions(demo):
    inputs, res = _draws(demo.with_overrides(uncertainty=TABLE))
    keys = inputs.uncertainty.keys
    x = {k: res.path_params[:, i] for i, k in enumerate(keys)}
    assert (res.path_scalar[:, P_VALID] == 1).all()
    p = stats.kstest(x["lambda_c"], stats.uniform(0.025, 0.05).cdf).pvalue
    assert p > 1e-3
    tn = stats.truncnorm((0.0 - 0.1) / 0.04, (0.2 - 0.1) / 0.04, loc=0.1, scale=0.04)
    assert stats.kstest(x["tau_max"], tn.cdf).pvalue > 1e-3
    assert stats.kstest(x["eta"], stats.lognorm(0.3, scale=0.05).cdf).pvalue > 1e-3
    tri = stats.triang((0.5 - 0.2) / 0.6, loc=0.2, scale=0.6)
    assert stats.kstest(x["hr1"], tri.cdf).pvalue > 1e-3
    for i, k in enumerate(("sigma", "g")):
        ref = stats.norm(TABLE["calibrated"]["mean"][i], np.sqrt(TABLE["calibrated"]["cov"][i][i]))
        assert stats.kstest(x[k], ref.cdf).pvalue > 1e-3
    c = np.cov(x["sigma"], x["g"])[0, 1]
    assert abs(c - 2e-6) < 4 * np.sqrt((1e-5 * 4e-6 + 4e-12) / len(x["g"]))


def test_a_wrong_distribution_fails_the_test(demo):
    """The KS check above has power: a uniform on a shifted interval is rejected."""
    _, res = _draws(demo.with_overrides(uncertainty={"lambda_c": TABLE["lambda_c"]}))
    assert stats.kstest(res.path_params[:, 0], stats.uniform(0.03, 0.05).cdf).pvalue < 1e-6


def test_path_parameters_do_not_depend_on_mix_block_or_threads(demo):
    sc = demo.with_overrides(uncertainty=TABLE)
    _, whole = _draws(sc, n=60)
    _, other_mix = _draws(sc, n=60, mix=dict.fromkeys(mccoord.MECHANISMS, 1.0))
    np.testing.assert_array_equal(whole.path_params, other_mix.path_params)
    parts = [_draws(sc, n=hi - lo, path0=lo)[1].path_params for lo, hi in ((0, 7), (7, 8), (8, 60))]
    np.testing.assert_array_equal(whole.path_params, np.concatenate(parts))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        _, serial = _draws(sc, n=60)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(whole.path_params, serial.path_params)
    assert len(np.unique(whole.path_params[:, 0])) == 60


def test_parameter_draws_leave_the_shock_stream_alone(demo):
    """The parameter stream is separate: shocks of path p are those of a run without uncertainty."""
    from mccoord.kernels.layout import P_SHOCK_SUM

    _, plain = _draws(demo, n=30)
    _, unc = _draws(demo.with_overrides(uncertainty=TABLE), n=30)
    np.testing.assert_array_equal(plain.path_scalar[:, P_SHOCK_SUM], unc.path_scalar[:, P_SHOCK_SUM])


def test_degenerate_distributions_reproduce_the_run_without_uncertainty(demo):
    p = demo.params
    degenerate = {
        k: {"dist": "uniform", "low": p[k], "high": p[k]}
        for k in ("lambda_c", "d0", "capital_output", "saving")
    } | {
        "tau_max": {"dist": "normal", "mean": p["tau_max"], "sd": 0.0},
        "eta": {"dist": "lognormal", "median": p["eta"], "sd_log": 0.0},
        "hr1": {"dist": "triangular", "low": p["hr1"], "mode": p["hr1"], "high": p["hr1"]},
    }
    mix = dict.fromkeys(mccoord.MECHANISMS, 0.5)
    a = mccoord.simulate(demo, mix, paths=20, seed=4, years=12)
    b = mccoord.simulate(demo.with_overrides(uncertainty=degenerate), mix, paths=20, seed=4, years=12)
    for name in ("ln_y", "L", "a", "K", "sigma", "theil", "beta_slope", "growth"):
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert (b["draws"] == 1).all()


def test_inadmissible_draws_are_redrawn_and_never_kept(demo):
    """lambda0 above 1 - lambda_c breaks the stability rule: those draws are replaced."""
    sc = demo.with_overrides(uncertainty={"lambda0": {"dist": "uniform", "low": 0.0, "high": 1.5}})
    inputs, res = _draws(sc, n=2000)
    lam = res.path_params[:, 0]
    assert (lam <= 1.0 - sc.params["lambda_c"] + 1e-15).all()
    assert (res.path_scalar[:, P_DRAWS] > 1).any()
    # accepted draws are uniform on the admissible part
    assert stats.kstest(lam, stats.uniform(0.0, 0.95).cdf).pvalue > 1e-3
    par = inputs.par.copy()
    par[PARAM_ORDER.index("lambda0")] = 0.99
    assert first_violation(par, 1, PARAM_LOW, PARAM_HIGH) >= len(PARAM_ORDER)


def test_a_path_without_an_admissible_draw_is_invalid(demo):
    sc = demo.with_overrides(uncertainty={"lambda0": {"dist": "uniform", "low": 0.96, "high": 1.0}})
    _, res = _draws(sc, n=5)
    assert (res.path_scalar[:, P_VALID] == 0).all()
    assert (res.path_scalar[:, P_DRAWS] == 0).all()
    assert np.isnan(res.rec_lny).all()


def test_uncertainty_widens_the_spread_of_outcomes(demo):
    wide = {"sigma": {"dist": "uniform", "low": 0.0, "high": 0.2}}
    a = mccoord.simulate(demo, {}, paths=400, seed=2, years=10)
    b = mccoord.simulate(demo.with_overrides(uncertainty=wide), {}, paths=400, seed=2, years=10)
    assert b.sigma.isel(time=-1).std() > 1.5 * a.sigma.isel(time=-1).std()
    assert b["parameters"].sel(parameter="sigma").dims == ("path",)


def test_norm_ppf_inverts_the_normal_cdf():
    u = np.linspace(1e-12, 1 - 1e-12, 2001)
    mine = np.array([norm_ppf(x) for x in u])
    np.testing.assert_allclose(mine, stats.norm.ppf(u), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"nonsense": {"dist": "uniform", "low": 0, "high": 1}}, "uncertainty.nonsense"),
        ({"review": {"dist": "uniform", "low": 4, "high": 6}}, "uncertainty.review"),
        ({"lambda_c": {"dist": "beta", "a": 1}}, "uncertainty.lambda_c.dist"),
        ({"lambda_c": {"dist": "uniform", "low": 0.1}}, "uncertainty.lambda_c.high"),
        ({"lambda_c": {"dist": "uniform", "low": 0.2, "high": 0.1}}, "uncertainty.lambda_c.high"),
        ({"lambda_c": {"dist": "uniform", "low": -0.1, "high": 0.1}}, "uncertainty.lambda_c.low"),
        ({"omega": {"dist": "uniform", "low": 0.5, "high": 1.5}}, "uncertainty.omega.high"),
        ({"tau_max": {"dist": "normal", "mean": 0.1, "sd": -1}}, "uncertainty.tau_max.sd"),
        ({"eta": {"dist": "lognormal", "median": 0.0, "sd_log": 0.1}}, "uncertainty.eta.median"),
        ({"hr1": {"dist": "triangular", "low": 0.2, "mode": 0.9, "high": 0.8}}, "uncertainty.hr1.mode"),
        ({"hr1": {"dist": "uniform", "low": 0.1, "high": 0.2, "sd": 1}}, "uncertainty.hr1.sd"),
        ({"calibrated": {"keys": ["sigma"], "mean": [0.03], "cov": [[-1.0]]}}, "uncertainty.calibrated.cov"),
        (
            {"calibrated": {"keys": ["sigma", "g"], "mean": [0.03, 0.02], "cov": [[1, 2], [2, 1]]}},
            "uncertainty.calibrated.cov",
        ),
        (
            {"calibrated": {"keys": ["sigma", "g"], "mean": [0.03], "cov": [[1.0]]}},
            "uncertainty.calibrated.mean",
        ),
        (
            {
                "sigma": {"dist": "uniform", "low": 0.0, "high": 0.1},
                "calibrated": {"keys": ["sigma"], "mean": [0.03], "cov": [[1e-4]]},
            },
            "uncertainty.sigma",
        ),
    ],
)
def test_bad_tables_are_one_line_errors_naming_the_field(table, field):
    with pytest.raises(ConfigError) as info:
        parse_uncertainty(table)
    assert info.value.field == field
    assert "\n" not in str(info.value)


def test_a_toml_uncertainty_table_loads(tmp_path):
    from importlib import resources

    src = resources.files("mccoord.configs") / "data" / "demo_regions.csv"
    (tmp_path / "r.csv").write_bytes(src.read_bytes())
    (tmp_path / "s.toml").write_text(
        '[scenario]\nregions = "r.csv"\n[uncertainty]\n'
        'lambda_c = { dist = "uniform", low = 0.025, high = 0.075 }\n'
        'calibrated = { keys = ["sigma", "g"], mean = [0.03, 0.02], cov = [[1e-5, 0.0], [0.0, 4e-6]] }\n'
    )
    sc = mccoord.load_scenario(tmp_path / "s.toml")
    assert sc.uncertainty.keys == ("lambda_c", "sigma", "g")
    assert "uncertainty" in sc.config()
    assert not sc.without_uncertainty().uncertainty
