"""Small statsmodels helpers shared by the analysis modules."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm


def ols_slope(y: np.ndarray, x: np.ndarray) -> dict[str, float]:
    """OLS of ``y`` on a constant and ``x`` (statsmodels, classical standard errors).

    Returns intercept, slope, its standard error, t statistic, two-sided p-value
    (Student t), R^2 and the number of observations.
    """
    fit = sm.OLS(np.asarray(y, dtype=float), sm.add_constant(np.asarray(x, dtype=float))).fit()
    return {
        "intercept": float(fit.params[0]),
        "slope": float(fit.params[1]),
        "slope_se": float(fit.bse[1]),
        "slope_t": float(fit.tvalues[1]),
        "slope_pvalue": float(fit.pvalues[1]),
        "r_squared": float(fit.rsquared),
        "n": int(fit.nobs),
    }
