"""Numerical guard, store integrity, failing destinations and safety."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from mccoord.kernels.layout import P_VALID, R_SIGMA

import mccoord
from mccoord.cli import main
from mccoord.commands.info_cmd import describe_store
from mccoord.errors import StoreError
from mccoord.inputs import model_inputs
from mccoord.store import update_attrs

SMALL = dict(paths=200, years=5, workers=0, progress=False)


def test_kernel_marks_a_path_with_a_non_finite_value_invalid(demo):
    from helpers import ALL_ON, random_shocks, run_given

    inputs = model_inputs(demo)
    shocks = random_shocks(3, 10, inputs.n_regions)
    shocks[1, 4, 0] = np.inf  # path 1 blows up in year 5
    out = run_given(inputs, ALL_ON, shocks, years=10)
    assert list(out["path_scalar"][:, P_VALID]) == [1.0, 0.0, 1.0]
    assert np.isfinite(out["rec_scalar"][1, :5, R_SIGMA]).all()
    assert np.isnan(out["rec_scalar"][1, 5:, R_SIGMA]).all()


def test_invalid_paths_are_counted_left_out_and_warned_about(tmp_path, monkeypatch):
    import mccoord.tasks as tasks

    real = tasks.run_block

    def poisoned(*args, **kwargs):
        res = real(*args, **kwargs)
        if kwargs["path0"] == 0:  # paths 3 and 7 of every mix turn non-finite
            for p in (3, 7):
                res.path_scalar[p, P_VALID] = 0.0
                res.rec_scalar[p, 2:] = np.nan
                res.rec_lny[p, 2:] = np.nan
        return res

    clean = mccoord.run("demo", store=tmp_path / "c.zarr", mixes=[{}, {"market": 1}], **SMALL).load()
    monkeypatch.setattr(tasks, "run_block", poisoned)
    with pytest.warns(RuntimeWarning, match="4 paths produced a non-finite value"):
        ds = mccoord.run("demo", store=tmp_path / "p.zarr", mixes=[{}, {"market": 1}], **SMALL).load()
    assert list(ds["n_invalid"].values) == [2, 2] and list(ds["n_paths"].values) == [198, 198]
    for name in ("p_sigma", "sigma_mean", "theil", "rel_income", "p_target"):
        assert np.isfinite(ds[name]).all(), name
    assert not np.allclose(ds["sigma_mean"], clean["sigma_mean"])


def test_info_tells_complete_from_incomplete_and_verifies_the_hash(tmp_path, capsys):
    store = tmp_path / "s.zarr"
    mccoord.run("demo", store=store, mixes=[{}], **SMALL)
    assert main(["info", str(store)]) == 0
    assert "COMPLETE" in capsys.readouterr().out
    attrs = json.loads(xr.open_zarr(store).attrs["config"])
    attrs["paths"] = 999
    update_attrs(store, {"config": json.dumps(attrs)})
    assert main(["info", str(store)]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_store_of_an_incompatible_schema_is_refused(tmp_path, capsys):
    store = tmp_path / "s.zarr"
    mccoord.run("demo", store=store, mixes=[{}], **SMALL)
    update_attrs(store, {"mccoord_schema_version": 99})
    assert main(["info", str(store)]) == 2
    assert "schema version 99" in capsys.readouterr().err
    with pytest.raises(StoreError, match="schema version 99"):
        mccoord.run("demo", store=store, mixes=[{}], resume=True, **SMALL)


def test_full_disk_leaves_an_incomplete_store_and_a_clear_error(tmp_path, monkeypatch):
    import mccoord.tasks as tasks

    real = tasks.write_block
    calls = {"n": 0}

    def full(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "write_block", full)
    store = tmp_path / "f.zarr"
    with pytest.raises(StoreError, match=r"No space left on device.*resume with: mccoord.run\(.*resume=True"):
        mccoord.run("demo", store=store, **SMALL)
    text, complete = describe_store(store)
    assert not complete and "3 of 32" in text
    monkeypatch.setattr(tasks, "write_block", real)
    mccoord.run("demo", store=store, resume=True, **SMALL)
    assert describe_store(store)[1]


def test_unwritable_destination_is_refused_before_work(tmp_path, capsys):
    # /proc refuses new files even for root
    rc = main(["run", "demo", "--out", "/proc/mccoord-test.zarr", "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "cannot write" in err


def test_scenarios_are_data_only():
    """No code path evaluates or unpickles user input."""
    root = Path(mccoord.__file__).parent
    sources = list(root.rglob("*.py")) + list((root.parent / "kernels").rglob("*.py"))
    for src in sources:
        text = src.read_text()
        for bad in ("eval(", "exec(", "pickle.load", "yaml.load(", "allow_pickle=True"):
            assert bad not in text, f"{src}: {bad}"


def test_local_cluster_listens_on_localhost_only():
    from mccoord.cluster import Plan, open_client

    with open_client(Plan("local", 1, 1)) as client:
        info = client.scheduler_info()
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        assert all(addr.startswith("tcp://127.0.0.1:") for addr in info["workers"])
        link = client.dashboard_link or ""
        assert "127.0.0.1" in link
