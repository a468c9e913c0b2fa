"""The moments matched by the calibration, computed the same way on data and on paths.

Input is log income per capita ``lny`` and population shares ``L``, both of shape
``(P, T+1, R)`` (``P = 1`` for an observed panel), one row per year of the window. The
moments, in this order (MODEL.md section 9, step 3):

* ``sigma_<year>``: ``sigma(t_k)`` = std (ddof=0) of ``ln y_i`` across regions at
  ``n_sigma`` evenly spaced years ``t_k = round(k*T/n_sigma)``, ``k = 1..n_sigma``
  (``sigma(0)`` is not a moment: simulations start from the observed cross-section);
* ``beta_slope``: OLS slope (with intercept) of ``(ln y_i(T) - ln y_i(0))/T`` on
  ``ln y_i(0)`` (MODEL.md section 8);
* ``growth``: ``(ln ybar(T) - ln ybar(0))/T`` with ``ybar(t) = sum_i L_i(t) y_i(t)``,
  the population-weighted national mean (MODEL.md's national growth);
* ``sd_growth``: standard deviation (ddof=1) of the yearly national growth rates
  ``ln ybar(t+1) - ln ybar(t)``, ``t = 0..T-1``. Common shocks move every region's
  income together, so this identifies ``sigma_common`` separately from the trend ``g``;
* ``sd_rel_growth``: the mean over the ``T`` years of the cross-region standard deviation
  (ddof=0, unweighted) of yearly relative growth
  ``(ln y_i(t+1) - ln y_i(t)) - mean_j (ln y_j(t+1) - ln y_j(t))``. A regional TFP shock
  moves ``ln y_i`` one for one in its year, so this pins ``sigma`` apart from the slow
  forces (spillover, reversion) that move ``sigma(t)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["moment_names", "moment_matrix", "sigma_offsets", "N_OTHER_MOMENTS"]

#: Moments after the sigma years: beta_slope, growth, sd_growth, sd_rel_growth.
N_OTHER_MOMENTS = 4


def sigma_offsets(T: int, n_sigma: int) -> list[int]:
    """Evenly spaced years ``t_k = round(k*T/n)``, ``k = 1..n`` (duplicates removed)."""
    n = max(1, min(int(n_sigma), T))
    return sorted({int(round(k * T / n)) for k in range(1, n + 1)})


def moment_names(start: int, end: int, n_sigma: int) -> list[str]:
    """Names of the moments of the window ``[start, end]``."""
    return [f"sigma_{start + t}" for t in sigma_offsets(end - start, n_sigma)] + [
        "beta_slope",
        "growth",
        "sd_growth",
        "sd_rel_growth",
    ]


def moment_matrix(lny: np.ndarray, L: np.ndarray, n_sigma: int) -> np.ndarray:
    """Moments per path, shape ``(P, K)`` (see the module docstring).

    Parameters
    ----------
    lny : float64[P, T+1, R]
        Log income per capita (any normalisation: every moment is invariant to it).
    L : float64[P, T+1, R]
        Population shares (rows need not sum to 1; they are normalised).
    n_sigma : int
        Number of sigma years.

    Returns
    -------
    float64[P, n_sigma + 4]
        One row per path; ``sd_growth`` is NaN when ``T < 2``.
    """
    lny = np.asarray(lny, dtype=float)
    L = np.asarray(L, dtype=float)
    if lny.ndim == 2:
        lny, L = lny[None], L[None]
    T = lny.shape[1] - 1
    sig = lny[:, sigma_offsets(T, n_sigma), :].std(axis=2, ddof=0)
    x = lny[:, 0, :]
    yg = (lny[:, T, :] - x) / T
    xc = x - x.mean(axis=1, keepdims=True)
    beta = (xc * (yg - yg.mean(axis=1, keepdims=True))).sum(axis=1) / (xc * xc).sum(axis=1)
    shares = L / L.sum(axis=2, keepdims=True)
    # ln sum_i L_i y_i, computed stably
    top = lny.max(axis=2, keepdims=True)
    ln_ybar = np.log((shares * np.exp(lny - top)).sum(axis=2)) + top[:, :, 0]
    growth = (ln_ybar[:, T] - ln_ybar[:, 0]) / T
    if T >= 2:
        sd_growth = np.diff(ln_ybar, axis=1).std(axis=1, ddof=1)
    else:
        sd_growth = np.full(lny.shape[0], np.nan)
    sd_rel_growth = np.diff(lny, axis=1).std(axis=2, ddof=0).mean(axis=1)
    return np.column_stack([sig, beta, growth, sd_growth, sd_rel_growth])
