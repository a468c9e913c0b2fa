"""Order-parameter identification with the Haken model (MODEL.md section 6).

For an ordered pair of series ``(u, v)`` the Haken system

    u(t+1) = (1 - gamma1) u(t) - a u(t) v(t)
    v(t+1) = (1 - gamma2) v(t) + b u(t)^2

is fitted by least squares without intercept, each equation through its own 2x2 normal
system. ``u`` is an order parameter when ``v`` is the fast, enslaved variable:
``gamma2 > 0`` and ``|gamma2| > |gamma1|`` (adiabatic elimination).
"""

from __future__ import annotations

import numpy as np
from numba import njit

DET_TOL = 1e-14
SCORE_EPS = 1e-12


@njit(cache=True, nogil=True)
def fit_pair(x, y):
    """Fit the Haken pair with ``x`` as u and ``y`` as v.

    Parameters
    ----------
    x, y : float64[n]
        The two series in time order.

    Returns
    -------
    gamma1, a, gamma2, b, det1, det2 : float
        Coefficients and the determinants of the two normal systems (a coefficient is
        NaN when its system is singular, ``|det| <= 1e-14``).
    """
    sxx = 0.0
    sxxy = 0.0
    sxxyy = 0.0
    rx1 = 0.0
    rx2 = 0.0
    syy = 0.0
    syxx = 0.0
    sx4 = 0.0
    ry1 = 0.0
    ry2 = 0.0
    for t in range(x.shape[0] - 1):
        xt = x[t]
        yt = y[t]
        xy = xt * yt
        x2 = xt * xt
        sxx += x2
        sxxy += xt * xy
        sxxyy += xy * xy
        rx1 += xt * x[t + 1]
        rx2 += xy * x[t + 1]
        syy += yt * yt
        syxx += yt * x2
        sx4 += x2 * x2
        ry1 += yt * y[t + 1]
        ry2 += x2 * y[t + 1]
    det1 = sxx * sxxyy - sxxy * sxxy
    det2 = syy * sx4 - syxx * syxx
    gamma1 = np.nan
    a = np.nan
    gamma2 = np.nan
    b = np.nan
    if abs(det1) > DET_TOL:
        c1 = (rx1 * sxxyy - sxxy * rx2) / det1
        c2 = (sxx * rx2 - sxxy * rx1) / det1
        gamma1 = 1.0 - c1
        a = -c2
    if abs(det2) > DET_TOL:
        d1 = (ry1 * sx4 - syxx * ry2) / det2
        d2 = (syy * ry2 - syxx * ry1) / det2
        gamma2 = 1.0 - d1
        b = d2
    return gamma1, a, gamma2, b, det1, det2


@njit(cache=True, nogil=True)
def identify_order_parameter(q):
    """Return the index of the order parameter among the columns of ``q``.

    Parameters
    ----------
    q : float64[n, k]
        The last ``n`` yearly values of the ``k`` driver indices, oldest first.

    Returns
    -------
    int
        ``u`` of the valid pair with the largest ``gamma2 / (|gamma1| + 1e-12)``, the
        first pair in column order on ties; if no pair is valid, the column whose
        univariate fit ``q(t+1) = c q(t)`` has the smallest ``|1 - c|`` (first on ties;
        a column that is zero throughout has ``c = 0``).
    """
    n = q.shape[0]
    k = q.shape[1]
    best = -1
    best_score = -np.inf
    for u in range(k):
        for v in range(k):
            if u == v:
                continue
            gamma1, _, gamma2, _, det1, det2 = fit_pair(q[:, u], q[:, v])
            if abs(det1) <= DET_TOL or abs(det2) <= DET_TOL:
                continue
            if not (gamma2 > 0.0 and abs(gamma2) > abs(gamma1)):
                continue
            score = gamma2 / (abs(gamma1) + SCORE_EPS)
            if score > best_score:
                best_score = score
                best = u
    if best >= 0:
        return best
    best_gap = np.inf
    best = 0
    for u in range(k):
        num = 0.0
        den = 0.0
        for t in range(n - 1):
            num += q[t, u] * q[t + 1, u]
            den += q[t, u] * q[t, u]
        c = num / den if den > 0.0 else 0.0
        gap = abs(1.0 - c)
        if gap < best_gap:
            best_gap = gap
            best = u
    return best
