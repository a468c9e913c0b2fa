"""Turn a scenario into the arrays the kernels take (MODEL.md section 2).

The API knows nothing of loop indices and the kernels nothing of scenarios: this
module is the one place where names become positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geography import gravity_matrix
from .kernels.layout import PARAM_ORDER
from .params import MECHANISMS, PARAM_BY_KEY, validate_mix, validate_params
from .scenario import Scenario
from .stability import check_stability
from .uncertainty import MAX_ATTEMPTS, Uncertainty

#: Natural ranges of the parameters in kernel order (MODEL.md section 7).
PARAM_LOW = np.array([float(PARAM_BY_KEY[k].low) for k in PARAM_ORDER])
PARAM_HIGH = np.array([float(PARAM_BY_KEY[k].high) for k in PARAM_ORDER])


@dataclass(frozen=True)
class ModelInputs:
    """Initial state and fixed data of one scenario under one parameter set.

    Attributes
    ----------
    G : float64[R, R]
        Normalised gravity matrix.
    s_target : float64[R]
        Target specialisation: 1 where ``s0_i >= median(s0)``, else 0.
    lny0, y0 : float64[R]
        Income per capita relative to the population-weighted mean, and its log.
    K0, L0, s0, e0 : float64[R]
        Initial capital (units of initial national output), population share,
        specialisation and integration.
    saving : float64[R]
        Investment rate per region.
    groups : int64[R]
        Macro-region index; ``group_names[groups[i]]`` is the name.
    par : float64[N_PARAMS]
        Model parameters in kernel order.
    distance : float64[R, R]
        Distances between regions [km] (the kernel rebuilds ``G`` from them when ``d0``
        is drawn per path).
    ln_gap : float64[R]
        ``ln y*_i - ln y_i(0)`` with ``y*`` the ``steady_state`` column normalised like
        ``y(0)`` (population-weighted mean 1); the steady-state TFP is
        ``a*_i = a_i(0) + (1 - alpha) ln_gap_i`` (MODEL.md section 2). Zeros without
        the column.
    has_steady_state : bool
        Whether the scenario gives a ``steady_state`` column; without it every ``a*_i``
        is equal (one common steady state).
    uncertainty : Uncertainty
        Parameter distributions drawn per path (empty: every path uses ``par``).
    """

    G: np.ndarray
    s_target: np.ndarray
    lny0: np.ndarray
    y0: np.ndarray
    K0: np.ndarray
    L0: np.ndarray
    s0: np.ndarray
    e0: np.ndarray
    saving: np.ndarray
    groups: np.ndarray
    group_names: tuple[str, ...]
    par: np.ndarray
    distance: np.ndarray
    ln_gap: np.ndarray
    has_steady_state: bool
    uncertainty: Uncertainty

    @property
    def n_regions(self) -> int:
        """Number of regions R."""
        return self.lny0.shape[0]

    @property
    def kernel_data(self) -> tuple:
        """The scenario arrays in the order the kernels take them.

        ``(G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups, distance, y0,
        ln_gap, has_steady_state)``.
        """
        return (
            self.G, self.s_target, self.lny0, self.K0, self.L0, self.s0, self.e0, self.saving,
            self.groups, len(self.group_names), self.distance, self.y0, self.ln_gap,
            self.has_steady_state,
        )  # fmt: skip

    @property
    def kernel_uncertainty(self) -> tuple:
        """``(pos, kind, args, mvn_pos, mvn_mean, mvn_chol)`` of the parameter draws."""
        return self.uncertainty.kernel_arrays()

    @property
    def kernel_ranges(self) -> tuple:
        """``(lo, hi, max_attempts)``: what a per-path parameter draw must satisfy."""
        return PARAM_LOW, PARAM_HIGH, MAX_ATTEMPTS


def resolve_params(scenario: Scenario, params: dict | None = None) -> dict[str, float]:
    """Scenario parameters with ``params`` overrides applied and validated."""
    if not params:
        return dict(scenario.params)
    merged = {k: v for k, v in scenario.raw.get("model", {}).items()}
    merged.update(params)
    out = validate_params(merged, where="params")
    check_stability(out, scenario.simulation["substeps"])
    return out


def model_inputs(scenario: Scenario, params: dict | None = None) -> ModelInputs:
    """Build the kernel inputs of ``scenario`` (MODEL.md section 2).

    Parameters
    ----------
    scenario : Scenario
    params : dict, optional
        Model-key overrides on top of the scenario's ``[model]`` table.
    """
    p = resolve_params(scenario, params)
    reg = scenario.regions
    pop = reg["population"].to_numpy(float)
    L0 = pop / pop.sum()
    gdp = reg["gdp_per_capita"].to_numpy(float)
    y0 = gdp / np.sum(gdp * L0)
    K0 = p["capital_output"] * y0 * L0
    s0 = reg["specialisation"].to_numpy(float)
    s_target = (s0 >= np.median(s0)).astype(float)
    e0 = reg["integration"].to_numpy(float)
    R = len(reg)
    saving = reg["saving"].to_numpy(float) if "saving" in reg else np.full(R, p["saving"])
    names, groups = np.unique(reg["group"].to_numpy(str), return_inverse=True)
    par = np.array([float(p[k]) for k in PARAM_ORDER])
    has_ss = "steady_state" in reg
    if has_ss:
        ystar = reg["steady_state"].to_numpy(float)
        ystar = ystar / np.sum(ystar * L0)
        ln_gap = np.log(ystar) - np.log(y0)
    else:
        ln_gap = np.zeros(R)
    distance = np.ascontiguousarray(scenario.distance_km, dtype=float)
    return ModelInputs(
        G=gravity_matrix(distance, p["d0"]),
        s_target=s_target,
        lny0=np.log(y0),
        y0=y0,
        K0=K0,
        L0=L0,
        s0=s0.copy(),
        e0=e0.copy(),
        saving=saving,
        groups=groups.astype(np.int64),
        group_names=tuple(names),
        par=par,
        distance=distance,
        ln_gap=ln_gap,
        has_steady_state=has_ss,
        uncertainty=scenario.uncertainty,
    )


def mix_vector(mix: dict) -> np.ndarray:
    """Mechanism intensities of ``mix`` in mechanism order (missing ones are 0)."""
    full = validate_mix(mix)
    return np.array([full[m] for m in MECHANISMS])
