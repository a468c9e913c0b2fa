import mapclassify
import numpy as np
import pandas as pd
import pytest
from giddy.markov import Markov

from mccoord.analysis import markov, quantile_classes
from mccoord.errors import ConfigError

from .conftest import path_panel


def _giddy_pooled(wide, k=5):
    """giddy's relative-income example: quantiles of all region-years pooled."""
    y = wide.to_numpy()
    rel = y / y.mean(axis=0)
    classes = mapclassify.Quantiles(rel.flatten(), k=k).yb.reshape(rel.shape)
    return Markov(classes, summary=False)


def _giddy_yearly(wide, k=5, relative=False):
    """giddy's canonical example: each year's own quantiles of income (nominal or relative)."""
    pci = wide.to_numpy().T  # (year, region), as giddy's ``pci``
    if relative:
        pci = pci / pci.mean(axis=1, keepdims=True)
    q5 = np.array([mapclassify.Quantiles(y, k=k).yb for y in pci]).transpose()
    return Markov(q5, summary=False)


def _assert_same_chain(ours, peer):
    np.testing.assert_array_equal(ours["transitions"].values, peer.transitions)
    np.testing.assert_allclose(ours["p"].values, peer.p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours["steady_state"].values, peer.steady_state, rtol=1e-10)
    np.testing.assert_allclose(ours["mfpt"].values, peer.mfpt, rtol=1e-8)
    np.testing.assert_allclose(ours["sojourn"].values, peer.sojourn_time, rtol=1e-12)


@pytest.mark.parametrize("panel", ["us_wide", "china_wide"])
def test_pooled_classes_match_giddy_relative_income_example(panel, request):
    wide = request.getfixturevalue(panel)
    _assert_same_chain(markov(wide), _giddy_pooled(wide))


@pytest.mark.parametrize("relative", [False, True], ids=["nominal", "relative"])
@pytest.mark.parametrize("panel", ["us_wide", "china_wide"])
def test_yearly_classes_match_giddy_canonical_example(panel, relative, request):
    wide = request.getfixturevalue(panel)
    _assert_same_chain(markov(wide, classes="yearly"), _giddy_yearly(wide, relative=relative))


def test_default_is_pooled(us_wide):
    ds = markov(us_wide)
    assert ds.attrs["classes"] == "pooled"
    np.testing.assert_array_equal(ds["transitions"].values, markov(us_wide, classes="pooled")["transitions"])


def test_us_pooled_counts_equal_giddy_docstring(us_wide):
    # giddy's documented relative-income example (usjoin.csv, pooled quintiles)
    t = markov(us_wide)["transitions"].values
    np.testing.assert_array_equal(t[0], [707, 58, 7, 1, 0])
    np.testing.assert_array_equal(t[4], [0, 0, 0, 48, 724])


def test_us_yearly_chain_equals_giddy_docstring(us_wide):
    # giddy's documented canonical example (usjoin.csv, quintiles of each year),
    # steady state as printed there (8 decimals)
    ds = markov(us_wide, classes="yearly")
    np.testing.assert_array_equal(ds["transitions"].values[0], [729, 71, 1, 0, 0])
    np.testing.assert_array_equal(ds["transitions"].values[4], [0, 0, 1, 57, 741])
    np.testing.assert_allclose(
        ds["steady_state"].values,
        [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187],
        atol=5e-9,
    )


def test_yearly_cuts_are_each_years_quantiles(china_wide):
    ds = markov(china_wide, classes="yearly")
    assert ds["cuts"].dims == ("year", "cut")
    rel = (china_wide / china_wide.mean()).to_numpy()
    for t, year in enumerate(china_wide.columns):
        bins = mapclassify.Quantiles(rel[:, t], k=5).bins[:-1]
        np.testing.assert_allclose(ds["cuts"].sel(year=year).values, bins, rtol=1e-12)


def test_pooled_classes_match_mapclassify(china_wide):
    rel = (china_wide / china_wide.mean()).to_numpy()
    ours, _ = quantile_classes(rel, 5)
    np.testing.assert_array_equal(ours, mapclassify.Quantiles(rel.ravel(), k=5).yb.reshape(rel.shape))


def test_per_column_classes_match_mapclassify(us_wide):
    rel = (us_wide / us_wide.mean()).to_numpy()
    ours, cuts = quantile_classes(rel, 4, axis=0)
    assert cuts.shape == (rel.shape[1], 3)
    peer = np.stack([mapclassify.Quantiles(rel[:, t], k=4).yb for t in range(rel.shape[1])], axis=1)
    np.testing.assert_array_equal(ours, peer)


def test_value_on_a_cut_off_goes_to_the_lower_class():
    # five values, k = 2: the median 3.0 is the cut-off and belongs to class 0
    classes, cuts = quantile_classes(np.array([[1.0], [2.0], [3.0], [4.0], [5.0]]), 2, axis=0)
    np.testing.assert_array_equal(cuts, [[3.0]])
    np.testing.assert_array_equal(classes[:, 0], [0, 0, 0, 1, 1])


def test_two_state_closed_form():
    # a region alternating between classes: p = [[0, 1], [1, 0]]
    wide = pd.DataFrame([[1.0, 3.0, 1.0, 3.0], [3.0, 1.0, 3.0, 1.0]], columns=range(4))
    for classes in ("pooled", "yearly"):
        ds = markov(wide, k=2, classes=classes)
        np.testing.assert_allclose(ds["p"].values, [[0, 1], [1, 0]])
        np.testing.assert_allclose(ds["steady_state"].values, [0.5, 0.5])
        np.testing.assert_allclose(ds["mfpt"].values, [[2, 1], [1, 2]])


@pytest.mark.parametrize(("kwargs", "field"), [({"classes": "annual"}, "classes"), ({"k": 1}, "k")])
def test_bad_arguments_are_refused_in_one_line(us_wide, kwargs, field):
    with pytest.raises(ConfigError) as err:
        markov(us_wide, **kwargs)
    assert err.value.field == field and "\n" not in str(err.value)


@pytest.mark.parametrize("classes", ["pooled", "yearly"])
def test_simulated_gives_one_chain_per_path(simulated, classes):
    ds = markov(simulated, classes=classes)
    assert ds["p"].dims == ("path", "from_class", "to_class")
    one = markov(path_panel(simulated, 0), classes=classes)
    np.testing.assert_allclose(ds["p"].isel(path=0).values, one["p"].values)
