"""Each lane of the batch kernel is bitwise identical to the scalar kernel on its path."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ALL_ON, random_shocks, run_given, synthetic_regions
from mccoord.kernels.layout import PATH_DRAWS, PATH_VALID, REC_REGIME

import mccoord
from mccoord.blocks import run_block
from mccoord.inputs import mix_vector, model_inputs

FIELDS = ("rec_lny", "rec_L", "rec_scalar", "path_scalar", "rec_state", "path_params")
MIXES = {
    "none": {},
    "all": ALL_ON,
    "half": dict.fromkeys(mccoord.MECHANISMS, 0.5),
    "transfer": {"transfer": 1.0},
    "market": {"market": 1.0, "order_parameter": 0.7},
}
UNCERTAIN = {
    "lambda_c": {"dist": "uniform", "low": 0.025, "high": 0.075},
    "tau_max": {"dist": "normal", "mean": 0.10, "sd": 0.04, "low": 0.0, "high": 0.2},
    "d0": {"dist": "lognormal", "median": 900.0, "sd_log": 0.3},
    "capital_output": {"dist": "triangular", "low": 2.5, "mode": 3.0, "high": 3.5},
    "saving": {"dist": "uniform", "low": 0.3, "high": 0.4},
    "calibrated": {"keys": ["sigma", "g"], "mean": [0.03, 0.02], "cov": [[1e-5, 2e-6], [2e-6, 4e-6]]},
}


def _assert_same(a, b):
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        if x is None:
            assert y is None
            continue
        assert x.shape == y.shape, field
        np.testing.assert_array_equal(x, y, err_msg=field)


def _pair(inputs, mix, lanes, **kw):
    settings = dict(seed=11, path0=5, n_paths=21, years=12, substeps=1, record_every=1, target_reduction=0.25)
    settings.update(kw)
    theta = mix_vector(mix)
    scalar = run_block(inputs, theta, lanes=1, full=True, **settings)
    vector = run_block(inputs, theta, lanes=lanes, full=True, **settings)
    return scalar, vector


@pytest.mark.parametrize("name", list(MIXES))
def test_lanes_equal_the_scalar_kernel_for_every_mix(demo, name):
    scalar, vector = _pair(model_inputs(demo), MIXES[name], 8)
    _assert_same(scalar, vector)
    assert (scalar.path_scalar[:, PATH_VALID] == 1).all()


@pytest.mark.slow
def test_sixteen_lanes_equal_the_scalar_kernel(demo):
    scalar, vector = _pair(model_inputs(demo), ALL_ON, 16, n_paths=37)
    _assert_same(scalar, vector)


def test_lanes_equal_the_scalar_kernel_with_substeps_and_sparse_records():
    sc = mccoord.scenario_from_table(synthetic_regions(9, seed=5), substeps=2, rho_a=0.1, regime_exit=0.3)
    scalar, vector = _pair(model_inputs(sc), ALL_ON, 8, substeps=2, years=14, record_every=2)
    _assert_same(scalar, vector)


def test_lanes_equal_the_scalar_kernel_with_steady_states_and_regimes():
    regions = synthetic_regions(11, seed=3)
    regions["steady_state"] = np.exp(np.random.default_rng(4).normal(0.0, 0.3, 11))
    sc = mccoord.scenario_from_table(regions, rho_a=0.15, regime_exit=0.3, regime_entry=0.25, regime0=0.6)
    scalar, vector = _pair(model_inputs(sc), MIXES["half"], 8, years=20)
    _assert_same(scalar, vector)
    assert 0 < np.nanmean(vector.rec_scalar[:, :, REC_REGIME]) < 1  # both regimes occur


def test_lanes_equal_the_scalar_kernel_under_parameter_uncertainty(demo):
    """Each lane has its own parameters, initial state and (d0 drawn) gravity matrix."""
    inputs = model_inputs(demo.with_overrides(uncertainty=UNCERTAIN))
    scalar, vector = _pair(inputs, ALL_ON, 8)
    _assert_same(scalar, vector)
    assert len(np.unique(vector.path_params[:, 2])) == 21  # d0 differs between lanes


def test_a_lane_without_an_admissible_draw_leaves_the_others_alone(demo):
    """lambda0 is admissible on 1 % of its range: some paths find no vector in 100 draws."""
    table = {"lambda0": {"dist": "uniform", "low": 0.9495, "high": 1.0}}
    inputs = model_inputs(demo.with_overrides(uncertainty=table))
    scalar, vector = _pair(inputs, ALL_ON, 8, n_paths=40)
    _assert_same(scalar, vector)
    draws = vector.path_scalar[:, PATH_DRAWS]
    assert (draws == 0).any() and (draws > 0).any()
    assert (vector.path_scalar[draws > 0, PATH_VALID] == 1).all()


@pytest.mark.parametrize("n_paths", [1, 7, 9, 17])
def test_partial_batches_equal_the_scalar_kernel(demo, n_paths):
    scalar, vector = _pair(model_inputs(demo), ALL_ON, 8, n_paths=n_paths, path0=3)
    _assert_same(scalar, vector)


def _given(inputs, shocks, lanes):
    u0 = np.linspace(0.1, 0.9, shocks.shape[0])
    return run_given(inputs, ALL_ON, shocks, years=15, u0=u0, lanes=lanes)


def test_a_lane_that_turns_non_finite_does_not_touch_the_others(demo):
    """A huge shock breaks path 2 in year 6; its batch mates match the scalar kernel and a
    run without the broken path."""
    inputs = model_inputs(demo)
    shocks = random_shocks(11, 15, inputs.n_regions, seed=3)
    broken = shocks.copy()
    broken[2, 5, :3] = 1e308
    scalar = _given(inputs, broken, 1)
    vector = _given(inputs, broken, 8)
    for field in ("rec_lny", "rec_L", "rec_scalar", "path_scalar", "rec_state"):
        np.testing.assert_array_equal(scalar[field], vector[field], err_msg=field)
    assert vector["path_scalar"][2, PATH_VALID] == 0
    assert np.isnan(vector["rec_lny"][2, 6:]).all() and np.isfinite(vector["rec_lny"][2, :6]).all()
    healthy = _given(inputs, shocks, 8)
    others = np.arange(11) != 2
    for field in ("rec_lny", "rec_scalar", "path_scalar"):
        np.testing.assert_array_equal(vector[field][others], healthy[field][others], err_msg=field)
