"""The path loop: steps, yearly driver indices, reviews and per-path metrics.

``simulate_block`` runs paths ``path0 .. path0 + n - 1`` of one mix in parallel
(``prange`` over chunks of paths; each path has its own random stream and scratch, so
results do not depend on the thread count). ``simulate_given_shocks`` runs the same
loop on shocks supplied by the caller, for tests against the NumPy reference.

Conventions where MODEL.md is silent:

* Year-``t`` records (``ln y``, sigma, Theil, drivers, ...) are taken at the end of year
  ``t`` with the driver shares that were in force during that year, i.e. before that
  year's review changes them: they describe what the reviewer saw.
* A path whose state turns non-finite is marked invalid (``P_VALID = 0``); its records
  from then on are NaN.
* The first-passage year is NaN when the target is never reached.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .haken import identify_order_parameter
from .layout import (
    ALPHA,
    BLOCK,
    BOOST,
    CA,
    CHI0,
    CHI_C,
    COOPERATION,
    ETA,
    N_PATH_SCALARS,
    N_REC_SCALARS,
    ORDER_PARAMETER,
    P_BETA,
    P_FIRST_PASSAGE,
    P_GROWTH,
    P_PICK_CA,
    P_REVIEWS,
    P_SHOCK_SUM,
    P_VALID,
    R_CA,
    R_CCD,
    R_DEFECTION,
    R_SIGMA,
    R_THEIL,
    R_THEIL_BETWEEN,
    R_THEIL_WITHIN,
    REVIEW,
    WINDOW,
)
from .metrics import beta_slope, coupling_coordination, dispersion, log_total_output, theil_parts
from .model import N_WORK, W_OPEN, W_TRADE, driver_indices, initial_tfp, log_output, step, ties
from .rng import fill_normals, fill_uniforms, seed_stream

# Rows of the state record ``rec_state[t, k, i]`` (only filled when ``full``).
S_A, S_K, S_S, S_E, S_Z = range(5)
N_STATE_REC = 5


@njit(cache=True, nogil=True)
def _draw_step_shocks(rng, R, buf):
    fill_normals(rng, buf[: 3 * R + 1])
    fill_uniforms(rng, buf[3 * R + 1 :])


@njit(cache=True, nogil=True)
def draw_shocks(seed, path, n_steps, R):
    """Return the ``(n_steps, 4R + 1)`` shocks that path ``path`` of run ``seed`` uses."""
    rng = np.empty(4, dtype=np.uint64)
    seed_stream(seed, path, rng)
    out = np.empty((n_steps, 4 * R + 1))
    for k in range(n_steps):
        _draw_step_shocks(rng, R, out[k])
    return out


@njit(cache=True, nogil=True)
def _record(t_rec, full, a, K, s, e, z, L, lny, q, W, G, groups, n_groups, gY, gL,
            rec_state, rec_lny, rec_L, rec_scalar):
    R = a.shape[0]
    for i in range(R):
        rec_lny[t_rec, i] = lny[i]
        rec_L[t_rec, i] = L[i]
    if full:
        for i in range(R):
            rec_state[t_rec, S_A, i] = a[i]
            rec_state[t_rec, S_K, i] = K[i]
            rec_state[t_rec, S_S, i] = s[i]
            rec_state[t_rec, S_E, i] = e[i]
            rec_state[t_rec, S_Z, i] = z[i]
    total, between, within = theil_parts(lny, L, groups, n_groups, gY, gL)
    rec_scalar[t_rec, R_SIGMA] = dispersion(lny)
    for d in range(3):
        rec_scalar[t_rec, R_CA + d] = q[d]
    rec_scalar[t_rec, R_THEIL] = total
    rec_scalar[t_rec, R_THEIL_BETWEEN] = between
    rec_scalar[t_rec, R_THEIL_WITHIN] = within
    rec_scalar[t_rec, R_CCD] = coupling_coordination(q)
    zs = 0.0
    for i in range(R):
        zs += z[i]
    rec_scalar[t_rec, R_DEFECTION] = zs / R


@njit(cache=True, nogil=True)
def _all_finite(x):
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return False
    return True


@njit(cache=True, nogil=True)
def run_path(seed, path, shocks_given, years, substeps, record_every, target_reduction,
             G, s_target, lny0, K0, L0, s0, e0, saving, par, theta, groups, n_groups,
             full, rec_state, rec_lny, rec_L, rec_scalar, path_scalar):
    """Simulate one path and write its records.

    Parameters
    ----------
    seed, path : int
        Address of the path's random stream (ignored when ``shocks_given`` has rows).
    shocks_given : float64[n_steps, 4R + 1]
        Shocks to use instead of the stream; pass an array with 0 rows to draw.
    years, substeps, record_every : int
        Horizon, Euler steps per year and record interval (in years).
    target_reduction : float
        Target sigma reduction for the first-passage year.
    G, s_target, lny0, K0, L0, s0, e0, saving : arrays
        Scenario data (gravity matrix, target specialisation, initial state, saving).
    par, theta : float64 arrays
        Model parameters and mechanism intensities.
    groups : int64[R]
        Macro-region index of each region, ``0 .. n_groups - 1``.
    full : bool
        Also record ``a, K, s, e, z`` into ``rec_state``.
    rec_state : float64[n_rec, 5, R]
    rec_lny, rec_L : float64[n_rec, R]
    rec_scalar : float64[n_rec, N_REC_SCALARS]
    path_scalar : float64[N_PATH_SCALARS]
    """
    R = lny0.shape[0]
    h = 1.0 / substeps
    window = int(par[WINDOW])
    review = int(par[REVIEW])
    use_given = shocks_given.shape[0] > 0

    rng = np.empty(4, dtype=np.uint64)
    seed_stream(seed, path, rng)
    buf = np.empty(4 * R + 1)
    W = np.empty((R, R))
    F = np.empty((R, R))
    work = np.empty((N_WORK, R))
    lny = np.empty(R)
    gY = np.empty(n_groups)
    gL = np.empty(n_groups)
    q = np.empty(3)
    hist = np.empty((window, 3))
    ordered = np.empty((window, 3))

    a = np.empty(R)
    K = K0.copy()
    L = L0.copy()
    s = s0.copy()
    e = e0.copy()
    z = np.zeros(R)
    w = np.full(3, 1.0 / 3.0)
    initial_tfp(lny0, K0, L0, s0, e0, G, par, theta, W, work, a)
    for i in range(R):
        lny[i] = lny0[i]
    lny_start = lny0.copy()

    for k in range(N_PATH_SCALARS):
        path_scalar[k] = 0.0
    path_scalar[P_VALID] = 1.0
    path_scalar[P_FIRST_PASSAGE] = np.nan
    ties(e, z, G, par[BLOCK], work[W_OPEN], W)
    driver_indices(W, G, s, L, q)
    _record(0, full, a, K, s, e, z, L, lny, q, W, G, groups, n_groups, gY, gL,
            rec_state, rec_lny, rec_L, rec_scalar)
    sigma0 = rec_scalar[0, R_SIGMA]
    threshold = (1.0 - target_reduction) * sigma0
    if sigma0 <= threshold:
        path_scalar[P_FIRST_PASSAGE] = 0.0
    for d in range(3):
        hist[0, d] = q[d]
    n_hist = 1
    head = 1 % window
    shock_sum = 0.0
    n_rec = rec_lny.shape[0]
    valid = True
    n_step = 0
    for year in range(1, years + 1):
        for _ in range(substeps):
            if use_given:
                for k in range(4 * R + 1):
                    buf[k] = shocks_given[n_step, k]
            else:
                fill_normals(rng, buf[: 3 * R + 1])
                fill_uniforms(rng, buf[3 * R + 1 :])
            for k in range(4 * R + 1):
                shock_sum += buf[k]
            step(a, K, L, s, e, z, G, s_target, saving, par, theta, w, h, buf, W, F, work, lny)
            n_step += 1
        # End of a whole year: output with the shares in force, drivers, history, review.
        chi = (par[CHI0] + par[CHI_C] * theta[COOPERATION]) * (1.0 + par[BOOST] * w[CA])
        ties(e, z, G, par[BLOCK], work[W_OPEN], W)
        log_output(a, K, L, s, W, par[ALPHA], par[ETA], chi, work[W_TRADE], lny)
        driver_indices(W, G, s, L, q)
        if not (_all_finite(lny) and _all_finite(L) and _all_finite(q)):
            valid = False
            break
        sig = dispersion(lny)
        if np.isnan(path_scalar[P_FIRST_PASSAGE]) and sig <= threshold:
            path_scalar[P_FIRST_PASSAGE] = year
        if year % record_every == 0:
            _record(year // record_every, full, a, K, s, e, z, L, lny, q, W, G, groups,
                    n_groups, gY, gL, rec_state, rec_lny, rec_L, rec_scalar)
        for d in range(3):
            hist[head, d] = q[d]
        head = (head + 1) % window
        n_hist = min(n_hist + 1, window)
        if year % review == 0 and n_hist == window:
            for t in range(window):
                src = (head + t) % window
                for d in range(3):
                    ordered[t, d] = hist[src, d]
            op = identify_order_parameter(ordered)
            path_scalar[P_REVIEWS] += 1.0
            path_scalar[P_PICK_CA + op] += 1.0
            th = theta[ORDER_PARAMETER]
            for d in range(3):
                w[d] = (1.0 - th) / 3.0
            w[op] += th

    path_scalar[P_SHOCK_SUM] = shock_sum
    if valid:
        path_scalar[P_BETA] = beta_slope(lny_start, lny, years)
        path_scalar[P_GROWTH] = (log_total_output(lny, L) - log_total_output(lny_start, L0)) / years
    else:
        path_scalar[P_VALID] = 0.0
        path_scalar[P_BETA] = np.nan
        path_scalar[P_GROWTH] = np.nan
        path_scalar[P_FIRST_PASSAGE] = np.nan
        first_bad = year // record_every if year % record_every == 0 else year // record_every + 1
        for t in range(first_bad, n_rec):
            for i in range(R):
                rec_lny[t, i] = np.nan
                rec_L[t, i] = np.nan
            for k in range(N_REC_SCALARS):
                rec_scalar[t, k] = np.nan
            if full:
                for k in range(5):
                    for i in range(R):
                        rec_state[t, k, i] = np.nan


@njit(cache=True, nogil=True, parallel=True)
def simulate_block(seed, path0, years, substeps, record_every, target_reduction,
                   G, s_target, lny0, K0, L0, s0, e0, saving, par, theta, groups, n_groups,
                   full, n_chunks, rec_state, rec_lny, rec_L, rec_scalar, path_scalar):
    """Simulate paths ``path0 .. path0 + n - 1`` (``n = rec_lny.shape[0]``) of one mix.

    Output arrays carry a leading path axis; see :func:`run_path` for the rest. Paths
    are split into ``n_chunks`` contiguous chunks run in parallel (any value gives the
    same numbers).
    When ``full`` is False, ``rec_state`` may have a leading axis of length 1 (it is
    not written).
    """
    n = rec_lny.shape[0]
    no_shocks = np.empty((0, 4 * lny0.shape[0] + 1))
    n_chunks = max(1, min(n, n_chunks))
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        for p in range(lo, hi):
            rs = rec_state[p] if full else rec_state[0]
            run_path(seed, path0 + p, no_shocks, years, substeps, record_every, target_reduction,
                     G, s_target, lny0, K0, L0, s0, e0, saving, par, theta, groups, n_groups,
                     full, rs, rec_lny[p], rec_L[p], rec_scalar[p], path_scalar[p])


@njit(cache=True, nogil=True)
def simulate_given_shocks(shocks, years, substeps, record_every, target_reduction,
                          G, s_target, lny0, K0, L0, s0, e0, saving, par, theta, groups,
                          n_groups, rec_state, rec_lny, rec_L, rec_scalar, path_scalar):
    """Like :func:`simulate_block` with ``full=True``, on shocks ``(P, n_steps, 4R+1)``."""
    for p in range(shocks.shape[0]):
        run_path(0, p, shocks[p], years, substeps, record_every, target_reduction,
                 G, s_target, lny0, K0, L0, s0, e0, saving, par, theta, groups, n_groups,
                 True, rec_state[p], rec_lny[p], rec_L[p], rec_scalar[p], path_scalar[p])
