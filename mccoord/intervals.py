"""Confidence intervals for Monte Carlo proportions.

A proportion estimated from ``n`` independent paths has the binomial standard error
``sqrt(p (1 - p) / n)``, which is 0 at ``p = 0`` or ``p = 1`` and then claims a
certainty that 300 paths cannot give. The Wilson score interval (Wilson 1927; see
Brown, Cai and DasGupta 2001, "Interval Estimation for a Binomial Proportion",
Statistical Science 16(2)) stays honest there: with no hit in ``n`` paths its upper
end is about ``z^2 / (n + z^2)``, e.g. 0.0126 for ``n = 300`` at 95%.
"""

from __future__ import annotations

import numpy as np

#: Normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


def binomial_se(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Binomial Monte Carlo standard error ``sqrt(p (1 - p) / n)`` (NaN where ``n = 0``)."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(p * (1.0 - p) / n)


def wilson_interval(p: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion.

    Parameters
    ----------
    p : array_like
        Observed proportions in [0, 1].
    n : array_like
        Number of trials (paths); NaN bounds where ``n = 0``.
    z : float
        Normal quantile of the two-sided level (default 95%).

    Returns
    -------
    lo, hi : numpy.ndarray
        ``(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``, clipped to [0, 1]
        (``statsmodels.stats.proportion.proportion_confint(method="wilson")``).

    Examples
    --------
    >>> lo, hi = wilson_interval(0.0, 300)
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.0126)
    """
    from scipy.stats import norm
    from statsmodels.stats.proportion import proportion_confint

    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 2.0 * float(norm.sf(z))
    with np.errstate(invalid="ignore", divide="ignore"):
        lo, hi = proportion_confint(p * n, n, alpha=alpha, method="wilson")
    # the bounds are exactly 0 at p = 0 and 1 at p = 1; rounding can miss them by an ulp
    lo = np.where((p == 0.0) & (n > 0), 0.0, np.clip(lo, 0.0, 1.0))
    hi = np.where((p == 1.0) & (n > 0), 1.0, np.clip(hi, 0.0, 1.0))
    return lo[()], hi[()]
