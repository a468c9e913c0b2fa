"""Positions of the model parameters and mechanism intensities in kernel arrays.

Kernels take parameters as one float64 vector ``par`` (positions below, in the order
of :data:`PARAM_ORDER`) and the mix as ``theta`` (five intensities in mechanism
order). Module-level integers are compile-time constants for Numba.
"""

from __future__ import annotations

#: Model keys (MODEL.md section 7) in the order of the ``par`` vector.
PARAM_ORDER: tuple[str, ...] = (
    "alpha",
    "delta",
    "g",
    "sigma",
    "sigma_common",
    "eta",
    "block",
    "lambda0",
    "lambda_c",
    "chi0",
    "chi_c",
    "nu0",
    "nu_c",
    "mobility0",
    "mu_k",
    "mu_l",
    "migration_cost",
    "flow_cap",
    "psi0",
    "psi_m",
    "zeta",
    "sigma_s",
    "sigma_e",
    "tau_max",
    "h0",
    "omega",
    "kappa",
    "hr0",
    "hr1",
    "cost_s",
    "boost",
    "review",
    "window",
)

(
    ALPHA,
    DELTA,
    G_TREND,
    SIGMA,
    SIGMA_C,
    ETA,
    BLOCK,
    LAMBDA0,
    LAMBDA_C,
    CHI0,
    CHI_C,
    NU0,
    NU_C,
    M0,
    MU_K,
    MU_L,
    C_MIG,
    FLOW_CAP,
    PSI0,
    PSI_M,
    ZETA,
    SIGMA_S,
    SIGMA_E,
    TAU_MAX,
    H0,
    OMEGA,
    KAPPA,
    HR0,
    HR1,
    COST_S,
    BOOST,
    REVIEW,
    WINDOW,
) = range(len(PARAM_ORDER))

N_PARAMS = len(PARAM_ORDER)

#: Mechanism intensities in ``theta``.
TRANSFER, MARKET, COOPERATION, SUPERVISION, ORDER_PARAMETER = range(5)

#: Drivers in ``w`` and in the driver-index vector ``q``.
CA, EC, ID = range(3)

#: Metrics per record time, in the ``rec_scalar`` output (last axis).
(R_SIGMA, R_CA, R_EC, R_ID, R_THEIL, R_THEIL_BETWEEN, R_THEIL_WITHIN, R_CCD, R_DEFECTION) = range(9)
N_REC_SCALARS = 9

#: Per-path summary metrics, in the ``path_scalar`` output (last axis).
(P_BETA, P_GROWTH, P_FIRST_PASSAGE, P_VALID, P_SHOCK_SUM, P_REVIEWS, P_PICK_CA, P_PICK_EC, P_PICK_ID) = range(
    9
)
N_PATH_SCALARS = 9


def shocks_per_step(n_regions: int) -> int:
    """Number of random variates one step consumes: eps, eps_c, eps_s, eps_e, u."""
    return 4 * n_regions + 1
