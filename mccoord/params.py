"""Model parameters, mechanism names and driver names of MODEL.md (section 7).

Everything here is data: the default value of every model key, its symbol and its
admissible range, so that a scenario's ``[model]`` table and the Python API speak the
same names and bad values are refused before any work starts.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError

#: Mechanism names, in the order used by every array and dataset dimension.
MECHANISMS: tuple[str, ...] = ("transfer", "market", "cooperation", "supervision", "order_parameter")

#: Driver names (the paper's three driving factors), in this order.
DRIVERS: tuple[str, ...] = ("CA", "EC", "ID")

DRIVER_LONG_NAMES: dict[str, str] = {
    "CA": "comparative advantage",
    "EC": "economic connection",
    "ID": "industrial division",
}


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter.

    Attributes
    ----------
    key : str
        Name used in a scenario's ``[model]`` table and in ``params=`` overrides.
    default : float
        MODEL.md section 7 default.
    symbol : str
        Symbol in MODEL.md.
    low, high : float
        Closed admissible range (``math.inf`` for no upper bound).
    description : str
        What the parameter means, with units.
    """

    key: str
    default: float
    symbol: str
    low: float
    high: float
    description: str


_INF = math.inf

#: Every model key of MODEL.md section 7, in table order.
PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("alpha", 0.4, "alpha", 0.0, 0.99, "capital share"),
    ParamSpec("delta", 0.06, "delta", 0.0, 1.0, "depreciation plus population growth [1/year]"),
    ParamSpec("saving", 0.35, "saving", 0.0, 1.0, "investment rate [share of output]"),
    ParamSpec("g", 0.02, "g", -1.0, 1.0, "TFP trend [1/year]"),
    ParamSpec("sigma", 0.03, "sigma", 0.0, 2.0, "regional TFP shock [1/sqrt(year)]"),
    ParamSpec("sigma_common", 0.01, "sigma_c", 0.0, 2.0, "common TFP shock [1/sqrt(year)]"),
    ParamSpec("eta", 0.05, "eta", -1.0, 1.0, "agglomeration elasticity"),
    ParamSpec("capital_output", 3.0, "kappa0", 1e-6, _INF, "initial capital-output ratio [years]"),
    ParamSpec("d0", 1000.0, "d0", 1e-9, _INF, "distance decay [km]"),
    ParamSpec("block", 0.8, "b", 0.0, 1.0, "share of ties a defecting region blocks"),
    ParamSpec("lambda0", 0.01, "lambda0", 0.0, _INF, "baseline TFP spillover [1/year]"),
    ParamSpec("lambda_c", 0.05, "lambda_C", 0.0, _INF, "TFP spillover from cooperation [1/year]"),
    ParamSpec("chi0", 0.05, "chi0", 0.0, _INF, "baseline gains from trade"),
    ParamSpec("chi_c", 0.10, "chi_C", 0.0, _INF, "gains from trade from cooperation"),
    ParamSpec("nu0", 0.02, "nu0", 0.0, _INF, "baseline speed of specialisation [1/year]"),
    ParamSpec("nu_c", 0.08, "nu_C", 0.0, _INF, "speed of specialisation from cooperation [1/year]"),
    ParamSpec("mobility0", 0.2, "m0", 0.0, 1.0, "factor mobility with no market mechanism"),
    ParamSpec("mu_k", 0.5, "mu_K", 0.0, _INF, "capital flow rate [1/year]"),
    ParamSpec("mu_l", 0.2, "mu_L", 0.0, _INF, "labour flow rate [1/year]"),
    ParamSpec("migration_cost", 0.05, "c_mig", 0.0, _INF, "log-wage gap below which nobody moves"),
    ParamSpec("flow_cap", 0.2, "flow_cap", 0.0, 1.0, "largest share of a stock leaving in one step"),
    ParamSpec("psi0", 0.02, "psi0", 0.0, _INF, "baseline integration growth [1/year]"),
    ParamSpec("psi_m", 0.10, "psi_M", 0.0, _INF, "integration growth from markets [1/year]"),
    ParamSpec("zeta", 0.2, "zeta", 0.0, _INF, "integration decay while defecting [1/year]"),
    ParamSpec("sigma_s", 0.02, "sigma_s", 0.0, 2.0, "specialisation shock [1/sqrt(year)]"),
    ParamSpec("sigma_e", 0.02, "sigma_e", 0.0, 2.0, "integration shock [1/sqrt(year)]"),
    ParamSpec("tau_max", 0.10, "tau_max", 0.0, _INF, "fiscal equalisation at full intensity [1/year]"),
    ParamSpec("h0", 0.05, "h0", 0.0, _INF, "defection hazard [1/year]"),
    ParamSpec("omega", 0.8, "omega", 0.0, 1.0, "supervision effectiveness"),
    ParamSpec("kappa", 10.0, "kappa", 0.0, _INF, "loss sensitivity of defection"),
    ParamSpec("hr0", 0.10, "h_r0", 0.0, _INF, "return hazard [1/year]"),
    ParamSpec("hr1", 0.50, "h_r1", 0.0, _INF, "return hazard from supervision [1/year]"),
    ParamSpec("cost_s", 0.02, "c_S", 0.0, 1.0, "supervision cost [share of investment]"),
    ParamSpec("boost", 0.5, "B", 0.0, _INF, "order-parameter policy budget"),
    ParamSpec("review", 5, "review", 1, _INF, "review period [years]"),
    ParamSpec("window", 10, "window", 3, _INF, "history length for the Haken fit [years]"),
    ParamSpec(
        "rho_a", 0.0, "rho_a", 0.0, _INF, "conditional reversion of TFP toward the steady state [1/year]"
    ),
    ParamSpec(
        "regime_exit", 0.0, "regime_exit", 0.0, _INF, "hazard of leaving the convergence regime [1/year]"
    ),
    ParamSpec(
        "regime_entry",
        0.0,
        "regime_entry",
        0.0,
        _INF,
        "hazard of re-entering the convergence regime [1/year]",
    ),
    ParamSpec(
        "regime0", 1.0, "regime0", 0.0, 1.0, "probability that a path starts in the convergence regime"
    ),
)

