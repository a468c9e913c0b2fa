"""Shared fixtures: the shipped US and China panels and a fake simulated ensemble.

The panels are read from the installed package (``mccoord.configs/data``), so the tests
check what ships.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr


def data_file(name: str) -> Path:
    """Path of a data file shipped in ``mccoord.configs/data``."""
    path = Path(str(resources.files("mccoord.configs") / "data" / name))
    assert path.is_file(), f"{name} does not ship with mccoord"
    return path


@pytest.fixture(scope="session")
def us_long() -> pd.DataFrame:
    """48 states x 1929-2009, per capita income [current USD]."""
    return pd.read_csv(data_file("us_states_income.csv"), dtype={"fips": str})


@pytest.fixture(scope="session")
def us_wide(us_long) -> pd.DataFrame:
    return us_long.pivot(index="state", columns="year", values="per_capita_income_usd")


@pytest.fixture(scope="session")
def china_long() -> pd.DataFrame:
    """31 provinces x 2006-2024, latest GDP vintage only (never chained with v2018)."""
    df = pd.read_csv(data_file("china_provinces_panel.csv"))
    return df[(df["year"] >= 2006) & (df["year"] <= 2024)].reset_index(drop=True)


@pytest.fixture(scope="session")
def china_wide(china_long) -> pd.DataFrame:
    return china_long.pivot(index="province", columns="year", values="gdp_per_capita_yuan")


@pytest.fixture(scope="session")
def simulated(china_long) -> xr.Dataset:
    """A stand-in for a ``mccoord.simulate`` Dataset: 3 paths of noisy China data."""
    wide = china_long.pivot(index="province", columns="year", values="gdp_per_capita_yuan")
    pop = china_long.pivot(index="province", columns="year", values="population_10k")
    group = china_long.drop_duplicates("province").set_index("province")["region"]
    rng = np.random.default_rng(7)
    base = np.log(wide.to_numpy() / wide.to_numpy()[:, 0].mean()).T  # (time, region)
    ln_y = base[None] + rng.normal(0.0, 0.02, size=(3, *base.shape))
    shares = (pop / pop.sum()).to_numpy().T
    L = np.broadcast_to(shares, ln_y.shape).copy()
    return xr.Dataset(
        {"ln_y": (("path", "time", "region"), ln_y), "L": (("path", "time", "region"), L)},
        coords={
            "path": np.arange(3),
            "time": np.arange(base.shape[0]),
            "region": wide.index.to_numpy(),
            "group": ("region", group.reindex(wide.index).to_numpy()),
        },
    )


def path_panel(sim: xr.Dataset, p: int) -> xr.DataArray:
    """Income panel ``(region, year)`` of one simulated path."""
    return np.exp(sim["ln_y"].isel(path=p)).rename(time="year").transpose("region", "year")
