"""The production path loop: batches of ``N`` paths, one per vector lane.

``simulate_batches`` splits the paths of one mix into batches of ``N`` consecutive
paths (``N = 8`` by default, 16 selectable; a compile-time constant) and runs each batch
through the vector step of :mod:`kernels.lanes`: the tie passes, the flows, the updates,
the driver indices and the per-time metrics operate on ``N``-lane vectors, with state
laid out ``(field, region, lane)``. Only a few things run per lane, as scalar code: the
parameter draw and initial state of a path under parameter uncertainty
(:mod:`kernels.path_setup`), the Haken fit at a review, and the bookkeeping of the
outputs (:mod:`kernels.records`).

Every lane computes exactly what the scalar loop (:mod:`kernels.paths`) computes for its
path, so results do not depend on ``N``, on which paths share a batch, on the chunks or
on the threads. Lanes are independent:

* a lane whose path turns non-finite is marked invalid and stops being recorded (its
  lane keeps computing, its values are never read); the other lanes are untouched;
* the last batch may hold fewer than ``N`` paths: the free lanes repeat the batch's
  first path and are never written out;
* under parameter uncertainty each lane has its own parameter vector, initial state and,
  when ``d0`` is drawn, its own gravity matrix ``G[i, j, lane]``.

The year-end bookkeeping follows :mod:`kernels.paths` line by line (same conventions).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import lanes, simd
from .elementary import exp
from .haken import identify_order_parameter
from .layout import (
    D0,
    N_PARAMS,
    N_REC_SCALARS,
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
)
from .path_setup import initial_state, is_drawn, path_setup
from .paths import path_scratch
from .philox import draw_step_lanes, initial_uniform_lanes, lane_keys
from .records import finish_path, invalidate, start_path

# Rows of a batch's per-lane values ``lane_values[row, lane]``.
(LV_ALIVE, LV_U0, LV_SHOCK_SUM, LV_FIRST_PASSAGE) = range(4)
N_LANE_VALUES = 4


@njit(nogil=True)
def _batch_scratch(R, n_groups, window, n):
    """The arrays of one batch, lane last; allocated once per chunk and reused."""
    return (
        np.empty((N_FIELDS, R, n)),  # state
        np.empty((N_ROWS, R, n)),  # work
        np.empty((4 * R + 2, n)),  # one step's variates
        np.empty((N_PARAMS, n)),  # parameters
        np.empty((4, R, n)),  # a0, astar_dev, K0, saving
        np.empty((3, n)),  # driver indices q
        np.empty((3, n)),  # shares w
        np.empty((window, 3, n)),  # driver history
        np.empty((window, 3)),  # one lane's history in time order
        np.empty((2, max(n_groups, 1), n)),  # Theil group sums
        np.empty((N_REC_SCALARS, n)),  # per-time metrics of the lanes
        np.empty((N_LANE_VALUES, n)),  # per-lane values
        np.empty((2, n), dtype=np.uint32),  # Philox keys
        np.empty(n, dtype=np.uint64),  # paths of the lanes
        np.empty(n, dtype=np.int64),  # output rows of the lanes (-1: not written)
        np.empty((4, n)),  # flow rates, migration cost and cap of the step
    )


@njit(nogil=True)
def _set_lane(lane, par, a0, astar_dev, K0, saving, P, start):
    """Copy one path's parameters and initial arrays into lane ``lane`` of the batch."""
    for m in range(par.shape[0]):
        P[m, lane] = par[m]
    for i in range(a0.shape[0]):
        start[0, i, lane] = a0[i]
        start[1, i, lane] = astar_dev[i]
        start[2, i, lane] = K0[i]
        start[3, i, lane] = saving[i]


