"""Conditional steady states and the convergence regime (MODEL.md sections 2, 3 step 7 and 7b)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import ALL_ON, random_shocks, run_given, synthetic_regions
from mccoord.kernels.layout import P_BETA, P_GROWTH, R_CA, R_REGIME
from mccoord.kernels.metrics import beta_slope, log_total_output
from mccoord.kernels.paths import S_A, S_E, S_K, S_S, S_Z, initial_state
from scipy import stats

import mccoord
from mccoord.inputs import mix_vector, model_inputs
from mccoord.reference import simulate_reference

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "v1_demo_given_shocks.npz"
V2_TERMS = dict(rho_a=0.15, regime_exit=0.3, regime_entry=0.25, regime0=0.6)


def _steady_scenario(R=9, seed=3, **params):
    regions = synthetic_regions(R, seed=seed)
    rng = np.random.default_rng(seed + 1)
    regions["steady_state"] = np.exp(rng.normal(0.0, 0.3, R))
    return mccoord.scenario_from_table(regions, **params)


@pytest.mark.parametrize("name", ["none", "all", "half", "cooperation"])
@pytest.mark.parametrize("substeps", [1, 2])
def test_kernel_matches_reference_with_steady_states_and_regimes(name, substeps):
    mix = {"none": {}, "all": ALL_ON, "half": dict.fromkeys(mccoord.MECHANISMS, 0.5)}.get(name, {name: 1.0})
    sc = _steady_scenario(substeps=substeps, **V2_TERMS)
    inputs = model_inputs(sc)
    P, years = 6, 50 // substeps
    shocks = random_shocks(P, years * substeps, inputs.n_regions, seed=9)
    u0 = np.linspace(0.05, 0.95, P)
    k = run_given(inputs, mix, shocks, years=years, substeps=substeps, u0=u0)
    r = simulate_reference(inputs, mix_vector(mix), shocks, years=years, substeps=substeps, u0=u0)
    tol = dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(k["rec_lny"], r["lny"], **tol)
    np.testing.assert_allclose(k["rec_L"], r["L"], **tol)
    for field, idx in (("a", S_A), ("K", S_K), ("s", S_S), ("e", S_E), ("z", S_Z)):
        np.testing.assert_allclose(k["rec_state"][:, :, idx], r[field], err_msg=field, **tol)
    np.testing.assert_allclose(k["rec_scalar"][:, :, R_CA : R_CA + 3], r["q"], **tol)
    np.testing.assert_array_equal(k["rec_scalar"][:, :, R_REGIME], r["c"])
    # the run exercises what it claims to: both regimes occur, with switches
    assert 0 < r["c"].mean() < 1
    assert (np.diff(r["c"], axis=1) != 0).any()


def test_defaults_are_the_model_without_the_new_terms():
    """With rho_a = regime_exit = regime_entry = 0 and regime0 = 1, the dynamics are v1's.

    The golden file holds the records of the model without the steady-state and regime
    terms on the same shocks (demo scenario, 20 years, three mixes, one and two
    substeps); a step now also draws ``u_c`` and a path ``u0``, which are given here.
    """
    golden = np.load(GOLDEN)
    inputs = model_inputs(mccoord.load_scenario("demo"))
    mixes = {"on": ALL_ON, "half": dict.fromkeys(mccoord.MECHANISMS, 0.5), "off": {}}
    rng = np.random.default_rng(0)
    for substeps in (1, 2):
        for name, mix in mixes.items():
            key = f"{name}_sub{substeps}"
            shocks = golden[f"{key}_shocks"]
            P, n, _ = shocks.shape
            with_uc = np.concatenate([shocks, rng.uniform(size=(P, n, 1))], axis=2)
            k = run_given(inputs, mix, with_uc, years=20, substeps=substeps, u0=rng.uniform(size=P))
            for field in ("rec_lny", "rec_L", "rec_state"):
                np.testing.assert_array_equal(k[field], golden[f"{key}_{field}"], err_msg=f"{key} {field}")
            np.testing.assert_array_equal(k["rec_scalar"][:, :, :R_REGIME], golden[f"{key}_rec_scalar"])
            assert (k["rec_scalar"][:, :, R_REGIME] == 1.0).all()


def test_beta_slope_and_growth_are_rebuilt_from_the_recorded_trajectory():
    """At T a multiple of ``review`` the final review must not leak into beta and growth."""
    inputs = model_inputs(mccoord.load_scenario("demo"))
    years = 30  # review = 5: a review changes the shares at the very end
    shocks = random_shocks(8, years, inputs.n_regions, seed=4)
    k = run_given(inputs, ALL_ON, shocks, years=years)
    for p in range(8):
        lny, L = k["rec_lny"][p], k["rec_L"][p]
        assert k["path_scalar"][p, P_BETA] == beta_slope(lny[0], lny[-1], years)
        growth = (log_total_output(lny[-1], L[-1]) - log_total_output(lny[0], L[0])) / years
        assert k["path_scalar"][p, P_GROWTH] == growth


def test_reversion_alone_converges_to_the_steady_state_at_rate_rho():
    """No shocks, no spillover: (a_i - mean a) - (a*_i - mean a*) shrinks by (1 - h rho) a step."""
    rho, substeps, years = 0.2, 2, 15
    quiet = dict(sigma=0.0, sigma_common=0.0, sigma_s=0.0, sigma_e=0.0, lambda0=0.0, lambda_c=0.0, h0=0.0)
    sc = _steady_scenario(R=7, seed=8, rho_a=rho, substeps=substeps, **quiet)
    inputs = model_inputs(sc)
    mix = {"transfer": 1.0, "market": 1.0, "supervision": 1.0}
    shocks = random_shocks(1, years * substeps, inputs.n_regions, seed=1)
    shocks[:, :, : 3 * inputs.n_regions + 1] = 0.0
    k = run_given(inputs, mix, shocks, years=years, substeps=substeps)
    a = k["rec_state"][0, :, S_A]
    a0 = a[0]
    astar = a0 + (1 - sc.params["alpha"]) * inputs.ln_gap
    dev_star = astar - astar.mean()
    gap0 = (a0 - a0.mean()) - dev_star
    t = np.arange(years + 1)
    expected = dev_star[None] + (1 - rho / substeps) ** (substeps * t)[:, None] * gap0[None]
    np.testing.assert_allclose(a - a.mean(axis=1, keepdims=True), expected, rtol=0, atol=1e-12)
    assert np.abs(gap0).max() > 0.05  # the test starts away from the steady state


def test_steady_state_tfp_reproduces_the_steady_state_incomes():
    """a*_i = a_i(0) + (1 - alpha)(ln y*_i - ln y_i(0)) is section 2's solution for y*."""
    sc = _steady_scenario(R=6, seed=2)
    inputs = model_inputs(sc)
    ystar = sc.regions["steady_state"].to_numpy()
    L0 = inputs.L0
    ystar = ystar / (ystar @ L0)
    alpha = sc.params["alpha"]
    np.testing.assert_allclose(inputs.ln_gap, np.log(ystar) - inputs.lny0, rtol=1e-14)
    # section 2 at y*: ln y* = a* + alpha ln(kappa0 y*) + eta ln(R L0) + chi trade, and at y(0)
    # ln y(0) = a(0) + alpha ln(kappa0 y(0)) + ..., so a* - a(0) = (1 - alpha)(ln y* - ln y(0))
    a0, dev = initial_state(inputs.kernel_data, inputs.par, mix_vector({}))
    astar = a0 + (1 - alpha) * inputs.ln_gap
    K = sc.params["capital_output"] * ystar * L0
    lny_star = astar + alpha * np.log(K / L0) + (inputs.lny0 - a0 - alpha * np.log(inputs.K0 / L0))
    np.testing.assert_allclose(lny_star, np.log(ystar), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dev, astar - astar.mean(), rtol=0, atol=1e-14)


