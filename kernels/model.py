"""One explicit Euler step of the regional coordination model (MODEL.md section 3), one path.

This is the readable scalar form of the step; :mod:`kernels.lanes` performs the same
operations, in the same order, on ``N`` paths at once (one per vector lane), and the
tests require every lane to equal this code bit for bit. Every sum over ``j`` adds
``j = 0, 1, ...`` in order; ``exp`` and ``log`` are the kernels' own
(:mod:`kernels.elementary`); there is no fast-math and no fused multiply-add.

A path's arrays:

* ``state[field, i]``: ``a, K, L, s, e, z`` (rows ``FIELD_*``), updated in place;
* ``work[row, i]``: quantities of the start-of-step state (rows ``ROW_*``), filled by
  :func:`prepare` and :func:`finish_output` and read by :func:`step` and the records.

Conventions where MODEL.md is silent:

* Returns enter only through ``ln r_i - ln r_j = ln(Y_i/K_i) - ln(Y_j/K_j)``; with
  ``alpha = 0`` returns are identically zero, so there is no return differential and no
  capital flows.
* A region with no tie to anybody (``W_ij = 0`` for all j) neither sends nor receives.
* If no region cooperates, nobody pays or receives transfers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .elementary import exp, log
from .layout import (
    ALPHA,
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

#: Rows of a path's ``state``: log TFP, capital, population share, specialisation,
#: integration, defection (0 or 1).
FIELD_A, FIELD_K, FIELD_L, FIELD_S, FIELD_E, FIELD_Z = range(6)
N_FIELDS = 6

#: Rows of a path's ``work`` array, all functions of the start-of-step state: openness
#: ``o_i``; ``trade_i = sum_j W_ij |s_i - s_j|``; spillover ``sum_j W_ij (a_j - a_i)``;
#: the row sums ``sum_j W_ij``, ``sum_j W_ij L_j``, ``sum_j G_ij L_j``; the part of
#: ``ln y_i`` without trade; ``ln K_i``, ``ln L_i``, ``ln y_i``, ``y_i``, ``Y_i``,
#: ``ln(Y_i / K_i)``; the step's transfers, net capital and labour inflows, capped
#: outflows and the capped flow factors of each source.
# fmt: off
(ROW_OPENNESS, ROW_TRADE, ROW_SPILLOVER, ROW_TIES, ROW_TIES_POP, ROW_GRAVITY_POP, ROW_BASE,
 ROW_LOG_K, ROW_LOG_L, ROW_LOG_Y, ROW_INCOME, ROW_OUTPUT, ROW_LOG_RETURN, ROW_TRANSFER,
 ROW_NET_K, ROW_NET_L, ROW_OUTFLOW_K, ROW_OUTFLOW_L, ROW_SEND_K, ROW_SEND_L) = range(20)
# fmt: on
N_ROWS = 20


@njit(cache=True, nogil=True)
def trade_gain(par, theta, w_ca):
    """Gains from trade ``chi = (chi0 + chi_C theta_C)(1 + B w_CA)`` (MODEL.md section 4)."""
    return (par[CHI0] + par[CHI_C] * theta[COOPERATION]) * (1.0 + par[BOOST] * w_ca)


@njit(cache=True, nogil=True)
def coefficients(par, theta, w, regime):
    """Effective coefficients of a mix (MODEL.md section 4) in convergence regime ``regime``.

    Returns
    -------
    tuple
        ``(tau, m, psi, lam, nu, invest, hd0, hr)``: transfer rate, mobility,
        integration growth, TFP spillover ``lambda_eff = c lambda0 + lambda_C theta_C``
        (the market's spillover stalls with the regime ``c``, the policy-driven part
        does not), specialisation speed, investment factor ``1 - c_S theta_S``, base
        defection hazard ``h0 (1 - omega theta_S)`` and return hazard
        ``h_r0 + h_r1 theta_S``. The gains from trade are :func:`trade_gain`.
    """
    boost = par[BOOST]
    tau = par[TAU_MAX] * theta[TRANSFER]
    m = par[M0] + (1.0 - par[M0]) * theta[MARKET]
    psi = (par[PSI0] + par[PSI_M] * theta[MARKET]) * (1.0 + boost * w[EC])
    lam = regime * par[LAMBDA0] + par[LAMBDA_C] * theta[COOPERATION]
    nu = (par[NU0] + par[NU_C] * theta[COOPERATION]) * (1.0 + boost * w[ID])
    invest = 1.0 - par[COST_S] * theta[SUPERVISION]
    hd0 = par[H0] * (1.0 - par[OMEGA] * theta[SUPERVISION])
    hr = par[HR0] + par[HR1] * theta[SUPERVISION]
    return tau, m, psi, lam, nu, invest, hd0, hr


@njit(cache=True, nogil=True)
def prepare(state, G, block, alpha, eta, work):
    """Everything of the start-of-step state that does not depend on the shares ``w``.

    One pass over the region pairs builds the ties ``W_ij = (o_i o_j) G_ij`` on the fly
    (they are never stored) and, per row ``i``, ``trade_i``, the spillover and the three
    row sums of the driver indices; then the part of ``ln y_i`` without trade
    ``a_i + alpha (ln K_i - ln L_i) + eta (ln R + ln L_i)``, ``ln K_i`` and ``ln L_i``.
    """
    a, K, L, s, e, z = (
        state[FIELD_A],
        state[FIELD_K],
        state[FIELD_L],
        state[FIELD_S],
        state[FIELD_E],
        state[FIELD_Z],
    )
    R = a.shape[0]
    o = work[ROW_OPENNESS]
    for i in range(R):
        o[i] = e[i] * (1.0 - block * z[i])
    for i in range(R):
        oi = o[i]
        si = s[i]
        trade = 0.0
        spill = 0.0
        ties = 0.0
        ties_pop = 0.0
        gravity_pop = 0.0
        for j in range(R):
            g = G[i, j]
            wij = (oi * o[j]) * g
            trade += wij * abs(si - s[j])
            spill += wij * a[j]
            ties += wij
            ties_pop += wij * L[j]
            gravity_pop += g * L[j]
        work[ROW_TRADE, i] = trade
        work[ROW_SPILLOVER, i] = spill - a[i] * ties
        work[ROW_TIES, i] = ties
        work[ROW_TIES_POP, i] = ties_pop
        work[ROW_GRAVITY_POP, i] = gravity_pop
    log_R = log(float(R))
    for i in range(R):
        lk = log(K[i])
        ll = log(L[i])
        work[ROW_LOG_K, i] = lk
        work[ROW_LOG_L, i] = ll
        work[ROW_BASE, i] = a[i] + alpha * (lk - ll) + eta * (log_R + ll)


@njit(cache=True, nogil=True)
def finish_output(chi, state, work):
    """``ln y_i = base_i + chi trade_i`` (step 2), ``y_i``, ``Y_i = y_i L_i`` and ``ln(Y_i/K_i)``."""
    L = state[FIELD_L]
    for i in range(L.shape[0]):
        v = work[ROW_BASE, i] + chi * work[ROW_TRADE, i]
        y = exp(v)
        work[ROW_LOG_Y, i] = v
        work[ROW_INCOME, i] = y
        work[ROW_OUTPUT, i] = y * L[i]
        work[ROW_LOG_RETURN, i] = v + work[ROW_LOG_L, i] - work[ROW_LOG_K, i]


@njit(cache=True, nogil=True)
def flows(state, G, rate_k, rate_l, c_mig, cap, work):
    """Capital and labour flows of steps 5 and 6 with the outflow cap.

    ``F_ji = rate W_ij max(x_i - x_j - c, 0) stock_j`` (``x = ln r``, ``c = 0`` for
    capital; ``x = ln y``, ``c = c_mig`` for labour). A first pass adds up each source
    ``j``'s outflow ``sum_i W_ij max(.)`` (over ``i`` in order); the cap gives each
    source a factor; a second pass adds up each region's inflows over ``j`` in order.
    Leaves the net inflows in ``ROW_NET_K``/``ROW_NET_L``.
    """
    o, lr, lny = work[ROW_OPENNESS], work[ROW_LOG_RETURN], work[ROW_LOG_Y]
    K, L = state[FIELD_K], state[FIELD_L]
    R = o.shape[0]
    for j in range(R):
        oj = o[j]
        lrj = lr[j]
        lyj = lny[j]
        out_k = 0.0
        out_l = 0.0
        for i in range(R):
            wij = (oj * o[i]) * G[j, i]
            out_k += wij * max(lr[i] - lrj, 0.0)
            out_l += wij * max((lny[i] - c_mig) - lyj, 0.0)
        kj = rate_k * K[j]
        tot = out_k * kj
        limit = cap * K[j]
        if tot > limit:
            work[ROW_SEND_K, j] = kj * (limit / tot)
            work[ROW_OUTFLOW_K, j] = limit
        else:
            work[ROW_SEND_K, j] = kj
            work[ROW_OUTFLOW_K, j] = tot
        lj = rate_l * L[j]
        tot = out_l * lj
        limit = cap * L[j]
        if tot > limit:
            work[ROW_SEND_L, j] = lj * (limit / tot)
            work[ROW_OUTFLOW_L, j] = limit
        else:
            work[ROW_SEND_L, j] = lj
            work[ROW_OUTFLOW_L, j] = tot
    send_k, send_l = work[ROW_SEND_K], work[ROW_SEND_L]
    for i in range(R):
        oi = o[i]
        lri = lr[i]
        lyi = lny[i] - c_mig
        in_k = 0.0
        in_l = 0.0
        for j in range(R):
            wij = (oi * o[j]) * G[i, j]
            in_k += wij * max(lri - lr[j], 0.0) * send_k[j]
            in_l += wij * max(lyi - lny[j], 0.0) * send_l[j]
        work[ROW_NET_K, i] = in_k - work[ROW_OUTFLOW_K, i]
        work[ROW_NET_L, i] = in_l - work[ROW_OUTFLOW_L, i]


@njit(cache=True, nogil=True)
def step(state, work, G, s_target, saving, par, theta, w, h, shocks, regime, astar_dev):
    """One Euler step from the prepared start-of-step state; return the next regime.

    :func:`prepare` and :func:`finish_output` must have run on the current state with
    the current shares ``w``. ``regime`` is the path's convergence regime ``c`` (1.0 or
    0.0) in force during the step and ``astar_dev`` the steady-state TFP deviations
    ``a*_i - mean_k a*_k``. ``shocks`` holds the step's ``4R + 2`` variates in MODEL.md
    order: ``eps[0:R]``, ``eps_c[R]``, ``eps_s[R+1:2R+1]``, ``eps_e[2R+1:3R+1]``,
    uniforms ``u[3R+1:4R+1]`` and ``u_c[4R+1]``. The returned regime applies from the
    next step (step 7b).
    """
    a, K, L, s, e, z = (
        state[FIELD_A],
        state[FIELD_K],
        state[FIELD_L],
        state[FIELD_S],
        state[FIELD_E],
        state[FIELD_Z],
    )
    R = a.shape[0]
    tau, m, psi, lam, nu, invest, hd0, hr = coefficients(par, theta, w, regime)
    o, y, Y = work[ROW_OPENNESS], work[ROW_INCOME], work[ROW_OUTPUT]
    T, spill = work[ROW_TRANSFER], work[ROW_SPILLOVER]

    # 4: transfers among cooperating regions (budget-neutral).
    sum_y = 0.0
    sum_l = 0.0
    for i in range(R):
        if z[i] == 0.0:
            sum_y += Y[i]
            sum_l += L[i]
    ybar = sum_y / sum_l if sum_l > 0.0 else 0.0
    for i in range(R):
        T[i] = tau * (ybar - y[i]) * L[i] if z[i] == 0.0 else 0.0

    # 5-6: capped factor flows.
    rate_k = h * par[MU_K] * m if par[ALPHA] > 0.0 else 0.0
    flows(state, G, rate_k, h * par[MU_L] * m, par[C_MIG], par[FLOW_CAP], work)
    net_k, net_l = work[ROW_NET_K], work[ROW_NET_L]

    # 7: updates, all from start-of-step values.
    sqh = np.sqrt(h)
    sig = par[SIGMA] * sqh
    sig_c = par[SIGMA_C] * sqh * shocks[R]
    sig_s = par[SIGMA_S] * sqh
    sig_e = par[SIGMA_E] * sqh
    zeta = par[ZETA]
    kappa = par[KAPPA]
    g = par[G_TREND]
    delta = par[DELTA]
    p_return = 1.0 - exp(-h * hr)
    x0 = -h * hd0
    p_defect0 = 1.0 - exp(x0)
    # conditional reversion -c rho_a (x_i - mean_k x_k), x = a - a*, from start-of-step a
    rev = regime * par[RHO_A]
    abar = 0.0
    for i in range(R):
        abar += a[i]
    abar /= R
    for i in range(R):
        drift = g + lam * spill[i] - rev * ((a[i] - abar) - astar_dev[i])
        a[i] += h * drift + sig * shocks[i] + sig_c
        K[i] = max(K[i] + h * (saving[i] * invest * Y[i] - delta * K[i] + T[i]) + net_k[i], 1e-12)
        L[i] += net_l[i]
        s_new = s[i] + h * nu * o[i] * (s_target[i] - s[i]) + sig_s * shocks[R + 1 + i]
        s[i] = min(max(s_new, 0.0), 1.0)
        zi = z[i]
        e_new = e[i] + h * (psi * (1.0 - e[i]) * (1.0 - zi) - zeta * e[i] * zi)
        e_new += sig_e * shocks[2 * R + 1 + i]
        e[i] = min(max(e_new, 0.0), 1.0)
        u = shocks[3 * R + 1 + i]
        if zi == 0.0:
            loss = max(0.0, -(T[i] + net_k[i] / h) / Y[i])
            # with no loss the hazard is the base one: the same number, no exp
            p_defect = 1.0 - exp(x0 * (1.0 + kappa * loss)) if loss > 0.0 else p_defect0
            z[i] = 1.0 if u < p_defect else 0.0
        else:
            z[i] = 0.0 if u < p_return else 1.0

    # 7b: regime switch with the path's uniform u_c
    u_c = shocks[4 * R + 1]
    if regime == 1.0:
        return 0.0 if u_c < 1.0 - exp(-h * par[REGIME_EXIT]) else 1.0
    return 1.0 if u_c < 1.0 - exp(-h * par[REGIME_ENTRY]) else 0.0


@njit(cache=True, nogil=True)
def driver_indices(state, work, q):
    """Driver indices CA, EC, ID (section 5) into ``q`` from the row sums of :func:`prepare`.

    ``sum_ij W_ij |s_i - s_j| = sum_i trade_i``, ``sum_ij W_ij L_i L_j = sum_i L_i
    (sum_j W_ij L_j)`` and likewise for ``G``: the double sums up to rounding, without
    another pass over the pairs.
    """
    L, s = state[FIELD_L], state[FIELD_S]
    R = L.shape[0]
    ws = 0.0
    wsd = 0.0
    wll = 0.0
    gll = 0.0
    idx = 0.0
    for i in range(R):
        ws += work[ROW_TIES, i]
        wsd += work[ROW_TRADE, i]
        wll += L[i] * work[ROW_TIES_POP, i]
        gll += L[i] * work[ROW_GRAVITY_POP, i]
        idx += abs(2.0 * s[i] - 1.0)
    q[CA] = wsd / ws if ws > 0.0 else 0.0
    q[EC] = wll / gll if gll > 0.0 else 0.0
    q[ID] = idx / R


@njit(cache=True, nogil=True)
def initial_tfp(scenario, G, K0, par, theta, a):
    """Solve ``a_i(0)`` so that output per capita at t = 0 equals the data (section 2).

    Uses the mix's own coefficients with the driver shares at 1/3, ``z = 0`` and the
    path's gravity matrix ``G`` and initial capital ``K0``:
    ``a_i = ln y_i(0) - (alpha ln(K_i/L_i) + eta ln(R L_i) + chi trade_i)``.
    """
    L0, s0, e0, lny0 = scenario.L0, scenario.s0, scenario.e0, scenario.lny0
    R = L0.shape[0]
    chi = trade_gain(par, theta, 1.0 / 3.0)
    alpha = par[ALPHA]
    eta = par[ETA]
    for i in range(R):
        oi = e0[i]
        trade = 0.0
        for j in range(R):
            trade += oi * e0[j] * G[i, j] * abs(s0[i] - s0[j])
        a[i] = lny0[i] - (0.0 + alpha * log(K0[i] / L0[i]) + eta * log(R * L0[i]) + chi * trade)
