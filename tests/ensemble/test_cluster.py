"""Ensembles on threads of this process and on a real Dask LocalCluster of two worker processes."""

from __future__ import annotations

import threading

import pytest
import xarray as xr
from helpers import strip_provenance

import mccoord
import mccoord.ensemble
from mccoord.cluster import machine_cores, plan_execution, thread_split, threadsafe_layer
from mccoord.progress import Progress

SMALL = dict(paths=200, years=6, progress=False)


@pytest.fixture(scope="module")
def on_threads(tmp_path_factory):
    """A run on two threads of this process, and the names of the threads that ran blocks."""
    names = set()
    real = mccoord.ensemble.compute_block

    def recording(**kwargs):
        names.add(threading.current_thread().name)
        return real(**kwargs)

    store = tmp_path_factory.mktemp("c") / "t.zarr"
    mp = pytest.MonkeyPatch()
    mp.setattr(mccoord.ensemble, "compute_block", recording)
    try:
        ds = mccoord.run("demo", store=store, threads=2, paths_per_task=100, **SMALL)
    finally:
        mp.undo()
    return strip_provenance(ds), names


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_blocks_run_on_concurrent_threads_under_a_threadsafe_layer(on_threads):
    if not threadsafe_layer():
        pytest.skip("Numba has no thread-safe threading layer here (omp or tbb): tasks run one at a time")
    _, names = on_threads
    assert len(names) == 2 and all(n.startswith("mccoord-task") for n in names)


@pytest.mark.cluster
@pytest.mark.slow
def test_two_worker_processes_give_the_threads_dataset(on_threads, client, tmp_path):
    ds = mccoord.run("demo", store=tmp_path / "c.zarr", client=client, paths_per_task=100, **SMALL)
    assert len(client.scheduler_info()["workers"]) == 2
    xr.testing.assert_identical(on_threads[0], strip_provenance(ds))


@pytest.mark.cluster
@pytest.mark.parametrize("workers, threads", [(1, 2), (2, 1)])
@pytest.mark.slow
def test_run_starts_its_own_local_cluster(on_threads, tmp_path, workers, threads):
    ds = mccoord.run("demo", store=tmp_path / "l.zarr", workers=workers, threads=threads, **SMALL)
    xr.testing.assert_identical(on_threads[0], strip_provenance(ds))


@pytest.mark.slow
def test_one_thread_runs_blocks_in_the_calling_thread(tmp_path, monkeypatch):
    names = set()
    real = mccoord.ensemble.compute_block

    def recording(**kwargs):
        names.add(threading.current_thread().name)
        return real(**kwargs)

    monkeypatch.setattr(mccoord.ensemble, "compute_block", recording)
    mccoord.run("demo", store=tmp_path / "o.zarr", threads=1, paths=100, years=3, progress=False)
    assert names == {threading.current_thread().name}


def test_the_api_default_is_threads_of_this_process_on_every_core():
    plan = plan_execution(workers=None, threads=None, scheduler=None, client=None)
    assert (plan.kind, plan.numba_threads) == ("threads", machine_cores())


def test_local_cluster_plan_never_oversubscribes_cores():
    for workers in (1, 2, 4):
        plan = plan_execution(workers=workers, threads=None, scheduler=None, client=None)
        assert plan.kind == "local"
        assert plan.workers * plan.numba_threads <= max(machine_cores(), plan.workers)


@pytest.mark.parametrize(
    "threads, tasks, safe, expected",
    [(4, 100, True, (4, 1)), (4, 2, True, (2, 2)), (4, 1, True, (1, 4)), (4, 100, False, (1, 4))],
)
def test_thread_split_never_oversubscribes_and_is_serial_without_a_threadsafe_layer(
    threads, tasks, safe, expected
):
    assert thread_split(threads, tasks, safe) == expected


def test_progress_notes_go_to_stderr_unless_quiet(capsys):
    loud, quiet = Progress(1, enabled=True), Progress(1, enabled=False)
    loud.note("Dask dashboard: http://127.0.0.1:1/status")
    quiet.note("never shown")
    loud.close()
    quiet.close()
    captured = capsys.readouterr()
    assert "mccoord: Dask dashboard: http://127.0.0.1:1/status" in captured.err
    assert "never shown" not in captured.err + captured.out
