"""Execution set-up is checked before anything is written: each refusal is one line, no store."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

import mccoord
import mccoord._version
from mccoord.cli import main
from mccoord.errors import ConfigError

RECIPE = Path(__file__).with_name("slurm_single_node.toml")
SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "slurm.toml"
SMALL = dict(paths=100, years=3, progress=False)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_slurm(tmp_path, monkeypatch):
    """`sinfo` listing one partition, `debug` (the default), and an `sbatch` that accepts."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sbatch = f'[ "$1" = --test-only ] && cat >"{bin_dir}/sbatch.stdin"; exit 0'
    for name, body in {"sinfo": 'echo "debug*"', "sbatch": sbatch}.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def recipe_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "recipe.toml"
    text = RECIPE.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, capsys):
    store = tmp_path / "u.zarr"
    address = f"tcp://127.0.0.1:{free_port()}"
    argv = ["run", "demo", "--out", str(store), "--quiet", "--scheduler", address, "--connect-timeout", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and address in err[0] and "--connect-timeout" in err[0]
    assert not store.exists()


def test_a_missing_scheduler_file_is_refused(tmp_path):
    store = tmp_path / "f.zarr"
    with pytest.raises(ConfigError, match="scheduler file"):
        mccoord.run("demo", store=store, scheduler=str(tmp_path / "scheduler.json"), **SMALL)
    assert not store.exists()


def test_a_malformed_scheduler_file_is_refused(tmp_path):
    store = tmp_path / "m.zarr"
    bad = tmp_path / "scheduler.json"
    bad.write_text(json.dumps({"id": "no address here"}))
    with pytest.raises(ConfigError, match="dask scheduler --scheduler-file"):
        mccoord.run("demo", store=store, scheduler=str(bad), **SMALL)
    assert not store.exists()


def test_a_scheduler_file_of_a_stopped_scheduler_is_refused_within_the_timeout(tmp_path):
    store = tmp_path / "s.zarr"
    stale = tmp_path / "scheduler.json"
    stale.write_text(json.dumps({"address": f"tcp://127.0.0.1:{free_port()}"}))
    with pytest.raises(ConfigError, match="answers within 1 s"):
        mccoord.run("demo", store=store, scheduler=str(stale), connect_timeout=1, **SMALL)
    assert not store.exists()


def test_a_scheduler_without_workers_is_refused(tmp_path):
    from distributed import LocalCluster

    store = tmp_path / "w.zarr"
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        with pytest.raises(ConfigError, match="a scheduler with a worker within 1 s"):
            mccoord.run("demo", store=store, scheduler=cluster.scheduler_address, connect_timeout=1, **SMALL)
    assert not store.exists()


@pytest.mark.parametrize("value", [0, -1, "30", True, float("nan")])
def test_a_connect_timeout_that_is_not_a_positive_number_is_refused(tmp_path, value):
    store = tmp_path / "t.zarr"
    with pytest.raises(ConfigError, match="connect_timeout"):
        mccoord.run("demo", store=store, scheduler="tcp://127.0.0.1:8786", connect_timeout=value, **SMALL)
    assert not store.exists()


def test_a_bad_slurm_recipe_is_refused(tmp_path):
    store = tmp_path / "r.zarr"
    recipe = recipe_with(tmp_path, "cores = 1 ", "cores = 0 ")
    with pytest.raises(ConfigError, match="slurm.cores"):
        mccoord.run("demo", store=store, slurm=recipe, **SMALL)
    assert not store.exists()


def test_a_recipe_key_slurmcluster_does_not_take_is_refused(tmp_path, fake_slurm):
    store = tmp_path / "k.zarr"
    recipe = recipe_with(tmp_path, "[scale]", "wall_time = '01:00:00'\n\n[scale]")
    with pytest.raises(ConfigError, match="wall_time"):
        mccoord.run("demo", store=store, slurm=recipe, **SMALL)
    assert not store.exists()


def test_a_missing_partition_is_refused_naming_the_partitions_that_exist(tmp_path, fake_slurm):
    store = tmp_path / "p.zarr"
    recipe = recipe_with(tmp_path, 'queue = "debug"', 'queue = "gpu"')
    with pytest.raises(ConfigError, match=r"slurm.queue: got 'gpu', expected a partition that exists.*debug"):
        mccoord.run("demo", store=store, slurm=recipe, **SMALL)
    assert not store.exists()


def test_the_shipped_recipe_passes_the_submission_check_without_submitting(fake_slurm):
    from mccoord.slurm import check_recipe, read_recipe

    check_recipe(read_recipe(SHIPPED))
    script = (fake_slurm / "sbatch.stdin").read_text()
    assert "#SBATCH --cpus-per-task=8" in script and "export NUMBA_NUM_THREADS=4" in script


def test_a_job_that_sbatch_refuses_is_refused(tmp_path, fake_slurm):
    (fake_slurm / "sbatch").write_text(
        "#!/bin/sh\necho 'sbatch: error: Memory specification can not be satisfied' >&2\nexit 1\n"
    )
    store = tmp_path / "b.zarr"
    with pytest.raises(ConfigError, match="Memory specification can not be satisfied"):
        mccoord.run("demo", store=store, slurm=RECIPE, **SMALL)
    assert not store.exists()


def test_a_machine_without_slurm_commands_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    store = tmp_path / "n.zarr"
    with pytest.raises(ConfigError, match="sinfo"):
        mccoord.run("demo", store=store, slurm=RECIPE, **SMALL)
    assert not store.exists()


def test_a_slurm_run_without_dask_jobqueue_is_refused(tmp_path, monkeypatch, fake_slurm):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)
    monkeypatch.setitem(sys.modules, "dask_jobqueue.slurm", None)
    store = tmp_path / "j.zarr"
    with pytest.raises(ConfigError, match=r"dask-jobqueue installed \(pip install 'mccoord\[cluster\]'\)"):
        mccoord.run("demo", store=store, slurm=RECIPE, **SMALL)
    assert not store.exists()


def test_two_cluster_choices_at_once_are_refused(tmp_path):
    store = tmp_path / "2.zarr"
    with pytest.raises(ConfigError, match="at most one of client, scheduler and slurm"):
        mccoord.run("demo", store=store, scheduler="tcp://127.0.0.1:8786", slurm=RECIPE, **SMALL)
    assert not store.exists()


def test_a_kernel_that_fails_to_compile_is_refused_before_the_store(tmp_path, monkeypatch):
    import mccoord.cluster

    def broken():
        raise ConfigError("kernel", "simulate_block", "a kernel that compiles")

    monkeypatch.setattr(mccoord.cluster, "warm_up", broken)
    store = tmp_path / "k.zarr"
    with pytest.raises(ConfigError, match="a kernel that compiles"):
        mccoord.run("demo", store=store, **SMALL)
    assert not store.exists()


@pytest.mark.cluster
@pytest.mark.slow
def test_workers_with_another_mccoord_version_are_refused(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    store = tmp_path / "v.zarr"
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        # the calling process claims another version; the worker reports the installed one
        monkeypatch.setattr(mccoord._version, "__version__", "0.0.0-other")
        with pytest.raises(ConfigError, match=r"workers running mccoord 0.0.0-other \(worker has"):
            mccoord.run("demo", store=store, client=client, **SMALL)
    assert not store.exists()
