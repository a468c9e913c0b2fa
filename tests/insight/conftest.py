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
