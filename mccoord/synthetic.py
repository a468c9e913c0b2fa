"""Synthetic countries: random but plausible regions tables for tests, benchmarks and demos."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_regions(R: int, seed: int = 0, groups: int = 3) -> pd.DataFrame:
    """A random regions table of ``R`` regions (the columns of a regions CSV).

    GDP per capita is log-normal (log sd 0.4), population uniform between 1e5 and 1e7,
    specialisation uniform on [0, 1], integration uniform on [0.2, 0.9], and the regions
    lie in a box of about 2,800 x 3,400 km. Use with
    :func:`mccoord.scenario_from_table`.

    Parameters
    ----------
    R : int
        Number of regions.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    groups : int
        Number of macro-regions (assigned round-robin).
    """
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "region": [f"r{i:03d}" for i in range(R)],
            "group": [f"g{i % groups}" for i in range(R)],
            "gdp_per_capita": np.exp(rng.normal(0, 0.4, R)) * 1e4,
            "population": rng.uniform(1e5, 1e7, R),
            "specialisation": rng.uniform(0, 1, R),
            "integration": rng.uniform(0.2, 0.9, R),
            "lat": rng.uniform(20, 45, R),
            "lon": rng.uniform(90, 125, R),
        }
    )
