"""Sigma convergence: the cross-sectional dispersion of log income over time."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ._ols import ols_slope
from .panel import PanelLike, income_panel, stack_paths, unstack_paths

__all__ = ["sigma_convergence"]


def sigma_convergence(income: PanelLike, **panel_kwargs) -> xr.Dataset:
    """Sigma per year and its linear trend.

    ``sigma(t)`` is the standard deviation (``ddof=0``, unweighted) across regions of
    log relative income ``ln(y_it / ybar_t)`` with ``ybar_t`` the unweighted
    cross-section mean. Dividing by ``ybar_t`` only shifts the logs, so this equals the
    standard deviation of ``ln y_it`` -- the ``sigma(t)`` of MODEL.md section 8.
    The trend test is the OLS regression (statsmodels, with intercept, classical
    standard errors) ``sigma(t) = c + slope * year + e``; convergence shows as a
    significantly negative slope.

    Parameters
    ----------
    income
        Income per capita, any form accepted by :func:`mccoord.analysis.income_panel`
        (any currency unit, or [1] for a simulated Dataset).
    **panel_kwargs
        Passed to :func:`~mccoord.analysis.income_panel` (``value=``, ``years=``, ...).

    Returns
    -------
    xarray.Dataset
        ``sigma`` (dims ``[path,] year``) [log points, i.e. unitless]; ``slope``
        [log points per year], ``slope_se``, ``slope_pvalue`` (two-sided, Student t),
        ``intercept`` and ``n_years`` (dims ``[path]``).
    """
    panel = income_panel(income, **panel_kwargs)
    values, has_path = stack_paths(panel)
    if np.any(values <= 0):
        raise ValueError("income must be positive")
    sigma = np.log(values).std(axis=1, ddof=0)
    years = panel["year"].to_numpy().astype(float)
    fits = [ols_slope(s, years) for s in sigma]
    ds = xr.Dataset(
        {
            "sigma": (("path", "year"), sigma),
            **{
                k: ("path", np.array([f[k] for f in fits]))
                for k in ("slope", "slope_se", "slope_pvalue", "intercept")
            },
            "n_years": ("path", np.array([f["n"] for f in fits])),
        },
        coords={"year": panel["year"].values},
    )
    ds["sigma"].attrs.update(units="1", long_name="std (ddof=0) of ln income across regions")
    ds["slope"].attrs.update(units="1/year", long_name="OLS trend of sigma")
    return unstack_paths(ds, panel, has_path)
