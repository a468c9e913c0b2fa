"""Closed-form special cases of the model, matched within Monte Carlo error."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import synthetic_regions

import mccoord

LINEAR = dict(alpha=0.0, eta=0.0, chi0=0.0, chi_c=0.0, lambda0=0.0, lambda_c=0.0, sigma_common=0.0, h0=0.0)


def test_pure_random_walk_dispersion_grows_linearly():
    """(a) ln y_i = a_i is a random walk: E[sigma_T^2] = sigma_0^2 + sigma^2 T (R-1)/R."""
    R, T, sigma, P = 8, 20, 0.05, 4000
    sc = mccoord.scenario_from_table(synthetic_regions(R, seed=2), sigma=sigma, **LINEAR)
    ds = mccoord.simulate(sc, {"transfer": 1, "market": 1, "supervision": 1}, paths=P, seed=3, years=T)
    s2 = ds.sigma.isel(time=-1).values ** 2
    s0 = float(ds.sigma.isel(time=0, path=0))
    expected = s0**2 + sigma**2 * T * (R - 1) / R
    assert abs(s2.mean() - expected) < 4 * s2.std(ddof=1) / np.sqrt(P)
    # the same law holds at every intermediate year
    t = np.arange(T + 1)
    np.testing.assert_allclose((ds.sigma**2).mean("path"), s0**2 + sigma**2 * t * (R - 1) / R, rtol=0.03)


@pytest.mark.parametrize("lam", [0.1, 0.3])
def test_complete_graph_spillover_is_ar1(lam):
    """(b) On a complete graph with e = 1, deviations are AR(1) with rho = 1 - lambda R/(R-1)."""
    R, T, sigma, P = 10, 30, 0.05, 3000
    d = np.full((R, R), 500.0)
    np.fill_diagonal(d, 0.0)
    regions = synthetic_regions(R, seed=4).assign(integration=1.0)
    params = dict(LINEAR, lambda0=lam, sigma=sigma, sigma_e=0.0)
    sc = mccoord.scenario_from_table(regions, distance_km=d, **params)
    ds = mccoord.simulate(sc, {}, paths=P, seed=5, years=T)
    rho = 1 - lam * R / (R - 1)
    s0 = float(ds.sigma.isel(time=0, path=0))
    innov = sigma**2 * (R - 1) / R
    t = np.arange(T + 1)
    expected = rho ** (2 * t) * s0**2 + innov * (1 - rho ** (2 * t)) / (1 - rho**2)
    s2 = (ds.sigma**2).values
    se = s2.std(axis=0, ddof=1) / np.sqrt(P)
    assert (np.abs(s2.mean(axis=0) - expected) < 4 * se + 1e-12).all()
    stationary = innov / (1 - rho**2)
    assert abs(s2[:, -1].mean() - stationary) < 4 * se[-1] + 1e-9
    b = ds.beta_slope.values
    assert abs(b.mean() - (-(1 - rho**T) / T)) < 4 * b.std(ddof=1) / np.sqrt(P)