def _spells(regime: np.ndarray, state: float, horizon: int) -> np.ndarray:
    """Lengths (in records) of the spells in ``state``, each followed for ``horizon`` records.

    Only spells that begin with a switch at least ``horizon`` records before the end
    are used and their lengths are capped at ``horizon``: by the Markov property the
    start of a spell says nothing of its length, so the capped lengths are an unbiased
    sample (spells that must end inside a finite window would be biased short).
    """
    out = []
    n = regime.shape[1]
    for row in regime:
        changes = np.flatnonzero(np.diff(row) != 0) + 1
        for i, a in enumerate(changes):
            if row[a] != state or a + horizon >= n:
                continue
            b = changes[i + 1] if i + 1 < len(changes) else n
            out.append(min(b - a, horizon))
    return np.asarray(out)


@pytest.mark.parametrize(("state", "key"), [(1.0, "regime_exit"), (0.0, "regime_entry")])
def test_regime_spells_are_geometric_with_the_declared_hazard(state, key):
    hazards = dict(regime_exit=0.35, regime_entry=0.2)
    sc = mccoord.load_scenario("demo", regime0=0.5, **hazards)
    ds = mccoord.simulate(sc, {}, paths=3000, seed=12, years=120)
    M = 40
    d = _spells(ds["regime"].values, state, M)
    q = np.exp(-hazards[key])  # h = 1: P(D > k) = exp(-k x)
    assert len(d) > 5000
    # mean of a spell of whole steps: h / (1 - exp(-h x)), not 1 / x (capped at M steps)
    mean = (1 - q**M) / (1 - q)
    assert abs(d.mean() - mean) < 4 * d.std(ddof=1) / np.sqrt(len(d))
    assert abs(mean - 1 / hazards[key]) > 10 * d.std(ddof=1) / np.sqrt(len(d))  # 1/x would fail
    # goodness of fit of the survival curve: P(D = k) = q^(k-1) (1 - q), tail pooled at kmax
    kmax = 16
    observed = np.array([(d == k).sum() for k in range(1, kmax)] + [(d >= kmax).sum()])
    probs = np.array([(1 - q) * q ** (k - 1) for k in range(1, kmax)] + [q ** (kmax - 1)])
    assert stats.chisquare(observed, probs * len(d)).pvalue > 1e-3