@njit(nogil=True)
def _setup_batch(
    first, n_real, scenario, params, settings, shocks, out, base, own, G_lanes, per_lane_g, batch, n
):
    """Fill the batch's per-lane parameters, initial arrays, keys and ``u0``.

    Lane ``l < n_real`` is output row ``first + l``; the other lanes copy lane 0 and are
    never written out. Returns nothing; ``lane_values[LV_ALIVE]`` marks the lanes that
    are computed and recorded (0 for a path without an admissible parameter draw).
    """
    P, start, lane_values, keys, lane_paths, rows = (
        batch[3],
        batch[4],
        batch[11],
        batch[12],
        batch[13],
        batch[14],
    )
    a0, astar_dev = base
    R = scenario.lny0.shape[0]
    uncertain = out.path_params.shape[1] > 0
    for lane in range(n):
        real = lane < n_real
        k = first + lane if real else first
        rows[lane] = k if real else -1
        lane_paths[lane] = settings.path0 + np.uint64(k)
        lane_values[LV_ALIVE, lane] = 1.0 if real else 0.0
        if real:
            start_path(out, k)
        if not uncertain:
            _set_lane(lane, params.par, a0, astar_dev, scenario.K0, scenario.saving, P, start)
            continue
        if not real:
            for m in range(N_PARAMS):
                P[m, lane] = P[m, 0]
            for f in range(4):
                for i in range(R):
                    start[f, i, lane] = start[f, i, 0]
            if per_lane_g:
                for i in range(R):
                    for j in range(R):
                        G_lanes[i, j, lane] = G_lanes[i, j, 0]
            continue
        draws = path_setup(
            settings.seed, lane_paths[lane], scenario, params, settings.substeps, own, out.path_params[k]
        )
        out.path_scalar[k, PATH_DRAWS] = draws
        G_own, K0_own, saving_own, par_own, a0_own, dev_own = own[0], own[1], own[2], own[3], own[4], own[5]
        if draws == 0:
            invalidate(out, k, 0, settings.full)
            out.path_scalar[k, PATH_SHOCK_SUM] = np.nan
            lane_values[LV_ALIVE, lane] = 0.0
            # a benign stand-in, never recorded
            _set_lane(lane, params.par, a0, astar_dev, scenario.K0, scenario.saving, P, start)
            G_own = scenario.G
        else:
            _set_lane(lane, par_own, a0_own, dev_own, K0_own, saving_own, P, start)
        if per_lane_g:
            for i in range(R):
                for j in range(R):
                    G_lanes[i, j, lane] = G_own[i, j]
    given = shocks.steps.shape[0] > 0
    if given:
        for lane in range(n):
            lane_values[LV_U0, lane] = shocks.u0[first + lane if lane < n_real else first]
    else:
        lane_keys(settings.seed, lane_paths, keys)
        simd.store(
            lane_values[LV_U0], 0, initial_uniform_lanes(simd.load(keys[0], 0, n), simd.load(keys[1], 0, n))
        )


@njit(nogil=True)
def _record(out, t, full, rows, alive, state, work, q, regime, scenario, batch, n):
    """Compute the per-time metrics of every lane and write the records of the live lanes.

    Returns the mask of lanes whose metrics are all finite.
    """
    group_sums, metrics = batch[9], batch[10]
    L, z = state[FIELD_L], state[FIELD_Z]
    lny, Y = work[ROW_LOG_Y], work[ROW_OUTPUT]
    R = L.shape[0]
    total, between, within, lmu = lanes.theil_parts(
        lny, Y, L, scenario.groups, scenario.n_groups, group_sums[0], group_sums[1], n
    )
    simd.store(metrics[REC_SIGMA], 0, lanes.dispersion(lny, n))
    for d in range(3):
        simd.store(metrics[REC_CA + d], 0, simd.load(q[d], 0, n))
    simd.store(metrics[REC_THEIL], 0, total)
    simd.store(metrics[REC_THEIL_BETWEEN], 0, between)
    simd.store(metrics[REC_THEIL_WITHIN], 0, within)
    simd.store(metrics[REC_CCD], 0, lanes.coupling_coordination(q, n))
    zs = simd.broadcast(0.0, n)
    for i in range(R):
        zs = zs + simd.load(z[i], 0, n)
    simd.store(metrics[REC_DEFECTION], 0, zs / float(R))
    simd.store(metrics[REC_REGIME], 0, regime)
    simd.store(metrics[REC_LOG_MEAN_INCOME], 0, lmu)
    for lane in range(n):
        if alive[lane] == 0.0:
            continue
        k = rows[lane]
        for i in range(R):
            out.rec_lny[k, t, i] = lny[i, lane]
            out.rec_L[k, t, i] = L[i, lane]
        for m in range(metrics.shape[0]):
            out.rec_scalar[k, t, m] = metrics[m, lane]
        if full:
            for i in range(R):
                out.rec_state[k, t, STATE_A, i] = state[FIELD_A, i, lane]
                out.rec_state[k, t, STATE_K, i] = state[FIELD_K, i, lane]
                out.rec_state[k, t, STATE_S, i] = state[FIELD_S, i, lane]
                out.rec_state[k, t, STATE_E, i] = state[FIELD_E, i, lane]
                out.rec_state[k, t, STATE_Z, i] = z[i, lane]
    return lanes.finite_rows(metrics, n)


