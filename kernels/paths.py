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
from .metrics import (
    beta_slope,
    coupling_coordination,
    dispersion,
    log_total_output,
    theil_parts_given_output,
)
from .model import (
    N_SCRATCH,
    N_WORK,
    W_Y,
    driver_indices_prepared,
    finish_output,
    initial_tfp,
    prepare_state,
    step_core,
)
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
def _all_finite(x):
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return False
    return True


@njit(cache=True, nogil=True)
def _record(
    t_rec,
    full,
    a,
    K,
    s,
    e,
    z,
    L,
    lny,
    Y,
    q,
    groups,
    n_groups,
    gY,
    gL,
    glmu,
    rec_state,
    rec_lny,
    rec_L,
    rec_scalar,
):
    """Write the records of record time ``t_rec`` from the start-of-step outputs ``Y``."""
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
    total, between, within = theil_parts_given_output(lny, Y, L, groups, n_groups, gY, gL, glmu)
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
def _chi(par, theta, w):
    return (par[CHI0] + par[CHI_C] * theta[COOPERATION]) * (1.0 + par[BOOST] * w[CA])


@njit(cache=True, nogil=True)
def _path(
    seed,
    path,
    shocks_given,
    years,
    substeps,
    record_every,
    target_reduction,
    G,
    s_target,
    lny0,
    K0,
    L0,
    s0,
    e0,
    saving,
    par,
    theta,
    groups,
    n_groups,
    a0,
    full,
    rec_state,
    rec_lny,
    rec_L,
    rec_scalar,
    path_scalar,
    rng,
    buf,
    W,
    scr,
    st,
    small,
    hist,
    ordered,
):
    """The body of :func:`run_path` on caller-provided scratch (nothing is allocated).

    ``a0`` is the initial log TFP (:func:`initial_tfp`, the same for every path of a
    mix); ``st`` is ``(8, R)`` scratch for the state, ``small`` ``(4, max(n_groups, 3))``.
    """
    R = lny0.shape[0]
    h = 1.0 / substeps
    window = int(par[WINDOW])
    review = int(par[REVIEW])
    use_given = shocks_given.shape[0] > 0
    n_shocks = 4 * R + 1
    block = par[BLOCK]
    alpha = par[ALPHA]
    eta = par[ETA]

    seed_stream(seed, path, rng)
    a = st[0]
    K = st[1]
    L = st[2]
    s = st[3]
    e = st[4]
    z = st[5]
    lny = st[6]
    Y = scr[W_Y]
    gY = small[0]
    gL = small[1]
    glmu = small[2]
    q = small[3]
    w = np.empty(3)
    for i in range(R):
        a[i] = a0[i]
        K[i] = K0[i]
        L[i] = L0[i]
        s[i] = s0[i]
        e[i] = e0[i]
        z[i] = 0.0
    for d in range(3):
        w[d] = 1.0 / 3.0

    for k in range(N_PATH_SCALARS):
        path_scalar[k] = 0.0
    path_scalar[P_VALID] = 1.0
    path_scalar[P_FIRST_PASSAGE] = np.nan
    prepare_state(a, K, L, s, e, z, G, block, alpha, eta, W, scr)
    driver_indices_prepared(scr, s, L, q)
    for i in range(R):
        Y[i] = np.exp(lny0[i]) * L0[i]
    _record(
        0,
        full,
        a,
        K,
        s,
        e,
        z,
        L,
        lny0,
        Y,
        q,
        groups,
        n_groups,
        gY,
        gL,
        glmu,
        rec_state,
        rec_lny,
        rec_L,
        rec_scalar,
    )
    finish_output(_chi(par, theta, w), L, scr, lny)
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
    year = 0
    for year in range(1, years + 1):
        chi = _chi(par, theta, w)
        for _ in range(substeps):
            if use_given:
                for k in range(n_shocks):
                    buf[k] = shocks_given[n_step, k]
            else:
                fill_normals(rng, buf[: 3 * R + 1])
                fill_uniforms(rng, buf[3 * R + 1 :])
            for k in range(n_shocks):
                shock_sum += buf[k]
            # ties, output and row sums of the start-of-step state were prepared by the
            # previous step (or above): the step uses them, then prepares the next state,
            # which the year-end records below share.
            step_core(a, K, L, s, e, z, s_target, saving, par, theta, w, h, buf, W, scr, lny)
            prepare_state(a, K, L, s, e, z, G, block, alpha, eta, W, scr)
            finish_output(chi, L, scr, lny)
            n_step += 1
        # End of a whole year: output with the shares in force, drivers, history, review.
        driver_indices_prepared(scr, s, L, q)
        if not (_all_finite(lny) and _all_finite(L) and _all_finite(q)):
            valid = False
            break
        sig = dispersion(lny)
        if np.isnan(path_scalar[P_FIRST_PASSAGE]) and sig <= threshold:
            path_scalar[P_FIRST_PASSAGE] = year
        if year % record_every == 0:
            _record(
                year // record_every,
                full,
                a,
                K,
                s,
                e,
                z,
                L,
                lny,
                Y,
                q,
                groups,
                n_groups,
                gY,
                gL,
                glmu,
                rec_state,
                rec_lny,
                rec_L,
                rec_scalar,
            )
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
            # the new shares change chi, hence ln y of the next step's start
            finish_output(_chi(par, theta, w), L, scr, lny)

    path_scalar[P_SHOCK_SUM] = shock_sum
    if valid:
        path_scalar[P_BETA] = beta_slope(lny0, lny, years)
        path_scalar[P_GROWTH] = (log_total_output(lny, L) - log_total_output(lny0, L0)) / years
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


