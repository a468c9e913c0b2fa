"""Cross-sectional metrics of one path at one time (MODEL.md section 8).

Scalar forms; :mod:`kernels.lanes` computes the same metrics with the same operations on
``N`` paths at once. ``exp`` and ``log`` are the kernels' own (:mod:`kernels.elementary`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .elementary import exp, log


@njit(cache=True, nogil=True)
def dispersion(lny):
    """Standard deviation (ddof = 0) of ``ln y_i`` across regions, unweighted."""
    R = lny.shape[0]
    mean = 0.0
    for i in range(R):
        mean += lny[i]
    mean /= R
    var = 0.0
    for i in range(R):
        d = lny[i] - mean
        var += d * d
    return np.sqrt(var / R)


@njit(cache=True, nogil=True)
def coupling_coordination(q):
    """Coupling coordination degree ``D = sqrt(C * Tc)`` of the three driver indices.

    ``C = 3 (q1 q2 q3)^(1/3) / (q1 + q2 + q3)`` and ``Tc = (q1 + q2 + q3) / 3``; D is 0
    when every index is 0.
    """
    tot = q[0] + q[1] + q[2]
    if tot <= 0.0:
        return 0.0
    prod = max(q[0] * q[1] * q[2], 0.0)
    c = 3.0 * cube_root(prod) / tot
    return np.sqrt(c * tot / 3.0)


@njit(cache=True, nogil=True)
def cube_root(x):
    """``x**(1/3)`` for ``x >= 0`` as ``exp(log(x) / 3)`` with the own exp and log.

    Within a few ulps (the error of ``log(x) / 3`` is amplified by ``|log x| / 3``);
    ``cube_root(0) = 0``. The C library's ``pow`` is avoided because its bits may depend
    on the CPU (glibc picks an FMA variant at run time).
    """
    return exp(log(x) / 3.0)


@njit(cache=True, nogil=True)
def beta_slope(lny0, lnyT, horizon):
    """OLS slope (with intercept) of ``(ln y_T - ln y_0) / T`` on ``ln y_0``."""
    R = lny0.shape[0]
    mx = 0.0
    my = 0.0
    for i in range(R):
        mx += lny0[i]
        my += (lnyT[i] - lny0[i]) / horizon
    mx /= R
    my /= R
    sxy = 0.0
    sxx = 0.0
    for i in range(R):
        dx = lny0[i] - mx
        sxy += dx * ((lnyT[i] - lny0[i]) / horizon - my)
        sxx += dx * dx
    return sxy / sxx if sxx > 0.0 else np.nan


@njit(cache=True, nogil=True)
def log_total_output(lny, L):
    """``ln sum_i Y_i`` with ``Y_i = y_i L_i``."""
    tot = 0.0
    for i in range(lny.shape[0]):
        tot += exp(lny[i]) * L[i]
    return log(tot)


@njit(cache=True, nogil=True)
def theil_parts_given_output(lny, Y, L, groups, n_groups, gY, gL):
    """Population-weighted Theil T of income per capita and its decomposition.

    ``T = sum_i (Y_i / sum Y) ln(y_i / mu)`` with ``mu = sum Y / sum L``; between-group
    ``sum_g S_g ln(mu_g / mu)`` and within-group ``sum_g S_g T_g`` (``S_g`` the group's
    income share) add up to the total. The outputs ``Y_i = exp(ln y_i) L_i`` are given,
    and ``sum_i (Y_i / sum Y)(ln y_i - c) = sum_i Y_i ln y_i / sum Y - c`` avoids any
    exponential or division per region (one logarithm per group). ``gY`` and ``gL``
    are scratch of at least ``n_groups`` entries.

    Returns
    -------
    total, between, within, lmu : float
        The Theil index, its parts, and ``ln mu``.
    """
    R = lny.shape[0]
    for g in range(n_groups):
        gY[g] = 0.0
        gL[g] = 0.0
    sumY = 0.0
    sumL = 0.0
    for i in range(R):
        Yi = Y[i]
        sumY += Yi
        sumL += L[i]
        gY[groups[i]] += Yi
        gL[groups[i]] += L[i]
    lmu = log(sumY / sumL)
    # sum_i (Y_i/sumY)(ln y_i - c) = sum_i Y_i ln y_i / sumY - c: no division per region
    syl = 0.0
    for i in range(R):
        syl += Y[i] * lny[i]
    mean_lny = syl / sumY
    total = mean_lny - lmu
    within = mean_lny
    between = 0.0
    for g in range(n_groups):
        if gY[g] > 0.0:
            share = gY[g] / sumY
            lmu_g = log(gY[g] / gL[g])
            within -= share * lmu_g
            between += share * (lmu_g - lmu)
    return total, between, within, lmu
