"""The scalar path loop: one path at a time, the readable form of the kernel.

``simulate_paths`` runs every path of one mix, one after the other within each of
``Settings.chunks`` chunks (in parallel), with the step of :mod:`kernels.model`. The
production loop (:mod:`kernels.batches`) runs the same arithmetic on ``N`` paths at once
in vector lanes; tests require both to give the same bits.

Conventions where MODEL.md is silent:

* Year-``t`` records (``ln y``, sigma, Theil, drivers, ...) are taken at the end of year
  ``t`` with the driver shares that were in force during that year, i.e. before that
  year's review changes them: they describe what the reviewer saw. The regime recorded
  at year ``t`` is the one after that year's last switch (MODEL.md step 7b).
* Validity and the beta slope: :mod:`kernels.records`.
* The first-passage year is NaN when the target is never reached.

Random numbers: path ``p`` draws from Philox4x32-10 keyed by ``(seed, p)``
(:mod:`kernels.philox`): its initial uniform, then ``4R + 2`` variates per step with the
step number as counter; nothing depends on the chunk, the thread or the mix.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .elementary import exp
from .haken import identify_order_parameter
from .layout import (
    ALPHA,
    BLOCK,
    ETA,
    ORDER_PARAMETER,
    PATH_DRAWS,
    PATH_FIRST_PASSAGE,
    PATH_PICK_CA,
    PATH_REVIEWS,
    PATH_SHOCK_SUM,
    REC_CA,
    REC_CCD,
    REC_DEFECTION,
    REC_LOG_MEAN_INCOME,
    REC_REGIME,
    REC_SIGMA,
    REC_THEIL,
    REC_THEIL_BETWEEN,
    REC_THEIL_WITHIN,
    REGIME0,
    REVIEW,
    STATE_A,
    STATE_E,
    STATE_K,
    STATE_S,
    STATE_Z,
    WINDOW,
)
from .metrics import coupling_coordination, dispersion, theil_parts_given_output
from .model import (
    FIELD_A,
    FIELD_E,
    FIELD_K,
    FIELD_L,
    FIELD_S,
    FIELD_Z,
    N_FIELDS,
    N_ROWS,
    ROW_LOG_Y,
    ROW_OUTPUT,
    driver_indices,
    finish_output,
    prepare,
    step,
    trade_gain,
)
from .path_setup import initial_state, path_setup
from .philox import draw_step, initial_uniform, path_key
from .records import all_finite, finish_path, invalidate, records_finite, start_path


@njit(cache=True, nogil=True)
def _record(out, k, t, full, state, lny, Y, q, regime, groups, n_groups, group_sums):
    """Write row ``k``'s records of record time ``t`` (``Y`` are the outputs ``exp(ln y) L``)."""
    L = state[FIELD_L]
    z = state[FIELD_Z]
    R = L.shape[0]
    for i in range(R):
        out.rec_lny[k, t, i] = lny[i]
        out.rec_L[k, t, i] = L[i]
    if full:
        for i in range(R):
            out.rec_state[k, t, STATE_A, i] = state[FIELD_A, i]
            out.rec_state[k, t, STATE_K, i] = state[FIELD_K, i]
            out.rec_state[k, t, STATE_S, i] = state[FIELD_S, i]
            out.rec_state[k, t, STATE_E, i] = state[FIELD_E, i]
            out.rec_state[k, t, STATE_Z, i] = z[i]
    total, between, within, lmu = theil_parts_given_output(
        lny, Y, L, groups, n_groups, group_sums[0], group_sums[1]
    )
    rec = out.rec_scalar[k, t]
    rec[REC_SIGMA] = dispersion(lny)
    for d in range(3):
        rec[REC_CA + d] = q[d]
    rec[REC_THEIL] = total
    rec[REC_THEIL_BETWEEN] = between
    rec[REC_THEIL_WITHIN] = within
    rec[REC_CCD] = coupling_coordination(q)
    zs = 0.0
    for i in range(R):
        zs += z[i]
    rec[REC_DEFECTION] = zs / R
    rec[REC_REGIME] = regime
    rec[REC_LOG_MEAN_INCOME] = lmu