@njit(cache=True, nogil=True)
def _scratch(R, n_groups, window):
    """Per-path scratch for :func:`_path` (allocate once per chunk of paths)."""
    rng = np.empty(4, dtype=np.uint64)
    buf = np.empty(4 * R + 1)
    W = np.empty((R, R))
    scr = np.empty((N_SCRATCH, R))
    st = np.empty((8, R))
    small = np.zeros((4, max(n_groups, 3)))
    hist = np.empty((window, 3))
    ordered = np.empty((window, 3))
    return rng, buf, W, scr, st, small, hist, ordered


@njit(cache=True, nogil=True)
def _initial_a(lny0, K0, L0, s0, e0, G, par, theta):
    R = lny0.shape[0]
    a0 = np.empty(R)
    initial_tfp(lny0, K0, L0, s0, e0, G, par, theta, np.empty((R, R)), np.empty((N_WORK, R)), a0)
    return a0


@njit(cache=True, nogil=True)
def run_path(
    seed,
    path,
    shocks_given,
    years,
    substeps,
    record_every,
    target_reduction,
    G,
    s_target,
    lny0,
    K0,
    L0,
    s0,
    e0,
    saving,
    par,
    theta,
    groups,
    n_groups,
    full,
    rec_state,
    rec_lny,
    rec_L,
    rec_scalar,
    path_scalar,
):
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
    a0 = _initial_a(lny0, K0, L0, s0, e0, G, par, theta)
    rng, buf, W, scr, st, small, hist, ordered = _scratch(R, n_groups, int(par[WINDOW]))
    _path(
        seed,
        path,
        shocks_given,
        years,
        substeps,
        record_every,
        target_reduction,
        G,
        s_target,
        lny0,
        K0,
        L0,
        s0,
        e0,
        saving,
        par,
        theta,
        groups,
        n_groups,
        a0,
        full,
        rec_state,
        rec_lny,
        rec_L,
        rec_scalar,
        path_scalar,
        rng,
        buf,
        W,
        scr,
        st,
        small,
        hist,
        ordered,
    )


@njit(cache=True, nogil=True, parallel=True)
def simulate_block(
    seed,
    path0,
    years,
    substeps,
    record_every,
    target_reduction,
    G,
    s_target,
    lny0,
    K0,
    L0,
    s0,
    e0,
    saving,
    par,
    theta,
    groups,
    n_groups,
    full,
    n_chunks,
    rec_state,
    rec_lny,
    rec_L,
    rec_scalar,
    path_scalar,
):
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
    R = lny0.shape[0]
    window = int(par[WINDOW])
    a0 = _initial_a(lny0, K0, L0, s0, e0, G, par, theta)
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        rng, buf, W, scr, st, small, hist, ordered = _scratch(R, n_groups, window)
        for p in range(lo, hi):
            rs = rec_state[p] if full else rec_state[0]
            _path(
                seed,
                path0 + p,
                no_shocks,
                years,
                substeps,
                record_every,
                target_reduction,
                G,
                s_target,
                lny0,
                K0,
                L0,
                s0,
                e0,
                saving,
                par,
                theta,
                groups,
                n_groups,
                a0,
                full,
                rs,
                rec_lny[p],
                rec_L[p],
                rec_scalar[p],
                path_scalar[p],
                rng,
                buf,
                W,
                scr,
                st,
                small,
                hist,
                ordered,
            )


@njit(cache=True, nogil=True)
def simulate_given_shocks(
    shocks,
    years,
    substeps,
    record_every,
    target_reduction,
    G,
    s_target,
    lny0,
    K0,
    L0,
    s0,
    e0,
    saving,
    par,
    theta,
    groups,
    n_groups,
    rec_state,
    rec_lny,
    rec_L,
    rec_scalar,
    path_scalar,
):
    """Like :func:`simulate_block` with ``full=True``, on shocks ``(P, n_steps, 4R+1)``."""
    R = lny0.shape[0]
    a0 = _initial_a(lny0, K0, L0, s0, e0, G, par, theta)
    rng, buf, W, scr, st, small, hist, ordered = _scratch(R, n_groups, int(par[WINDOW]))
    for p in range(shocks.shape[0]):
        _path(
            0,
            p,
            shocks[p],
            years,
            substeps,
            record_every,
            target_reduction,
            G,
            s_target,
            lny0,
            K0,
            L0,
            s0,
            e0,
            saving,
            par,
            theta,
            groups,
            n_groups,
            a0,
            True,
            rec_state[p],
            rec_lny[p],
            rec_L[p],
            rec_scalar[p],
            path_scalar[p],
            rng,
            buf,
            W,
            scr,
            st,
            small,
            hist,
            ordered,
        )
