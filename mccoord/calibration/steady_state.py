"""Region-specific steady states from a panel: pooled AR(1) with region effects (MODEL.md section 9.1).

Relative log income ``x_it = ln y_it - mean_j ln y_jt`` (unweighted mean over regions)
follows ``x_i,t+1 = mu_i + rho x_it + e_it``. The within (least-squares dummy variable)
estimator, statsmodels OLS on ``x_it`` and one dummy per region, gives ``rho`` and the
region effects ``mu_i``; the steady state of region ``i`` is ``ln y*_i = mu_i / (1 - rho)``,
centred to mean zero across regions (only differences matter, MODEL.md section 2).

With ``T`` years the within estimator is biased toward lower persistence by about
``(1 + rho) / T`` (Nickell 1981), which makes the steady states too close to the
regions' window means. :meth:`SteadyStates.column` therefore takes a scale ``phi``
(``ln y*_i <- phi ln y*_i``) that the calibration fits with the dynamics when the
moments identify it. The standard error of ``rho`` is clustered by region (robust to
serial correlation within a region).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from ..errors import ConfigError

__all__ = ["SteadyStates", "estimate_steady_states", "check_dispersion"]


@dataclass(frozen=True)
class SteadyStates:
    """Within-estimator steady states of one training window.

    Attributes
    ----------
    regions : tuple of str
    start, end : int
        Window ``[Y0, Y1]`` [calendar years].
    rho : float
        Pooled persistence of relative log income per year.
    rho_se : float
        Its standard error (clustered by region).
    ln_ystar : float64[R]
        Steady-state relative log income ``mu_i / (1 - rho)``, mean zero over regions.
    n_obs : int
        Observations ``R * T``.
    """

    regions: tuple[str, ...]
    start: int
    end: int
    rho: float
    rho_se: float
    ln_ystar: np.ndarray
    n_obs: int

    @property
    def dispersion(self) -> float:
        """Standard deviation (ddof=0) of ``ln y*`` across regions at ``phi = 1``."""
        return float(self.ln_ystar.std())

    def column(self, phi: float = 1.0) -> np.ndarray:
        """The regions-table ``steady_state`` column ``exp(phi * ln y*_i)`` (geometric mean 1)."""
        return np.exp(float(phi) * self.ln_ystar)

    def summary(self) -> str:
        """One line: ``rho``, its SE and the dispersion of the steady states."""
        return (
            f"steady states: within estimator of x(t+1) = mu_i + rho x(t) on {self.start}-{self.end} "
            f"({self.n_obs} obs.): rho = {self.rho:.4f} (SE {self.rho_se:.4f}, clustered by region), "
            f"sd of ln y* = {self.dispersion:.4f} at phi = 1"
        )


def check_dispersion(lny: np.ndarray, years: np.ndarray, *, name: str) -> None:
    """Refuse a window in which every region has the same income in some year.

    Parameters
    ----------
    lny : float64[T+1, R]
        Log income per capita.
    years : int64[T+1]
        Calendar years of the rows.
    name : str
        Panel name for the message.

    Raises
    ------
    ConfigError
        If the cross-region standard deviation of ``ln y`` is (numerically) zero in a year:
        nothing about convergence can be estimated from such a year.
    """
    sd = np.asarray(lny, dtype=float).std(axis=1)
    scale = 1e-9 * max(1.0, float(np.abs(lny).max()))
    flat = np.flatnonzero(sd <= scale)
    if flat.size:
        year = int(years[flat[0]])
        raise ConfigError(
            f"panel {name}: income in {year}",
            "the same in every region (no dispersion)",
            "income that differs between regions in every year of the window",
        )


def estimate_steady_states(lny: np.ndarray, regions: list[str], start: int) -> SteadyStates:
    """Fit the pooled AR(1) with region effects by the within estimator.

    Parameters
    ----------
    lny : float64[T+1, R]
        Log income per capita of the years ``start .. start + T``.
    regions : list of str
        Region names (columns of ``lny``).
    start : int
        First calendar year.

    Returns
    -------
    SteadyStates

    Raises
    ------
    ConfigError
        If relative income does not vary within regions (``rho`` is not identified) or the
        estimate is not a stationary persistence (``rho >= 1``: no steady state).
    """
    lny = np.asarray(lny, dtype=float)
    n_years, R = lny.shape
    T = n_years - 1
    x = lny - lny.mean(axis=1, keepdims=True)
    lag = x[:-1].T.reshape(-1)  # region-major: region i, years 0..T-1
    lead = x[1:].T.reshape(-1)
    dummies = np.kron(np.eye(R), np.ones((T, 1)))
    exog = np.column_stack([lag, dummies])
    within = lag - np.repeat(lag.reshape(R, T).mean(axis=1), T)
    if float(within @ within) <= 1e-20 * max(1.0, float(lag @ lag)):
        raise ConfigError(
            "steady states",
            "relative income constant within every region",
            "a window in which relative incomes move (rho is not identified otherwise)",
        )
    groups = np.repeat(np.arange(R), T)
    fit = sm.OLS(lead, exog).fit(cov_type="cluster", cov_kwds={"groups": groups})
    rho = float(fit.params[0])
    if not rho < 1.0:
        raise ConfigError(
            "steady states",
            f"rho = {rho:.4f}",
            "a persistence below 1 (relative incomes drift apart in this window: no steady state)",
        )
    mu = np.asarray(fit.params[1:], dtype=float)
    ln_ystar = mu / (1.0 - rho)
    return SteadyStates(
        regions=tuple(regions),
        start=int(start),
        end=int(start) + T,
        rho=rho,
        rho_se=float(fit.bse[0]),
        ln_ystar=ln_ystar - ln_ystar.mean(),
        n_obs=int(R * T),
    )
