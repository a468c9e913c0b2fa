"""Ensembles on a real Dask LocalCluster of two worker processes (issue 3, item 9)."""

from __future__ import annotations

import pytest
import xarray as xr
from helpers import strip_provenance

import mccoord
from mccoord.cluster import plan_execution

pytestmark = pytest.mark.cluster
SMALL = dict(paths=200, years=6, progress=False)


@pytest.fixture(scope="module")
def inprocess(tmp_path_factory):
    store = tmp_path_factory.mktemp("c") / "i.zarr"
    return strip_provenance(mccoord.run("demo", store=store, workers=0, **SMALL))


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_two_worker_processes_give_the_in_process_dataset(inprocess, client, tmp_path):
    ds = mccoord.run("demo", store=tmp_path / "c.zarr", client=client, paths_per_task=100, **SMALL)
    assert len(client.scheduler_info()["workers"]) == 2
    xr.testing.assert_identical(inprocess, strip_provenance(ds))


@pytest.mark.parametrize("workers, threads", [(1, 2), (2, 1)])
def test_run_starts_its_own_local_cluster(inprocess, tmp_path, workers, threads):
    ds = mccoord.run("demo", store=tmp_path / "l.zarr", workers=workers, threads=threads, **SMALL)
    xr.testing.assert_identical(inprocess, strip_provenance(ds))


def test_local_cluster_plan_never_oversubscribes_cores():
    from mccoord.cluster import machine_cores

    for workers in (None, 1, 2):
        plan = plan_execution(workers=workers, threads=None, scheduler=None, client=None)
        assert plan.workers * plan.numba_threads <= max(machine_cores(), plan.workers)
