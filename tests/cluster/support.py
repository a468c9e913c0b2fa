"""Helpers of the cluster tests: CLI subprocesses and run-independent datasets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Attrs that describe one run (when, how long, which command), not its results.
RUN_PROVENANCE = ("created", "wall_seconds", "region_steps", "command", "versions")


def strip_run_provenance(ds):
    """Load ``ds`` and drop the attrs that differ between two equal runs."""
    ds = ds.load()
    for key in RUN_PROVENANCE:
        ds.attrs.pop(key, None)
    return ds


def cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m mccoord.cli ARGS`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "mccoord.cli", *args],
        cwd=cwd,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
