"""Wilson score intervals of Monte Carlo proportions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mccoord.intervals import Z95, binomial_se, wilson_interval


def closed_form(p, n, z=Z95):
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    return centre - half, centre + half


def test_no_hit_in_300_paths_has_an_upper_bound_above_zero():
    lo, hi = wilson_interval(0.0, 300)
    assert lo == 0.0
    assert hi == pytest.approx(Z95**2 / (300 + Z95**2))
    assert binomial_se(0.0, 300) == 0.0


def test_all_hits_mirror_no_hits():
    lo0, hi0 = wilson_interval(0.0, 300)
    lo1, hi1 = wilson_interval(1.0, 300)
    assert lo1 == pytest.approx(1 - hi0) and hi1 == pytest.approx(1.0)


@given(k=st.integers(0, 500), n=st.integers(1, 500))
def test_matches_the_closed_form_and_contains_the_estimate(k, n):
    k = min(k, n)
    p = k / n
    lo, hi = wilson_interval(p, n)
    elo, ehi = closed_form(p, n)
    assert lo == pytest.approx(max(elo, 0.0), abs=1e-12)
    assert hi == pytest.approx(min(ehi, 1.0), abs=1e-12)
    assert lo <= p <= hi


def test_zero_paths_give_nan_bounds():
    lo, hi = wilson_interval(np.array([0.0]), np.array([0.0]))
    assert np.isnan(lo).all() and np.isnan(hi).all()
