"""The SLURM recipe in configs/ makes a correct dask-jobqueue job script."""

from __future__ import annotations

from pathlib import Path

import pytest

from mccoord.errors import ConfigError
from mccoord.slurm import read_slurm_recipe

RECIPE = Path(__file__).resolve().parents[2] / "configs" / "slurm.toml"


def test_recipe_gives_one_task_per_worker_and_sets_numba_threads():
    jobqueue = pytest.importorskip("dask_jobqueue")
    kwargs, threads, jobs = read_slurm_recipe(RECIPE)
    assert threads == 4 and jobs == 4
    kwargs["scheduler_options"] = kwargs["scheduler_options"] | {"host": "127.0.0.1"}
    with jobqueue.SLURMCluster(**kwargs) as cluster:
        script = cluster.job_script()
    assert "--cpus-per-task=8" in script
    assert "export NUMBA_NUM_THREADS=4" in script
    assert "--nworkers 2" in script
    assert script.rstrip().endswith("--nthreads 1")


def test_the_dashboard_listens_on_loopback_unless_the_recipe_says_otherwise(tmp_path):
    kwargs, _, _ = read_slurm_recipe(RECIPE)
    assert kwargs["scheduler_options"]["dashboard_address"] == "127.0.0.1:0"
    own = tmp_path / "own.toml"
    own.write_text('[slurm]\nscheduler_options = { dashboard_address = ":8790" }\n')
    assert read_slurm_recipe(own)[0]["scheduler_options"]["dashboard_address"] == ":8790"


def test_bad_recipe_names_the_field(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text("[slurm]\ncores = 0\n")
    with pytest.raises(ConfigError, match="slurm.cores"):
        read_slurm_recipe(bad)


def test_scheduler_host_outside_scheduler_options_is_refused(tmp_path):
    bad = tmp_path / "h.toml"
    bad.write_text('[slurm]\nhost = "10.0.0.1"\n')
    with pytest.raises(ConfigError, match=r"slurm.host: .* scheduler_options"):
        read_slurm_recipe(bad)


def test_more_workers_than_cores_per_job_is_refused(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("[slurm]\ncores = 2\nprocesses = 4\n")
    with pytest.raises(ConfigError, match="slurm.processes"):
        read_slurm_recipe(bad)
