"""The catalogue is the one description of the store: names, dims and dtypes come from it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import zarr
from mccoord.kernels.layout import P_SHOCK_SUM

import mccoord
from mccoord.blocks import run_block
from mccoord.catalogue import RAW_ARRAYS, RESULTS, RawArray
from mccoord.inputs import model_inputs
from mccoord.store import inspect_store, quiet_zarr, verify_store

pytestmark = pytest.mark.slow

RUN = dict(paths=200, years=3, paths_per_task=100, workers=0, progress=False)


def _raw(store):
    with quiet_zarr():
        return zarr.open_group(str(store), mode="r", path="raw", use_consolidated=False)


def test_the_raw_group_holds_exactly_the_catalogued_arrays(tmp_path):
    store = tmp_path / "s.zarr"
    ds = mccoord.run("demo", mixes=[{}, {"market": 1}], store=store, **RUN)
    raw = _raw(store)
    with quiet_zarr():
        names = {name for name, _ in raw.arrays()}
    assert names == set(RAW_ARRAYS) - {"path_parameters"} | {"done"}  # no parameter uncertainty
    for name, spec in RAW_ARRAYS.items():
        if name not in names:
            continue
        assert raw[name].metadata.dimension_names == spec.dims, name
        assert raw[name].dtype == np.dtype(spec.dtype), name
    assert set(ds.data_vars) == set(RESULTS)
    for name, spec in RESULTS.items():
        assert ds[name].dtype == np.dtype(spec.dtype), name


def test_a_mix_independent_per_path_array_is_one_catalogue_entry(tmp_path, monkeypatch, demo):
    """The shape of the per-path parameter draws: dims (path, ...) without the mix."""
    entry = RawArray(
        "path_shock_sum", ("path",), "f8", np.nan, "sum of the path's variates", "1",
        "the same under every mix (common random numbers)", lambda res: res.path_scalar[:, P_SHOCK_SUM],
    )  # fmt: skip
    monkeypatch.setitem(RAW_ARRAYS, entry.name, entry)
    store = tmp_path / "s.zarr"
    mccoord.run(demo, mixes=[{}, {"market": 1}, {"transfer": 1}], store=store, **RUN)
    stored = _raw(store)["path_shock_sum"]
    assert stored.shape == (200,) and stored.chunks == (100,)
    res = run_block(
        model_inputs(demo), np.zeros(5), seed=demo.simulation["seed"], path0=0, n_paths=200, years=3,
        substeps=1, record_every=1, target_reduction=0.25,
    )  # fmt: skip
    np.testing.assert_array_equal(stored[...], res.path_scalar[:, P_SHOCK_SUM])
    assert inspect_store(store).complete and verify_store(store) == []


def test_each_paths_drawn_parameters_are_kept_once_beside_the_results(tmp_path, demo):
    uncertain = demo.with_overrides(
        uncertainty={"lambda0": {"dist": "uniform", "low": 0.0, "high": 0.05}, "tau_max": {
            "dist": "triangular", "low": 0.05, "mode": 0.1, "high": 0.2}}
    )  # fmt: skip
    store = tmp_path / "u.zarr"
    ds = mccoord.run(uncertain, mixes=[{}, {"transfer": 1}], store=store, **RUN)
    stored = _raw(store)["path_parameters"]
    assert stored.shape == (200, 2) and stored.metadata.dimension_names == ("path", "parameter")
    assert json.loads(ds.attrs["uncertain_keys"]) == ["lambda0", "tau_max"]
    sim = mccoord.simulate(uncertain, {"transfer": 1}, paths=200, seed=demo.simulation["seed"], years=3)
    np.testing.assert_array_equal(stored[...], sim["parameters"].transpose("path", "parameter").values)
    assert list(sim["parameter"].values) == ["lambda0", "tau_max"]
    assert inspect_store(store).complete and verify_store(store) == []
    plain = tmp_path / "p.zarr"
    mccoord.run(demo, mixes=[{}], store=plain, **RUN)
    assert "path_parameters" not in {name for name, _ in _raw(plain).arrays()}
    assert inspect_store(plain).complete
