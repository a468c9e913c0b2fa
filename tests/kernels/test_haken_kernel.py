"""The kernel's order-parameter identification (MODEL.md section 6)."""

from __future__ import annotations

import numpy as np
import pytest
from mccoord.kernels.haken import fit_pair, identify_order_parameter

from mccoord.reference import haken_order_parameter


def haken_series(n, gamma1, gamma2, a, b, u0=0.5, v0=0.2, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    u, v = np.empty(n), np.empty(n)
    u[0], v[0] = u0, v0
    for t in range(n - 1):
        u[t + 1] = (1 - gamma1) * u[t] - a * u[t] * v[t] + noise * rng.normal()
        v[t + 1] = (1 - gamma2) * v[t] + b * u[t] ** 2 + noise * rng.normal()
    return u, v


def test_fit_pair_recovers_the_coefficients_of_a_noiseless_system():
    u, v = haken_series(12, gamma1=-0.02, gamma2=0.6, a=0.3, b=0.4)
    gamma1, a, gamma2, b, det1, det2 = fit_pair(u, v)
    np.testing.assert_allclose([gamma1, a, gamma2, b], [-0.02, 0.3, 0.6, 0.4], rtol=1e-6)
    assert abs(det1) > 1e-14 and abs(det2) > 1e-14


@pytest.mark.parametrize("slow", [0, 1, 2])
def test_identifies_the_slow_variable_as_order_parameter(slow):
    u, v = haken_series(10, gamma1=0.01, gamma2=0.7, a=0.2, b=0.5, u0=0.6, v0=0.1)
    fast = (slow + 1) % 3
    third = (slow + 2) % 3
    q = np.empty((10, 3))
    q[:, slow] = u
    q[:, fast] = v
    q[:, third] = 0.3 + 0.1 * np.cos(np.arange(10))  # an unrelated oscillating series
    assert identify_order_parameter(q) == slow
    assert haken_order_parameter(q) == slow


def test_falls_back_to_the_most_persistent_driver_when_no_pair_is_valid():
    # constant columns make every normal system singular: only the fallback can answer
    q = np.empty((10, 3))
    q[:, 0] = 0.5 * 0.8 ** np.arange(10)  # c = 0.8
    q[:, 1] = 0.0  # c = 0 by convention
    q[:, 2] = 0.4 * 0.95 ** np.arange(10)  # c = 0.95: closest to 1
    assert identify_order_parameter(q) == 2
    assert haken_order_parameter(q) == 2


def test_fallback_ties_go_to_the_first_driver():
    q = np.tile(np.array([0.3, 0.3, 0.3]), (10, 1))
    assert identify_order_parameter(q) == 0


@pytest.mark.parametrize("seed", range(20))
def test_kernel_and_reference_agree_on_random_histories(seed):
    rng = np.random.default_rng(seed)
    q = np.abs(np.cumsum(rng.normal(0, 0.05, (10, 3)), axis=0) + rng.uniform(0.2, 0.8, 3))
    assert identify_order_parameter(q) == haken_order_parameter(q)
