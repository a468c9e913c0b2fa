"""A small real store of a run with parameter uncertainty, for the sensitivity tests."""

from __future__ import annotations

import pytest

import mccoord

#: Uncertain keys of the demo run and their ranges.
UNCERTAINTY = {
    "lambda_c": {"dist": "uniform", "low": 0.0, "high": 0.1},
    "tau_max": {"dist": "uniform", "low": 0.0, "high": 0.2},
}
PATHS, YEARS, SEED = 600, 8, 5


@pytest.fixture(scope="session")
def uncertain_store(tmp_path_factory):
    """Demo scenario with two uncertain keys, transfer x cooperation in {0, 1}, 600 paths."""
    scenario = mccoord.load_scenario("demo").with_overrides(uncertainty=UNCERTAINTY)
    path = tmp_path_factory.mktemp("uncertain") / "unc.zarr"
    mccoord.run(
        scenario,
        mixes={"transfer": [0.0, 1.0], "cooperation": [0.0, 1.0]},
        paths=PATHS,
        years=YEARS,
        seed=SEED,
        workers=0,
        store=path,
        progress=False,
    )
    return path
