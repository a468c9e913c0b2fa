"""Fixtures of the cluster tests: a reachable single-node SLURM."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLURM_SCRIPT = ROOT / ".ci" / "slurm"
SLURM_DIR = Path(os.environ.get("MCCOORD_SLURM_DIR", "/tmp/mccoord-slurm"))
#: Written by `.ci/slurm start`: SLURM is meant to be up, so its absence is a failure.
SLURM_MARKER = SLURM_DIR / "slurm.env"


def _marker_env() -> dict:
    env = dict(os.environ)
    if "SLURM_CONF" not in env and SLURM_MARKER.is_file():
        for line in SLURM_MARKER.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip():
                env[key.strip()] = value.strip()
    return env


def _slurm_answers(env: dict) -> str | None:
    """None when the node answers ``sinfo`` as idle or busy; else why not."""
    if shutil.which("sinfo") is None:
        return "sinfo is not installed"
    try:
        out = subprocess.run(
            ["sinfo", "--noheader", "--Node", "--format=%t"],
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 20 s"
    states = out.stdout.split()
    if out.returncode != 0 or not states:
        return f"sinfo failed: {' '.join(out.stderr.split()) or 'no node'}"
    if states[0].rstrip("*~#") not in ("idle", "mix", "alloc"):
        return f"the node is {states[0]}"
    return None


@pytest.fixture(scope="session")
def slurm_env():
    """Environment of a running single-node SLURM (``SLURM_CONF`` set).

    Uses the SLURM that `.ci/slurm start` left (its marker names ``SLURM_CONF``); as root,
    with the packages installed, starts one for the session and stops it afterwards.
    Under CI, or when the marker says SLURM should be up, a missing SLURM fails the
    tests; elsewhere they are skipped with the reason.
    """
    required = bool(os.environ.get("CI")) or SLURM_MARKER.is_file()
    env = _marker_env()
    why = _slurm_answers(env)
    if why is None:
        yield env
        return
    if os.geteuid() == 0 and shutil.which("slurmctld") and SLURM_SCRIPT.is_file():
        out = subprocess.run([str(SLURM_SCRIPT), "start"], capture_output=True, text=True, timeout=120)
        try:
            env = _marker_env()
            why = _slurm_answers(env) if out.returncode == 0 else f".ci/slurm start: {out.stderr.strip()}"
            if why is None:
                yield env
                return
        finally:
            subprocess.run([str(SLURM_SCRIPT), "stop"], capture_output=True, timeout=120)
    if required:
        pytest.fail(f"SLURM is required here (CI or {SLURM_MARKER} present) but unusable: {why}")
    pytest.skip(f"no single-node SLURM ({why}); as root run `.ci/slurm start` first")