@njit(cache=True, nogil=True)
def _simulate_path(k, scenario, theta, settings, shocks, out, G, K0, saving, par, a0, astar_dev, scratch):
    """Simulate output row ``k`` (path ``settings.path0 + k``) from its initial state.

    ``G``, ``K0``, ``saving``, ``par``, ``a0`` and ``astar_dev`` are the path's own
    (:mod:`kernels.path_setup`); ``out.path_scalar[k]`` must have been started
    (:func:`kernels.records.start_path`). With ``shocks.steps`` of 0 paths the variates
    come from the path's streams, otherwise from ``shocks``.
    """
    years, substeps, record_every, full = (
        settings.years,
        settings.substeps,
        settings.record_every,
        settings.full,
    )
    state, work, buf, q, w, hist, ordered, group_sums = scratch
    R = a0.shape[0]
    ps = out.path_scalar[k]
    h = 1.0 / substeps
    window = int(par[WINDOW])
    review = int(par[REVIEW])
    n_shocks = 4 * R + 2
    given = shocks.steps.shape[0] > 0
    k0, k1 = path_key(settings.seed, settings.path0 + np.uint64(k))
    u0 = shocks.u0[k] if given else initial_uniform(k0, k1)
    regime = 1.0 if u0 < par[REGIME0] else 0.0
    for i in range(R):
        state[FIELD_A, i] = a0[i]
        state[FIELD_K, i] = K0[i]
        state[FIELD_L, i] = scenario.L0[i]
        state[FIELD_S, i] = scenario.s0[i]
        state[FIELD_E, i] = scenario.e0[i]
        state[FIELD_Z, i] = 0.0
    for d in range(3):
        w[d] = 1.0 / 3.0
    lny = work[ROW_LOG_Y]
    Y = work[ROW_OUTPUT]

    prepare(state, G, par[BLOCK], par[ALPHA], par[ETA], work)
    driver_indices(state, work, q)
    # t = 0 records the data: ln y(0) and Y(0) = exp(ln y(0)) L(0)
    for i in range(R):
        lny[i] = scenario.lny0[i]
        Y[i] = exp(scenario.lny0[i]) * scenario.L0[i]
    _record(out, k, 0, full, state, lny, Y, q, regime, scenario.groups, scenario.n_groups, group_sums)
    finish_output(trade_gain(par, theta, w[0]), state, work)
    sigma0 = out.rec_scalar[k, 0, REC_SIGMA]
    threshold = (1.0 - settings.target_reduction) * sigma0
    if sigma0 <= threshold:
        ps[PATH_FIRST_PASSAGE] = 0.0
    for d in range(3):
        hist[0, d] = q[d]
    n_hist = 1
    head = 1 % window
    shock_sum = u0
    n_step = 0
    for year in range(1, years + 1):
        chi = trade_gain(par, theta, w[0])
        for _ in range(substeps):
            if given:
                for m in range(n_shocks):
                    buf[m] = shocks.steps[k, n_step, m]
            else:
                draw_step(k0, k1, n_step, R, buf)
            for m in range(n_shocks):
                shock_sum += buf[m]
            # the start-of-step state was prepared by the previous step (or above); the
            # step uses it, then the new state is prepared for the next step and the
            # year-end records
            regime = step(state, work, G, scenario.s_target, saving, par, theta, w, h, buf, regime, astar_dev)
            prepare(state, G, par[BLOCK], par[ALPHA], par[ETA], work)
            finish_output(chi, state, work)
            n_step += 1
        # end of a whole year: output with the shares in force, drivers, history, review
        driver_indices(state, work, q)
        if not (all_finite(lny) and all_finite(state[FIELD_L]) and all_finite(q)):
            invalidate(out, k, (year - 1) // record_every + 1, full)
            ps[PATH_SHOCK_SUM] = shock_sum
            return
        if np.isnan(ps[PATH_FIRST_PASSAGE]) and dispersion(lny) <= threshold:
            ps[PATH_FIRST_PASSAGE] = year
        if year % record_every == 0:
            t = year // record_every
            _record(out, k, t, full, state, lny, Y, q, regime, scenario.groups, scenario.n_groups, group_sums)
            if not records_finite(out, k, t):
                invalidate(out, k, t, full)
                ps[PATH_SHOCK_SUM] = shock_sum
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
            ps[PATH_REVIEWS] += 1.0
            ps[PATH_PICK_CA + op] += 1.0
            th = theta[ORDER_PARAMETER]
            for d in range(3):
                w[d] = (1.0 - th) / 3.0
            w[op] += th
            # the new shares change chi, hence ln y of the next step's start
            finish_output(trade_gain(par, theta, w[0]), state, work)
    ps[PATH_SHOCK_SUM] = shock_sum
    finish_path(out, k, scenario.lny0, scenario.L0, years, full)


@njit(cache=True, nogil=True)
def path_scratch(R, n_groups, window, n_params, n_uncertain, n_calibrated):
    """Scratch of one path: ``(loop, own)``, allocated once per chunk and reused.

    ``loop`` is what :func:`_simulate_path` works in; ``own`` the path's arrays under
    parameter uncertainty (:func:`kernels.path_setup.path_setup`).
    """
    loop = (
        np.empty((N_FIELDS, R)),
        np.empty((N_ROWS, R)),
        np.empty(4 * R + 2),
        np.empty(3),
        np.empty(3),
        np.empty((window, 3)),
        np.empty((window, 3)),
        np.zeros((2, max(n_groups, 1))),
    )
    own = (
        np.empty((R, R)),
        np.empty(R),
        np.empty(R),
        np.empty(n_params),
        np.empty(R),
        np.empty(R),
        np.empty(n_uncertain),
        np.empty(max(n_calibrated, 1)),
    )
    return loop, own


@njit(cache=True, nogil=True, parallel=True)
def simulate_paths(scenario, params, settings, shocks, out):
    """Simulate paths ``path0 .. path0 + n - 1`` (``n = out.path_scalar.shape[0]``) of one mix.

    Parameters
    ----------
    scenario : kernels.groups.ScenarioArrays
    params : kernels.groups.Parameters
    settings : kernels.groups.Settings
    shocks : kernels.groups.GivenShocks
        Variates of every path, or 0 paths to draw them from the paths' streams.
    out : kernels.groups.Outputs
        Filled in place; row ``k`` is path ``settings.path0 + k``.
    """
    n = out.path_scalar.shape[0]
    R = scenario.lny0.shape[0]
    par = params.par
    n_uncertain = out.path_params.shape[1]
    n_chunks = max(1, min(n, settings.chunks))
    window = int(par[WINDOW])
    a0 = np.empty(R)
    astar_dev = np.empty(R)
    initial_state(scenario, scenario.G, scenario.K0, par, params.theta, a0, astar_dev)
    for c in prange(n_chunks):
        loop, own = path_scratch(
            R, scenario.n_groups, window, par.shape[0], n_uncertain, params.mvn_pos.shape[0]
        )
        for k in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            _run_path(k, scenario, params, settings, shocks, out, a0, astar_dev, loop, own)


@njit(cache=True, nogil=True)
def _run_path(k, scenario, params, settings, shocks, out, a0, astar_dev, loop, own):
    """Set up output row ``k``'s path (its parameter draw, if any) and simulate it."""
    start_path(out, k)
    if out.path_params.shape[1] == 0:
        G, K0, saving = scenario.G, scenario.K0, scenario.saving
        _simulate_path(
            k, scenario, params.theta, settings, shocks, out, G, K0, saving, params.par, a0, astar_dev, loop
        )
        return
    path = settings.path0 + np.uint64(k)
    draws = path_setup(settings.seed, path, scenario, params, settings.substeps, own, out.path_params[k])
    out.path_scalar[k, PATH_DRAWS] = draws
    if draws == 0:
        invalidate(out, k, 0, settings.full)
        out.path_scalar[k, PATH_SHOCK_SUM] = np.nan
        return
    G_p, K0_p, saving_p, par_p, a0_p, dev_p = own[0], own[1], own[2], own[3], own[4], own[5]
    _simulate_path(
        k, scenario, params.theta, settings, shocks, out, G_p, K0_p, saving_p, par_p, a0_p, dev_p, loop
    )
