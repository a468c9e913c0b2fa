"""Helpers of the cluster tests: CLI subprocesses and run-independent datasets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import strip_provenance


def strip_run_provenance(ds):
    """Load ``ds`` and drop what differs between two equal runs (when, how, which command).

    The configuration and its hash are kept: the runs compared must be the same run.
    """
    return strip_provenance(ds, keep=("config", "config_hash", "paths_per_task", "mixes_per_task"))


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
