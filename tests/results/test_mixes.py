"""One parser and one selection of mixes: parse_mix, mix_point, slice_point, rank_order."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from mccoord.errors import ConfigError
from mccoord.mixes import describe, mix_point, parse_mix, rank_order, slice_point


def _grid(p_end, p_mid):
    """A 2 x 2 grid (transfer x market) over times 0, 1, 2 with given p_target values."""
    p = np.zeros((2, 2, 3))
    p[..., 1] = np.asarray(p_mid, dtype=float).reshape(2, 2)
    p[..., 2] = np.asarray(p_end, dtype=float).reshape(2, 2)
    return xr.Dataset(
        {
            "p_target": (("transfer", "market", "time"), p),
            "n_paths": (("transfer", "market"), np.full((2, 2), 100)),
        },
        coords={"transfer": [0.0, 1.0], "market": [0.0, 1.0], "time": [0, 1, 2]},
    )


def test_parse_mix_reads_intensities():
    assert parse_mix("transfer=1, market=0.5") == {"transfer": 1.0, "market": 0.5}


def test_parse_mix_reads_named_mixes_and_indices():
    assert [parse_mix(t) for t in ("best", "off", "on", "7")] == ["best", "off", "on", 7]


def test_parse_mix_empty_is_all_off():
    assert parse_mix("", named=False) == {}


@pytest.mark.parametrize(
    "text", ["transfr=1", "transfer", "transfer=2", "transfer=x", "transfer=1,transfer=0"]
)
def test_parse_mix_refuses_bad_text(text):
    with pytest.raises(ConfigError):
        parse_mix(text)


def test_parse_mix_without_names_refuses_best():
    with pytest.raises(ConfigError):
        parse_mix("best", named=False)


def test_rank_order_puts_the_largest_horizon_probability_first():
    ds = _grid([0.1, 0.5, 0.3, 0.2], [0, 0, 0, 0])
    assert list(rank_order(ds)) == [1, 2, 3, 0]


def test_rank_order_breaks_ties_by_the_earlier_mix():
    ds = _grid([0.5, 0.5, 0.5, 0.5], [0.0, 0.1, 0.4, 0.2])
    assert list(rank_order(ds)) == [2, 3, 1, 0]


def test_rank_order_breaks_remaining_ties_by_the_smaller_total_intensity():
    ds = _grid([0.2, 0.5, 0.5, 0.5], [0.0, 0.3, 0.3, 0.3])
    # mixes 1 (market=1) and 2 (transfer=1) cost 1, mix 3 (both) costs 2
    assert list(rank_order(ds)) == [1, 2, 3, 0]


def test_best_mix_is_the_first_of_the_ranking():
    ds = _grid([0.1, 0.5, 0.3, 0.2], [0, 0, 0, 0])
    assert mix_point(ds, "best") == {"transfer": 0, "market": 1}


def test_a_mix_given_by_intensities_leaves_the_others_at_their_lowest_level():
    ds = _grid([0.1, 0.5, 0.3, 0.2], [0, 0, 0, 0])
    assert mix_point(ds, {"transfer": 1}) == {"transfer": 1, "market": 0}


def test_a_mix_off_the_grid_is_refused():
    ds = _grid([0.1, 0.5, 0.3, 0.2], [0, 0, 0, 0])
    with pytest.raises(ConfigError, match="level of the grid"):
        mix_point(ds, {"transfer": 0.5})


def test_a_slice_holds_the_other_mechanisms_at_their_highest_level():
    ds = _grid([0.1, 0.5, 0.3, 0.2], [0, 0, 0, 0])
    assert slice_point(ds, ("transfer",)) == {"market": 1}
    assert slice_point(ds, ("transfer",), {"market": 0}) == {"market": 0}


def test_describe_names_mechanisms_in_full():
    assert describe({"transfer": 1, "order_parameter": 0.5}) == "transfer 1, order parameter 0.5"
    assert describe({}) == "all off"
    assert describe(
        dict.fromkeys(("transfer", "market", "cooperation", "supervision", "order_parameter"), 1)
    ) == ("all five at 1")
