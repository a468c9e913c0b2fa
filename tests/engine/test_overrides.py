"""A model key set on a scenario whose [uncertainty] table draws it: fixed, paths still paired."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.blocks import run_block
from mccoord.errors import ConfigError
from mccoord.inputs import mix_vector, model_inputs

TABLE = {
    "lambda_c": {"dist": "uniform", "low": 0.025, "high": 0.075},
    "tau_max": {"dist": "triangular", "low": 0.03, "mode": 0.1, "high": 0.35},
    "calibrated": {"keys": ["sigma", "g"], "mean": [0.03, 0.02], "cov": [[1e-5, 2e-6], [2e-6, 4e-6]]},
}


def _params(scenario, n=64):
    inputs = model_inputs(scenario)
    res = run_block(
        inputs, mix_vector({"transfer": 1.0}), seed=11, path0=0, n_paths=n, years=3, substeps=1,
        record_every=1, target_reduction=0.25,
    )  # fmt: skip
    return dict(zip(inputs.uncertainty.keys, res.path_params.T, strict=True))


def test_a_set_key_is_fixed_on_every_path_and_the_other_draws_do_not_move(demo):
    base = demo.with_overrides(uncertainty=TABLE)
    fixed = base.with_overrides(tau_max=0.2)
    a, b = _params(base), _params(fixed)
    assert set(a) == set(b)
    assert np.all(b["tau_max"] == 0.2)
    assert np.ptp(a["tau_max"]) > 0.05
    for key in ("lambda_c", "sigma", "g"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_a_key_of_the_calibrated_block_cannot_be_set_alone(demo):
    base = demo.with_overrides(uncertainty=TABLE)
    with pytest.raises(ConfigError, match=r"^sigma: .*calibrated block.*--shocks-only"):
        base.with_overrides(sigma=0.02)


def test_without_uncertainty_then_a_calibrated_key_can_be_set(demo):
    scenario = demo.with_overrides(uncertainty=TABLE).without_uncertainty().with_overrides(sigma=0.02)
    assert not scenario.uncertainty
    assert scenario.params["sigma"] == 0.02


def test_shocks_only_run_draws_nothing_and_the_default_run_draws(tmp_path):
    from mccoord.cli import main

    common = ["run", "china", "--paths", "20", "--years", "3", "--workers", "0", "--quiet"]
    assert main([*common, "--out", str(tmp_path / "u.zarr")]) == 0
    assert main([*common, "--shocks-only", "--out", str(tmp_path / "s.zarr")]) == 0
    with mccoord.open_results(tmp_path / "u.zarr") as u, mccoord.open_results(tmp_path / "s.zarr") as s:
        assert u.attrs["uncertain_keys"] != "[]"
        assert s.attrs["uncertain_keys"] == "[]"
        assert not np.array_equal(u.p_sigma.values, s.p_sigma.values)
