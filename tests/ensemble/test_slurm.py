"""`mccoord run --slurm` on a real single-node SLURM (`.ci/slurm start`), through dask-jobqueue.

The recipe is `slurm_single_node.toml` beside this file: two jobs of one single-core
worker each, everything on 127.0.0.1.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from reliability_helpers import done_chunks, wait_for

import mccoord
from mccoord.blocks import n_records

from .support import cli, strip_run_provenance

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

RECIPE = Path(__file__).with_name("slurm_single_node.toml")
#: 32 mixes x 2 path blocks = 64 blocks: long enough to cancel a job in the middle.
ARGS = dict(paths=200, years=20, paths_per_task=100, mixes_per_task=1, seed=7)
TOTAL_BLOCKS = 32 * ARGS["paths"] // ARGS["paths_per_task"]


def cli_args(store: Path) -> list[str]:
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in ARGS.items()]
    return ["run", "demo", "--slurm", str(RECIPE), "--out", str(store), "--quiet", *flags]


def registered_jobs(logs: Path) -> list[str]:
    """SLURM job ids whose Dask worker has registered with the scheduler."""
    return [
        re.search(r"-(\d+)\.err$", err.name).group(1)
        for err in sorted(logs.glob("mccoord-test-*.err"))
        if "Registered to" in err.read_text(errors="replace")
    ]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The same run on threads of this process."""
    store = tmp_path_factory.mktemp("local") / "l.zarr"
    return strip_run_provenance(mccoord.run("demo", store=store, progress=False, **ARGS))


def test_slurm_run_gives_the_local_dataset(slurm_env, local, tmp_path):
    store = tmp_path / "s.zarr"
    out = cli(*cli_args(store), cwd=tmp_path, env=slurm_env)
    assert out.returncode == 0, out.stderr
    assert len(registered_jobs(tmp_path / "slurm-logs")) >= 1, "the blocks ran on SLURM workers"
    ds = xr.open_zarr(store)
    assert ds.sizes["time"] == n_records(ARGS["years"], 1)
    xr.testing.assert_identical(local, strip_run_provenance(ds))


def test_a_cancelled_worker_job_is_survived_with_the_local_dataset(slurm_env, local, tmp_path):
    store = tmp_path / "c.zarr"
    logs = tmp_path / "slurm-logs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mccoord.cli", *cli_args(store)],
        cwd=tmp_path,
        env=slurm_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        both_working = wait_for(lambda: len(registered_jobs(logs)) == 2 and done_chunks(store) >= 8, 240)
        assert both_working, "two SLURM workers computing blocks"
        victim = registered_jobs(logs)[0]
        subprocess.run(["scancel", victim], env=slurm_env, check=True, timeout=30)
        at_cancel = done_chunks(store)
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert at_cancel < TOTAL_BLOCKS, "the job was cancelled in the middle of the run"
    assert proc.returncode == 0, err
    assert f"JOB {victim} ON" in (logs / f"mccoord-test-{victim}.err").read_text(errors="replace")
    xr.testing.assert_identical(local, strip_run_provenance(xr.open_zarr(store)))


def test_a_partition_that_does_not_exist_is_refused_before_the_store(slurm_env, tmp_path):
    recipe = tmp_path / "nosuch.toml"
    recipe.write_text(RECIPE.read_text().replace('queue = "debug"', 'queue = "nosuch"'))
    store = tmp_path / "p.zarr"
    out = cli(
        "run", "demo", "--slurm", str(recipe), "--out", str(store), "--quiet", cwd=tmp_path, env=slurm_env
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "slurm.queue" in lines[0] and "nosuch" in lines[0], out.stderr
    assert "debug" in lines[0], "the message names the partitions that exist"
    assert not store.exists()
    assert not (tmp_path / "slurm-logs").exists(), "no job was submitted"
