"""Which parameter vectors the model accepts (MODEL.md section 7, stability), and the gravity matrix.

One implementation serves both the scenario check in Python (which turns a violation
into a message) and the per-path parameter draws in the kernel (which redraw on a
violation), so the two can never disagree.

A vector is admissible when every key lies in its natural range (``lo[k] <= par[k] <=
hi[k]``) and each linear rate of the explicit Euler scheme times the step ``h`` is at most
1 (worst case over mixes and regimes, since every row sum of W is at most 1):
:data:`RATE_NAMES` lists them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import (
    BOOST,
    DELTA,
    LAMBDA0,
    LAMBDA_C,
    MU_K,
    MU_L,
    N_PARAMS,
    NU0,
    NU_C,
    PSI0,
    PSI_M,
    RHO_A,
    TAU_MAX,
    ZETA,
)

#: The stability rates, in the order :func:`stability_rates` returns them.
RATE_NAMES: tuple[str, ...] = (
    "lambda0 + lambda_c + rho_a",
    "mu_k",
    "mu_l",
    "delta",
    "tau_max",
    "(nu0 + nu_c) * (1 + boost)",
    "(psi0 + psi_m) * (1 + boost) + zeta",
)
N_RATES = len(RATE_NAMES)


@njit(cache=True, nogil=True)
def stability_rates(par):
    """The linear rates [1/year] whose product with the step must not exceed 1."""
    boost = 1.0 + par[BOOST]
    out = np.empty(N_RATES)
    out[0] = par[LAMBDA0] + par[LAMBDA_C] + par[RHO_A]
    out[1] = par[MU_K]
    out[2] = par[MU_L]
    out[3] = par[DELTA]
    out[4] = par[TAU_MAX]
    out[5] = (par[NU0] + par[NU_C]) * boost
    out[6] = (par[PSI0] + par[PSI_M]) * boost + par[ZETA]
    return out


@njit(cache=True, nogil=True)
def first_violation(par, substeps, lo, hi):
    """Index of the first broken rule, or -1 if ``par`` is admissible.

    ``0 .. N_PARAMS - 1``: that key is outside ``[lo[k], hi[k]]`` (or not a number);
    ``N_PARAMS + r``: stability rate ``r`` of :data:`RATE_NAMES` times ``1/substeps``
    exceeds 1.
    """
    for k in range(N_PARAMS):
        if not lo[k] <= par[k] <= hi[k]:
            return k
    rates = stability_rates(par)
    h = 1.0 / substeps
    for r in range(N_RATES):
        if rates[r] * h > 1.0:
            return N_PARAMS + r
    return -1


@njit(cache=True, nogil=True)
def gravity(distance, d0, G):
    """Normalised gravity matrix (MODEL.md section 2) into ``G``.

    ``G_ij = exp(-d_ij / d0)`` for ``i != j``, ``G_ii = 0``, made exactly symmetric (the
    mean of ``G_ij`` and ``G_ji``, which leaves a symmetric matrix unchanged), then
    divided by its largest row sum, so every row sum is at most 1.
    """
    R = distance.shape[0]
    for i in range(R):
        for j in range(R):
            G[i, j] = np.exp(-distance[i, j] / d0)
    for i in range(R):
        G[i, i] = 0.0
        for j in range(i + 1, R):
            v = 0.5 * (G[i, j] + G[j, i])
            G[i, j] = v
            G[j, i] = v
    largest = 0.0
    for i in range(R):
        row = 0.0
        for j in range(R):
            row += G[i, j]
        largest = max(largest, row)
    if largest > 0.0:
        for i in range(R):
            for j in range(R):
                G[i, j] = G[i, j] / largest
