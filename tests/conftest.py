"""Shared fixtures and the Hypothesis profiles (``ci`` under CI=true, ``dev`` otherwise).

The small stores below serve the analysis, results and command-line tests alike; each is
built once per session, on first use.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from uncertain_store import uncertain_store  # noqa: F401 - fixture of the sensitivity tests

import mccoord

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def demo():
    return mccoord.load_scenario("demo")


@pytest.fixture(scope="session")
def china():
    return mccoord.load_scenario("china")


@pytest.fixture(scope="session")
def grid_store(tmp_path_factory):
    """Demo scenario, 2 levels per mechanism (32 mixes) x 200 paths x 10 years."""
    path = tmp_path_factory.mktemp("stores") / "grid.zarr"
    mccoord.run("demo", paths=200, years=10, workers=0, store=path, progress=False)
    return path


@pytest.fixture(scope="session")
def grid3_store(tmp_path_factory):
    """Demo scenario on a 3 x 2 x 2 grid (the other mechanisms at a single level 0)."""
    path = tmp_path_factory.mktemp("stores") / "grid3.zarr"
    mccoord.run(
        "demo",
        mixes={"transfer": [0.0, 0.5, 1.0], "market": [0.0, 1.0], "cooperation": [1.0, 0.0]},
        paths=100,
        years=8,
        workers=0,
        store=path,
        progress=False,
    )
    return path


@pytest.fixture(scope="session")
def sobol_store(tmp_path_factory):
    """Demo scenario, Saltelli design of 8 base points (96 mixes) x 100 paths x 10 years."""
    path = tmp_path_factory.mktemp("stores") / "sobol.zarr"
    mccoord.run("demo", mixes="sobol:8", paths=100, years=10, workers=0, store=path, progress=False)
    return path


SMALL_GRID = {"transfer": [0.0, 1.0], "cooperation": [0.0, 1.0]}


def _small_run(path, seed=3, costs=None, **model):
    from dataclasses import replace

    scenario = mccoord.load_scenario("demo", **model)
    if costs is not None:
        scenario = replace(scenario, costs=scenario.costs | costs)
    mccoord.run(
        scenario, mixes=SMALL_GRID, paths=200, years=8, seed=seed, workers=0, store=path, progress=False
    )
    return path


@pytest.fixture(scope="session")
def base_store(tmp_path_factory):
    """Demo, transfer x cooperation (4 mixes) x 200 paths x 8 years, seed 3, costs transfer=4."""
    return _small_run(tmp_path_factory.mktemp("compare") / "base.zarr", costs={"transfer": 4.0})


@pytest.fixture(scope="session")
def stronger_store(tmp_path_factory):
    """As base_store (same seed and paths: paired) with twice the fiscal equalisation."""
    return _small_run(tmp_path_factory.mktemp("compare") / "stronger.zarr", tau_max=0.2)


@pytest.fixture(scope="session")
def reseeded_store(tmp_path_factory):
    """As base_store with another seed (unpaired)."""
    return _small_run(tmp_path_factory.mktemp("compare") / "reseeded.zarr", seed=4)
