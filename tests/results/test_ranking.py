"""The ranking table that `mccoord run` prints and the report shows."""

from __future__ import annotations

import numpy as np

from mccoord.intervals import wilson_interval
from mccoord.mixes import flat, rank_order
from mccoord.params import MECHANISMS
from mccoord.ranking import format_ranking, ranking
from mccoord.report import top_mixes
from mccoord.store import open_results


def test_ranking_follows_rank_order(grid_store):
    ds = open_results(grid_store)
    assert list(ranking(ds)["mix"]) == list(rank_order(ds))


def test_ranking_intervals_are_wilson_over_valid_paths(grid_store):
    ds = open_results(grid_store)
    table = ranking(ds)
    end = flat(ds).isel(time=-1)
    p = end["p_target"].values[table["mix"]]
    n = end["n_paths"].values[table["mix"]]
    lo, hi = wilson_interval(p, n)
    np.testing.assert_allclose(table["p_target_lo"], lo)
    np.testing.assert_allclose(table["p_target_hi"], hi)


def test_ranking_marks_mixes_whose_interval_overlaps_the_best(grid_store):
    table = ranking(open_results(grid_store))
    best_lo = table["p_target_lo"].iloc[0]
    assert (table["tied"] == (table["p_target_hi"] >= best_lo)).all()
    assert table["tied"].any() and not table["tied"].all()


def test_text_table_uses_full_mechanism_names_and_explains_columns(grid_store):
    text = format_ranking(ranking(open_results(grid_store), 5))
    header = text.splitlines()[1].split()
    assert all(m in header for m in MECHANISMS)
    assert "trans" not in header and "marke" not in header
    assert "95% Wilson score interval" in text
    assert "tied '='" in text and "Order: P(target)" in text


def test_report_table_is_the_same_ranking(grid_store):
    ds = open_results(grid_store)
    shown = top_mixes(ds, 4)
    table = ranking(ds, 4)
    np.testing.assert_array_equal(shown[list(MECHANISMS)].to_numpy(), table[list(MECHANISMS)].to_numpy())
    assert shown["tied"].iloc[0] == "best"
