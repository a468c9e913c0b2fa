"""Statistics of the results dataset against per-path recomputation (schema in the catalogue)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from mccoord.kernels.layout import P_VALID, R_THEIL

import mccoord
from mccoord.catalogue import PATH_MEANS, RAW_ARRAYS, RESULTS
from mccoord.intervals import Z95
from mccoord.reduce import reduce_mix

pytestmark = pytest.mark.slow

#: A scenario whose paths switch regime, so that every path mean varies across paths.
SWITCHING = dict(regime_exit=0.3, regime_entry=0.3)
MIX = {"transfer": 1.0, "cooperation": 1.0}
SMALL = dict(years=6, workers=0, progress=False)


@pytest.fixture(scope="module")
def switching():
    return mccoord.load_scenario("demo", **SWITCHING)


@pytest.fixture(scope="module")
def one_mix(switching, tmp_path_factory):
    """250 paths (two full granules and a partial one) of one mix, in one task."""
    store = tmp_path_factory.mktemp("stats") / "one.zarr"
    ds = mccoord.run(switching, mixes=[MIX], paths=250, store=store, **SMALL)
    return ds.isel(mix=0).load()


def test_standard_errors_of_path_means_match_per_path_recomputation(switching, one_mix):
    sim = mccoord.simulate(switching, MIX, paths=250, seed=switching.simulation["seed"], years=6)
    assert bool(sim["valid"].all())
    per_path = {
        "theil": xr.concat([sim["theil"], sim["theil_between"], sim["theil_within"]], dim="component"),
        "ccd": sim["ccd"],
        "defection": sim["defection"],
        "regime": sim["regime"],
        "rel_income": np.log(np.exp(sim["ln_y"]) / (np.exp(sim["ln_y"]) * sim["L"]).sum("region")),
        "pop_share": sim["L"],
        "sigma_mean": sim["sigma"],
    }
    assert set(PATH_MEANS) | {"sigma_mean"} == set(per_path)
    assert float(sim["regime"].std("path").max()) > 0.1, "the regime must vary across paths"
    for name, x in per_path.items():
        mean = x.mean("path")
        se = x.std("path") / np.sqrt(x.sizes["path"])
        got_mean = one_mix[name].transpose(*[d for d in one_mix[name].dims])
        np.testing.assert_allclose(got_mean, mean.transpose(*got_mean.dims), rtol=1e-9, atol=1e-13)
        se_name = f"{name}_se"
        np.testing.assert_allclose(one_mix[se_name], se.transpose(*got_mean.dims), rtol=1e-7, atol=1e-13)


def test_standard_errors_do_not_depend_on_paths_per_task(switching, one_mix, tmp_path):
    store = tmp_path / "o.zarr"
    other = mccoord.run(switching, mixes=[MIX], paths=250, paths_per_task=100, store=store, **SMALL)
    for name in RESULTS:
        np.testing.assert_array_equal(other[name].isel(mix=0).values, one_mix[name].values, err_msg=name)


def test_implied_speed_quantiles_are_the_per_path_speeds_at_their_order_statistics(demo, tmp_path):
    # 201 paths: every quantile level 0.05, 0.25, ... falls on an order statistic
    ds = mccoord.run(demo, mixes=[MIX], paths=201, store=tmp_path / "s.zarr", **SMALL).isel(mix=0)
    sim = mccoord.simulate(demo, MIX, paths=201, seed=demo.simulation["seed"], years=6)
    speeds = np.sort(sim["beta_speed"].values)
    for q, got in zip(ds["quantile"].values, ds["beta_speed"].values, strict=True):
        np.testing.assert_allclose(got, speeds[int(round(200 * q))], rtol=1e-12)
    assert int(ds["n_speed_undefined"]) == int(np.isinf(sim["beta_speed"]).sum())


def _raw(n_paths: int, n_time: int, n_region: int = 2) -> dict[str, np.ndarray]:
    """Raw arrays of one mix in memory, every path valid, path means zero."""
    sizes = {"mix": 1, "path": n_paths, "granule": 1, "time": n_time, "region": n_region}
    sizes |= {"component": 3, "driver": 3, "parameter": 0}
    raw = {name: np.zeros([sizes[d] for d in a.dims]) for name, a in RAW_ARRAYS.items()}
    raw["path_valid"][:] = 1
    raw["path_sigma"][:] = 1.0
    raw["path_first_passage"][:] = np.nan
    return raw


def test_paths_whose_implied_speed_is_unbounded_count_as_infinitely_fast():
    T = 10
    raw = _raw(21, T + 1)
    slopes = np.linspace(-0.08, 0.02, 21)
    slopes[:2] = (-0.2, -0.1)  # 1 + slope*T <= 0: the speed is unbounded
    raw["path_beta"][0] = slopes
    out = reduce_mix(raw, 0, np.arange(T + 1.0), [0.05, 0.25, 0.5, 0.75, 0.95], T)
    assert int(out["n_speed_undefined"]) == 2
    with np.errstate(invalid="ignore", divide="ignore"):
        per_path = np.where(1 + slopes * T > 0, -np.log(np.maximum(1 + slopes * T, 1e-300)) / T, np.inf)
    expected = np.sort(per_path)[[1, 5, 10, 15, 19]]
    assert np.isinf(out["beta_speed"][-1]) and np.isinf(expected[-1])
    np.testing.assert_allclose(out["beta_speed"][:-1], expected[:-1], rtol=1e-12)


def test_a_probability_of_zero_gets_a_wilson_interval_that_is_not_empty(demo, tmp_path):
    ds = mccoord.run(demo, mixes=[{}], paths=200, store=tmp_path / "z.zarr", **SMALL).isel(mix=0)
    at1 = ds.sel(time=1)
    assert float(at1["p_target"]) == 0.0, "precondition: no path reaches the target in one year"
    assert float(at1["p_target_se"]) == 0.0
    assert float(at1["p_target_lo"]) == 0.0
    np.testing.assert_allclose(float(at1["p_target_hi"]), Z95**2 / (200 + Z95**2), rtol=1e-9)
    for name in ("p_sigma", "p_target", "p_beta"):
        lo, p, hi = ds[f"{name}_lo"], ds[name], ds[f"{name}_hi"]
        assert bool(((lo <= p) & (p <= hi)).all()), name


def _poisoned(real, mutate):
    def run_block(*args, **kwargs):
        res = real(*args, **kwargs)
        mutate(res, args[1])
        return res

    return run_block


def test_a_mix_without_any_valid_path_gets_nan_statistics_and_a_warning(demo, tmp_path, monkeypatch):
    import mccoord.tasks as tasks

    def all_invalid(res, theta):
        if theta[1] == 1.0:  # the market mix blows up on every path
            res.path_scalar[:, P_VALID] = 0.0

    monkeypatch.setattr(tasks, "run_block", _poisoned(tasks.run_block, all_invalid))
    with pytest.warns(RuntimeWarning) as caught:
        ds = mccoord.run(demo, mixes=[{}, {"market": 1}], paths=200, store=tmp_path / "n.zarr", **SMALL)
    messages = [str(w.message) for w in caught]
    assert any("1 mixes have no valid path" in m for m in messages), messages
    bad, good = ds.isel(mix=1).load(), ds.isel(mix=0).load()
    assert int(bad["n_invalid"]) == 200 and int(bad["n_paths"]) == 0
    for name in ("p_target", "p_target_lo", "p_target_hi", "p_sigma_se", "theil", "theil_se", "beta_speed"):
        assert bool(bad[name].isnull().all()), name
    assert int(good["n_paths"]) == 200 and bool(np.isfinite(good["p_target_hi"]).all())


def test_a_path_with_a_non_finite_record_is_invalid_even_if_the_kernel_kept_it(demo, tmp_path, monkeypatch):
    import mccoord.tasks as tasks

    def theil_overflows(res, theta):
        if res.path_scalar.shape[0] > 3:
            res.rec_scalar[3, 2:, R_THEIL] = np.inf  # the kernel's flag says valid

    monkeypatch.setattr(tasks, "run_block", _poisoned(tasks.run_block, theil_overflows))
    with pytest.warns(RuntimeWarning, match="1 paths produced a non-finite value"):
        ds = mccoord.run(demo, mixes=[{}], paths=200, store=tmp_path / "t.zarr", **SMALL).isel(mix=0)
    assert int(ds["n_invalid"]) == 1 and int(ds["n_paths"]) == 199
    assert bool(np.isfinite(ds["theil"]).all()) and bool(np.isfinite(ds["theil_se"]).all())
