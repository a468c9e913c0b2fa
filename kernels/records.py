"""Per-path bookkeeping of the outputs shared by both path loops.

A path is valid only if every recorded quantity (``ln y``, ``L``, the driver indices and
every per-time metric) and its beta slope and growth are finite. An invalid path is
marked (``PATH_VALID = 0``) and its records from the first non-finite record time on are
NaN, as are its beta slope, growth and first passage. The beta slope and national
growth are computed from the recorded ``ln y(T)`` and ``L(T)``, so they can be rebuilt
from the trajectory.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import N_PATH_SCALARS, PATH_BETA, PATH_FIRST_PASSAGE, PATH_GROWTH, PATH_VALID
from .metrics import beta_slope, log_total_output


@njit(cache=True, nogil=True)
def start_path(out, k):
    """Zero output row ``k``'s path scalars and mark it valid with no first passage yet."""
    ps = out.path_scalar[k]
    for m in range(N_PATH_SCALARS):
        ps[m] = 0.0
    ps[PATH_VALID] = 1.0
    ps[PATH_FIRST_PASSAGE] = np.nan


@njit(cache=True, nogil=True)
def all_finite(x):
    """Whether every element of the 1-d array ``x`` is finite."""
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return False
    return True


@njit(cache=True, nogil=True)
def records_finite(out, k, t):
    """Whether row ``k``'s records at record time ``t`` are all finite."""
    return all_finite(out.rec_lny[k, t]) and all_finite(out.rec_L[k, t]) and all_finite(out.rec_scalar[k, t])


@njit(cache=True, nogil=True)
def invalidate(out, k, first_bad, full):
    """Mark row ``k`` invalid and blank its records from record time ``first_bad`` on."""
    ps = out.path_scalar[k]
    ps[PATH_VALID] = 0.0
    ps[PATH_BETA] = np.nan
    ps[PATH_GROWTH] = np.nan
    ps[PATH_FIRST_PASSAGE] = np.nan
    for t in range(first_bad, out.rec_lny.shape[1]):
        out.rec_lny[k, t, :] = np.nan
        out.rec_L[k, t, :] = np.nan
        out.rec_scalar[k, t, :] = np.nan
        if full:
            out.rec_state[k, t, :, :] = np.nan


@njit(cache=True, nogil=True)
def finish_path(out, k, lny0, L0, years, full):
    """Beta slope and national growth of row ``k`` from its first and last records.

    ``lny0`` and ``L0`` are the recorded values at t = 0 (the scenario's data). A
    non-finite result makes the path invalid.
    """
    last = out.rec_lny.shape[1] - 1
    lnyT = out.rec_lny[k, last]
    LT = out.rec_L[k, last]
    beta = beta_slope(lny0, lnyT, years)
    growth = (log_total_output(lnyT, LT) - log_total_output(lny0, L0)) / years
    if np.isfinite(beta) and np.isfinite(growth):
        out.path_scalar[k, PATH_BETA] = beta
        out.path_scalar[k, PATH_GROWTH] = growth
    else:
        invalidate(out, k, last + 1, full)
