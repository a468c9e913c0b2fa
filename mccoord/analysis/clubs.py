"""Phillips-Sul log t convergence test and convergence clubs.

References
----------
.. [1] Phillips, P. C. B., Sul, D. (2007). Transition modeling and econometric
   convergence tests. Econometrica 75(6), 1771-1855.
.. [2] Phillips, P. C. B., Sul, D. (2009). Economic transition and growth. Journal of
   Applied Econometrics 24(7), 1153-1185.
.. [3] Du, K. (2017). Econometric convergence test and club clustering using Stata.
   The Stata Journal 17(4), 882-900.

Conventions, and how to reproduce the peers' numbers:

* Trimming: the regression uses ``t = [rT]+1, ..., T``. The default ``r = 0.3`` follows
  Phillips and Sul (2007), who recommend it for the small and moderate T of
  growth panels on the evidence of their simulations; it is also the default of Stata's
  ``psecta`` [3]_. ``[rT]`` is rounded half up (Stata). The R package ConvergenceClubs
  and the ``convergence-clubs`` PyPI package (its default ``convention="R"``) drop the
  first third, ``r = 1/3``, and round half to even; ``rT`` is never a half when
  ``r = 1/3``, so the rounding rules agree there.
* Standard errors: Phillips and Sul (2007, 2009) form ``t_b = b / s_b`` with a
  heteroskedasticity and autocorrelation consistent (HAC) estimate of the long-run
  variance of the regression residuals. The default, ``hac="newey-west"``, is such an
  estimate: statsmodels' OLS with ``cov_type="HAC"`` (Bartlett kernel, ``maxlags =
  floor(4 (n/100)^(2/9))`` with n the number of periods in the regression, no
  small-sample correction). ``hac="qs"`` is the Quadratic Spectral kernel with the fixed
  bandwidth of Phillips and Sul's GAUSS code, as ported in R's ``ps_andrews_hac``
  (including its ``1/(T-1)`` scaling); it is what ConvergenceClubs, ``psecta`` and
  ``convergence-clubs`` (``hac_method="FQSB"``) use. The slope ``b`` does not depend on
  this choice, the t statistic does.
* ``log_t_test(..., r=1/3, hac="qs")`` therefore reproduces ``convergence_clubs.log_t_test``
  with its defaults (``time_trim=1/3``, ``"FQSB"``, ``rounding="half_even"``) applied to
  ``cross_sectional_variation(hp_filter(log y, 400))``; ``r=0.3, hac="qs"`` reproduces
  it with ``time_trim=0.3, rounding="half_up"`` (the package's Stata convention).
* Clustering: the core group maximises ``t_k`` (Phillips and Sul 2007; ``psecta``);
  the sieve starts at ``c* = 0`` and raises it by 0.05 until the club converges,
  up to 50, then falls back to the core group (``psecta``). Club merging follows
  Phillips and Sul (2009): adjacent clubs are merged while their union passes.
  Divergent units are not re-assigned (von Lyncker and Thoennissen 2017 is not
  implemented).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Literal

import numpy as np
import statsmodels.api as sm
import xarray as xr
from statsmodels.tsa.filters.hp_filter import hpfilter

from ..errors import ConfigError
from .panel import PanelLike, income_panel, stack_paths, unstack_paths

__all__ = ["CRITICAL_VALUE", "convergence_clubs", "hp_trend", "log_t_test"]

#: One-sided 5 % critical value of the log t test.
CRITICAL_VALUE = -1.65

HAC = Literal["newey-west", "qs"]


def hp_trend(x: np.ndarray, lamb: float = 400.0) -> np.ndarray:
    """Hodrick-Prescott trend (statsmodels ``hpfilter``) of every row of ``x``.

    ``lamb = 400`` is Phillips and Sul's choice for annual data.
    """
    x = np.asarray(x, dtype=float)
    return np.stack([hpfilter(row, lamb=lamb)[1] for row in x.reshape(-1, x.shape[-1])]).reshape(x.shape)


def _H(x: np.ndarray) -> np.ndarray:
    """``H_t = mean_i (h_it - 1)^2`` with ``h_it = x_it / mean_i x_it`` (regions in rows)."""
    h = x / x.mean(axis=0)
    return ((h - 1.0) ** 2).mean(axis=0)


def trimmed(n_periods: int, r: float) -> int:
    """``[rT]``: periods dropped at the start, rounded half up."""
    return int(math.floor(n_periods * r + 0.5))


def _qs_long_run_variance(e: np.ndarray) -> float:
    """Phillips-Sul fixed-bandwidth Quadratic Spectral long-run variance of residuals."""
    n = e.size
    rho = (e[:-1] @ e[1:]) / (e[:-1] @ e[:-1])
    bandwidth = 1.3221 * (4.0 * rho**2 / (1.0 - rho) ** 4 * n) ** 0.2
    z = 1.2 * np.pi * np.arange(1, n) / bandwidth
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = 3.0 / z**2 * (np.sin(z) / z - np.cos(z))
    m = n - 1
    acov = sum(2.0 * (e[: m - j] @ e[j:m]) * kernel[j - 1] for j in range(1, m))
    return float(acov + (e @ e)) / m


def _log_t(x: np.ndarray, r: float, hac: str) -> tuple[float, float, float, float]:
    """Slope b, its standard error, t statistic and intercept of the log t regression."""
    H = _H(x)
    n_t = H.size
    start = trimmed(n_t, r)
    if start < 1 or n_t - start < 3:
        raise ValueError("too few periods for the log t regression with this r")
    t = np.arange(start + 1, n_t + 1)
    log_t = np.log(t)
    y = np.log(H[0] / H[t - 1]) - 2.0 * np.log(log_t)
    X = sm.add_constant(log_t)
    if hac == "newey-west":
        lags = int(math.floor(4.0 * (t.size / 100.0) ** (2.0 / 9.0)))
        fit = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        b, se = float(fit.params[1]), float(fit.bse[1])
    elif hac == "qs":
        fit = sm.OLS(y, X).fit()
        b = float(fit.params[1])
        se = math.sqrt(np.linalg.inv(X.T @ X)[1, 1] * _qs_long_run_variance(fit.resid))
    else:
        raise ValueError("hac must be 'newey-west' or 'qs'")
    return b, se, b / se, float(fit.params[0])


def _check_options(r: float, hac: str) -> None:
    """Refuse a trimming share or HAC choice that cannot work, before any work."""
    if hac not in ("newey-west", "qs"):
        raise ConfigError("hac", hac, "'newey-west' or 'qs'")
    if isinstance(r, bool) or not (isinstance(r, Real) and 0.0 < r < 1.0):
        raise ConfigError("r", r, "a share of periods to drop, 0 < r < 1 (0.3 or 1/3)")


def _check_periods(n_periods: int, r: float) -> None:
    start = trimmed(n_periods, r)
    if start < 1 or n_periods - start < 3:
        raise ConfigError(
            "r", r, f"a share that drops at least 1 and keeps at least 3 of the {n_periods} periods"
        )


def _prepare(income: PanelLike, hp: bool, lamb: float, panel_kwargs: dict):
    panel = income_panel(income, **panel_kwargs)
    values, has_path = stack_paths(panel)
    if np.any(values <= 0) or not np.isfinite(values).all():
        raise ValueError("income must be positive and complete (no missing years)")
    x = np.log(values)
    return panel, (hp_trend(x, lamb) if hp else x), has_path


def log_t_test(
    income: PanelLike,
    *,
    r: float = 0.3,
    hac: HAC = "newey-west",
    hp: bool = True,
    lamb: float = 400.0,
    **panel_kwargs,
) -> xr.Dataset:
    """Phillips-Sul log t test of (relative) convergence of all regions.

    ``x_it`` is the HP trend (``lamb``) of ``ln y_it``, ``h_it = x_it / mean_i x_it``,
    ``H_t = mean_i (h_it - 1)^2``, and ``log(H_1/H_t) - 2 log(log t) = a + b log t``
    is fitted by OLS for ``t = [rT]+1, ..., T`` (t counts periods from 1). Convergence
    is rejected when ``t_b < -1.65``; ``b >= 2`` means level convergence, ``0 <= b < 2``
    conditional convergence (of growth rates).

    Parameters
    ----------
    income
        Income per capita, positive, no gaps; any form accepted by
        :func:`mccoord.analysis.income_panel`.
    r
        Share of initial periods dropped, ``0 < r < 1``. The default 0.3 follows
        Phillips and Sul (2007) and Stata's ``psecta``; ``r=1/3`` is the first third
        dropped by the R package ConvergenceClubs and by ``convergence-clubs``.
    hac
        Standard error of ``b``: ``"newey-west"`` (default; statsmodels
        ``cov_type="HAC"``, Bartlett kernel, ``floor(4 (n/100)^(2/9))`` lags, a
        conventional HAC estimate as Phillips and Sul prescribe) or ``"qs"`` (the
        fixed-bandwidth Quadratic Spectral estimate of Phillips and Sul's own code).
        ``r=1/3, hac="qs"`` reproduces the ``convergence-clubs`` package with its
        defaults; see the module docstring.
    hp, lamb
        Whether to HP-filter log income first, and the smoothing parameter.

    Returns
    -------
    xarray.Dataset
        Dims ``[path]``: ``b`` (speed coefficient, unitless), ``se``, ``t``,
        ``intercept``, ``converges`` (``t > -1.65``). Attributes record ``r``,
        ``hac``, ``hp_lambda`` and ``trimmed_periods`` (``[rT]``).
    """
    _check_options(r, hac)
    panel, x, has_path = _prepare(income, hp, lamb, panel_kwargs)
    _check_periods(x.shape[-1], r)
    res = np.array([_log_t(xp, r, hac) for xp in x])
    ds = xr.Dataset(
        {
            "b": ("path", res[:, 0]),
            "se": ("path", res[:, 1]),
            "t": ("path", res[:, 2]),
            "intercept": ("path", res[:, 3]),
            "converges": ("path", res[:, 2] > CRITICAL_VALUE),
        },
        attrs={
            "r": r,
            "hac": hac,
            "hp_lambda": lamb if hp else np.nan,
            "trimmed_periods": trimmed(x.shape[-1], r),
            "source": "mccoord.analysis.log_t_test (Phillips and Sul 2007)",
        },
    )
    for name, long_name in _LOG_T_NAMES.items():
        ds[name].attrs.update(long_name=long_name, units="1")
    return unstack_paths(ds, panel, has_path)


_LOG_T_NAMES = {
    "b": "log t slope (speed of convergence coefficient)",
    "se": "standard error of the slope",
    "t": "t statistic of the slope",
    "intercept": "intercept of the log t regression",
    "converges": "convergence not rejected at 5% (t > -1.65)",
}


def _clubs_one(
    x: np.ndarray, r: float, hac: str, cstar: float, increment: float, cap: float
) -> list[list[int]]:
    """Phillips-Sul clustering of the rows of ``x``; returns clubs (row ids), best first,
    followed by the list of divergent rows as the last element."""

    def t_of(ids) -> float:
        return _log_t(x[np.asarray(ids)], r, hac)[2]

    clubs: list[list[int]] = []
    remaining = list(np.argsort(-x[:, -1], kind="stable"))
    while remaining:
        if len(remaining) == 1:
            return [*clubs, remaining]
        if t_of(remaining) > CRITICAL_VALUE:
            return [*clubs, remaining, []]
        # core group: first adjacent pair that converges, then grow while t > -1.65
        first = next(
            (i for i in range(1, len(remaining)) if t_of(remaining[i - 1 : i + 1]) > CRITICAL_VALUE), None
        )
        if first is None:
            return [*clubs, remaining]
        k, best_k, best_t = first + 1, first + 1, t_of(remaining[first - 1 : first + 1])
        while k < len(remaining):
            t_k = t_of(remaining[first - 1 : k + 1])
            if not t_k > CRITICAL_VALUE:
                break
            if t_k >= best_t:  # ties go to the larger group
                best_k, best_t = k + 1, t_k
            k += 1
        core = remaining[first - 1 : best_k]
        others = [u for u in remaining if u not in core]
        t_add = np.array([t_of([*core, u]) for u in others])
        c = cstar
        while True:
            members = core + [u for u, t in zip(others, t_add, strict=True) if t > c]
            if t_of(members) > CRITICAL_VALUE or increment <= 0:
                break
            if c < cap:
                c += increment
            else:
                members = core
                break
        clubs.append(sorted(members))
        remaining = [u for u in remaining if u not in members]
    return [*clubs, []]


def _merge(x: np.ndarray, clubs: list[list[int]], r: float, hac: str) -> list[list[int]]:
    """Phillips-Sul (2009) merging: grow each club with the next ones while they converge."""
    merged, i = [], 0
    while i < len(clubs):
        ids, j = list(clubs[i]), i + 1
        while j < len(clubs) and _log_t(x[ids + clubs[j]], r, hac)[2] > CRITICAL_VALUE:
            ids += clubs[j]
            j += 1
        merged.append(sorted(ids))
        i = j
    return merged


def convergence_clubs(
    income: PanelLike,
    *,
    r: float = 0.3,
    hac: HAC = "newey-west",
    merge: bool = True,
    hp: bool = True,
    lamb: float = 400.0,
    cstar: float = 0.0,
    cstar_increment: float = 0.05,
    cstar_cap: float = 50.0,
    **panel_kwargs,
) -> xr.Dataset:
    """Phillips-Sul (2007) club clustering with optional club merging (2009).

    Regions are sorted by the last period's (filtered) log income; the core group is
    the leading run of regions, starting at the first adjacent pair that passes the log
    t test, that maximises ``t``; every other region whose log t test together with the
    core gives ``t > c*`` joins (``c*`` raised by ``cstar_increment`` until the club
    passes, at most to ``cstar_cap``; ``cstar_increment=0`` keeps it fixed); the rest
    are clustered again. When no adjacent pair converges the rest are divergent. See
    :func:`log_t_test` and the module docstring for the conventions.

    Parameters
    ----------
    income
        Income per capita, any form accepted by :func:`mccoord.analysis.income_panel`.
    r, hac, hp, lamb
        As in :func:`log_t_test`.
    merge
        Merge adjacent clubs whose union passes the log t test (Phillips and Sul 2009).
    cstar, cstar_increment, cstar_cap
        Sieve threshold and its increments.

    Returns
    -------
    xarray.Dataset
        ``club`` (dims ``[path,] region``): 1 = club of the richest regions, 2, ...; 0 =
        divergent; ``n_clubs`` (dims ``[path]``); ``club_b`` and ``club_t`` (dims
        ``[path,] club_id``, NaN-padded): log t results of each final club.
    """
    _check_options(r, hac)
    panel, x, has_path = _prepare(income, hp, lamb, panel_kwargs)
    _check_periods(x.shape[-1], r)
    results = []
    for xp in x:
        *clubs, divergent = _clubs_one(xp, r, hac, cstar, cstar_increment, cstar_cap)
        if merge:
            clubs = _merge(xp, clubs, r, hac)
        results.append((clubs, divergent))
    n_max = max(1, max(len(c) for c, _ in results))
    label = np.zeros(x.shape[:2], dtype=int)
    club_b = np.full((x.shape[0], n_max), np.nan)
    club_t = np.full((x.shape[0], n_max), np.nan)
    for p, (clubs, _) in enumerate(results):
        for j, ids in enumerate(clubs):
            label[p, ids] = j + 1
            if len(ids) > 1:
                club_b[p, j], _, club_t[p, j], _ = _log_t(x[p, ids], r, hac)
    ds = xr.Dataset(
        {
            "club": (("path", "region"), label),
            "n_clubs": ("path", np.array([len(c) for c, _ in results])),
            "club_b": (("path", "club_id"), club_b),
            "club_t": (("path", "club_id"), club_t),
        },
        coords={"region": panel["region"].values, "club_id": np.arange(1, n_max + 1)},
        attrs={"r": r, "hac": hac, "merged": merge},
    )
    return unstack_paths(ds, panel, has_path)