PARAM_BY_KEY: dict[str, ParamSpec] = {p.key: p for p in PARAMS}
DEFAULTS: dict[str, float] = {p.key: p.default for p in PARAMS}
INTEGER_KEYS: frozenset[str] = frozenset({"review", "window"})


def _is_number(value: object) -> bool:
    """A Python or NumPy real number, not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def validate_params(overrides: dict[str, object], *, where: str = "model") -> dict[str, float]:
    """Merge ``overrides`` into the defaults after checking every key and value.

    Parameters
    ----------
    overrides : dict
        Model keys (MODEL.md section 7) and values.
    where : str
        Name of the table the overrides come from, used in error messages.

    Returns
    -------
    dict
        A complete parameter dict (defaults plus overrides).

    Raises
    ------
    ConfigError
        On an unknown key, a non-numeric or non-finite value, or a value outside the
        parameter's admissible range.
    """
    out = dict(DEFAULTS)
    for key, value in overrides.items():
        if key not in PARAM_BY_KEY:
            raise ConfigError(f"{where}.{key}", value, f"one of the model keys: {', '.join(PARAM_BY_KEY)}")
        spec = PARAM_BY_KEY[key]
        if key == "saving" and not _is_number(value):
            raise ConfigError(
                f"{where}.saving",
                value,
                "a number; give a per-region investment rate as a 'saving' column in the regions file",
            )
        if not _is_number(value) or not math.isfinite(float(value)):
            raise ConfigError(f"{where}.{key}", value, "a finite number")
        if key in INTEGER_KEYS and float(value) != int(value):
            raise ConfigError(f"{where}.{key}", value, "a whole number of years")
        if not spec.low <= float(value) <= spec.high:
            raise ConfigError(
                f"{where}.{key}", value, f"a number in [{spec.low}, {spec.high}] ({spec.description})"
            )
        out[key] = int(value) if key in INTEGER_KEYS else float(value)
    return out


def validate_mix(mix: dict[str, object], *, where: str = "mix") -> dict[str, float]:
    """Return a complete mechanism mix (missing mechanisms are 0).

    Raises
    ------
    ConfigError
        On an unknown mechanism name or an intensity outside [0, 1].
    """
    out = dict.fromkeys(MECHANISMS, 0.0)
    for key, value in mix.items():
        if key not in out:
            raise ConfigError(f"{where}.{key}", value, f"one of the mechanisms: {', '.join(MECHANISMS)}")
        if not _is_number(value) or not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{where}.{key}", value, "an intensity in [0, 1]")
        out[key] = float(value)
    return out
