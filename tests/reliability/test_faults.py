"""Crash safety: killed runs resume exactly, killed workers are survived, stores are locked."""

from __future__ import annotations

import os
import signal
import threading

import pytest
import xarray as xr
from reliability_helpers import (
    KILL_ARGS,
    RUN_ARGS,
    SLOW_CREATION,
    SLOW_FINAL_WRITE,
    TOTAL_BLOCKS,
    done_chunks,
    start_cli,
    strip,
    wait_for,
)

import mccoord
import mccoord.store
from mccoord.commands.info_cmd import describe_store
from mccoord.errors import StoreError

pytestmark = pytest.mark.slow


def test_sigkill_then_resume_gives_the_uninterrupted_store(baseline, tmp_path):
    store = tmp_path / "k.zarr"
    proc = start_cli(store, "--workers", "0", cwd=tmp_path)
    assert wait_for(lambda: done_chunks(store) >= 8 or proc.poll() is not None)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    n_done = done_chunks(store)
    assert 0 < n_done < TOTAL_BLOCKS, "the kill must land in the middle of the run"
    text, complete = describe_store(store)
    assert not complete and "INCOMPLETE" in text
    resumed = start_cli(store, "--workers", "0", "--resume", cwd=tmp_path)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    assert describe_store(store)[1]
    xr.testing.assert_identical(baseline, strip(xr.open_zarr(store)))


def test_a_killed_worker_is_survived_with_identical_results(baseline, tmp_path):
    from distributed import Client, LocalCluster

    store = tmp_path / "w.zarr"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        killed = {}

        def kill_one():
            if wait_for(lambda: done_chunks(store) >= 20, timeout=300):
                pids = client.run(os.getpid)
                addr, pid = sorted(pids.items())[0]
                os.kill(pid, signal.SIGKILL)
                killed["pid"] = pid
                killed["at"] = done_chunks(store)

        watcher = threading.Thread(target=kill_one, daemon=True)
        watcher.start()
        ds = mccoord.run("demo", store=store, client=client, progress=False, **RUN_ARGS)
        watcher.join(timeout=60)
    assert killed and killed["at"] < TOTAL_BLOCKS, "a worker must die in the middle of the run"
    xr.testing.assert_identical(baseline, strip(ds))


def test_a_second_run_on_the_same_store_refuses_and_the_first_finishes(baseline, tmp_path):
    store = tmp_path / "l.zarr"
    first = start_cli(store, "--workers", "0", cwd=tmp_path)
    assert wait_for(lambda: (store / ".mccoord.lock").exists() and done_chunks(store) >= 1)
    with pytest.raises(StoreError, match="in use by another run"):
        mccoord.run("demo", store=store, workers=0, progress=False, resume=True, **RUN_ARGS)
    with pytest.raises(StoreError, match="in use by another run"):
        mccoord.run("demo", store=store, workers=0, progress=False, overwrite=True, **RUN_ARGS)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    xr.testing.assert_identical(baseline, strip(xr.open_zarr(store)))


def _resume_and_compare(store, baseline, cwd):
    resumed = start_cli(store, "--workers", "0", "--resume", cwd=cwd, run_args=KILL_ARGS)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    assert describe_store(store)[1]
    xr.testing.assert_identical(baseline, strip(xr.open_zarr(store)))


def test_sigkill_during_the_final_write_leaves_an_incomplete_store_that_resumes(kill_baseline, tmp_path):
    store = tmp_path / "f.zarr"
    proc = start_cli(
        store, "--workers", "0", cwd=tmp_path, run_args=KILL_ARGS, slow=SLOW_FINAL_WRITE, delay=0.05
    )
    written = ("p_sigma", "p_target", "sigma", "theil", "time", "n_paths")
    assert wait_for(
        lambda: any((store / n / "zarr.json").exists() for n in written) or proc.poll() is not None
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the kill must land during the final write"
    text, complete = describe_store(store)
    assert not complete and "INCOMPLETE" in text and "blocks     64 of 64 done" in text
    with pytest.raises(StoreError, match="incomplete"):
        mccoord.store.open_results(store)
    _resume_and_compare(store, kill_baseline, tmp_path)


def test_sigkill_during_creation_leaves_a_store_that_resume_and_overwrite_accept(kill_baseline, tmp_path):
    from mccoord.store import check_destination, store_state

    store = tmp_path / "c.zarr"
    proc = start_cli(store, "--workers", "0", cwd=tmp_path, run_args=KILL_ARGS, slow=SLOW_CREATION, delay=0.3)
    assert wait_for(lambda: (store / "raw" / "path_sigma" / "zarr.json").exists() or proc.poll() is not None)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and store_state(store) == "partial"
    text, complete = describe_store(store)
    assert not complete and "creation was interrupted" in text
    check_destination(store, resume=False, overwrite=True)  # --overwrite accepts it too
    _resume_and_compare(store, kill_baseline, tmp_path)


def test_ctrl_c_prints_the_recorded_command_that_resumes_the_run(kill_baseline, tmp_path):
    import subprocess

    store = tmp_path / "i.zarr"
    proc = start_cli(store, "--workers", "0", "--overwrite", cwd=tmp_path, run_args=KILL_ARGS)
    assert wait_for(lambda: done_chunks(store) >= 2 or proc.poll() is not None)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    command = err.split("Resume with:\n", 1)[1].splitlines()[0].strip()
    assert (
        command.endswith("--resume") and "--overwrite" not in command and "-m mccoord.cli run demo" in command
    )
    assert mccoord.store.inspect_store(store).resume_command == command
    assert f"resume     {command}" in describe_store(store)[0]
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    xr.testing.assert_identical(kill_baseline, strip(xr.open_zarr(store)))