def test_initial_regime_share_is_regime0():
    sc = mccoord.load_scenario("demo", regime0=0.3)
    ds = mccoord.simulate(sc, {}, paths=4000, seed=5, years=1)
    share = float(ds["regime"].isel(time=0).mean())
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)


def test_a_stalled_regime_keeps_only_the_policy_spillover():
    """In regime 0 the market's spillover lambda0 stops; cooperation's lambda_C keeps working."""
    R, years = 8, 40
    d = np.full((R, R), 400.0)
    np.fill_diagonal(d, 0.0)
    regions = synthetic_regions(R, seed=4).assign(integration=1.0)
    base = dict(alpha=0.0, eta=0.0, chi0=0.0, chi_c=0.0, sigma=0.0, sigma_common=0.0, h0=0.0)
    base |= dict(sigma_s=0.0, sigma_e=0.0, lambda0=0.2, lambda_c=0.1)
    sigmas = {}
    for regime0 in (1.0, 0.0):
        sc = mccoord.scenario_from_table(regions, distance_km=d, regime0=regime0, **base)
        for label, mix in (("market", {}), ("policy", {"cooperation": 1.0})):
            ds = mccoord.simulate(sc, mix, paths=1, seed=1, years=years)
            sigmas[regime0, label] = float(ds.sigma.isel(path=0, time=-1))
    s0 = float(mccoord.simulate(sc, {}, paths=1, seed=1, years=1).sigma.isel(path=0, time=0))
    assert sigmas[0.0, "market"] == pytest.approx(s0, rel=1e-12)  # nothing pulls incomes together
    assert sigmas[0.0, "policy"] < 0.5 * s0  # the policy spillover still converges
    assert sigmas[1.0, "policy"] < sigmas[0.0, "policy"]  # both together converge faster


def test_records_a_sigma_and_regime_for_every_year():
    sc = mccoord.load_scenario("demo", **V2_TERMS)
    res = mccoord.simulate(sc, {}, paths=4, seed=3, years=6)
    assert set(np.unique(res["regime"].values)) <= {0.0, 1.0}
    assert res["regime"].sizes == {"path": 4, "time": 7}
    assert np.isfinite(res["sigma"].values).all()
