import numpy as np
import pandas as pd
import pytest
from inequality.atkinson import atkinson
from inequality.theil import Theil, TheilD

from mccoord.analysis import income_panel, theil
from mccoord.errors import ConfigError

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


def _mld_by_atkinson(y: np.ndarray) -> np.ndarray:
    """Unweighted mean log deviation of each column, from the Atkinson index (epsilon = 1)."""
    return np.array([-np.log(1.0 - atkinson(col, 1)) for col in y.T])


def test_default_index_is_theil_t(us_wide):
    ds = theil(us_wide)
    assert ds.attrs["index"] == "T"
    np.testing.assert_array_equal(ds["total"].values, theil(us_wide, index="T")["total"].values)


def test_theil_l_unweighted_matches_inequality_atkinson_on_us(us_long):
    panel = income_panel(us_long, value="per_capita_income_usd", group="census_division")
    ours = theil(panel, index="L")
    y, groups = panel.values, panel["group"].values
    np.testing.assert_allclose(ours["total"].values, _mld_by_atkinson(y), rtol=1e-10)
    # between: every state given its division's mean; within: divisions' own L, weighted
    # by their share of states
    means = np.stack([y[groups == g].mean(axis=0) for g in groups])
    np.testing.assert_allclose(ours["between"].values, _mld_by_atkinson(means), rtol=1e-10)
    within = sum((groups == g).mean() * _mld_by_atkinson(y[groups == g]) for g in np.unique(groups))
    np.testing.assert_allclose(ours["within"].values, within, rtol=1e-10)


def test_theil_l_unweighted_matches_inequality_atkinson_on_china(china_wide):
    ours = theil(china_wide, index="L")
    np.testing.assert_allclose(ours["total"].values, _mld_by_atkinson(china_wide.to_numpy()), rtol=1e-10)


@pytest.mark.parametrize("index", ["T", "L"])
def test_weighted_decomposition_matches_closed_form_on_china(china_long, index):
    ds = theil(
        china_long, population="population_10k", value="gdp_per_capita_yuan", group="region", index=index
    )
    y = china_long.pivot(index="province", columns="year", values="gdp_per_capita_yuan").to_numpy()
    pop = china_long.pivot(index="province", columns="year", values="population_10k").to_numpy()
    g = china_long.drop_duplicates("province").set_index("province").sort_index()["region"].to_numpy()
    p = pop / pop.sum(axis=0)
    mu = (p * y).sum(axis=0)
    mu_g = {k: (p[g == k] * y[g == k]).sum(axis=0) / p[g == k].sum(axis=0) for k in np.unique(g)}
    if index == "T":  # income-share weighted
        s = p * y / mu
        total = (s * np.log(y / mu)).sum(axis=0)
        between = sum(s[g == k].sum(axis=0) * np.log(mu_g[k] / mu) for k in mu_g)
        within = sum((s[g == k] * np.log(y[g == k] / mu_g[k])).sum(axis=0) for k in mu_g)
    else:  # population-share weighted
        total = (p * np.log(mu / y)).sum(axis=0)
        between = sum(p[g == k].sum(axis=0) * np.log(mu / mu_g[k]) for k in mu_g)
        within = sum((p[g == k] * np.log(mu_g[k] / y[g == k])).sum(axis=0) for k in mu_g)
    np.testing.assert_allclose(ds["total"].values, total, rtol=1e-10)
    np.testing.assert_allclose(ds["between"].values, between, rtol=1e-10)
    np.testing.assert_allclose(ds["within"].values, within, rtol=1e-10)


def test_theil_t_and_l_differ_on_china(china_long):
    kw = {"population": "population_10k", "value": "gdp_per_capita_yuan"}
    t, ell = theil(china_long, **kw)["total"], theil(china_long, index="L", **kw)["total"]
    assert (np.abs(t - ell) > 1e-3).any()


def test_hand_computed_weighted_theil_l():
    # y = (1, 3) per capita, populations (3, 1): mu = 1.5
    y = pd.DataFrame({2000: [1.0, 3.0]}, index=["a", "b"])
    pop = pd.DataFrame({2000: [3.0, 1.0]}, index=["a", "b"])
    expected = 0.75 * np.log(1.5 / 1.0) + 0.25 * np.log(1.5 / 3.0)
    assert theil(y, pop, index="L")["total"].item() == pytest.approx(expected, rel=1e-14)


def test_integer_population_equals_replicated_regions_for_theil_l(us_wide):
    y = us_wide.iloc[:6, :3]
    counts = np.array([1, 2, 3, 1, 4, 2])
    pop = pd.DataFrame(np.repeat(counts[:, None], 3, axis=1).astype(float), index=y.index, columns=y.columns)
    replicated = y.loc[y.index.repeat(counts)]
    np.testing.assert_allclose(
        theil(y, pop, index="L")["total"].values, _mld_by_atkinson(replicated.to_numpy()), rtol=1e-12
    )


def test_unknown_index_is_refused_in_one_line(us_wide):
    with pytest.raises(ConfigError) as err:
        theil(us_wide, index="GE2")
    assert err.value.field == "index" and "\n" not in str(err.value)


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
