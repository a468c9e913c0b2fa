import numpy as np
import pandas as pd
import pytest
from inequality.theil import Theil, TheilD

from mccoord.analysis import income_panel, theil

from .conftest import path_panel


def test_unweighted_matches_inequality_package_on_us(us_long):
    panel = income_panel(us_long, value="per_capita_income_usd", group="census_division")
    ours = theil(panel)
    y = panel.values  # (region, year)
    peer = TheilD(y, panel["group"].values)
    np.testing.assert_allclose(ours["total"].values, Theil(y).T, rtol=1e-10)
    np.testing.assert_allclose(ours["between"].values, peer.bg, rtol=1e-10)
    np.testing.assert_allclose(ours["within"].values, peer.wg, rtol=1e-10)


def test_unweighted_matches_inequality_package_on_china(china_wide, china_long):
    groups = china_long.drop_duplicates("province").set_index("province")["region"]
    ours = theil(china_wide, groups=groups.reindex(china_wide.index).to_numpy())
    np.testing.assert_allclose(ours["total"].values, Theil(china_wide.to_numpy()).T, rtol=1e-10)


def test_weighted_decomposition_adds_up_on_china(china_long):
    ds = theil(china_long, population="population_10k", value="gdp_per_capita_yuan", group="region")
    assert ds.attrs["weighted"]
    np.testing.assert_allclose(ds["between"] + ds["within"], ds["total"], rtol=1e-12)
    assert (ds["between"] > 0).all() and (ds["within"] > 0).all()


def test_hand_computed_weighted_case():
    # y = (1, 3) per capita, populations (3, 1): mu = 1.5
    y = pd.DataFrame({2000: [1.0, 3.0]}, index=["a", "b"])
    pop = pd.DataFrame({2000: [3.0, 1.0]}, index=["a", "b"])
    expected = 0.75 * (1 / 1.5) * np.log(1 / 1.5) + 0.25 * 2.0 * np.log(2.0)
    assert theil(y, pop)["total"].item() == pytest.approx(expected, rel=1e-14)
    # unweighted: mu = 2
    expected_u = 0.5 * (0.5 * np.log(0.5)) + 0.5 * (1.5 * np.log(1.5))
    assert theil(y)["total"].item() == pytest.approx(expected_u, rel=1e-14)


def test_integer_population_equals_replicated_regions(us_wide):
    y = us_wide.iloc[:6, :3]
    pop = pd.DataFrame(
        np.repeat([[1.0], [2.0], [3.0], [1.0], [4.0], [2.0]], 3, axis=1), index=y.index, columns=y.columns
    )
    replicated = y.loc[y.index.repeat(pop.iloc[:, 0].astype(int))]
    np.testing.assert_allclose(theil(y, pop)["total"].values, Theil(replicated.to_numpy()).T, rtol=1e-12)


def test_simulated_uses_population_and_group(simulated):
    ds = theil(simulated)
    assert ds["total"].dims == ("path", "year")
    p = 2
    one = theil(
        path_panel(simulated, p),
        simulated["L"].isel(path=p).rename(time="year"),
        groups=simulated["group"].values,
    )
    np.testing.assert_allclose(ds["total"].isel(path=p).values, one["total"].values)
    np.testing.assert_allclose(ds["between"].isel(path=p).values, one["between"].values)
