"""The model step and the per-time metrics on ``N`` paths at once, one path per vector lane.

Each function here is the vector form of a function of :mod:`kernels.model` or
:mod:`kernels.metrics`: the same IEEE operations in the same order, applied to
``simd.Vector(float64, N)`` values (:mod:`kernels.simd`), so every lane equals the
scalar function applied to that lane's path, bit for bit. Branches become selects
(``simd.select``): both sides are computed and each lane keeps its own, which gives the
scalar result exactly (a side a lane does not take may produce inf or NaN there; it is
discarded). Every sum over regions or region pairs adds ``j = 0, 1, ...`` in order,
with the accumulators in registers.

Layout: a batch's arrays have the lane as their last axis, ``state[field, region,
lane]``, ``work[row, region, lane]`` (the rows of :mod:`kernels.model`), per-lane
parameters ``par[key, lane]``; a row ``x[i]`` is one ``N``-lane vector (``simd.load(x[i],
0, N)``). The gravity matrix is either shared by every lane (``G[i, j]``, broadcast) or
the lane's own when ``d0`` is drawn per path (``G[i, j, lane]``); :func:`gravity_pair`
reads either, and the pair passes are compiled once for each.

``N`` is a compile-time constant passed down as the literal argument ``n``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.core.errors import TypingError
from numba.extending import overload

from . import simd
from .elementary import log
from .layout import (
    ALPHA,
    BLOCK,
    BOOST,
    C_MIG,
    CA,
    CHI0,
    CHI_C,
    COOPERATION,
    COST_S,
    DELTA,
    EC,
    ETA,
    FLOW_CAP,
    G_TREND,
    H0,
    HR0,
    HR1,
    ID,
    KAPPA,
    LAMBDA0,
    LAMBDA_C,
    M0,
    MARKET,
    MU_K,
    MU_L,
    NU0,
    NU_C,
    OMEGA,
    PSI0,
    PSI_M,
    REGIME_ENTRY,
    REGIME_EXIT,
    RHO_A,
    SIGMA,
    SIGMA_C,
    SIGMA_E,
    SIGMA_S,
    SUPERVISION,
    TAU_MAX,
    TRANSFER,
    ZETA,
)
from .model import (
    FIELD_A,
    FIELD_E,
    FIELD_K,
    FIELD_L,
    FIELD_S,
    FIELD_Z,
    ROW_BASE,
    ROW_GRAVITY_POP,
    ROW_INCOME,
    ROW_LOG_K,
    ROW_LOG_L,
    ROW_LOG_RETURN,
    ROW_LOG_Y,
    ROW_NET_K,
    ROW_NET_L,
    ROW_OPENNESS,
    ROW_OUTFLOW_K,
    ROW_OUTFLOW_L,
    ROW_OUTPUT,
    ROW_SEND_K,
    ROW_SEND_L,
    ROW_SPILLOVER,
    ROW_TIES,
    ROW_TIES_POP,
    ROW_TRADE,
    ROW_TRANSFER,
)

#: Lanes per sub-vector in the pair passes: one AVX2 register of doubles. Wider vectors
#: need more registers than x86-64 has for the passes' accumulators and would spill.
PAIR_WIDTH = 4


def gravity_pair(G, i, j, lo, n):
    """``G_ij`` of lanes ``lo .. lo + n - 1``.

    ``G[i, j]`` broadcast when ``G`` is shared (2-d), the lanes' own ``G[i, j, lo:lo + n]``
    when it is per lane (3-d).
    """
    raise NotImplementedError("gravity_pair is only callable from @njit code")


@overload(gravity_pair, inline="always")
def _gravity_pair(G, i, j, lo, n):
    if not isinstance(G, types.Array) or G.ndim not in (2, 3):
        raise TypingError(f"gravity_pair takes a 2-d (shared) or 3-d (per-lane) array, got {G}")
    if G.ndim == 2:
        return lambda G, i, j, lo, n: simd.broadcast(G[i, j], n)
    return lambda G, i, j, lo, n: simd.load(G[i, j], lo, n)


@njit(nogil=True)
def trade_gain(par, theta, w_ca, n):
    """Lane form of :func:`kernels.model.trade_gain`; ``w_ca`` a vector."""
    chi0 = simd.load(par[CHI0], 0, n)
    chi_c = simd.load(par[CHI_C], 0, n)
    boost = simd.load(par[BOOST], 0, n)
    return (chi0 + chi_c * theta[COOPERATION]) * (1.0 + boost * w_ca)


@njit(nogil=True)
def coefficients(par, theta, w, regime, n):
    """Lane form of :func:`kernels.model.coefficients`; ``w`` is ``(3, N)``, ``regime`` a vector."""
    boost = simd.load(par[BOOST], 0, n)
    m0 = simd.load(par[M0], 0, n)
    tau = simd.load(par[TAU_MAX], 0, n) * theta[TRANSFER]
    m = m0 + (1.0 - m0) * theta[MARKET]
    psi = (simd.load(par[PSI0], 0, n) + simd.load(par[PSI_M], 0, n) * theta[MARKET]) * (
        1.0 + boost * simd.load(w[EC], 0, n)
    )
    lam = regime * simd.load(par[LAMBDA0], 0, n) + simd.load(par[LAMBDA_C], 0, n) * theta[COOPERATION]
    nu = (simd.load(par[NU0], 0, n) + simd.load(par[NU_C], 0, n) * theta[COOPERATION]) * (
        1.0 + boost * simd.load(w[ID], 0, n)
    )
    invest = 1.0 - simd.load(par[COST_S], 0, n) * theta[SUPERVISION]
    hd0 = simd.load(par[H0], 0, n) * (1.0 - simd.load(par[OMEGA], 0, n) * theta[SUPERVISION])
    hr = simd.load(par[HR0], 0, n) + simd.load(par[HR1], 0, n) * theta[SUPERVISION]
    return tau, m, psi, lam, nu, invest, hd0, hr


@njit(nogil=True)
def prepare(state, G, par, work, n):
    """Lane form of :func:`kernels.model.prepare`."""
    a, L, s = state[FIELD_A], state[FIELD_L], state[FIELD_S]
    K, e, z = state[FIELD_K], state[FIELD_E], state[FIELD_Z]
    R = a.shape[0]
    block = simd.load(par[BLOCK], 0, n)
    alpha = simd.load(par[ALPHA], 0, n)
    eta = simd.load(par[ETA], 0, n)
    o = work[ROW_OPENNESS]
    for i in range(R):
        simd.store(o[i], 0, simd.load(e[i], 0, n) * (1.0 - block * simd.load(z[i], 0, n)))
    # the pair pass runs on sub-vectors of PAIR_WIDTH lanes so that its five accumulators
    # and two row values stay in registers (the lanes are independent, so this changes
    # no number)
    zero = simd.broadcast(0.0, PAIR_WIDTH)
    for lo in range(0, n, PAIR_WIDTH):
        for i in range(R):
            oi = simd.load(o[i], lo, PAIR_WIDTH)
            si = simd.load(s[i], lo, PAIR_WIDTH)
            trade = zero
            spill = zero
            ties = zero
            ties_pop = zero
            gravity_pop = zero
            for j in range(R):
                g = gravity_pair(G, i, j, lo, PAIR_WIDTH)
                wij = (oi * simd.load(o[j], lo, PAIR_WIDTH)) * g
                lj = simd.load(L[j], lo, PAIR_WIDTH)
                trade = trade + wij * simd.absolute(si - simd.load(s[j], lo, PAIR_WIDTH))
                spill = spill + wij * simd.load(a[j], lo, PAIR_WIDTH)
                ties = ties + wij
                ties_pop = ties_pop + wij * lj
                gravity_pop = gravity_pop + g * lj
            simd.store(work[ROW_TRADE, i], lo, trade)
            simd.store(work[ROW_SPILLOVER, i], lo, spill - simd.load(a[i], lo, PAIR_WIDTH) * ties)
            simd.store(work[ROW_TIES, i], lo, ties)
            simd.store(work[ROW_TIES_POP, i], lo, ties_pop)
            simd.store(work[ROW_GRAVITY_POP, i], lo, gravity_pop)
    log_R = log(float(R))
    for i in range(R):
        lk = simd.log(simd.load(K[i], 0, n))
        ll = simd.log(simd.load(L[i], 0, n))
        simd.store(work[ROW_LOG_K, i], 0, lk)
        simd.store(work[ROW_LOG_L, i], 0, ll)
        simd.store(work[ROW_BASE, i], 0, simd.load(a[i], 0, n) + alpha * (lk - ll) + eta * (log_R + ll))


@njit(nogil=True)
def finish_output(chi, state, work, n):
    """Lane form of :func:`kernels.model.finish_output`; ``chi`` a vector."""
    L = state[FIELD_L]
    for i in range(L.shape[0]):
        v = simd.load(work[ROW_BASE, i], 0, n) + chi * simd.load(work[ROW_TRADE, i], 0, n)
        y = simd.exp(v)
        simd.store(work[ROW_LOG_Y, i], 0, v)
        simd.store(work[ROW_INCOME, i], 0, y)
        simd.store(work[ROW_OUTPUT, i], 0, y * simd.load(L[i], 0, n))
        simd.store(
            work[ROW_LOG_RETURN, i],
            0,
            v + simd.load(work[ROW_LOG_L, i], 0, n) - simd.load(work[ROW_LOG_K, i], 0, n),
        )


@njit(nogil=True)
def flows(state, G, par, m, h, work, rates, n):
    """Lane form of :func:`kernels.model.flows`, with its rates from mobility ``m`` (a vector).

    The scalar step computes ``rate_k = h mu_k m`` (0 when ``alpha = 0``) and
    ``rate_l = h mu_l m`` before calling ``flows``; so does this function, into the
    scratch ``rates`` ``(4, N)`` with ``c_mig`` and ``flow_cap``.
    """
    o, lr, lny = work[ROW_OPENNESS], work[ROW_LOG_RETURN], work[ROW_LOG_Y]
    K, L = state[FIELD_K], state[FIELD_L]
    R = o.shape[0]
    alpha = simd.load(par[ALPHA], 0, n)
    simd.store(rates[0], 0, simd.select(alpha > 0.0, h * simd.load(par[MU_K], 0, n) * m, 0.0))
    simd.store(rates[1], 0, h * simd.load(par[MU_L], 0, n) * m)
    simd.store(rates[2], 0, simd.load(par[C_MIG], 0, n))
    simd.store(rates[3], 0, simd.load(par[FLOW_CAP], 0, n))
    zero = simd.broadcast(0.0, PAIR_WIDTH)
    # the pair passes run on sub-vectors of PAIR_WIDTH lanes (see prepare)
    for lo in range(0, n, PAIR_WIDTH):
        rk = simd.load(rates[0], lo, PAIR_WIDTH)
        rl = simd.load(rates[1], lo, PAIR_WIDTH)
        cm = simd.load(rates[2], lo, PAIR_WIDTH)
        cp = simd.load(rates[3], lo, PAIR_WIDTH)
        for j in range(R):
            oj = simd.load(o[j], lo, PAIR_WIDTH)
            lrj = simd.load(lr[j], lo, PAIR_WIDTH)
            lyj = simd.load(lny[j], lo, PAIR_WIDTH)
            out_k = zero
            out_l = zero
            for i in range(R):
                wij = (oj * simd.load(o[i], lo, PAIR_WIDTH)) * gravity_pair(G, j, i, lo, PAIR_WIDTH)
                out_k = out_k + wij * simd.maximum(simd.load(lr[i], lo, PAIR_WIDTH) - lrj, 0.0)
                out_l = out_l + wij * simd.maximum((simd.load(lny[i], lo, PAIR_WIDTH) - cm) - lyj, 0.0)
            Kj = simd.load(K[j], lo, PAIR_WIDTH)
            kj = rk * Kj
            tot = out_k * kj
            limit = cp * Kj
            big = tot > limit
            simd.store(work[ROW_SEND_K, j], lo, simd.select(big, kj * (limit / tot), kj))
            simd.store(work[ROW_OUTFLOW_K, j], lo, simd.select(big, limit, tot))
            Lj = simd.load(L[j], lo, PAIR_WIDTH)
            lj = rl * Lj
            tot = out_l * lj
            limit = cp * Lj
            big = tot > limit
            simd.store(work[ROW_SEND_L, j], lo, simd.select(big, lj * (limit / tot), lj))
            simd.store(work[ROW_OUTFLOW_L, j], lo, simd.select(big, limit, tot))
        send_k, send_l = work[ROW_SEND_K], work[ROW_SEND_L]
        for i in range(R):
            oi = simd.load(o[i], lo, PAIR_WIDTH)
            lri = simd.load(lr[i], lo, PAIR_WIDTH)
            lyi = simd.load(lny[i], lo, PAIR_WIDTH) - cm
            in_k = zero
            in_l = zero
            for j in range(R):
                wij = (oi * simd.load(o[j], lo, PAIR_WIDTH)) * gravity_pair(G, i, j, lo, PAIR_WIDTH)
                dk = simd.maximum(lri - simd.load(lr[j], lo, PAIR_WIDTH), 0.0)
                dl = simd.maximum(lyi - simd.load(lny[j], lo, PAIR_WIDTH), 0.0)
                in_k = in_k + wij * dk * simd.load(send_k[j], lo, PAIR_WIDTH)
                in_l = in_l + wij * dl * simd.load(send_l[j], lo, PAIR_WIDTH)
            simd.store(work[ROW_NET_K, i], lo, in_k - simd.load(work[ROW_OUTFLOW_K, i], lo, PAIR_WIDTH))
            simd.store(work[ROW_NET_L, i], lo, in_l - simd.load(work[ROW_OUTFLOW_L, i], lo, PAIR_WIDTH))


@njit(nogil=True)
def step(state, work, s_target, saving, par, theta, h, shocks, regime, astar_dev, coeffs, n):
    """Lane form of :func:`kernels.model.step` after :func:`flows`; return the next regimes.

    ``coeffs`` are the lanes' :func:`coefficients`; :func:`flows` must have run on the
    prepared state (the scalar step runs it between the transfers and the updates; the
    two do not depend on each other). ``shocks`` is ``(4R + 2, N)``, ``saving`` and
    ``astar_dev`` are ``(R, N)``, ``s_target`` is shared ``(R,)``.
    """
    a, K, L, s = state[FIELD_A], state[FIELD_K], state[FIELD_L], state[FIELD_S]
    e, z = state[FIELD_E], state[FIELD_Z]
    R = a.shape[0]
    tau, m, psi, lam, nu, invest, hd0, hr = coeffs
    o, y, Y = work[ROW_OPENNESS], work[ROW_INCOME], work[ROW_OUTPUT]
    T, spill = work[ROW_TRANSFER], work[ROW_SPILLOVER]
    net_k, net_l = work[ROW_NET_K], work[ROW_NET_L]
    zero = simd.broadcast(0.0, n)

    # 4: transfers among cooperating regions (budget-neutral).
    sum_y = zero
    sum_l = zero
    for i in range(R):
        coop = simd.load(z[i], 0, n) == 0.0
        sum_y = simd.select(coop, sum_y + simd.load(Y[i], 0, n), sum_y)
        sum_l = simd.select(coop, sum_l + simd.load(L[i], 0, n), sum_l)
    ybar = simd.select(sum_l > 0.0, sum_y / sum_l, 0.0)
    for i in range(R):
        coop = simd.load(z[i], 0, n) == 0.0
        t = tau * (ybar - simd.load(y[i], 0, n)) * simd.load(L[i], 0, n)
        simd.store(T[i], 0, simd.select(coop, t, 0.0))

    # 7: updates, all from start-of-step values.
    sqh = np.sqrt(h)
    sig = simd.load(par[SIGMA], 0, n) * sqh
    sig_c = simd.load(par[SIGMA_C], 0, n) * sqh * simd.load(shocks[R], 0, n)
    sig_s = simd.load(par[SIGMA_S], 0, n) * sqh
    sig_e = simd.load(par[SIGMA_E], 0, n) * sqh
    zeta = simd.load(par[ZETA], 0, n)
    kappa = simd.load(par[KAPPA], 0, n)
    g = simd.load(par[G_TREND], 0, n)
    delta = simd.load(par[DELTA], 0, n)
    p_return = 1.0 - simd.exp(-h * hr)
    x0 = -h * hd0
    p_defect0 = 1.0 - simd.exp(x0)
    rev = regime * simd.load(par[RHO_A], 0, n)
    abar = zero
    for i in range(R):
        abar = abar + simd.load(a[i], 0, n)
    abar = abar / float(R)
    for i in range(R):
        ai = simd.load(a[i], 0, n)
        Ki = simd.load(K[i], 0, n)
        si = simd.load(s[i], 0, n)
        ei = simd.load(e[i], 0, n)
        zi = simd.load(z[i], 0, n)
        Ti = simd.load(T[i], 0, n)
        Yi = simd.load(Y[i], 0, n)
        nki = simd.load(net_k[i], 0, n)
        drift = g + lam * simd.load(spill[i], 0, n) - rev * ((ai - abar) - simd.load(astar_dev[i], 0, n))
        simd.store(a[i], 0, ai + (h * drift + sig * simd.load(shocks[i], 0, n) + sig_c))
        k_new = Ki + h * (simd.load(saving[i], 0, n) * invest * Yi - delta * Ki + Ti) + nki
        simd.store(K[i], 0, simd.maximum(k_new, 1e-12))
        simd.store(L[i], 0, simd.load(L[i], 0, n) + simd.load(net_l[i], 0, n))
        s_new = (
            si
            + h * nu * simd.load(o[i], 0, n) * (s_target[i] - si)
            + sig_s * simd.load(shocks[R + 1 + i], 0, n)
        )
        simd.store(s[i], 0, simd.minimum(simd.maximum(s_new, 0.0), 1.0))
        e_new = ei + h * (psi * (1.0 - ei) * (1.0 - zi) - zeta * ei * zi)
        e_new = e_new + sig_e * simd.load(shocks[2 * R + 1 + i], 0, n)
        simd.store(e[i], 0, simd.minimum(simd.maximum(e_new, 0.0), 1.0))
        u = simd.load(shocks[3 * R + 1 + i], 0, n)
        coop = zi == 0.0
        loss = simd.maximum(zero, -(Ti + nki / h) / Yi)
        losing = loss > 0.0
        p_defect = p_defect0
        if simd.any_lane(losing & coop):
            # with no loss the hazard is the base one: the same number, no exp
            p_defect = simd.select(losing, 1.0 - simd.exp(x0 * (1.0 + kappa * loss)), p_defect0)
        z_new = simd.select(coop, simd.select(u < p_defect, 1.0, 0.0), simd.select(u < p_return, 0.0, 1.0))
        simd.store(z[i], 0, z_new)

    # 7b: regime switch with the path's uniform u_c
    u_c = simd.load(shocks[4 * R + 1], 0, n)
    p_exit = 1.0 - simd.exp(-h * simd.load(par[REGIME_EXIT], 0, n))
    p_entry = 1.0 - simd.exp(-h * simd.load(par[REGIME_ENTRY], 0, n))
    stay = simd.select(u_c < p_exit, 0.0, 1.0)
    enter = simd.select(u_c < p_entry, 1.0, 0.0)
    return simd.select(regime == 1.0, stay, enter)


@njit(nogil=True)
def driver_indices(state, work, q, n):
    """Lane form of :func:`kernels.model.driver_indices`; ``q`` is ``(3, N)``."""
    L, s = state[FIELD_L], state[FIELD_S]
    R = L.shape[0]
    zero = simd.broadcast(0.0, n)
    ws = zero
    wsd = zero
    wll = zero
    gll = zero
    idx = zero
    for i in range(R):
        Li = simd.load(L[i], 0, n)
        ws = ws + simd.load(work[ROW_TIES, i], 0, n)
        wsd = wsd + simd.load(work[ROW_TRADE, i], 0, n)
        wll = wll + Li * simd.load(work[ROW_TIES_POP, i], 0, n)
        gll = gll + Li * simd.load(work[ROW_GRAVITY_POP, i], 0, n)
        idx = idx + simd.absolute(2.0 * simd.load(s[i], 0, n) - 1.0)
    simd.store(q[CA], 0, simd.select(ws > 0.0, wsd / ws, 0.0))
    simd.store(q[EC], 0, simd.select(gll > 0.0, wll / gll, 0.0))
    simd.store(q[ID], 0, idx / float(R))


@njit(nogil=True)
def dispersion(lny, n):
    """Lane form of :func:`kernels.metrics.dispersion` over the rows of ``lny`` ``(R, N)``."""
    R = lny.shape[0]
    mean = simd.broadcast(0.0, n)
    for i in range(R):
        mean = mean + simd.load(lny[i], 0, n)
    mean = mean / float(R)
    var = simd.broadcast(0.0, n)
    for i in range(R):
        d = simd.load(lny[i], 0, n) - mean
        var = var + d * d
    return simd.sqrt(var / float(R))


@njit(nogil=True)
def cube_root(x):
    """Lane form of :func:`kernels.metrics.cube_root`."""
    return simd.exp(simd.log(x) / 3.0)


@njit(nogil=True)
def coupling_coordination(q, n):
    """Lane form of :func:`kernels.metrics.coupling_coordination`; ``q`` is ``(3, N)``."""
    q0 = simd.load(q[0], 0, n)
    q1 = simd.load(q[1], 0, n)
    q2 = simd.load(q[2], 0, n)
    tot = q0 + q1 + q2
    prod = simd.maximum(q0 * q1 * q2, 0.0)
    c = 3.0 * cube_root(prod) / tot
    return simd.select(tot <= 0.0, 0.0, simd.sqrt(c * tot / 3.0))


@njit(nogil=True)
def theil_parts(lny, Y, L, groups, n_groups, gY, gL, n):
    """Lane form of :func:`kernels.metrics.theil_parts_given_output`.

    ``lny``, ``Y``, ``L`` are ``(R, N)``; ``gY``, ``gL`` scratch ``(n_groups, N)``.
    Returns the vectors ``(total, between, within, lmu)``.
    """
    R = lny.shape[0]
    zero = simd.broadcast(0.0, n)
    for g in range(n_groups):
        simd.store(gY[g], 0, zero)
        simd.store(gL[g], 0, zero)
    sum_y = zero
    sum_l = zero
    for i in range(R):
        Yi = simd.load(Y[i], 0, n)
        Li = simd.load(L[i], 0, n)
        sum_y = sum_y + Yi
        sum_l = sum_l + Li
        g = groups[i]
        simd.store(gY[g], 0, simd.load(gY[g], 0, n) + Yi)
        simd.store(gL[g], 0, simd.load(gL[g], 0, n) + Li)
    lmu = simd.log(sum_y / sum_l)
    syl = zero
    for i in range(R):
        syl = syl + simd.load(Y[i], 0, n) * simd.load(lny[i], 0, n)
    mean_lny = syl / sum_y
    total = mean_lny - lmu
    within = mean_lny
    between = zero
    for g in range(n_groups):
        gy = simd.load(gY[g], 0, n)
        has = gy > 0.0
        share = gy / sum_y
        lmu_g = simd.log(gy / simd.load(gL[g], 0, n))
        within = simd.select(has, within - share * lmu_g, within)
        between = simd.select(has, between + share * (lmu_g - lmu), between)
    return total, between, within, lmu


@njit(nogil=True)
def finite_rows(x, n):
    """Mask of the lanes in which every row of ``x`` ``(rows, N)`` is finite."""
    ok = simd.broadcast(0.0, n) == 0.0
    for i in range(x.shape[0]):
        ok = ok & (simd.absolute(simd.load(x[i], 0, n)) < np.inf)
    return ok
