"""Unconditional beta convergence: do poor regions grow faster?"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ._ols import ols_slope
from .panel import PanelLike, income_panel, stack_paths, unstack_paths

__all__ = ["beta_convergence", "implied_speed"]


def implied_speed(slope: np.ndarray | float, periods: float) -> np.ndarray | float:
    """Implied speed of convergence ``-ln(1 + slope * T) / T`` [1/year].

    NaN where ``1 + slope * T <= 0`` (the log is undefined).
    """
    arg = 1.0 + np.asarray(slope, dtype=float) * periods
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(arg > 0, -np.log(np.where(arg > 0, arg, 1.0)) / periods, np.nan)
    return out if out.ndim else float(out)


def beta_convergence(
    income: PanelLike, start: int | None = None, end: int | None = None, **panel_kwargs
) -> xr.Dataset:
    """Unconditional beta-convergence regression between two years.

    OLS (statsmodels, with intercept, classical standard errors) of the average yearly
    log growth ``g_i = (ln y_i,end - ln y_i,start) / T`` on ``ln y_i,start``,
    ``T = end - start`` [years] (MODEL.md section 8). ``slope < 0`` is beta
    convergence; the implied speed is ``lambda = -ln(1 + slope*T)/T`` and the
    half-life ``ln 2 / lambda`` (NaN when ``lambda <= 0``).

    Parameters
    ----------
    income
        Income per capita, any form accepted by :func:`mccoord.analysis.income_panel`.
    start, end
        First and last year [calendar year]; default the first and last of the panel.

    Returns
    -------
    xarray.Dataset
        Dims ``[path]``: ``slope`` [1/year per log point], ``slope_se``, ``slope_pvalue``
        (two-sided), ``intercept`` [1/year], ``r_squared``, ``n`` (regions),
        ``speed`` [1/year], ``half_life`` [years]; attrs ``start``, ``end``, ``periods``.
    """
    panel = income_panel(income, **panel_kwargs)
    years = panel["year"].to_numpy()
    start = int(years[0]) if start is None else int(start)
    end = int(years[-1]) if end is None else int(end)
    periods = float(end - start)
    if periods <= 0:
        raise ValueError("end must come after start")
    values, has_path = stack_paths(panel.sel(year=[start, end]))
    if np.any(values <= 0):
        raise ValueError("income must be positive")
    logs = np.log(values)
    fits = [ols_slope((p[:, 1] - p[:, 0]) / periods, p[:, 0]) for p in logs]
    slope = np.array([f["slope"] for f in fits])
    speed = np.atleast_1d(implied_speed(slope, periods))
    with np.errstate(divide="ignore", invalid="ignore"):
        half_life = np.where(speed > 0, np.log(2.0) / speed, np.nan)
    ds = xr.Dataset(
        {
            **{
                k: ("path", np.array([f[k] for f in fits]))
                for k in ("slope", "slope_se", "slope_pvalue", "intercept", "r_squared", "n")
            },
            "speed": ("path", speed),
            "half_life": ("path", half_life),
        },
        attrs={"start": start, "end": end, "periods": periods},
    )
    ds["speed"].attrs["units"] = "1/year"
    ds["half_life"].attrs["units"] = "year"
    return unstack_paths(ds, panel, has_path)
