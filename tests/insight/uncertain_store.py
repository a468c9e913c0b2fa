"""A small real store of a run with parameter uncertainty, for the sensitivity tests.

``mccoord.run`` does not yet write the per-path draws into the store; until it does,
:func:`add_path_params` writes ``raw/path_params`` ``(path, parameter)`` in the layout
the analysis reads (:mod:`mccoord.analysis.samples`), with the draws of
``mccoord.simulate`` for the same scenario and seed: path ``p`` draws the same vector
under every mix and in every run with that seed (MODEL.md section 10).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
import zarr

import mccoord

#: Uncertain keys of the demo run and their ranges.
UNCERTAINTY = {
    "lambda_c": {"dist": "uniform", "low": 0.0, "high": 0.1},
    "tau_max": {"dist": "uniform", "low": 0.0, "high": 0.2},
}
PATHS, YEARS, SEED = 600, 8, 5


def add_path_params(store, scenario, paths: int, seed: int) -> None:
    """Write ``raw/path_params`` unless the run already did."""
    if "path_params" in zarr.open_group(str(store), mode="r", path="raw", use_consolidated=False):
        return
    sim = mccoord.simulate(scenario, {}, paths=paths, seed=seed, years=1)
    names = np.array([str(p) for p in sim["parameter"].values], dtype=object)
    ds = xr.Dataset(
        {"path_params": (("path", "parameter"), sim["parameters"].values)}, coords={"parameter": names}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.to_zarr(str(store), group="raw", mode="a", consolidated=False)


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
    add_path_params(path, scenario, PATHS, SEED)
    return path
