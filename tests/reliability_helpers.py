"""Shared pieces of the reliability tests: a baseline run and a CLI subprocess helper."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import strip_provenance

import mccoord

#: One configuration used by every fault test: 32 mixes x 6 path blocks of 100 paths.
RUN_ARGS = dict(paths=600, years=20, paths_per_task=100, seed=11)
TOTAL_BLOCKS = 32 * RUN_ARGS["paths"] // RUN_ARGS["paths_per_task"]


def strip(ds):
    """Drop run-specific attrs (the config and its hash must match: same run resumed)."""
    return strip_provenance(ds, keep=("config", "config_hash", "paths_per_task", "mixes_per_task"))


def cli_args(store: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mccoord.cli",
        "run",
        "demo",
        "--out",
        str(store),
        "--quiet",
        "--paths",
        str(RUN_ARGS["paths"]),
        "--years",
        str(RUN_ARGS["years"]),
        "--paths-per-task",
        str(RUN_ARGS["paths_per_task"]),
        "--seed",
        str(RUN_ARGS["seed"]),
        *extra,
    ]


def start_cli(store: Path, *extra: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        cli_args(store, *extra), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def done_chunks(store: Path) -> int:
    d = store / "raw" / "done" / "c"
    return sum(1 for p in d.rglob("*") if p.is_file()) if d.exists() else 0


def wait_for(predicate, timeout: float = 120.0, every: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    """The uninterrupted run every fault test must reproduce."""
    store = tmp_path_factory.mktemp("baseline") / "b.zarr"
    return strip(mccoord.run("demo", store=store, workers=0, progress=False, **RUN_ARGS))
