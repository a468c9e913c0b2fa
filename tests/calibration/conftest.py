"""Synthetic panels simulated from the demo scenario with known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mccoord

#: Model v1 truth (the v2 keys at their defaults).
TRUTH = {"sigma": 0.05, "sigma_common": 0.02, "g": 0.03, "lambda0": 0.2}


def simulated_panel(
    *, seed: int, years: int, params: dict, path: int = 0, steady_state: np.ndarray | None = None
) -> pd.DataFrame:
    """Path ``path`` of the demo scenario (baseline mix) as a long CSV-style panel."""
    sc = mccoord.load_scenario("demo")
    if steady_state is not None:
        regions = sc.regions.copy()
        regions["steady_state"] = steady_state
        sc = mccoord.scenario_from_table(regions, name="demo-ss")
    ds = mccoord.simulate(sc, None, paths=path + 1, seed=seed, years=years, params=params)
    reg = sc.regions.set_index("region")
    lny = ds["ln_y"].values[path]
    L = ds["L"].values[path]
    frames = [
        pd.DataFrame(
            {
                "region": reg.index,
                "year": 2020 + t,
                "gdp_per_capita": 30000.0 * np.exp(lny[t]),
                "population": 5e7 * L[t],
                "group": reg["group"].to_numpy(),
                "lat": reg["lat"].to_numpy(),
                "lon": reg["lon"].to_numpy(),
                "specialisation": reg["specialisation"].to_numpy(),
            }
        )
        for t in range(lny.shape[0])
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def truth() -> dict:
    return dict(TRUTH)


@pytest.fixture(scope="session")
def synthetic_panel() -> pd.DataFrame:
    """Demo scenario, 2020-2040, simulated with the v1 TRUTH (seed 6, path 0)."""
    return simulated_panel(seed=6, years=20, params=TRUTH)


@pytest.fixture(scope="session")
def recovery(synthetic_panel):
    """Model v1 fit of the v1 synthetic panel."""
    from mccoord.calibration import calibrate

    return calibrate(synthetic_panel, 2020, 2040, model="v1", paths=200, seed=7)


@pytest.fixture(scope="session")
def small_fit(synthetic_panel):
    """A quick model v2 fit (few paths and evaluations): for interfaces, not for accuracy."""
    from mccoord.calibration import calibrate

    return calibrate(synthetic_panel, 2020, 2030, paths=30, seed=3, maxfev=40)
