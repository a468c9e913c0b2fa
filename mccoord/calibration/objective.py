"""Simulated moments as a function of the fitted parameters, with common random numbers.

:class:`SimulatedMoments` runs the baseline mix (every mechanism 0) from one observed
cross-section for the years of the training window and returns the moments of
:mod:`.moments` of every path. Every evaluation uses the same seed, so path ``s`` sees
the same shocks (and the same regime switches, whose hazards are held fixed) for every
parameter value, and the mean moments are a nearly smooth function of the parameters.

:class:`Parameterisation` maps an unconstrained vector (what the search moves) to
admissible natural values:

* ``sigma``, ``sigma_common``: ``exp(x)``, clipped to ``[1e-4, 1.99]``;
* ``g``: ``0.02 x``, clipped to ``[-0.99, 0.99]``;
* ``rho_a`` and ``lambda0`` share the explicit-Euler budget
  ``B = 1/h - lambda_c`` (MODEL.md section 7: ``h (lambda0 + lambda_c + rho_a) <= 1``)
  by stick-breaking: ``rho_a = B s(x1)``, ``lambda0 = (B - rho_a) s(x2)`` with the
  logistic ``s``, so every trial value is stable; a key held fixed takes its part of the
  budget first;
* ``phi`` (scale of the steady states): ``x`` clipped to ``[0, 3]``.

Clipping makes the objective flat far in the tails, so the search stops there instead
of wandering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..blocks import run_block
from ..inputs import mix_vector, model_inputs
from ..kernels.layout import P_VALID
from ..params import validate_params
from ..scenario import Scenario
from .moments import moment_matrix
from .steady_state import SteadyStates

__all__ = ["Parameterisation", "SimulatedMoments", "PHI"]

#: Name of the steady-state scale in parameter vectors (not a model key).
PHI = "phi"
_LOG_MIN, _LOG_MAX = math.log(1e-4), math.log(1.99)
_G_SCALE = 0.02
_PHI_MAX = 3.0


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-float(np.clip(x, -30.0, 30.0))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Parameterisation:
    """Unconstrained coordinates of the fitted keys (see the module docstring).

    Attributes
    ----------
    keys : tuple of str
        Fitted names in vector order (model keys, and ``phi`` last when fitted).
    budget : float
        ``1/h - lambda_c - (any fixed rho_a or lambda0)`` [1/year].
    """

    keys: tuple[str, ...]
    budget: float

    @classmethod
    def for_keys(cls, keys: tuple[str, ...], fixed: dict[str, float], substeps: int) -> Parameterisation:
        """Build the map for ``keys`` given the full fixed parameters and the step."""
        budget = 1.0 * substeps - fixed["lambda_c"]
        for k in ("rho_a", "lambda0"):
            if k not in keys:
                budget -= fixed[k]
        return cls(tuple(keys), max(budget - 1e-9, 1e-9))

    def natural(self, x: np.ndarray) -> dict[str, float]:
        """Admissible values of the fitted keys at unconstrained ``x``."""
        z = dict(zip(self.keys, map(float, x), strict=True))
        out: dict[str, float] = {}
        for k in ("sigma", "sigma_common"):
            if k in z:
                out[k] = math.exp(float(np.clip(z[k], _LOG_MIN, _LOG_MAX)))
        if "g" in z:
            out["g"] = float(np.clip(_G_SCALE * z["g"], -0.99, 0.99))
        left = self.budget
        for k in ("rho_a", "lambda0"):
            if k in z:
                out[k] = left * _logistic(z[k])
                left -= out[k]
        if PHI in z:
            out[PHI] = float(np.clip(z[PHI], 0.0, _PHI_MAX))
        return {k: out[k] for k in self.keys}

    def unconstrained(self, values: dict[str, float]) -> np.ndarray:
        """Inverse of :meth:`natural` (values are moved inside their bounds first)."""
        out = {}
        for k in ("sigma", "sigma_common"):
            if k in self.keys:
                out[k] = math.log(min(max(values[k], 1e-4), 1.99))
        if "g" in self.keys:
            out["g"] = values["g"] / _G_SCALE
        left = self.budget
        for k in ("rho_a", "lambda0"):
            if k in self.keys:
                v = min(max(values[k], 0.0), left)
                out[k] = _logit(v / left)
                left -= v
        if PHI in self.keys:
            out[PHI] = values[PHI]
        return np.array([out[k] for k in self.keys])

    def range(self, key: str) -> tuple[float, float]:
        """Admissible interval of ``key`` on its own (``lambda0``, ``rho_a``: the whole budget)."""
        return self.bounds(key, {})

    def bounds(self, key: str, values: dict[str, float]) -> tuple[float, float]:
        """Admissible interval of ``key`` with the other values held (for finite differences)."""
        if key in ("sigma", "sigma_common"):
            return 1e-4, 1.99
        if key == "g":
            return -0.99, 0.99
        if key == PHI:
            return 0.0, _PHI_MAX
        other = "lambda0" if key == "rho_a" else "rho_a"
        return 0.0, self.budget - (values.get(other, 0.0) if other in self.keys else 0.0)


class SimulatedMoments:
    """Moments of ``paths`` simulated paths at given parameter values.

    Parameters
    ----------
    scenario : Scenario
        Starts from the observed cross-section of the first training year; its
        ``[model]`` holds every key that is not fitted.
    steady : SteadyStates or None
        Steady states (added as the ``steady_state`` column, scaled by ``phi``); ``None``
        for one common steady state.
    paths, seed, years, n_sigma : int
        Simulation size, seed of the common random numbers, horizon [years] and number
        of sigma moments.
    """

    def __init__(
        self,
        scenario: Scenario,
        steady: SteadyStates | None,
        *,
        paths: int,
        seed: int,
        years: int,
        n_sigma: int,
    ) -> None:
        self.scenario = scenario
        self.steady = steady
        self.paths, self.seed, self.years, self.n_sigma = int(paths), int(seed), int(years), int(n_sigma)
        self.n_eval = 0
        if steady is not None and tuple(scenario.regions["region"]) != steady.regions:
            raise ValueError("steady states and scenario regions are not in the same order")

    def scenario_at(self, phi: float) -> Scenario:
        """The start scenario with the steady-state column at scale ``phi``."""
        if self.steady is None:
            return self.scenario
        regions = self.scenario.regions.copy()
        regions["steady_state"] = self.steady.column(phi)
        return replace(self.scenario, regions=regions)

    def per_path(self, values: dict[str, float]) -> np.ndarray:
        """Moments of every valid path, ``(S_valid, K)``.

        Parameters
        ----------
        values : dict
            Fitted model keys, and ``phi`` (default 1) for the steady-state scale.
        """
        self.n_eval += 1
        params = {k: v for k, v in values.items() if k != PHI}
        scenario = self.scenario_at(values.get(PHI, 1.0))
        sim = scenario.simulation
        inputs = model_inputs(scenario, params)
        res = run_block(
            inputs,
            mix_vector({}),
            seed=self.seed,
            path0=0,
            n_paths=self.paths,
            years=self.years,
            substeps=sim["substeps"],
            record_every=1,
            target_reduction=sim["target_reduction"],
        )
        m = moment_matrix(res.rec_lny, res.rec_L, self.n_sigma)
        keep = (res.path_scalar[:, P_VALID] > 0) & np.isfinite(m).all(axis=1)
        return m[keep]

    def fixed_params(self) -> dict[str, float]:
        """The complete parameters of the start scenario."""
        return validate_params(dict(self.scenario.raw.get("model", {})))
