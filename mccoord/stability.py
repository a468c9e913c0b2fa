"""Stability of the explicit Euler scheme: refuse parameters it cannot integrate.

Each linear relaxation term of MODEL.md section 3 moves a variable towards a target at
rate ``k``; with step ``h`` the explicit scheme overshoots when ``k * h > 1`` (and
oscillates without converging when ``k * h > 2``). We require ``k * h <= 1`` for every
such rate at the largest intensity of every mechanism, which keeps each update a
convex combination of the old value and its target.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError


def check_stability(params: dict[str, float], substeps: int) -> None:
    """Raise :class:`ConfigError` if some rate times the step length exceeds 1.

    Parameters
    ----------
    params : dict
        Complete model parameters.
    substeps : int
        Euler steps per year (``h = 1 / substeps``).

    The rates are those of :func:`kernels.rules.stability_rates`, the same function
    that decides whether a per-path parameter draw is kept.
    """
    from .kernels.layout import PARAM_ORDER
    from .kernels.rules import RATE_NAMES, stability_rates

    h = 1.0 / substeps
    rates = stability_rates(np.array([float(params[k]) for k in PARAM_ORDER]))
    for name, rate in zip(RATE_NAMES, rates, strict=True):
        if rate * h > 1.0:
            raise ConfigError(
                f"model.{name.split()[0].strip('(')}",
                float(rate),
                f"{name} times the step 1/substeps = {h:g} at most 1 for a stable explicit "
                f"scheme (got {rate * h:g}); lower it or raise simulation.substeps to "
                f"{int(rate) + 1} or more",
            )
