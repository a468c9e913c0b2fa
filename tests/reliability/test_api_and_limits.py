"""Wrong types in the Python API, names that look missing, sizes that cannot fit, unwritable outputs."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import mccoord
from mccoord.cli import main
from mccoord.errors import ConfigError, StoreError
from mccoord.scenario import scenario_from_table

TINY = dict(paths=100, years=2, workers=0, progress=False)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda sc: mccoord.simulate(sc, [1, 0, 0, 0, 0], paths=5, seed=1), "mix"),
        (lambda sc: mccoord.simulate(sc, "transfer=1", paths=5, seed=1), "mix"),
        (lambda sc: mccoord.simulate(42, {}, paths=5, seed=1), "scenario"),
        (lambda sc: mccoord.simulate(sc, {}, paths=5, seed=1, params=[("alpha", 0.3)]), "params"),
        (lambda sc: mccoord.simulate(sc, {}, paths=5.0, seed=1), "paths"),
        (lambda sc: mccoord.simulate(sc, {}, paths=5, seed=-1), "seed"),
        (lambda sc: mccoord.run(sc, mixes=[[1, 0, 0, 0, 0]], store="unused.zarr", **TINY), "mixes"),
        (lambda sc: mccoord.run(3.5, store="unused.zarr", **TINY), "scenario"),
        (lambda sc: mccoord.run(sc, mixes_per_task=True, store="unused.zarr", **TINY), "mixes_per_task"),
    ],
)
def test_wrong_types_get_a_config_error(demo, call, field, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=f"^{field}"):
        call(demo)
    assert not (tmp_path / "unused.zarr").exists()


def test_numpy_numbers_are_accepted_everywhere(demo, tmp_path):
    ds = mccoord.simulate(
        demo, {"transfer": np.float32(1.0)}, paths=np.int64(3), seed=np.uint32(2), years=np.int16(2)
    )
    assert ds.sizes["path"] == 3 and ds.attrs["mix_transfer"] == 1.0
    sc = mccoord.load_scenario("demo", paths=np.int64(100), alpha=np.float32(0.35), years=np.int32(2))
    assert sc.simulation["paths"] == 100 and isinstance(sc.simulation["paths"], int)
    res = mccoord.run(
        sc,
        mixes=[{"market": np.float64(0.5)}],
        store=tmp_path / "n.zarr",
        workers=np.int64(0),
        progress=False,
    )
    assert int(res["n_paths"].sum()) == 100


def test_simulate_accepts_a_scenario_by_name():
    assert mccoord.simulate("demo", {}, paths=2, seed=1, years=1).attrs["scenario"] == "demo"


@pytest.mark.parametrize("name", ["NA", "None", "null", "nan"])
def test_regions_named_like_missing_values_are_names(tmp_path, name):
    from mccoord.regions import read_distances, read_regions

    df = pd.read_csv(mccoord.load_scenario("demo").source.replace("demo.toml", "data/demo_regions.csv"))
    df.loc[0, "region"] = name
    df.loc[1, "group"] = name
    df.to_csv(tmp_path / "r.csv", index=False)
    regions = read_regions("r.csv", tmp_path)
    assert regions["region"].iloc[0] == name and regions["group"].iloc[1] == name
    names = list(regions["region"])
    d = pd.DataFrame(np.ones((10, 10)) - np.eye(10), index=names, columns=names)
    d.to_csv(tmp_path / "d.csv")
    assert read_distances("d.csv", tmp_path, names).shape == (10, 10)


def test_a_distance_matrix_of_the_wrong_shape_is_refused(demo):
    d = np.ones((11, 11)) - np.eye(11)
    with pytest.raises(ConfigError, match=r"distance_km: got 'shape \(11, 11\)', expected a 10 x 10 matrix"):
        scenario_from_table(demo.regions.copy(), distance_km=d)


def test_configuration_files_must_be_regular_and_bounded(tmp_path, monkeypatch):
    import mccoord.regions

    with pytest.raises(ConfigError, match="a regular file"):
        mccoord.load_scenario("/dev/zero")
    os.mkfifo(tmp_path / "pipe.toml")  # reading it would block for ever
    with pytest.raises(ConfigError, match="a regular file"):
        mccoord.load_scenario(str(tmp_path / "pipe.toml"))
    monkeypatch.setattr(mccoord.regions, "MAX_TABLE_BYTES", 100)
    with pytest.raises(ConfigError, match="scenario.regions: .* a file of at most"):
        mccoord.load_scenario("demo")


def test_a_sobol_design_with_too_many_tasks_is_refused_before_it_is_drawn(tmp_path):
    with pytest.raises(ConfigError, match="at most 1000000 tasks"):
        mccoord.run("demo", mixes="sobol:1000000000000", store=tmp_path / "s.zarr", **TINY)
    assert not (tmp_path / "s.zarr").exists()


def test_a_store_larger_than_the_limit_or_the_free_disk_is_refused(tmp_path, monkeypatch, capsys):
    rc = main(["run", "demo", "--out", str(tmp_path / "a.zarr"), "--max-store-size", "10k", "--quiet"])
    assert rc == 2 and "over --max-store-size 10.0 kB" in capsys.readouterr().err
    import mccoord.store as store_mod

    class Usage:
        free = 1000

    monkeypatch.setattr(store_mod.shutil, "disk_usage", lambda where: Usage)
    with pytest.raises(StoreError, match="would need up to .* but .* has 1.0 kB free"):
        mccoord.run("demo", store=tmp_path / "b.zarr", **TINY)
    assert not (tmp_path / "a.zarr").exists() and not (tmp_path / "b.zarr").exists()


def test_a_task_too_large_for_memory_is_refused(tmp_path, monkeypatch):
    import psutil

    class Memory:
        available = 10_000

    monkeypatch.setattr(psutil, "virtual_memory", lambda: Memory)
    with pytest.raises(ConfigError, match="paths_per_task: .* one task would need"):
        mccoord.run("demo", store=tmp_path / "m.zarr", **TINY)
    with pytest.raises(ConfigError, match="paths: .* fewer paths"):
        mccoord.simulate("demo", {}, paths=1000, seed=1)
    assert not (tmp_path / "m.zarr").exists()


def test_an_output_file_that_cannot_be_written_is_refused_before_the_work(capsys):
    rc = main(["simulate", "demo", "--mix", "transfer=1", "--paths", "5", "--out", "/proc/mccoord-test.nc"])
    err = capsys.readouterr().err
    assert rc == 2 and "a path in a writable directory" in err and len(err.strip().splitlines()) == 1
