"""Positions of the model parameters, mechanism intensities and outputs in kernel arrays.

Kernels take parameters as one float64 vector ``par`` (positions below, in the order
of :data:`PARAM_ORDER`: every real-valued key of MODEL.md section 7, so that any of them
can be drawn per path) and the mix as ``theta`` (five intensities in mechanism order).
Outputs are per record time (``REC_*``), per path (``PATH_*``) and per state field
(``STATE_*``). Module-level integers are compile-time constants for Numba.
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

#: Metrics per record time, in the ``rec_scalar`` output (last axis). ``REC_REGIME`` is
#: the path's convergence regime (1.0 or 0.0) after the year's last switch;
#: ``REC_LOG_MEAN_INCOME`` is ``ln(sum_i Y_i / sum_i L_i)``, the log of the
#: population-weighted national income per capita (the Theil index's ``ln mu``).
# fmt: off
(REC_SIGMA, REC_CA, REC_EC, REC_ID, REC_THEIL, REC_THEIL_BETWEEN, REC_THEIL_WITHIN, REC_CCD,
 REC_DEFECTION, REC_REGIME, REC_LOG_MEAN_INCOME) = range(11)
# fmt: on
N_REC_SCALARS = 11

#: Per-path summary metrics, in the ``path_scalar`` output (last axis). ``PATH_DRAWS`` is
#: the number of parameter draws the path needed (0 without parameter uncertainty, 0
#: also when no admissible draw was found); ``PATH_SHOCK_SUM`` adds up every variate the
#: path drew (a fingerprint of its random stream).
# fmt: off
(PATH_BETA, PATH_GROWTH, PATH_FIRST_PASSAGE, PATH_VALID, PATH_SHOCK_SUM, PATH_REVIEWS,
 PATH_PICK_CA, PATH_PICK_EC, PATH_PICK_ID, PATH_DRAWS) = range(10)
# fmt: on
N_PATH_SCALARS = 10

#: Fields of the state record ``rec_state[path, t, field, region]`` (log TFP, capital,
#: specialisation, integration, defection).
STATE_A, STATE_K, STATE_S, STATE_E, STATE_Z = range(5)
N_STATE_REC = 5

#: Paths run together, one per vector lane, by default (:mod:`kernels.batches`); 16 is
#: the other supported width.
LANES = 8
SUPPORTED_LANES = (1, 8, 16)


def shocks_per_step(n_regions: int) -> int:
    """Variates one step consumes: ``eps`` (R), ``eps_c``, ``eps_s`` (R), ``eps_e`` (R), ``u`` (R), ``u_c``.

    Each path also draws one uniform ``u0`` before its first step (the initial regime).
    """
    return 4 * n_regions + 2


def normals_per_step(n_regions: int) -> int:
    """The leading ``3R + 1`` variates of a step are standard normals, the rest uniforms."""
    return 3 * n_regions + 1
