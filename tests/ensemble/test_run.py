"""``mccoord.run``: schema, reproducibility across layouts, resume and refusal."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from helpers import strip_provenance

import mccoord
from mccoord.catalogue import COORDS, RESULTS
from mccoord.errors import ConfigError, StoreError
from mccoord.store import done_flags

SMALL = dict(paths=200, years=6, progress=False)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    store = tmp_path_factory.mktemp("runs") / "base.zarr"
    return mccoord.run("demo", store=store, workers=0, **SMALL), store


def test_dataset_has_the_documented_schema(baseline):
    ds, _ = baseline
    assert set(ds.data_vars) == set(RESULTS)
    for name, spec in RESULTS.items():
        assert ds[name].dims == tuple(mccoord.MECHANISMS) + spec.dims, name
    for m in mccoord.MECHANISMS:
        assert ds.sizes[m] == 2
    assert ds.sizes["time"] == 7 and ds.sizes["region"] == 10
    assert list(ds["component"].values) == ["total", "between", "within"]
    assert list(ds["driver"].values) == ["CA", "EC", "ID"]
    for name, var in ds.data_vars.items():
        for key in ("long_name", "units", "description"):
            assert key in var.attrs, f"{name} lacks {key}"
    for name, coord in ds.coords.items():
        assert coord.attrs["long_name"] == COORDS[name].long_name, name
    for key in ("scenario", "config", "seed", "versions", "created", "mccoord_schema_version"):
        assert key in ds.attrs
    assert int(ds["n_paths"].min()) == 200


def test_probabilities_are_consistent(baseline):
    ds, _ = baseline
    p = ds["p_target"]
    assert float(p.min()) >= 0 and float(p.max()) <= 1
    # first passage: the target probability never decreases with time
    assert (p.diff("time") >= 0).all()
    se = np.sqrt(p * (1 - p) / ds["n_paths"])
    np.testing.assert_allclose(ds["p_target_se"], se)
    np.testing.assert_allclose(ds["pop_share"].sum("region"), 1.0, atol=1e-12)
    np.testing.assert_allclose(
        ds["theil"].sel(component="total"),
        ds["theil"].sel(component="between") + ds["theil"].sel(component="within"),
        atol=1e-12,
    )


def test_run_agrees_with_simulate_for_one_mix(baseline, demo):
    ds, _ = baseline
    mix = {"transfer": 1.0, "cooperation": 1.0}
    sim = mccoord.simulate(demo, mix, paths=200, seed=demo.simulation["seed"], years=6)
    cell = ds.sel(transfer=1.0, market=0.0, cooperation=1.0, supervision=0.0, order_parameter=0.0)
    sig = sim["sigma"]
    np.testing.assert_allclose(cell["p_sigma"], (sig < sig.isel(time=0)).mean("path"))
    np.testing.assert_allclose(cell["sigma_mean"], sig.mean("path"))
    np.testing.assert_allclose(cell["beta_slope"], sim["beta_slope"].quantile(cell["quantile"]))


@pytest.mark.parametrize("layout", [dict(paths_per_task=100), dict(threads=1), dict(mixes_per_task=5)])
@pytest.mark.slow
def test_same_dataset_whatever_the_blocking_and_threads(baseline, tmp_path, layout):
    ds, _ = baseline
    other = mccoord.run("demo", store=tmp_path / "o.zarr", workers=0, **SMALL, **layout)
    xr.testing.assert_identical(strip_provenance(ds), strip_provenance(other))


def test_resume_finishes_an_interrupted_run_identically(baseline, tmp_path, monkeypatch, capsys):
    ds, _ = baseline
    store = tmp_path / "r.zarr"
    import mccoord.ensemble as run_mod

    real = run_mod.compute_block
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 9:
            raise KeyboardInterrupt("simulated interruption")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_mod, "compute_block", flaky)
    with pytest.raises(KeyboardInterrupt):
        mccoord.run("demo", store=store, workers=0, **SMALL)
    assert done_flags(store).sum() == 9
    command = capsys.readouterr().err.split("Resume with:\n", 1)[1].strip()
    assert command.startswith("mccoord.run('demo', store=") and command.endswith("resume=True)")
    monkeypatch.setattr(run_mod, "compute_block", real)
    resumed = mccoord.run("demo", store=store, workers=0, resume=True, **SMALL)
    xr.testing.assert_identical(strip_provenance(ds), strip_provenance(resumed))


def test_resume_refuses_another_seed_or_config(baseline):
    _, store = baseline
    with pytest.raises(StoreError, match="holds another configuration or seed") as info:
        mccoord.run("demo", store=store, workers=0, resume=True, paths=200, years=6, seed=99, progress=False)
    with pytest.raises(StoreError, match="holds another configuration"):
        mccoord.run("demo", store=store, workers=0, resume=True, paths=200, years=7, progress=False)
    text = str(info.value)
    # the store's own scenario and settings, what differs, and how to finish the stored run
    assert "scenario 'demo'" in text and "200 paths, 6 years" in text
    assert "seed: store 20241129, this run 99" in text
    assert text.index("To finish the stored run") < text.index("--overwrite")


def test_existing_store_is_never_overwritten_without_overwrite(baseline):
    _, store = baseline
    before = sorted(p.name for p in store.rglob("*"))
    with pytest.raises(StoreError, match="already exists"):
        mccoord.run("demo", store=store, workers=0, **SMALL)
    assert sorted(p.name for p in store.rglob("*")) == before


def test_overwrite_replaces_a_store(tmp_path):
    store = tmp_path / "w.zarr"
    a = mccoord.run("demo", store=store, workers=0, mixes=[{}], **SMALL)
    assert float(a["transfer"].values[0]) == 0.0
    b = mccoord.run("demo", store=store, workers=0, mixes=[{"transfer": 1}], overwrite=True, **SMALL)
    assert float(b["transfer"].values[0]) == 1.0


def test_sobol_design_uses_a_mix_dimension(tmp_path):
    ds = mccoord.run(
        "demo", store=tmp_path / "s.zarr", workers=0, mixes="sobol:2", paths=100, years=4, progress=False
    )
    assert ds.sizes["mix"] == 2 * 12  # Saltelli: 2 d + 2 mixes per base point
    for m in mccoord.MECHANISMS:
        assert ds[m].dims == ("mix",)
        assert 0 <= float(ds[m].min()) and float(ds[m].max()) <= 1


def test_paths_per_task_must_be_whole_granules(tmp_path):
    with pytest.raises(ConfigError, match="paths_per_task"):
        mccoord.run(
            "demo", store=tmp_path / "x.zarr", workers=0, paths=300, paths_per_task=150, progress=False
        )
    assert not (tmp_path / "x.zarr").exists()
