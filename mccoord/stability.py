"""Stability of the explicit Euler scheme: refuse parameters it cannot integrate.

Each linear relaxation term of MODEL.md section 3 moves a variable towards a target at
rate ``k``; with step ``h`` the explicit scheme overshoots when ``k * h > 1`` (and
oscillates without converging when ``k * h > 2``). We require ``k * h <= 1`` for every
such rate at the largest intensity of every mechanism, which keeps each update a
convex combination of the old value and its target.
"""

from __future__ import annotations

from .errors import ConfigError


def check_stability(params: dict[str, float], substeps: int) -> None:
    """Raise :class:`ConfigError` if some rate times the step length exceeds 1.

    Parameters
    ----------
    params : dict
        Complete model parameters.
    substeps : int
        Euler steps per year (``h = 1 / substeps``).
    """
    h = 1.0 / substeps
    boost = 1.0 + params["boost"]
    rates = {
        "lambda0 + lambda_c + rho_a": params["lambda0"] + params["lambda_c"] + params["rho_a"],
        "mu_k": params["mu_k"],
        "mu_l": params["mu_l"],
        "delta": params["delta"],
        "tau_max": params["tau_max"],
        "(nu0 + nu_c) * (1 + boost)": (params["nu0"] + params["nu_c"]) * boost,
        "(psi0 + psi_m) * (1 + boost) + zeta": (params["psi0"] + params["psi_m"]) * boost + params["zeta"],
    }
    for name, rate in rates.items():
        if rate * h > 1.0:
            raise ConfigError(
                f"model.{name.split()[0].strip('(')}",
                rate,
                f"{name} times the step 1/substeps = {h:g} at most 1 for a stable explicit "
                f"scheme (got {rate * h:g}); lower it or raise simulation.substeps to "
                f"{int(rate) + 1} or more",
            )
