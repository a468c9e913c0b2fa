import mapclassify
import numpy as np
import pytest
from giddy.markov import Markov

from mccoord.analysis import markov, quantile_classes

from .conftest import path_panel


def _giddy(wide, k=5):
    y = wide.to_numpy()
    rel = y / y.mean(axis=0)
    classes = mapclassify.Quantiles(rel.flatten(), k=k).yb.reshape(rel.shape)
    return Markov(classes, summary=False)


@pytest.mark.parametrize("panel", ["us_wide", "china_wide"])
def test_matches_giddy_markov(panel, request):
    wide = request.getfixturevalue(panel)
    ours, peer = markov(wide), _giddy(wide)
    np.testing.assert_array_equal(ours["transitions"].values, peer.transitions)
    np.testing.assert_allclose(ours["p"].values, peer.p, rtol=1e-12)
    np.testing.assert_allclose(ours["steady_state"].values, peer.steady_state, rtol=1e-8)
    np.testing.assert_allclose(ours["mfpt"].values, peer.mfpt, rtol=1e-8)
    np.testing.assert_allclose(ours["sojourn"].values, peer.sojourn_time, rtol=1e-12)


def test_us_counts_equal_giddy_docstring(us_wide):
    # giddy's documented relative-income example (usjoin.csv, pooled quintiles)
    t = markov(us_wide)["transitions"].values
    np.testing.assert_array_equal(t[0], [707, 58, 7, 1, 0])
    np.testing.assert_array_equal(t[4], [0, 0, 0, 48, 724])


def test_classes_match_mapclassify(china_wide):
    rel = (china_wide / china_wide.mean()).to_numpy()
    ours, _ = quantile_classes(rel, 5)
    np.testing.assert_array_equal(ours, mapclassify.Quantiles(rel.ravel(), k=5).yb.reshape(rel.shape))


def test_two_state_closed_form():
    import pandas as pd

    # a region alternating between classes: p = [[0, 1], [1, 0]]
    wide = pd.DataFrame([[1.0, 3.0, 1.0, 3.0], [3.0, 1.0, 3.0, 1.0]], columns=range(4))
    ds = markov(wide, k=2)
    np.testing.assert_allclose(ds["p"].values, [[0, 1], [1, 0]])
    np.testing.assert_allclose(ds["steady_state"].values, [0.5, 0.5])
    np.testing.assert_allclose(ds["mfpt"].values, [[2, 1], [1, 2]])


def test_simulated_gives_one_chain_per_path(simulated):
    ds = markov(simulated)
    assert ds["p"].dims == ("path", "from_class", "to_class")
    one = markov(path_panel(simulated, 0))
    np.testing.assert_allclose(ds["p"].isel(path=0).values, one["p"].values)
