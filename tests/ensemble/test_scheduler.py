"""Runs on an existing Dask scheduler, given by address or by scheduler file."""

from __future__ import annotations

import json

import pytest
import xarray as xr

import mccoord

from .support import strip_run_provenance

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
SMALL = dict(paths=200, years=4, paths_per_task=100, seed=5, progress=False)


@pytest.fixture(scope="module")
def on_threads(tmp_path_factory):
    store = tmp_path_factory.mktemp("t") / "t.zarr"
    return strip_run_provenance(mccoord.run("demo", store=store, **SMALL))


@pytest.fixture(scope="module")
def scheduler():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as c,
        Client(c) as client,
    ):
        yield client


def test_a_scheduler_address_gives_the_threads_dataset(on_threads, scheduler, tmp_path):
    ds = mccoord.run("demo", store=tmp_path / "a.zarr", scheduler=scheduler.scheduler.address, **SMALL)
    xr.testing.assert_identical(on_threads, strip_run_provenance(ds))


def test_a_scheduler_file_gives_the_threads_dataset(on_threads, scheduler, tmp_path):
    file = tmp_path / "scheduler.json"
    # the fields `dask scheduler --scheduler-file` writes that a client reads
    # (Client.write_scheduler_file fails on this scheduler's info: tuple keys in JSON)
    file.write_text(json.dumps({"type": "Scheduler", "address": scheduler.scheduler.address}))
    ds = mccoord.run("demo", store=tmp_path / "f.zarr", scheduler=str(file), **SMALL)
    xr.testing.assert_identical(on_threads, strip_run_provenance(ds))
