r"""Method of simulated moments (MSM) for ``sigma``, ``sigma_common``, ``g`` and ``lambda0``.

Method
------
1. The scenario starts from the observed cross-section of the first year ``Y0`` (income
   per capita and population of ``Y0``; group, specialisation and lat/lon of the panel,
   see :mod:`mccoord.calibration.panels`) and runs the baseline mix (every mechanism 0)
   for ``T = Y1 - Y0`` years. All other model keys keep their MODEL.md defaults (or
   the ``params=`` overrides).
2. The moments of :mod:`mccoord.calibration.moments` (sigma at a few evenly spaced
   years, the beta slope over ``[Y0, Y1]``, mean national growth and the standard
   deviation of yearly national growth) are computed on the observed panel (``m``)
   and on every one of ``S`` simulated paths (``m_s(theta)``);
   ``mbar(theta) = mean_s m_s(theta)``.
3. Common random numbers: every evaluation uses the same seed, so path ``s`` sees the
   same shocks for every ``theta`` and ``mbar`` is a (nearly) smooth function of
   ``theta``.
4. The estimate minimises ``J(theta) = (m - mbar)' W (m - mbar)`` with the diagonal
   ``W = diag(1 / Sigma_kk)``, ``Sigma`` the across-path covariance of ``m_s`` (the
   model's own sampling variance of one observed panel). Two steps: ``W`` from the
   starting values, then re-estimated at the first-step estimate. Nelder-Mead
   (scipy) on the transformed vector ``(ln sigma, ln sigma_common, g / 0.02,
   logit(lambda0 / lambda_max))``, ``lambda_max = 1 - lambda_c`` (explicit-Euler
   stability, :mod:`mccoord.stability`), so every trial value is admissible.
5. Standard errors. The observed moment vector is one draw with covariance
   ``Sigma`` and the simulated mean adds ``Sigma / S``, so with ``D`` the ``K x 4``
   Jacobian ``d mbar / d theta`` (central finite differences with common random
   numbers, one-sided at a bound) the sandwich formula is

   .. math::

      V(\hat\theta) = (1 + 1/S)\,(D'WD)^{-1} D'W\,\Sigma\,WD\,(D'WD)^{-1},

   with ``Sigma`` (full matrix) and ``D`` evaluated at the estimate. The reported
   Monte Carlo standard error of a simulated moment is ``sqrt(Sigma_kk / S)``; the
   ``t`` column is ``(m_k - mbar_k) / sqrt((1 + 1/S) Sigma_kk)``.

Incomes of the shipped panels are nominal, so the fitted ``g`` is a nominal trend
(TFP trend plus inflation, in the model's units).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import ConfigError
from ..params import MECHANISMS, validate_params
from ..scenario import Scenario, load_scenario, scenario_from_table
from ..simulate import simulate
from .moments import moment_matrix, moment_names
from .panels import Panel, load_panel

__all__ = ["PARAMETERS", "DEFAULT_SEED", "CalibrationResult", "calibrate", "initial_scenario"]

#: Estimated model keys, in the order of the parameter vector.
PARAMETERS: tuple[str, ...] = ("sigma", "sigma_common", "g", "lambda0")
DEFAULT_SEED = 20241129
DEFAULT_PATHS = 500
_G_SCALE = 0.02
_LOG_MIN, _LOG_MAX = math.log(1e-4), math.log(1.99)
_SE_STEP = {"sigma": 2e-3, "sigma_common": 2e-3, "g": 1e-3, "lambda0": 2e-3}


@dataclass
class CalibrationResult:
    """Outcome of :func:`calibrate`.

    Attributes
    ----------
    data : str
        Panel name.
    start, end : int
        Calibration window ``[Y0, Y1]``.
    estimates, se : dict
        Fitted values and standard errors of ``sigma, sigma_common, g, lambda0``.
    cov : pandas.DataFrame
        Sandwich covariance of the estimates.
    moments : pandas.DataFrame
        Index = moment; columns ``observed, simulated, mc_se, model_sd, t, weight``.
    objective : float
        ``J`` at the estimate.
    paths, seed, n_sigma : int
        Simulation settings of the calibration.
    fixed : dict
        Model-key overrides held fixed (on top of MODEL.md defaults).
    panel : Panel
        The observed panel.
    scenario : Scenario
        The ``Y0`` scenario with the fitted parameters.
    n_evaluations : int
        Objective evaluations used.
    converged : bool
        Whether both Nelder-Mead runs met their tolerances.
    """

    data: str
    start: int
    end: int
    estimates: dict[str, float]
    se: dict[str, float]
    cov: pd.DataFrame
    moments: pd.DataFrame
    objective: float
    paths: int
    seed: int
    n_sigma: int
    fixed: dict[str, float]
    panel: Panel = field(repr=False)
    scenario: Scenario = field(repr=False)
    n_evaluations: int = 0
    converged: bool = True

    @property
    def params(self) -> dict[str, float]:
        """The model overrides of the fitted model: ``fixed`` plus the estimates."""
        return {**self.fixed, **self.estimates}

    @property
    def nominal(self) -> bool | None:
        return self.panel.nominal

    def parameter_table(self) -> pd.DataFrame:
        """Estimates, standard errors and MODEL.md defaults."""
        defaults = validate_params({})
        return pd.DataFrame(
            {
                "estimate": [self.estimates[k] for k in PARAMETERS],
                "se": [self.se[k] for k in PARAMETERS],
                "default": [defaults[k] for k in PARAMETERS],
            },
            index=pd.Index(PARAMETERS, name="parameter"),
        )

    def summary(self) -> str:
        """A readable report."""
        lines = [
            f"{self.data}: method of simulated moments on {self.start}-{self.end} "
            f"({self.end - self.start} years, {self.panel.income.shape[0]} regions), "
            f"baseline mix, {self.paths} paths, seed {self.seed}, common random numbers",
            "",
            "parameter      estimate        SE   default",
        ]
        for k, row in self.parameter_table().iterrows():
            lines.append(f"{k:<12} {row.estimate:10.5f} {row.se:9.5f} {row.default:9.4f}")
        lines += ["", "moment          observed  simulated     MC SE  model sd       t"]
        for k, row in self.moments.iterrows():
            lines.append(
                f"{k:<13} {row.observed:10.5f} {row.simulated:10.5f} {row.mc_se:9.5f} "
                f"{row.model_sd:9.5f} {row.t:7.2f}"
            )
        lines.append("")
        lines.append(
            f"J = {self.objective:.4f} with W = diag(1/model sd^2); {self.n_evaluations} "
            f"evaluations{'' if self.converged else ' (Nelder-Mead did NOT converge)'}"
        )
        lines.append(
            "SE: sandwich (1+1/S)(D'WD)^-1 D'W Sigma W D (D'WD)^-1, D = numerical Jacobian "
            "of the simulated moments, Sigma = their across-path covariance"
        )
        if self.panel.nominal:
            lines.append(
                f"Incomes are nominal ({self.panel.currency}, current prices): g is a "
                "NOMINAL trend (inflation included)."
            )
        elif self.panel.nominal is None:
            lines.append("If the incomes are nominal, g is a nominal trend (inflation included).")
        return "\n".join(lines)

    def to_scenario(
        self, path: str | Path, *, name: str | None = None, years: int = 30, sim_paths: int = 1000
    ) -> Path:
        """Write a scenario TOML with base year ``end`` and the fitted ``[model]``.

        The regions CSV of year ``end`` is written beside it as
        ``<stem>_regions_<end>.csv``. Nothing is overwritten.

        Returns
        -------
        pathlib.Path
            The TOML path (loadable with :func:`mccoord.load_scenario`).

        Raises
        ------
        ConfigError
            If the TOML or the CSV exists already, or the path does not end in ``.toml``.
        """
        path = Path(path)
        csv = check_scenario_destination(path, self.end)
        name = name or f"{self.data}-calibrated"
        self.panel.cross_section(self.end).to_csv(csv, index=False)
        defaults = validate_params({})
        model_lines = [
            f"{k} = {self.estimates[k]!r}  # SE {self.se[k]:.3g}, default {defaults[k]!r}" for k in PARAMETERS
        ]
        model_lines += [f"{k} = {v!r}  # held fixed" for k, v in self.fixed.items() if k not in PARAMETERS]
        nominal = (
            "; incomes are nominal, so g is a NOMINAL trend (inflation included)"
            if self.panel.nominal
            else ""
        )
        desc = f"{self.data} calibrated on {self.start}-{self.end} by simulated moments; base year {self.end}"
        text = "\n".join(
            [
                f"# Written by mccoord calibrate ({datetime.now(UTC).isoformat(timespec='seconds')}).",
                f"# Method of simulated moments on {self.start}-{self.end}, {self.paths} paths, seed "
                f"{self.seed}, J = {self.objective:.4g}{nominal}.",
                "",
                "[scenario]",
                f"name = {json.dumps(name)}",
                f"description = {json.dumps(desc)}",
                f"base_year = {int(self.end)}",
                f"currency = {json.dumps(self.panel.currency)}",
                f"regions = {json.dumps(csv.name)}",
                "",
                "[simulation]",
                f"years = {int(years)}",
                f"paths = {int(sim_paths)}",
                f"seed = {int(self.seed)}",
                "substeps = 1",
                "record_every = 1",
                "target_reduction = 0.25",
                "quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]",
                "",
                "[model]",
                *model_lines,
                "",
                "[mechanisms]",
                *[f"{m} = [0.0, 1.0]" for m in MECHANISMS],
                "",
            ]
        )
        path.write_text(text, encoding="utf-8")
        load_scenario(path)  # must load; raises ConfigError otherwise
        return path


def initial_scenario(
    panel: Panel, year: int, *, years: int, seed: int, params: dict[str, float] | None = None
) -> Scenario:
    """The scenario that starts from the observed cross-section of ``year``."""
    return scenario_from_table(
        panel.cross_section(year),
        name=f"{panel.name}-{year}",
        years=int(years),
        seed=int(seed),
        **(params or {}),
    )


class _Objective:
    """Simulated moments as a function of the parameter vector (common random numbers)."""

    def __init__(
        self,
        scenario: Scenario,
        observed: np.ndarray,
        *,
        paths: int,
        seed: int,
        years: int,
        n_sigma: int,
        fixed: dict[str, float],
    ):
        self.scenario = scenario
        self.observed = observed
        self.paths, self.seed, self.years, self.n_sigma = paths, seed, years, n_sigma
        self.fixed = fixed
        base = validate_params(fixed)
        self.lambda_max = max(1e-6, 1.0 - base["lambda_c"] - 1e-9)
        self.n_eval = 0

    def natural(self, x: np.ndarray) -> np.ndarray:
        # Clipped so that the objective is flat (and Nelder-Mead stops) far in the tails.
        sig = math.exp(float(np.clip(x[0], _LOG_MIN, _LOG_MAX)))
        sc = math.exp(float(np.clip(x[1], _LOG_MIN, _LOG_MAX)))
        g = float(np.clip(_G_SCALE * x[2], -0.99, 0.99))
        lam = self.lambda_max / (1.0 + math.exp(-float(np.clip(x[3], -12.0, 12.0))))
        return np.array([sig, sc, g, lam])

    def transformed(self, theta: np.ndarray) -> np.ndarray:
        sig, sc, g, lam = theta
        p = min(max(lam / self.lambda_max, 1e-9), 1 - 1e-9)
        return np.array(
            [math.log(max(sig, 1e-4)), math.log(max(sc, 1e-4)), g / _G_SCALE, math.log(p / (1 - p))]
        )

    def per_path(self, theta: np.ndarray) -> np.ndarray:
        """Moments of every valid path, ``(S, K)``, at natural parameters ``theta``."""
        self.n_eval += 1
        params = {**self.fixed, **dict(zip(PARAMETERS, map(float, theta), strict=True))}
        ds = simulate(self.scenario, None, paths=self.paths, seed=self.seed, years=self.years, params=params)
        m = moment_matrix(ds["ln_y"].values, ds["L"].values, self.n_sigma)
        return m[np.isfinite(m).all(axis=1)]

    def value(self, x: np.ndarray, weight: np.ndarray) -> float:
        m = self.per_path(self.natural(x))
        if len(m) < max(2, self.paths // 2):
            return 1e12
        d = self.observed - m.mean(axis=0)
        return float(np.sum(weight * d * d))


def _weights(m: np.ndarray) -> np.ndarray:
    var = m.var(axis=0, ddof=1)
    floor = 1e-12 + 1e-8 * np.abs(m.mean(axis=0)) ** 2
    return 1.0 / np.maximum(var, floor)


def _jacobian(obj: _Objective, theta: np.ndarray, base: np.ndarray) -> np.ndarray:
    K, P = base.shape[0], len(theta)
    D = np.empty((K, P))
    for j, key in enumerate(PARAMETERS):
        h = max(0.05 * abs(theta[j]), _SE_STEP[key])
        lo = 0.0 if key != "g" else -0.99
        hi = obj.lambda_max if key == "lambda0" else (0.99 if key == "g" else 1.99)
        up, dn = theta.copy(), theta.copy()
        up[j] = min(theta[j] + h, hi)
        dn[j] = max(theta[j] - h, lo)
        m_up = obj.per_path(up).mean(axis=0) if up[j] != theta[j] else base
        m_dn = obj.per_path(dn).mean(axis=0) if dn[j] != theta[j] else base
        D[:, j] = (m_up - m_dn) / (up[j] - dn[j])
    return D


def calibrate(
    data: str | Path | pd.DataFrame | Panel,
    start: int,
    end: int,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    n_sigma: int = 3,
    params: dict[str, float] | None = None,
    maxfev: int = 400,
) -> CalibrationResult:
    """Estimate ``sigma, sigma_common, g, lambda0`` by simulated moments on ``[start, end]``.

    Parameters
    ----------
    data
        ``"china"``, ``"us"``, a CSV path or a long DataFrame
        (see :mod:`mccoord.calibration.panels`), or a :class:`Panel`.
    start, end : int
        First and last year ``Y0 < Y1`` (at least 3 years apart).
    paths : int
        Simulated paths per evaluation ``S``.
    seed : int
        Seed of the common random numbers.
    n_sigma : int
        Number of evenly spaced years at which sigma is matched.
    params : dict, optional
        Other model keys held fixed (MODEL.md section 7), e.g. ``{"alpha": 0.35}``.
    maxfev : int
        Largest number of objective evaluations per Nelder-Mead step.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ConfigError
        On bad data, years outside the panel, or a window shorter than 3 years.
    """
    panel = load_panel(data)
    start, end = panel.check_years(start, end, field="calibration years")
    for label, v in (("paths", paths), ("n_sigma", n_sigma), ("maxfev", maxfev)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < (10 if label == "paths" else 1):
            raise ConfigError(label, v, "a positive whole number" + (" >= 10" if label == "paths" else ""))
    fixed = {k: v for k, v in (params or {}).items() if k not in PARAMETERS}
    validate_params(fixed, where="params")
    T = end - start
    lny, L = panel.window(start, end)
    observed = moment_matrix(lny, L, n_sigma)[0]
    names = moment_names(start, end, n_sigma)
    scenario = initial_scenario(panel, start, years=T, seed=seed, params=fixed)
    obj = _Objective(
        scenario, observed, paths=int(paths), seed=int(seed), years=T, n_sigma=n_sigma, fixed=fixed
    )

    alpha = validate_params(fixed)["alpha"]
    theta0 = np.array(
        [
            0.03,
            max(0.003, float(observed[-1])),
            float(np.clip(observed[-2] * (1 - alpha), -0.5, 0.5)),
            min(0.05, 0.5 * obj.lambda_max),
        ]
    )
    x = obj.transformed(theta0)
    converged = True
    for _ in range(2):  # two-step: W at the start values, then at the first-step estimate
        weight = _weights(obj.per_path(obj.natural(x)))
        simplex = np.vstack([x] + [x + 0.4 * np.eye(4)[j] for j in range(4)])
        res = optimize.minimize(
            obj.value,
            x,
            args=(weight,),
            method="Nelder-Mead",
            options={"initial_simplex": simplex, "maxfev": int(maxfev), "xatol": 2e-3, "fatol": 1e-4},
        )
        converged &= bool(res.success)
        x = res.x
    theta = obj.natural(x)
    m = obj.per_path(theta)
    S = len(m)
    mbar = m.mean(axis=0)
    Sigma = np.atleast_2d(np.cov(m, rowvar=False))
    W = np.diag(weight)  # the second-step weights the estimate minimises
    D = _jacobian(obj, theta, mbar)
    bread = np.linalg.pinv(D.T @ W @ D)
    V = (1.0 + 1.0 / S) * bread @ D.T @ W @ Sigma @ W @ D @ bread
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))
    diff = observed - mbar
    moments = pd.DataFrame(
        {
            "observed": observed,
            "simulated": mbar,
            "mc_se": np.sqrt(np.diag(Sigma) / S),
            "model_sd": np.sqrt(np.diag(Sigma)),
            "t": diff / np.sqrt((1.0 + 1.0 / S) * np.diag(Sigma)),
            "weight": weight,
        },
        index=pd.Index(names, name="moment"),
    )
    estimates = dict(zip(PARAMETERS, map(float, theta), strict=True))
    return CalibrationResult(
        data=panel.name,
        start=start,
        end=end,
        estimates=estimates,
        se=dict(zip(PARAMETERS, map(float, se), strict=True)),
        cov=pd.DataFrame(V, index=list(PARAMETERS), columns=list(PARAMETERS)),
        moments=moments,
        objective=float(np.sum(weight * diff * diff)),
        paths=int(paths),
        seed=int(seed),
        n_sigma=int(n_sigma),
        fixed=fixed,
        panel=panel,
        scenario=scenario.with_overrides(**estimates),
        n_evaluations=obj.n_eval,
        converged=converged,
    )


def check_scenario_destination(path: Path, end: int) -> Path:
    """Refuse a scenario destination before any work; return the regions CSV path beside it.

    Raises
    ------
    ConfigError
        If ``path`` does not end in ``.toml``, its directory does not exist, or the TOML
        or its regions CSV (``STEM_regions_END.csv``) exists already.
    """
    path = Path(path)
    if path.suffix != ".toml":
        raise ConfigError("--out", str(path), "a path ending in .toml")
    csv = path.with_name(f"{path.stem}_regions_{end}.csv")
    for p in (path, csv):
        if p.exists():
            raise ConfigError("--out", str(p), "a path that does not exist yet (nothing is overwritten)")
    if not path.parent.is_dir():
        raise ConfigError("--out", str(path), "a path in an existing directory")
    return csv
