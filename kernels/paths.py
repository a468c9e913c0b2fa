"""The path loop: steps, regime switches, yearly driver indices, reviews and per-path metrics.

``simulate_block`` runs paths ``path0 .. path0 + n - 1`` of one mix in parallel
(``prange`` over chunks of paths; each path has its own random stream and scratch, so
results do not depend on the thread count). ``simulate_given_shocks`` runs the same
loop on variates supplied by the caller, for tests against the NumPy reference.

Conventions where MODEL.md is silent:

* Year-``t`` records (``ln y``, sigma, Theil, drivers, ...) are taken at the end of year
  ``t`` with the driver shares that were in force during that year, i.e. before that
  year's review changes them: they describe what the reviewer saw. The regime recorded
  at year ``t`` is the one after that year's last switch (MODEL.md step 7b).
* The beta slope and national growth are computed from the recorded ``ln y(T)`` and
  ``L(T)``, so they can be rebuilt from the trajectory.
* A path is valid only if every recorded quantity (``ln y``, ``L``, the driver indices
  and every per-time metric) and its beta slope and growth are finite. An invalid path
  is marked (``P_VALID = 0``) and its records from the first non-finite year on are NaN.
* The first-passage year is NaN when the target is never reached.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .haken import identify_order_parameter
from .layout import (
    ALPHA,
    BLOCK,
    CAPITAL_OUTPUT,
    D0,
    ETA,
    N_PATH_SCALARS,
    ORDER_PARAMETER,
    P_BETA,
    P_DRAWS,
    P_FIRST_PASSAGE,
    P_GROWTH,
    P_PICK_CA,
    P_REVIEWS,
    P_SHOCK_SUM,
    P_VALID,
    R_CA,
    R_CCD,
    R_DEFECTION,
    R_REGIME,
    R_SIGMA,
    R_THEIL,
    R_THEIL_BETWEEN,
    R_THEIL_WITHIN,
    REGIME0,
    REVIEW,
    SAVING,
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
    trade_gain,
)
from .parameters import draw_parameters
from .rng import fill_normals, fill_uniforms, next_uniform, seed_stream
from .rules import gravity

# Rows of the state record ``rec_state[t, k, i]`` (only filled when ``full``).
S_A, S_K, S_S, S_E, S_Z = range(5)
N_STATE_REC = 5


@njit(cache=True, nogil=True)
def _draw_step(rng, R, buf):
    """The ``4R + 2`` variates of one step: ``3R + 1`` normals, then ``R + 1`` uniforms."""
    fill_normals(rng, buf[: 3 * R + 1])
    fill_uniforms(rng, buf[3 * R + 1 :])


@njit(cache=True, nogil=True)
def draw_shocks(seed, path, n_steps, R):
    """The variates path ``path`` of run ``seed`` uses.

    Returns
    -------
    u0 : float
        The uniform drawn before the first step (initial regime).
    shocks : float64[n_steps, 4R + 2]
        Each step's variates in MODEL.md order.
    """
    rng = np.empty(4, dtype=np.uint64)
    seed_stream(seed, path, rng)
    u0 = next_uniform(rng)
    out = np.empty((n_steps, 4 * R + 2))
    for k in range(n_steps):
        _draw_step(rng, R, out[k])
    return u0, out


@njit(cache=True, nogil=True)
def _all_finite(x):
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return False
    return True


@njit(cache=True, nogil=True)
def _record(t_rec, full, a, K, s, e, z, L, lny, Y, q, regime, groups, n_groups, gY, gL, out):
    """Write the records of record time ``t_rec`` from the start-of-step outputs ``Y``."""
    rec_state, rec_lny, rec_L, rec_scalar = out
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
    total, between, within = theil_parts_given_output(lny, Y, L, groups, n_groups, gY, gL)
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
    rec_scalar[t_rec, R_REGIME] = regime


@njit(cache=True, nogil=True)
def _records_finite(t_rec, out):
    _, rec_lny, rec_L, rec_scalar = out
    return _all_finite(rec_lny[t_rec]) and _all_finite(rec_L[t_rec]) and _all_finite(rec_scalar[t_rec])


@njit(cache=True, nogil=True)
def _invalidate(first_bad, full, out, path_scalar):
    """Mark the path invalid and blank its records from record time ``first_bad`` on."""
    rec_state, rec_lny, rec_L, rec_scalar = out
    path_scalar[P_VALID] = 0.0
    path_scalar[P_BETA] = np.nan
    path_scalar[P_GROWTH] = np.nan
    path_scalar[P_FIRST_PASSAGE] = np.nan
    for t in range(first_bad, rec_lny.shape[0]):
        rec_lny[t, :] = np.nan
        rec_L[t, :] = np.nan
        rec_scalar[t, :] = np.nan
        if full:
            rec_state[t, :, :] = np.nan


@njit(cache=True, nogil=True)
def _path(
    seed,
    path,
    u0_given,
    shocks_given,
    settings,
    data,
    par,
    theta,
    a0,
    astar_dev,
    full,
    out,
    path_scalar,
    scratch,
):
    """Simulate one path into ``out`` and ``path_scalar`` on caller-provided scratch.

    ``settings`` is ``(years, substeps, record_every, target_reduction)``; ``data`` the
    scenario arrays (:func:`simulate_block`) and ``par`` the path's parameters; ``a0``
    the initial log TFP and ``astar_dev`` the steady-state deviations ``a*_i - mean a*``
    (:func:`initial_state`); ``out`` is ``(rec_state, rec_lny, rec_L, rec_scalar)`` of
    this path. With ``shocks_given`` of 0 rows the variates come from the path's stream
    ``(seed, path)``; otherwise ``u0_given`` and the rows of ``shocks_given`` are used.
    ``path_scalar`` must be zeroed except ``P_DRAWS``.
    """
    years, substeps, record_every, target_reduction = settings
    G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups = data[:10]
    rng, buf, W, scr, st, small, hist, ordered = scratch[:8]
    R = lny0.shape[0]
    h = 1.0 / substeps
    window = int(par[WINDOW])
    review = int(par[REVIEW])
    use_given = shocks_given.shape[0] > 0
    n_shocks = 4 * R + 2
    block = par[BLOCK]
    alpha = par[ALPHA]
    eta = par[ETA]

    seed_stream(seed, path, rng)
    u0 = u0_given if use_given else next_uniform(rng)
    regime = 1.0 if u0 < par[REGIME0] else 0.0
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
    q = small[2]
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

    path_scalar[P_VALID] = 1.0
    path_scalar[P_FIRST_PASSAGE] = np.nan
    prepare_state(a, K, L, s, e, z, G, block, alpha, eta, W, scr)
    driver_indices_prepared(scr, s, L, q)
    for i in range(R):
        Y[i] = np.exp(lny0[i]) * L0[i]
    _record(0, full, a, K, s, e, z, L, lny0, Y, q, regime, groups, n_groups, gY, gL, out)
    finish_output(trade_gain(par, theta, w), L, scr, lny)
    rec_scalar = out[3]
    sigma0 = rec_scalar[0, R_SIGMA]
    threshold = (1.0 - target_reduction) * sigma0
    if sigma0 <= threshold:
        path_scalar[P_FIRST_PASSAGE] = 0.0
    for d in range(3):
        hist[0, d] = q[d]
    n_hist = 1
    head = 1 % window
    shock_sum = u0
    n_step = 0
    for year in range(1, years + 1):
        chi = trade_gain(par, theta, w)
        for _ in range(substeps):
            if use_given:
                for k in range(n_shocks):
                    buf[k] = shocks_given[n_step, k]
            else:
                _draw_step(rng, R, buf)
            for k in range(n_shocks):
                shock_sum += buf[k]
            # ties, output and row sums of the start-of-step state were prepared by the
            # previous step (or above): the step uses them, then prepares the next state,
            # which the year-end records below share.
            regime = step_core(
                a, K, L, s, e, z, s_target, saving, par, theta, w, h, buf, W, scr, lny, regime, astar_dev
            )
            prepare_state(a, K, L, s, e, z, G, block, alpha, eta, W, scr)
            finish_output(chi, L, scr, lny)
            n_step += 1
        # End of a whole year: output with the shares in force, drivers, history, review.
        driver_indices_prepared(scr, s, L, q)
        if not (_all_finite(lny) and _all_finite(L) and _all_finite(q)):
            _invalidate((year - 1) // record_every + 1, full, out, path_scalar)
            path_scalar[P_SHOCK_SUM] = shock_sum
            return
        sig = dispersion(lny)
        if np.isnan(path_scalar[P_FIRST_PASSAGE]) and sig <= threshold:
            path_scalar[P_FIRST_PASSAGE] = year
        if year % record_every == 0:
            t_rec = year // record_every
            _record(t_rec, full, a, K, s, e, z, L, lny, Y, q, regime, groups, n_groups, gY, gL, out)
            if not _records_finite(t_rec, out):
                _invalidate(t_rec, full, out, path_scalar)
                path_scalar[P_SHOCK_SUM] = shock_sum
                return
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
            finish_output(trade_gain(par, theta, w), L, scr, lny)

    path_scalar[P_SHOCK_SUM] = shock_sum
    rec_lny = out[1]
    rec_L = out[2]
    last = rec_lny.shape[0] - 1
    beta = beta_slope(lny0, rec_lny[last], years)
    growth = (log_total_output(rec_lny[last], rec_L[last]) - log_total_output(lny0, L0)) / years
    if np.isfinite(beta) and np.isfinite(growth):
        path_scalar[P_BETA] = beta
        path_scalar[P_GROWTH] = growth
    else:
        _invalidate(rec_lny.shape[0], full, out, path_scalar)


@njit(cache=True, nogil=True)
def _scratch(R, n_groups, window, n_params, n_uncertain):
    """Per-path scratch for :func:`_path` and :func:`_path_inputs` (allocate once per chunk)."""
    rng = np.empty(4, dtype=np.uint64)
    buf = np.empty(4 * R + 2)
    W = np.empty((R, R))
    scr = np.empty((N_SCRATCH, R))
    st = np.empty((8, R))
    small = np.zeros((3, max(n_groups, 3)))
    hist = np.empty((window, 3))
    ordered = np.empty((window, 3))
    G = np.empty((R, R))
    vec = np.empty((2, R))
    par = np.empty(n_params)
    z = np.empty(max(n_uncertain, 1))
    return rng, buf, W, scr, st, small, hist, ordered, G, vec, par, z


@njit(cache=True, nogil=True)
def initial_state(data, par, theta):
    """Initial log TFP ``a_i(0)`` of a mix and its steady-state deviations ``a*_i - mean a*``.

    ``a*_i = a_i(0) + (1 - alpha)(ln y*_i - ln y_i(0))`` when the scenario gives steady
    states; otherwise every ``a*_i`` is equal and the deviations are 0 (MODEL.md section 2).
    """
    G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups, distance, y0, ln_gap, has_ss = data
    R = lny0.shape[0]
    a0 = np.empty(R)
    initial_tfp(lny0, K0, L0, s0, e0, G, par, theta, np.empty((R, R)), np.empty((N_WORK, R)), a0)
    dev = np.zeros(R)
    if has_ss:
        one_minus_alpha = 1.0 - par[ALPHA]
        mean = 0.0
        for i in range(R):
            dev[i] = a0[i] + one_minus_alpha * ln_gap[i]
            mean += dev[i]
        mean /= R
        for i in range(R):
            dev[i] -= mean
    return a0, dev


@njit(cache=True, nogil=True)
def _uses(key, unc):
    """Whether parameter position ``key`` is drawn per path."""
    pos, mpos = unc[0], unc[3]
    for j in range(pos.shape[0]):
        if pos[j] == key:
            return True
    for j in range(mpos.shape[0]):
        if mpos[j] == key:
            return True
    return False


@njit(cache=True, nogil=True)
def _path_inputs(seed, path, settings, data, par, theta, unc, ranges, drawn, scratch):
    """The path's parameters and the scenario arrays they change, under parameter uncertainty.

    Draws the vector (:func:`kernels.parameters.draw_parameters`), then recomputes what
    depends on it: the gravity matrix if ``d0`` is drawn, initial capital if
    ``capital_output`` is, the investment rate of every region if ``saving`` is, and the
    initial and steady-state TFP. Returns ``(data, par, a0, astar_dev, draws)``; ``draws``
    is 0 when no admissible vector was found.
    """
    G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups, distance, y0, ln_gap, has_ss = data
    rng, G_p, vec, par_p, z = scratch[0], scratch[8], scratch[9], scratch[10], scratch[11]
    lo, hi, max_attempts = ranges
    R = lny0.shape[0]
    draws = draw_parameters(seed, path, par, unc, settings[1], lo, hi, max_attempts, par_p, drawn, z, rng)
    if _uses(D0, unc):
        gravity(distance, par_p[D0], G_p)
        G = G_p
    if _uses(CAPITAL_OUTPUT, unc):
        K0 = vec[0]
        for i in range(R):
            K0[i] = par_p[CAPITAL_OUTPUT] * y0[i] * L0[i]
    if _uses(SAVING, unc):
        saving = vec[1]
        for i in range(R):
            saving[i] = par_p[SAVING]
    data_p = (G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups, distance, y0, ln_gap, has_ss)
    a0, dev = initial_state(data_p, par_p, theta)
    return data_p, par_p, a0, dev, draws


@njit(cache=True, nogil=True)
def _run_one(
    seed, path, settings, data, par, theta, unc, ranges, a0, astar_dev, full, out, path_scalar, drawn, scratch
):
    """Set up path ``path`` (its parameter draw, if any) and simulate it from its streams."""
    for k in range(N_PATH_SCALARS):
        path_scalar[k] = 0.0
    no_shocks = np.empty((0, 4 * data[2].shape[0] + 2))
    if drawn.shape[0] == 0:
        _path(
            seed,
            path,
            0.0,
            no_shocks,
            settings,
            data,
            par,
            theta,
            a0,
            astar_dev,
            full,
            out,
            path_scalar,
            scratch,
        )
        return
    data_p, par_p, a0_p, dev_p, draws = _path_inputs(
        seed, path, settings, data, par, theta, unc, ranges, drawn, scratch
    )
    path_scalar[P_DRAWS] = draws
    if draws == 0:
        path_scalar[P_SHOCK_SUM] = np.nan
        _invalidate(0, full, out, path_scalar)
        return
    _path(
        seed,
        path,
        0.0,
        no_shocks,
        settings,
        data_p,
        par_p,
        theta,
        a0_p,
        dev_p,
        full,
        out,
        path_scalar,
        scratch,
    )


@njit(cache=True, nogil=True, parallel=True)
def simulate_block(
    seed, path0, settings, data, par, theta, unc, ranges, full, n_chunks, out, path_scalar, path_params
):
    """Simulate paths ``path0 .. path0 + n - 1`` (``n = path_scalar.shape[0]``) of one mix.

    Parameters
    ----------
    seed, path0 : uint64
        Run seed and index of the first path; path ``p`` uses the streams ``(seed, p)``.
    settings : tuple
        ``(years, substeps, record_every, target_reduction)``.
    data : tuple
        ``(G, s_target, lny0, K0, L0, s0, e0, saving, groups, n_groups, distance, y0,
        ln_gap, has_steady_state)``: gravity matrix, target specialisation, initial log
        income, capital, population shares, specialisation and integration, investment
        rates, macro-region indices and their count, distances [km], initial income,
        ``ln y*_i - ln y_i(0)`` and whether the scenario gives steady states.
    par, theta : float64 arrays
        Model parameters (:mod:`kernels.layout`) and mechanism intensities.
    unc : tuple
        Parameter uncertainty ``(pos, kind, args, mvn_pos, mvn_mean, mvn_chol)``
        (:func:`kernels.parameters.draw_parameters`); empty arrays for none.
    ranges : tuple
        ``(lo, hi, max_attempts)``: natural ranges of the parameters and the number of
        draws before a path is invalid.
    full : bool
        Also record ``a, K, s, e, z`` into ``rec_state``; otherwise ``rec_state`` may
        have a leading axis of length 1 (it is not written).
    n_chunks : int
        Paths are split into this many contiguous chunks run in parallel (any value
        gives the same numbers).
    out : tuple
        ``(rec_state, rec_lny, rec_L, rec_scalar)`` with a leading path axis:
        ``float64[n, n_rec, 5, R]``, ``[n, n_rec, R]``, ``[n, n_rec, R]``,
        ``[n, n_rec, N_REC_SCALARS]``.
    path_scalar : float64[n, N_PATH_SCALARS]
    path_params : float64[n, n_uncertain]
        The drawn values of the uncertain keys (marginals, then calibrated).
    """
    rec_state, rec_lny, rec_L, rec_scalar = out
    n = path_scalar.shape[0]
    R = data[2].shape[0]
    n_chunks = max(1, min(n, n_chunks))
    window = int(par[WINDOW])
    n_unc = path_params.shape[1]
    a0, astar_dev = initial_state(data, par, theta)
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        scratch = _scratch(R, data[9], window, par.shape[0], n_unc)
        for p in range(lo, hi):
            rs = rec_state[p] if full else rec_state[0]
            one = (rs, rec_lny[p], rec_L[p], rec_scalar[p])
            _run_one(seed, path0 + p, settings, data, par, theta, unc, ranges, a0, astar_dev, full, one,
                     path_scalar[p], path_params[p], scratch)  # fmt: skip


@njit(cache=True, nogil=True)
def simulate_given_shocks(u0, shocks, settings, data, par, theta, out, path_scalar):
    """Like :func:`simulate_block` with ``full=True`` and no parameter uncertainty, on given variates.

    ``u0`` is ``float64[P]`` (the uniform before the first step) and ``shocks``
    ``float64[P, n_steps, 4R + 2]``.
    """
    rec_state, rec_lny, rec_L, rec_scalar = out
    R = data[2].shape[0]
    a0, astar_dev = initial_state(data, par, theta)
    scratch = _scratch(R, data[9], int(par[WINDOW]), par.shape[0], 0)
    for p in range(shocks.shape[0]):
        for k in range(N_PATH_SCALARS):
            path_scalar[p, k] = 0.0
        one = (rec_state[p], rec_lny[p], rec_L[p], rec_scalar[p])
        _path(
            0,
            p,
            u0[p],
            shocks[p],
            settings,
            data,
            par,
            theta,
            a0,
            astar_dev,
            True,
            one,
            path_scalar[p],
            scratch,
        )
