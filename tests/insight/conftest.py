"""Small stores shared by the insight tests (attribution, plots, report, notebook)."""

from __future__ import annotations

import pytest

import mccoord

from .uncertain_store import uncertain_store  # noqa: F401 - fixture of the sensitivity tests


@pytest.fixture(scope="session")
def grid_store(tmp_path_factory):
    """Demo scenario, 2 levels per mechanism (32 mixes) x 200 paths x 10 years."""
    path = tmp_path_factory.mktemp("insight") / "grid.zarr"
    mccoord.run("demo", paths=200, years=10, workers=0, store=path, progress=False)
    return path


@pytest.fixture(scope="session")
def grid3_store(tmp_path_factory):
    """Demo scenario on a 3 x 2 x 2 grid (the other mechanisms at a single level 0)."""
    path = tmp_path_factory.mktemp("insight") / "grid3.zarr"
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
    path = tmp_path_factory.mktemp("insight") / "sobol.zarr"
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
