"""Positions of the model parameters, mechanism intensities and outputs in kernel arrays.

Kernels take parameters as one float64 vector ``par`` (positions below, in the order
of :data:`PARAM_ORDER`: every real-valued key of MODEL.md section 7, so that any of them
can be drawn per path) and the mix as ``theta`` (five intensities in mechanism order).
Module-level integers are compile-time constants for Numba.
"""

from __future__ import annotations

#: Model keys (MODEL.md section 7) in the order of the ``par`` vector.
PARAM_ORDER: tuple[str, ...] = (
    "alpha", "delta", "g", "sigma", "sigma_common", "eta", "block",
    "lambda0", "lambda_c", "chi0", "chi_c", "nu0", "nu_c",
    "mobility0", "mu_k", "mu_l", "migration_cost", "flow_cap",
    "psi0", "psi_m", "zeta", "sigma_s", "sigma_e", "tau_max",
    "h0", "omega", "kappa", "hr0", "hr1", "cost_s", "boost", "review", "window",
    "rho_a", "regime_exit", "regime_entry", "regime0", "saving", "capital_output", "d0",
)  # fmt: skip

# fmt: off
(ALPHA, DELTA, G_TREND, SIGMA, SIGMA_C, ETA, BLOCK,
 LAMBDA0, LAMBDA_C, CHI0, CHI_C, NU0, NU_C,
 M0, MU_K, MU_L, C_MIG, FLOW_CAP,
 PSI0, PSI_M, ZETA, SIGMA_S, SIGMA_E, TAU_MAX,
 H0, OMEGA, KAPPA, HR0, HR1, COST_S, BOOST, REVIEW, WINDOW,
 RHO_A, REGIME_EXIT, REGIME_ENTRY, REGIME0, SAVING, CAPITAL_OUTPUT, D0) = range(len(PARAM_ORDER))
# fmt: on

N_PARAMS = len(PARAM_ORDER)

#: Mechanism intensities in ``theta``.
TRANSFER, MARKET, COOPERATION, SUPERVISION, ORDER_PARAMETER = range(5)

#: Drivers in ``w`` and in the driver-index vector ``q``.
CA, EC, ID = range(3)

#: Metrics per record time, in the ``rec_scalar`` output (last axis). ``R_REGIME`` is
#: the path's convergence regime (1.0 or 0.0) after the year's last switch.
# fmt: off
(R_SIGMA, R_CA, R_EC, R_ID, R_THEIL, R_THEIL_BETWEEN, R_THEIL_WITHIN, R_CCD, R_DEFECTION,
 R_REGIME) = range(10)
# fmt: on
N_REC_SCALARS = 10

#: Per-path summary metrics, in the ``path_scalar`` output (last axis). ``P_DRAWS`` is
#: the number of parameter draws the path needed (0 without parameter uncertainty).
# fmt: off
(P_BETA, P_GROWTH, P_FIRST_PASSAGE, P_VALID, P_SHOCK_SUM, P_REVIEWS,
 P_PICK_CA, P_PICK_EC, P_PICK_ID, P_DRAWS) = range(10)
# fmt: on
N_PATH_SCALARS = 10


def shocks_per_step(n_regions: int) -> int:
    """Variates one step consumes: ``eps`` (R), ``eps_c``, ``eps_s`` (R), ``eps_e`` (R), ``u`` (R), ``u_c``.

    Each path also draws one uniform ``u0`` before its first step (the initial regime).
    """
    return 4 * n_regions + 2


def normals_per_step(n_regions: int) -> int:
    """The leading ``3R + 1`` variates of a step are standard normals, the rest uniforms."""
    return 3 * n_regions + 1
