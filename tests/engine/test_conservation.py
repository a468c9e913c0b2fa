"""Conservation laws and invariants of one kernel step."""

from __future__ import annotations

import numpy as np
from helpers import ALL_ON, kernel_step, random_shocks, run_given, synthetic_regions
from hypothesis import given
from hypothesis import strategies as st
from mccoord.kernels.layout import PARAM_ORDER, PATH_VALID, STATE_E, STATE_S, shocks_per_step
from mccoord.kernels.model import ROW_NET_K, ROW_NET_L, ROW_TRANSFER

import mccoord
from mccoord.geography import gravity_matrix, great_circle_km
from mccoord.inputs import mix_vector, model_inputs
from mccoord.params import DEFAULTS

intensity = st.floats(0.0, 1.0)


@st.composite
def step_case(draw):
    R = draw(st.integers(2, 12))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(20, 45, R), rng.uniform(90, 125, R)
    G = gravity_matrix(great_circle_km(lat, lon) + 0.0, draw(st.floats(100, 3000)))
    L = rng.dirichlet(np.ones(R))
    state = {
        "a": rng.normal(0, 0.5, R),
        "K": rng.uniform(0.01, 3, R) * L,
        "L": L,
        "s": rng.uniform(0, 1, R),
        "e": rng.uniform(0, 1, R),
        "z": (rng.uniform(size=R) < draw(st.floats(0, 1))).astype(float),
    }
    p = dict(DEFAULTS)
    p["mu_k"] = draw(st.floats(0, 1))
    p["mu_l"] = draw(st.floats(0, 1))
    p["flow_cap"] = draw(st.floats(0.01, 1))
    theta = np.array([draw(intensity) for _ in mccoord.MECHANISMS])
    w = rng.dirichlet(np.ones(3))
    substeps = draw(st.integers(1, 4))
    shocks = rng.standard_normal(shocks_per_step(R)) * draw(st.floats(0, 5))
    shocks[3 * R + 1 :] = rng.uniform(size=R + 1)
    return R, G, state, p, theta, w, 1.0 / substeps, shocks, rng


def _step(R, G, state, p, theta, w, h, shocks, rng):
    s_target = (state["s"] >= np.median(state["s"])).astype(float)
    par = np.array([float(p[k]) for k in PARAM_ORDER])
    new, scr, _ = kernel_step(state, G, s_target, np.full(R, p["saving"]), par, theta, w, h, shocks)
    return new, scr


@given(step_case())
def test_population_shares_sum_to_one(case):
    new, _ = _step(*case)
    assert abs(new["L"].sum() - 1.0) < 1e-12
    assert (new["L"] > 0).all()


@given(step_case())
def test_transfers_and_flows_net_to_zero(case):
    R, G, state, *_ = case
    new, work = _step(*case)
    scale = np.abs(work[ROW_TRANSFER]).sum() + 1e-300
    assert abs(work[ROW_TRANSFER].sum()) <= 1e-12 * max(scale, 1.0)
    assert abs(work[ROW_NET_K].sum()) <= 1e-12 * max(state["K"].sum(), 1.0)
    assert abs(work[ROW_NET_L].sum()) <= 1e-13
    # defecting regions neither pay nor receive transfers
    assert (work[ROW_TRANSFER][state["z"] == 1] == 0).all()


@given(step_case())
def test_flows_respect_the_cap(case):
    R, G, state, p, *_ = case
    new, work = _step(*case)
    # a region loses at most flow_cap of its stock to outflows in one step
    assert (new["L"] >= state["L"] * (1 - p["flow_cap"]) - 1e-15).all()


@given(step_case())
def test_specialisation_and_integration_stay_in_unit_interval(case):
    new, _ = _step(*case)
    for k in ("s", "e"):
        assert (new[k] >= 0).all() and (new[k] <= 1).all()
    assert set(np.unique(new["z"])) <= {0.0, 1.0}


def test_whole_paths_conserve_population_and_bounds(demo):
    inputs = model_inputs(demo)
    shocks = random_shocks(20, 40, inputs.n_regions, seed=2) * 3
    out = run_given(inputs, ALL_ON, shocks, years=40)
    assert (out["path_scalar"][:, PATH_VALID] == 1).all()
    np.testing.assert_allclose(out["rec_L"].sum(axis=2), 1.0, atol=1e-12)
    for idx in (STATE_S, STATE_E):
        x = out["rec_state"][:, :, idx]
        assert x.min() >= 0 and x.max() <= 1


@given(theta=st.lists(intensity, min_size=5, max_size=5))
def test_output_at_t0_equals_data_under_every_mix(theta):
    sc = mccoord.scenario_from_table(synthetic_regions(6, seed=1))
    inputs = model_inputs(sc)
    mix = dict(zip(mccoord.MECHANISMS, theta, strict=True))
    ds = mccoord.simulate(sc, mix, paths=2, seed=0, years=1)
    gdp = sc.regions["gdp_per_capita"].to_numpy()
    L0 = sc.regions["population"].to_numpy() / sc.regions["population"].sum()
    np.testing.assert_allclose(
        ds["ln_y"].isel(time=0), np.log(gdp / (gdp @ L0))[None].repeat(2, 0), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(ds["L"].isel(time=0, path=0), L0, atol=1e-15)
    assert inputs.K0.sum() > 0 and mix_vector(mix).shape == (5,)