@njit(nogil=True)
def _bury(out, first_bad, full, rows, alive, ok, shock_sum, n):
    """Invalidate the live lanes outside the mask ``ok`` from record time ``first_bad`` on.

    Returns the number of lanes still alive.
    """
    n_alive = 0
    for lane in range(n):
        if alive[lane] == 0.0:
            continue
        if not simd.lane(simd.select(ok, 1.0, 0.0), lane) == 1.0:
            k = rows[lane]
            invalidate(out, k, first_bad, full)
            out.path_scalar[k, PATH_SHOCK_SUM] = shock_sum[lane]
            alive[lane] = 0.0
        else:
            n_alive += 1
    return n_alive


@njit(nogil=True)
def _run_batch(scenario, params, settings, shocks, out, G, batch, n):
    """Simulate a set-up batch (:func:`_setup_batch`) to the end; ``G`` shared or per lane."""
    state, work, buf, P, start, q, w, hist, ordered = batch[:9]
    lane_values, keys, rows, rates = batch[11], batch[12], batch[14], batch[15]
    years, substeps, record_every, full = (
        settings.years,
        settings.substeps,
        settings.record_every,
        settings.full,
    )
    theta = params.theta
    R = scenario.lny0.shape[0]
    h = 1.0 / substeps
    window = int(params.par[WINDOW])
    review = int(params.par[REVIEW])
    n_shocks = 4 * R + 2
    given = shocks.steps.shape[0] > 0
    alive = lane_values[LV_ALIVE]
    k0 = simd.load(keys[0], 0, n)
    k1 = simd.load(keys[1], 0, n)
    u0 = simd.load(lane_values[LV_U0], 0, n)
    regime = simd.select(u0 < simd.load(P[REGIME0], 0, n), 1.0, 0.0)
    for i in range(R):
        simd.store(state[FIELD_A, i], 0, simd.load(start[0, i], 0, n))
        simd.store(state[FIELD_K, i], 0, simd.load(start[2, i], 0, n))
        simd.store(state[FIELD_L, i], 0, simd.broadcast(scenario.L0[i], n))
        simd.store(state[FIELD_S, i], 0, simd.broadcast(scenario.s0[i], n))
        simd.store(state[FIELD_E, i], 0, simd.broadcast(scenario.e0[i], n))
        simd.store(state[FIELD_Z, i], 0, simd.broadcast(0.0, n))
    third = simd.broadcast(1.0 / 3.0, n)
    for d in range(3):
        simd.store(w[d], 0, third)
    astar_dev, saving = start[1], start[3]
    lny = work[ROW_LOG_Y]
    Y = work[ROW_OUTPUT]

    lanes.prepare(state, G, P, work, n)
    lanes.driver_indices(state, work, q, n)
    # t = 0 records the data: ln y(0) and Y(0) = exp(ln y(0)) L(0)
    for i in range(R):
        simd.store(lny[i], 0, simd.broadcast(scenario.lny0[i], n))
        simd.store(Y[i], 0, simd.broadcast(exp(scenario.lny0[i]) * scenario.L0[i], n))
    _record(out, 0, full, rows, alive, state, work, q, regime, scenario, batch, n)
    lanes.finish_output(lanes.trade_gain(P, theta, simd.load(w[0], 0, n), n), state, work, n)
    sigma0 = simd.load(batch[10][REC_SIGMA], 0, n)
    threshold = (1.0 - settings.target_reduction) * sigma0
    first_passage = simd.select(sigma0 <= threshold, 0.0, np.nan)
    for d in range(3):
        simd.store(hist[0, d], 0, simd.load(q[d], 0, n))
    n_hist = 1
    head = 1 % window
    shock_sum = u0
    n_step = 0
    for year in range(1, years + 1):
        chi = lanes.trade_gain(P, theta, simd.load(w[0], 0, n), n)
        for _ in range(substeps):
            if given:
                for lane in range(n):
                    k = rows[lane] if rows[lane] >= 0 else rows[0]
                    for m in range(n_shocks):
                        buf[m, lane] = shocks.steps[k, n_step, m]
            else:
                draw_step_lanes(k0, k1, n_step, R, buf)
            for m in range(n_shocks):
                shock_sum = shock_sum + simd.load(buf[m], 0, n)
            coeffs = lanes.coefficients(P, theta, w, regime, n)
            lanes.flows(state, G, P, coeffs[1], h, work, rates, n)
            regime = lanes.step(
                state, work, scenario.s_target, saving, P, theta, h, buf, regime, astar_dev, coeffs, n
            )
            lanes.prepare(state, G, P, work, n)
            lanes.finish_output(chi, state, work, n)
            n_step += 1
        # end of a whole year: output with the shares in force, drivers, history, review
        lanes.driver_indices(state, work, q, n)
        simd.store(lane_values[LV_SHOCK_SUM], 0, shock_sum)
        ok = lanes.finite_rows(lny, n) & lanes.finite_rows(state[FIELD_L], n) & lanes.finite_rows(q, n)
        if (
            _bury(out, (year - 1) // record_every + 1, full, rows, alive, ok, lane_values[LV_SHOCK_SUM], n)
            == 0
        ):
            return
        sig = lanes.dispersion(lny, n)
        first_passage = simd.select(
            (first_passage != first_passage) & (sig <= threshold), float(year), first_passage
        )
        if year % record_every == 0:
            t = year // record_every
            ok = _record(out, t, full, rows, alive, state, work, q, regime, scenario, batch, n)
            if _bury(out, t, full, rows, alive, ok, lane_values[LV_SHOCK_SUM], n) == 0:
                return
        for d in range(3):
            simd.store(hist[head, d], 0, simd.load(q[d], 0, n))
        head = (head + 1) % window
        n_hist = min(n_hist + 1, window)
        if year % review == 0 and n_hist == window:
            th = theta[ORDER_PARAMETER]
            for lane in range(n):
                if alive[lane] == 0.0:
                    continue
                for t in range(window):
                    src = (head + t) % window
                    for d in range(3):
                        ordered[t, d] = hist[src, d, lane]
                op = identify_order_parameter(ordered)
                k = rows[lane]
                out.path_scalar[k, PATH_REVIEWS] += 1.0
                out.path_scalar[k, PATH_PICK_CA + op] += 1.0
                for d in range(3):
                    w[d, lane] = (1.0 - th) / 3.0
                w[op, lane] += th
            # the new shares change chi, hence ln y of the next step's start
            lanes.finish_output(lanes.trade_gain(P, theta, simd.load(w[0], 0, n), n), state, work, n)
    fp = lane_values[LV_FIRST_PASSAGE]
    simd.store(fp, 0, first_passage)
    for lane in range(n):
        if alive[lane] == 0.0:
            continue
        k = rows[lane]
        out.path_scalar[k, PATH_SHOCK_SUM] = lane_values[LV_SHOCK_SUM, lane]
        out.path_scalar[k, PATH_FIRST_PASSAGE] = fp[lane]
        finish_path(out, k, scenario.lny0, scenario.L0, years, full)


def simulate_batches(scenario, params, settings, shocks, out, n_lanes):
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
    n_lanes : int
        Paths per batch ``N``: 8 or 16.
    """
    if n_lanes not in _ENTRIES:
        raise ValueError(f"n_lanes must be one of {sorted(_ENTRIES)}, got {n_lanes}")
    _ENTRIES[n_lanes](scenario, params, settings, shocks, out)


def _entry(n):
    """The compiled entry point for ``n`` lanes (``n`` a constant of the closure).

    A closure rather than a literal argument: Numba keys its cache on the closure's
    values, and a call needs no literal dispatch (which costs milliseconds per call).
    """

    @njit(cache=True, nogil=True, parallel=True)
    def simulate(scenario, params, settings, shocks, out):
        n_paths = out.path_scalar.shape[0]
        R = scenario.lny0.shape[0]
        par = params.par
        window = int(par[WINDOW])
        n_batches = (n_paths + n - 1) // n
        n_chunks = max(1, min(n_batches, settings.chunks))
        n_uncertain = out.path_params.shape[1]
        per_lane_g = n_uncertain > 0 and is_drawn(D0, params)
        a0 = np.empty(R)
        astar_dev = np.empty(R)
        initial_state(scenario, scenario.G, scenario.K0, par, params.theta, a0, astar_dev)
        base = (a0, astar_dev)
        for c in prange(n_chunks):
            batch = _batch_scratch(R, scenario.n_groups, window, n)
            _, own = path_scratch(
                R, scenario.n_groups, window, par.shape[0], n_uncertain, params.mvn_pos.shape[0]
            )
            G_lanes = np.empty((R, R, n) if per_lane_g else (0, 0, n))
            for b in range(c * n_batches // n_chunks, (c + 1) * n_batches // n_chunks):
                first = b * n
                n_real = min(n, n_paths - first)
                _setup_batch(first, n_real, scenario, params, settings, shocks, out, base, own, G_lanes,
                             per_lane_g, batch, n)  # fmt: skip
                if per_lane_g:
                    _run_batch(scenario, params, settings, shocks, out, G_lanes, batch, n)
                else:
                    _run_batch(scenario, params, settings, shocks, out, scenario.G, batch, n)

    return simulate


_ENTRIES = {8: _entry(8), 16: _entry(16)}
