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
RUN_ARGS = dict(paths=600, years=20, paths_per_task=100, mixes_per_task=1, seed=11)
TOTAL_BLOCKS = 32 * RUN_ARGS["paths"] // RUN_ARGS["paths_per_task"]


def strip(ds):
    """Drop run-specific attrs (the config and its hash must match: same run resumed)."""
    return strip_provenance(ds, keep=("config", "config_hash", "paths_per_task", "mixes_per_task"))


#: A smaller run for the tests that kill a run at a chosen moment: 32 mixes x 2 path blocks.
KILL_ARGS = dict(paths=200, years=5, paths_per_task=100, mixes_per_task=1, seed=11)

#: Python run in a child process instead of ``-m mccoord.cli``: the same command line, on
#: a slow disk (every zarr write whose key matches ``{slow}`` waits ``{delay}`` s), so
#: that a test can find the moment it wants and kill the run there.
SLOW_DISK = """
import asyncio, sys
import zarr.storage

_real = zarr.storage.LocalStore.set


async def _slow(self, key, value, *args, **kwargs):
    if {slow}:
        await asyncio.sleep({delay})
    return await _real(self, key, value, *args, **kwargs)


zarr.storage.LocalStore.set = _slow
from mccoord.cli import main

sys.exit(main(sys.argv[1:]))
"""
#: Keys written while a store is created, and while its results are written.
SLOW_CREATION = 'key.startswith("raw/") and key.endswith("zarr.json")'
SLOW_FINAL_WRITE = 'not key.startswith("raw") and key != "zarr.json"'


def cli_args(store: Path, *extra: str, run_args: dict = RUN_ARGS) -> list[str]:
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
        str(run_args["paths"]),
        "--years",
        str(run_args["years"]),
        "--paths-per-task",
        str(run_args["paths_per_task"]),
        "--mixes-per-task",
        str(run_args.get("mixes_per_task", 1)),
        "--seed",
        str(run_args["seed"]),
        *extra,
    ]


def start_cli(
    store: Path,
    *extra: str,
    cwd: Path,
    run_args: dict = RUN_ARGS,
    slow: str | None = None,
    delay: float = 0.2,
) -> subprocess.Popen:
    """Start ``mccoord run demo`` in a child process (on a slow disk if ``slow`` is given)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    args = cli_args(store, *extra, run_args=run_args)
    if slow is not None:
        args[1:3] = ["-c", SLOW_DISK.format(slow=slow, delay=delay)]
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
def kill_baseline(tmp_path_factory):
    """The uninterrupted run of :data:`KILL_ARGS`."""
    store = tmp_path_factory.mktemp("kill-baseline") / "b.zarr"
    return strip(mccoord.run("demo", store=store, workers=0, progress=False, **KILL_ARGS))


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    """The uninterrupted run every fault test must reproduce."""
    store = tmp_path_factory.mktemp("baseline") / "b.zarr"
    return strip(mccoord.run("demo", store=store, workers=0, progress=False, **RUN_ARGS))
