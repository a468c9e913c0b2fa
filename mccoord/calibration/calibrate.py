r"""Fitting a scenario to a panel: MODEL.md section 9 (model v2) or the v1 subset.

Method (``model="v2"``, the default)
-----------------------------------
1. **Steady states** (:mod:`.steady_state`): pooled AR(1) of relative log income with
   region effects on the training window ``[Y0, Y1]``, within estimator;
   ``ln y*_i = mu_i / (1 - rho)``.
2. **Regime hazards** (:mod:`.regimes`): from a long record given by ``regimes``
   (default the US 1929-1989 record), held fixed in the fit; a backtest refuses a record
   that overlaps its test years.
3. **Simulated moments**: the scenario starts from the observed ``Y0`` cross-section
   (with the steady-state column) and runs the baseline mix (every mechanism 0) for
   ``T = Y1 - Y0`` years. The moments of :mod:`.moments` (sigma at ``n_sigma`` evenly
   spaced years, the beta slope, mean and sd of national growth, mean cross-region sd
   of yearly relative growth) are computed on the panel (``m``) and on each of ``S``
   paths (``m_s``); every evaluation uses the same seed (common random numbers). The
   estimate of ``theta = (sigma, sigma_common, g, lambda0, rho_a[, phi])`` minimises
   ``J = (m - mbar)' W (m - mbar)``, ``W = diag(1 / Sigma_kk)`` with ``Sigma`` the
   across-path covariance of ``m_s``: two steps (``W`` at the start values, then at the
   first-step estimate), each a trust-region least-squares search (scipy
   ``least_squares``, forward differences) in the coordinates of
   :class:`.objective.Parameterisation`, so every trial is admissible and stable.
4. **Scale of the steady states** ``phi`` (``ln y*_i <- phi ln y*_i``): after the fit of
   the five keys at ``phi = 1``, the sandwich of ``(theta, phi)`` at that estimate gives
   the standard error of ``phi``. If it is at most :data:`PHI_SE_MAX` (0.25: the data pin
   the dispersion of the steady states to within about half its size at 95%), ``phi`` is
   identified and fitted with the others (one more step); otherwise it stays at 1. A
   ``phi`` the moments do not move at all (``rho_a = 0``) has an infinite standard error.
5. **Standard errors** (sandwich). The observed moments are one draw with covariance
   ``Sigma`` and the simulated mean adds ``Sigma / S``; with ``D`` the Jacobian
   ``d mbar / d theta`` (central differences with common random numbers, one-sided at a
   bound)

   .. math::

      V = (1 + 1/S)\,(D'WD)^{-1} D'W\,\Sigma\,WD\,(D'WD)^{-1}.

   The block of ``V`` over the five model keys is the ``calibrated`` entry of the
   written scenario's ``[uncertainty]`` table (MODEL.md section 10), with each standard
   deviation capped at that of a uniform distribution over the key's admissible range
   (:meth:`CalibrationResult.calibrated_block`).

``model="v1"`` fits ``sigma, sigma_common, g, lambda0`` only, with no steady states,
``rho_a = 0`` and the regime switched off (v2 with the new keys at their defaults).

Incomes of the shipped panels are nominal, so the fitted ``g`` is a nominal trend (TFP
trend plus inflation, in the model's units).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import ConfigError
from ..params import validate_params
from ..scenario import Scenario, scenario_from_table
from .moments import moment_matrix, moment_names
from .objective import PHI, Parameterisation, SimulatedMoments
from .panels import Panel, load_panel
from .regimes import DEFAULT_REGIME_SOURCE, RegimeHazards, regime_hazards
from .steady_state import SteadyStates, check_dispersion, estimate_steady_states

__all__ = [
    "PARAMETERS",
    "PARAMETERS_V1",
    "MODELS",
    "DEFAULT_SEED",
    "DEFAULT_PATHS",
    "DEFAULT_N_SIGMA",
    "OUTPUT_KEYS",
    "PHI_SE_MAX",
    "XTOL",
    "CalibrationResult",
    "calibrate",
    "initial_scenario",
]

#: Model keys fitted by ``model="v2"``, in the order of the parameter vector and of the
#: scenario's ``calibrated`` block.
PARAMETERS: tuple[str, ...] = ("sigma", "sigma_common", "g", "lambda0", "rho_a")
#: Model keys fitted by ``model="v1"``.
PARAMETERS_V1: tuple[str, ...] = ("sigma", "sigma_common", "g", "lambda0")
MODELS: tuple[str, ...] = ("v2", "v1")
#: Model keys that v1 holds at their defaults (v2 with them at the defaults is v1).
V2_KEYS: tuple[str, ...] = ("rho_a", "regime_exit", "regime_entry", "regime0")
#: Model keys a v2 calibration writes (fitted or estimated); a template's values of
#: these are replaced, never held fixed.
OUTPUT_KEYS: tuple[str, ...] = (*PARAMETERS, "regime_exit", "regime_entry", "regime0")
DEFAULT_SEED = 20241129
DEFAULT_PATHS = 400
DEFAULT_N_SIGMA = 4
#: Largest standard error of ``phi`` for which it counts as identified.
PHI_SE_MAX = 0.25
#: Stopping rules of the least-squares search (scipy ``least_squares``, trust region) in
#: the unconstrained coordinates ``x``: the last step ``dx`` is below
#: ``XTOL * (XTOL + |x|)``, or the relative change of ``J`` below ``FTOL``, or the scaled
#: gradient below ``GTOL``. ``J`` is of the order of the number of moments, so changes
#: of ``1e-4 J`` are far below its sampling noise.
XTOL, FTOL, GTOL = 1e-3, 1e-4, 1e-6
#: Relative step of the forward differences of the search (``h = DIFF_STEP * max(1, |x|)``):
#: large enough to average over the few discrete events (defections) that move with the
#: parameters under common random numbers.
DIFF_STEP = 1e-2
_SE_STEP = {"sigma": 2e-3, "sigma_common": 2e-3, "g": 1e-3, "lambda0": 2e-3, "rho_a": 2e-3, PHI: 2e-2}


@dataclass
class CalibrationResult:
    """Outcome of :func:`calibrate`.

    Attributes
    ----------
    data : str
        Panel name.
    start, end : int
        Calibration window ``[Y0, Y1]``.
    model : str
        ``"v2"`` or ``"v1"``.
    estimates, se : dict
        Fitted values and standard errors of the fitted keys (``phi`` included when it
        was identified).
    cov : pandas.DataFrame
        Sandwich covariance of the fitted keys.
    moments : pandas.DataFrame
        Index = moment; columns ``observed, simulated, mc_se, model_sd, t, weight``.
    objective : float
        ``J`` at the estimate.
    paths, seed, n_sigma : int
        Simulation settings of the calibration.
    fixed : dict
        Model keys held fixed (overrides of the MODEL.md defaults, the regime keys
        included).
    steady : SteadyStates or None
        Within-estimator steady states (v2).
    phi : float
        Scale of the steady states used (1 when not identified).
    phi_identified : bool
        Whether ``phi`` was fitted (see :data:`PHI_SE_MAX`).
    phi_check_se : float or None
        Standard error of ``phi`` at ``phi = 1`` in the sandwich of ``(theta, phi)`` at the
        estimate: the identification check (v2).
    regimes : RegimeHazards or None
        Where the regime hazards come from (v2).
    panel : Panel
    scenario : Scenario
        The ``Y0`` scenario with the fitted parameters.
    n_evaluations : int
        Simulations run (objective, weights and Jacobian).
    converged : bool
        Whether every least-squares step met a stopping rule before its evaluation limit.
    ranges : dict
        Admissible interval of each fitted key on its own (``lambda0`` and ``rho_a``
        share the stability budget, so each may use all of it).
    at_bound : tuple of str
        Fitted keys that ended at a bound of their admissible range (0, or the stability
        budget for ``lambda0 + rho_a``): their sampling distribution is not normal and
        the sandwich standard error, from a one-sided difference, is only indicative.
    """

    data: str
    start: int
    end: int
    model: str
    estimates: dict[str, float]
    se: dict[str, float]
    cov: pd.DataFrame
    moments: pd.DataFrame
    objective: float
    paths: int
    seed: int
    n_sigma: int
    fixed: dict[str, float]
    steady: SteadyStates | None
    phi: float
    phi_identified: bool
    phi_check_se: float | None
    regimes: RegimeHazards | None
    panel: Panel = field(repr=False)
    scenario: Scenario = field(repr=False)
    n_evaluations: int = 0
    converged: bool = True
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    at_bound: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Fitted model keys (``phi`` excluded), in vector order."""
        return PARAMETERS if self.model == "v2" else PARAMETERS_V1

    @property
    def params(self) -> dict[str, float]:
        """Model overrides of the fitted model: ``fixed`` plus the fitted model keys."""
        return {**self.fixed, **{k: self.estimates[k] for k in self.keys}}

    @property
    def nominal(self) -> bool | None:
        return self.panel.nominal

    @property
    def capped(self) -> dict[str, float]:
        """Keys whose standard error exceeds :func:`sd_cap` of their range, with the factor applied."""
        out = {}
        for k in self.keys:
            cap = sd_cap(*self.ranges[k]) if k in self.ranges else math.inf
            if self.se[k] > cap:
                out[k] = cap / self.se[k] if math.isfinite(self.se[k]) else 0.0
        return out

    def calibrated_block(self) -> dict[str, list]:
        """The ``calibrated`` entry of ``[uncertainty]``: keys, mean and covariance.

        The covariance is the block of the sandwich over the fitted model keys
        (marginalising ``phi``), symmetrised, with the standard deviation of each key capped
        at :func:`sd_cap` of its admissible range and the correlations kept. A normal wider
        than a uniform over the whole range says no more than "anywhere in the range", and
        the redraw rule of MODEL.md section 10 would reject most of its draws.
        """
        keys = list(self.keys)
        cov = self.cov.loc[keys, keys].to_numpy()
        cov = 0.5 * (cov + cov.T)
        scale = np.array([self.capped.get(k, 1.0) for k in keys])
        unseen = ~np.isfinite(np.diag(cov))
        cov[unseen, :] = cov[:, unseen] = 0.0
        cov = cov * np.outer(scale, scale)
        for i in np.flatnonzero(unseen):  # no information: the cap itself, uncorrelated
            cov[i, i] = sd_cap(*self.ranges[keys[i]]) ** 2
        return {"keys": keys, "mean": [self.estimates[k] for k in keys], "cov": cov.tolist()}

    def steady_state_column(self, regions: list[str] | None = None) -> np.ndarray | None:
        """``exp(phi ln y*_i)`` in the order of ``regions`` (default the panel's)."""
        if self.steady is None:
            return None
        col = pd.Series(self.steady.column(self.phi), index=list(self.steady.regions))
        return col.reindex(regions or list(self.steady.regions)).to_numpy()

    def parameter_table(self) -> pd.DataFrame:
        """Estimates, standard errors and MODEL.md defaults."""
        defaults = validate_params({})
        names = list(self.estimates)
        return pd.DataFrame(
            {
                "estimate": [self.estimates[k] for k in names],
                "se": [self.se[k] for k in names],
                "default": [defaults.get(k, 1.0) for k in names],
            },
            index=pd.Index(names, name="parameter"),
        )

    def summary(self) -> str:
        """A readable report."""
        lines = [
            f"{self.data}: model {self.model}, method of simulated moments on {self.start}-{self.end} "
            f"({self.end - self.start} years, {self.panel.income.shape[0]} regions), "
            f"baseline mix, {self.paths} paths, seed {self.seed}, common random numbers",
        ]
        if self.steady is not None:
            lines.append(self.steady.summary())
            if self.phi_identified:
                lines.append(
                    f"phi identified (SE {self.phi_check_se:.3f} at phi = 1, at most {PHI_SE_MAX}): "
                    f"fitted, phi = {self.phi:.4f}"
                )
            else:
                lines.append(
                    f"phi not identified (SE {self.phi_check_se:.3f} at phi = 1, above {PHI_SE_MAX}): "
                    "left at 1"
                )
        if self.regimes is not None:
            lines.append(self.regimes.summary())
        lines += ["", "parameter      estimate        SE   default"]
        for k, row in self.parameter_table().iterrows():
            flag = "  at a bound: SE one-sided, only indicative" if k in self.at_bound else ""
            lines.append(f"{k:<12} {row.estimate:10.5f} {row.se:9.5f} {row.default:9.4f}{flag}")
        for k, f in self.capped.items():
            lo, hi = self.ranges[k]
            how = f"x{f:.3f}, correlations kept" if f > 0 else "no information: uncorrelated"
            lines.append(
                f"calibrated block: SD of {k} capped at (high - low)/sqrt(12) = {sd_cap(lo, hi):.4f} of its "
                f"range [{lo:g}, {hi:g}] ({how})"
            )
        lines += ["", "moment          observed  simulated     MC SE  model sd       t"]
        for k, row in self.moments.iterrows():
            lines.append(
                f"{k:<13} {row.observed:10.5f} {row.simulated:10.5f} {row.mc_se:9.5f} "
                f"{row.model_sd:9.5f} {row.t:7.2f}"
            )
        lines.append("")
        lines.append(
            f"J = {self.objective:.4f} with W = diag(1/model sd^2); {self.n_evaluations} "
            f"simulations{'' if self.converged else ' (the search did NOT converge: evaluation limit)'}"
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


def sd_cap(low: float, high: float) -> float:
    """Standard deviation of a uniform distribution on ``[low, high]``: ``(high - low) / sqrt(12)``."""
    return (high - low) / math.sqrt(12.0)


def initial_scenario(
    panel: Panel,
    year: int,
    *,
    years: int,
    seed: int,
    params: dict[str, float] | None = None,
    steady_state: np.ndarray | None = None,
) -> Scenario:
    """The scenario that starts from the observed cross-section of ``year``.

    Parameters
    ----------
    panel : Panel
    year : int
        Calendar year of the start.
    years : int
        Horizon [years].
    seed : int
    params : dict, optional
        Model keys.
    steady_state : float64[R], optional
        ``steady_state`` column in the panel's region order.
    """
    table = panel.cross_section(year)
    if steady_state is not None:
        table["steady_state"] = np.asarray(steady_state, dtype=float)
    return scenario_from_table(
        table, name=f"{panel.name}-{year}", years=int(years), seed=int(seed), **(params or {})
    )


def _weights(m: np.ndarray) -> np.ndarray:
    var = m.var(axis=0, ddof=1)
    floor = 1e-12 + 1e-8 * np.abs(m.mean(axis=0)) ** 2
    return 1.0 / np.maximum(var, floor)


def _start_values(observed: np.ndarray, keys: tuple[str, ...], alpha: float, rho: float | None) -> dict:
    """Start of the search from the observed moments (see the moment definitions)."""
    growth, sd_growth, sd_rel = observed[-3], observed[-2], observed[-1]
    start = {
        "sigma": float(np.clip(sd_rel, 0.003, 0.5)),
        "sigma_common": float(np.clip(sd_growth, 0.003, 0.5)),
        "g": float(np.clip(growth * (1 - alpha), -0.5, 0.5)),
        "lambda0": 0.02,
        "rho_a": float(np.clip(1.0 - rho, 0.01, 0.5)) if rho is not None else 0.0,
        PHI: 1.0,
    }
    return {k: start[k] for k in keys}


class _Fit:
    """A two-step least-squares fit of ``keys`` (see the module docstring)."""

    def __init__(
        self, sim: SimulatedMoments, observed: np.ndarray, keys, fixed, substeps: int, maxfev: int, say
    ):
        self.sim, self.observed, self.keys, self.maxfev = sim, observed, tuple(keys), int(maxfev)
        self.map = Parameterisation.for_keys(self.keys, fixed, substeps)
        self.say = say

    def values(self, x: np.ndarray, extra: dict | None = None) -> dict[str, float]:
        return {**(extra or {}), **self.map.natural(x)}

    def run(self, start: dict[str, float], extra: dict | None = None, steps: int = 2):
        """Minimise ``J`` from ``start``; ``W`` is re-estimated at the start of each step.

        Returns
        -------
        tuple
            ``(estimates, W of the last step, converged)``.
        """
        x = self.map.unconstrained(start)
        converged = True
        weight = None
        K = len(self.observed)
        for step in range(1, steps + 1):
            weight = _weights(self.sim.per_path(self.values(x, extra)))
            root_w = np.sqrt(weight)
            count = [0]

            def residuals(z, root_w=root_w, count=count, step=step):
                count[0] += 1
                if count[0] % 50 == 0:
                    self.say(f"  step {step}: {count[0]} simulations")
                m = self.sim.per_path(self.values(z, extra))
                if len(m) < max(2, self.sim.paths // 2):
                    return np.full(K, 1e6)
                return root_w * (m.mean(axis=0) - self.observed)

            res = optimize.least_squares(
                residuals,
                x,
                method="trf",
                diff_step=DIFF_STEP,
                xtol=XTOL,
                ftol=FTOL,
                gtol=GTOL,
                max_nfev=self.maxfev,
            )
            converged &= bool(res.status > 0)
            x = res.x
            self.say(
                f"  step {step}: {count[0]} simulations, J = {2 * res.cost:.4f}"
                f"{'' if res.status > 0 else ' (stopped at the evaluation limit)'}"
            )
        return self.map.natural(x), weight, converged


def _sandwich(sim: SimulatedMoments, fmap: Parameterisation, theta: dict, weight: np.ndarray, extra: dict):
    """Moments at the estimate and the sandwich covariance of ``theta``."""
    m = sim.per_path({**extra, **theta})
    S = len(m)
    mbar = m.mean(axis=0)
    Sigma = np.atleast_2d(np.cov(m, rowvar=False))
    keys = list(theta)
    D = np.empty((len(mbar), len(keys)))
    for j, key in enumerate(keys):
        lo, hi = fmap.bounds(key, theta)
        step = max(0.05 * abs(theta[key]), _SE_STEP[key])
        up, dn = dict(theta), dict(theta)
        up[key] = min(theta[key] + step, hi)
        dn[key] = max(theta[key] - step, lo)
        m_up = sim.per_path({**extra, **up}).mean(axis=0) if up[key] != theta[key] else mbar
        m_dn = sim.per_path({**extra, **dn}).mean(axis=0) if dn[key] != theta[key] else mbar
        D[:, j] = (m_up - m_dn) / (up[key] - dn[key])
    W = np.diag(weight)
    info = D.T @ W @ D
    # A key the moments do not move at all (e.g. phi when rho_a = 0) has no information:
    # infinite variance, no covariance; the others get the sandwich of the rest.
    seen = np.diag(info) > 1e-12 * max(float(np.max(np.diag(info))), 1e-300)
    V = np.zeros((len(keys), len(keys)))
    bread = np.linalg.pinv(info[np.ix_(seen, seen)])
    Ds = D[:, seen]
    V[np.ix_(seen, seen)] = (1.0 + 1.0 / S) * bread @ Ds.T @ W @ Sigma @ W @ Ds @ bread
    V[~seen, ~seen] = np.inf
    return m, mbar, Sigma, V


def calibrate(
    data: str | Path | pd.DataFrame | Panel,
    start: int,
    end: int,
    *,
    model: str = "v2",
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    n_sigma: int = DEFAULT_N_SIGMA,
    params: dict[str, float] | None = None,
    regimes: tuple[str, int, int] | RegimeHazards | None = None,
    maxfev: int = 100,
    progress=None,
) -> CalibrationResult:
    """Fit the model to the panel on ``[start, end]`` (MODEL.md section 9).

    Parameters
    ----------
    data
        ``"china"``, ``"us"``, a CSV path or a long DataFrame
        (see :mod:`mccoord.calibration.panels`), or a :class:`Panel`.
    start, end : int
        First and last year ``Y0 < Y1`` (at least 3 years apart).
    model : {"v2", "v1"}
        ``v2``: steady states, ``rho_a`` and regimes (MODEL.md section 9); ``v1``: the
        four keys of model v1 with the v2 keys at their defaults.
    paths : int
        Simulated paths per evaluation ``S``.
    seed : int
        Seed of the common random numbers.
    n_sigma : int
        Number of evenly spaced years at which sigma is matched.
    params : dict, optional
        Other model keys held fixed (MODEL.md section 7), e.g. ``{"alpha": 0.35}``.
    regimes : (DATA, Y0, Y1) or RegimeHazards, optional
        Long record the regime hazards come from (v2); default
        :data:`.regimes.DEFAULT_REGIME_SOURCE`.
    maxfev : int
        Largest number of evaluations per least-squares step (Jacobian evaluations not counted).
    progress : callable, optional
        Called with one line of text at each stage of the fit.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ConfigError
        On bad data, years outside the panel, a window shorter than 3 years, a year in
        which every region has the same income, or a bad argument; all before any
        simulation.
    """
    say = progress or (lambda _text: None)
    if model not in MODELS:
        raise ConfigError("--model", model, f"one of {', '.join(MODELS)}")
    panel = load_panel(data)
    start, end = panel.check_years(start, end, field="calibration years")
    for label, v in (("paths", paths), ("n_sigma", n_sigma), ("maxfev", maxfev)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < (10 if label == "paths" else 1):
            raise ConfigError(label, v, "a positive whole number" + (" >= 10" if label == "paths" else ""))
    keys = PARAMETERS if model == "v2" else PARAMETERS_V1
    fixed = {k: v for k, v in (params or {}).items() if k not in keys}
    if model == "v1":
        clash = sorted(k for k in fixed if k in V2_KEYS)
        if clash:
            raise ConfigError(f"params.{clash[0]}", fixed[clash[0]], "no v2 key with model v1")
    validate_params(fixed, where="params")
    T = end - start
    lny, L = panel.window(start, end)
    check_dispersion(lny, np.arange(start, end + 1), name=panel.name)
    observed = moment_matrix(lny, L, n_sigma)[0]
    names = moment_names(start, end, n_sigma)

    steady, hazards = None, None
    if model == "v2":
        steady = estimate_steady_states(lny, panel.regions, start)
        if isinstance(regimes, RegimeHazards):
            hazards = regimes
        else:
            src = regimes or DEFAULT_REGIME_SOURCE
            hazards = regime_hazards(src[0], src[1], src[2])
        fixed = {**hazards.params, **fixed}
        say(steady.summary())
        say(hazards.summary())
    base = initial_scenario(panel, start, years=T, seed=seed, params=fixed)
    substeps = base.simulation["substeps"]
    full_fixed = validate_params(dict(base.raw.get("model", {})))
    sim = SimulatedMoments(base, steady, paths=int(paths), seed=int(seed), years=T, n_sigma=int(n_sigma))

    alpha = full_fixed["alpha"]
    phi, phi_identified, phi_check_se = 1.0, False, None
    say(f"fitting {', '.join(keys)} ({paths} paths per evaluation)")
    fit = _Fit(sim, observed, keys, full_fixed, substeps, maxfev, say)
    theta, weight, converged = fit.run(_start_values(observed, keys, alpha, steady.rho if steady else None))
    extra = {PHI: 1.0} if model == "v2" else {}
    if model == "v2":
        # Is phi identified? The sandwich of (theta, phi) at the estimate with phi = 1.
        trial = _Fit(sim, observed, (*keys, PHI), full_fixed, substeps, maxfev, say)
        V6 = _sandwich(sim, trial.map, {**theta, PHI: 1.0}, weight, {})[3]
        phi_check_se = math.sqrt(max(V6[-1, -1], 0.0))
        if phi_check_se <= PHI_SE_MAX:
            say(f"phi identified (SE {phi_check_se:.3f} at phi = 1): fitting it with the others")
            fit = trial
            theta, weight, converged = fit.run({**theta, PHI: 1.0}, steps=1)
            phi, phi_identified, extra = theta[PHI], True, {}
        else:
            say(f"phi not identified (SE {phi_check_se:.3f} at phi = 1): left at 1")
    m, mbar, Sigma, V = _sandwich(sim, fit.map, theta, weight, extra)

    S = len(m)
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))  # inf for a key without information
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
    fitted = list(theta)
    estimates = {k: float(theta[k]) for k in fitted}
    steady_col = steady.column(phi) if steady is not None else None
    return CalibrationResult(
        data=panel.name,
        start=start,
        end=end,
        model=model,
        estimates=estimates,
        se=dict(zip(fitted, map(float, se), strict=True)),
        cov=pd.DataFrame(V, index=fitted, columns=fitted),
        moments=moments,
        objective=float(np.sum(weight * diff * diff)),
        paths=int(paths),
        seed=int(seed),
        n_sigma=int(n_sigma),
        fixed=fixed,
        steady=steady,
        phi=float(phi),
        phi_identified=phi_identified,
        phi_check_se=phi_check_se,
        ranges={k: fit.map.range(k) for k in theta},
        regimes=hazards,
        panel=panel,
        scenario=initial_scenario(
            panel,
            start,
            years=T,
            seed=seed,
            params={**fixed, **{k: estimates[k] for k in keys}},
            steady_state=steady_col,
        ),
        n_evaluations=sim.n_eval,
        converged=converged,
        at_bound=_at_bound(fit.map, theta),
    )


def _at_bound(fmap: Parameterisation, theta: dict[str, float]) -> tuple[str, ...]:
    """Keys within 1e-3 of the width of their admissible interval from one of its ends."""
    out = []
    for k, v in theta.items():
        lo, hi = fmap.bounds(k, theta)
        if min(v - lo, hi - v) <= 1e-3 * (hi - lo):
            out.append(k)
    return tuple(out)
