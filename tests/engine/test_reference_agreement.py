"""The Numba kernel and the NumPy reference agree on the same shocks."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ALL_ON, random_shocks, run_given, synthetic_regions
from mccoord.kernels.layout import REC_CA, STATE_A, STATE_E, STATE_K, STATE_S, STATE_Z

import mccoord
from mccoord.inputs import mix_vector, model_inputs
from mccoord.reference import simulate_reference

MIXES = {m: {m: 1.0} for m in mccoord.MECHANISMS} | {
    "none": {},
    "all": ALL_ON,
    "half": dict.fromkeys(mccoord.MECHANISMS, 0.5),
}


def _compare(inputs, mix, years, substeps, P=3, seed=0):
    shocks = random_shocks(P, years * substeps, inputs.n_regions, seed=seed)
    k = run_given(inputs, mix, shocks, years=years, substeps=substeps)
    r = simulate_reference(inputs, mix_vector(mix), shocks, years=years, substeps=substeps)
    tol = dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(k["rec_lny"], r["lny"], **tol)
    np.testing.assert_allclose(k["rec_L"], r["L"], **tol)
    for name, idx in (("a", STATE_A), ("K", STATE_K), ("s", STATE_S), ("e", STATE_E), ("z", STATE_Z)):
        np.testing.assert_allclose(k["rec_state"][:, :, idx], r[name], err_msg=name, **tol)
    np.testing.assert_allclose(k["rec_scalar"][:, :, REC_CA : REC_CA + 3], r["q"], **tol)
    from mccoord.kernels.layout import PATH_PICK_CA

    np.testing.assert_array_equal(k["path_scalar"][:, PATH_PICK_CA : PATH_PICK_CA + 3], r["picks"])
    return k, r


@pytest.mark.parametrize("name", list(MIXES))
def test_kernel_matches_reference_over_50_steps(name):
    inputs = model_inputs(mccoord.load_scenario("demo"))
    k, r = _compare(inputs, MIXES[name], years=50, substeps=1)
    # the run must exercise what it claims to: defections and reviews happen
    assert r["z"].max() == 1.0
    assert r["picks"].sum() > 0


@pytest.mark.parametrize("name", ["all", "transfer", "market"])
def test_kernel_matches_reference_with_substeps(name):
    sc = mccoord.scenario_from_table(synthetic_regions(9, seed=5), substeps=2)
    _compare(model_inputs(sc), MIXES[name], years=25, substeps=2)


def test_kernel_matches_reference_under_strong_flows():
    """Large mobility and defection hazards push flows against their caps."""
    sc = mccoord.scenario_from_table(
        synthetic_regions(8, seed=11), mu_k=0.9, mu_l=0.9, h0=0.5, flow_cap=0.05, sigma=0.1
    )
    inputs = model_inputs(sc)
    _compare(inputs, ALL_ON, years=50, substeps=1, seed=4)
