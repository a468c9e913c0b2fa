"""One explicit Euler step of the regional coordination model (MODEL.md section 3).

All functions work on one path: 1-d arrays over regions, updated in place. Every
right-hand side uses the state at the start of the step. Conventions where MODEL.md
is silent:

* Returns enter only through ``ln r_i - ln r_j = ln(Y_i/K_i) - ln(Y_j/K_j)``; with
  ``alpha = 0`` returns are identically zero, so there is no return differential and no
  capital flows.
* A region with no tie to anybody (``W_ij = 0`` for all j) neither sends nor receives.
* If no region cooperates, nobody pays or receives transfers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

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

# Rows of the per-path scratch arrays: ``work`` (N_WORK, R) of :func:`initial_tfp` and the
# first rows of the path loop's ``scr``.
W_OPEN, W_Y, W_LR, W_T, W_NETK, W_NETL, W_OUTK, W_OUTL, W_SPILL, W_TRADE = range(10)
N_WORK = 10
# The path loop's scratch ``scr`` (shape (N_SCRATCH, R)) starts with the rows above.
(S_YPC, S_BASE, S_LNK, S_LNL, S_ROWW, S_ROWWL, S_ROWGL, S_CK, S_CL) = range(N_WORK, N_WORK + 9)
N_SCRATCH = N_WORK + 9

# No fast-math licences. With ``reassoc``/``contract`` LLVM may vectorise a sum or fuse
# a multiply-add differently depending on the compilation context (a function compiled
# fresh and inlined into its caller, or loaded from the on-disk cache), and the same
# seed then gave results that differed in the last bit between a process that compiled
# the kernels and one that loaded them (seen in CI). Strict IEEE arithmetic keeps every
# process, worker and thread bitwise identical; the measured cost was within noise.
FASTMATH = False


@njit(cache=True, nogil=True)
def mechanism_coefficients(par, theta, w, regime):
    """Effective coefficients of a mix (MODEL.md section 4) in convergence regime ``regime``.

    Returns
    -------
    tuple
        ``(tau, m, psi, lam, chi, nu, invest, hd0, hr)``: transfer rate, mobility,
        integration growth, TFP spillover ``lambda_eff = c lambda0 + lambda_C theta_C``
        (the market's spillover stalls with the regime ``c``, the policy-driven part
        does not), gains from trade, specialisation speed, investment factor
        ``1 - c_S theta_S``, base defection hazard ``h0 (1 - omega theta_S)`` and return
        hazard ``h_r0 + h_r1 theta_S``.
    """
    boost = par[BOOST]
    tau = par[TAU_MAX] * theta[TRANSFER]
    m = par[M0] + (1.0 - par[M0]) * theta[MARKET]
    psi = (par[PSI0] + par[PSI_M] * theta[MARKET]) * (1.0 + boost * w[EC])
    lam = regime * par[LAMBDA0] + par[LAMBDA_C] * theta[COOPERATION]
    chi = trade_gain(par, theta, w)
    nu = (par[NU0] + par[NU_C] * theta[COOPERATION]) * (1.0 + boost * w[ID])
    invest = 1.0 - par[COST_S] * theta[SUPERVISION]
    hd0 = par[H0] * (1.0 - par[OMEGA] * theta[SUPERVISION])
    hr = par[HR0] + par[HR1] * theta[SUPERVISION]
    return tau, m, psi, lam, chi, nu, invest, hd0, hr


@njit(cache=True, nogil=True)
def trade_gain(par, theta, w):
    """Gains from trade ``chi = (chi0 + chi_C theta_C)(1 + B w_CA)`` (MODEL.md section 4)."""
    return (par[CHI0] + par[CHI_C] * theta[COOPERATION]) * (1.0 + par[BOOST] * w[CA])


@njit(cache=True, nogil=True)
def ties(e, z, G, block, openness, W):
    """Openness ``o_i = e_i (1 - b z_i)`` and ties ``W_ij = o_i o_j G_ij`` (step 1)."""
    R = e.shape[0]
    for i in range(R):
        openness[i] = e[i] * (1.0 - block * z[i])
    for i in range(R):
        oi = openness[i]
        for j in range(R):
            W[i, j] = oi * openness[j] * G[i, j]


@njit(cache=True, nogil=True)
def log_output(a, K, L, s, W, alpha, eta, chi, trade, lny):
    """Log output per capita ``ln y_i`` (step 2); ``trade_i = sum_j W_ij |s_i - s_j|``."""
    R = a.shape[0]
    for i in range(R):
        acc = 0.0
        si = s[i]
        for j in range(R):
            acc += W[i, j] * abs(si - s[j])
        trade[i] = acc
        lny[i] = a[i] + alpha * np.log(K[i] / L[i]) + eta * np.log(R * L[i]) + chi * acc


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def prepare_state(a, K, L, s, e, z, G, block, alpha, eta, W, scr):
    """Everything of the start-of-step state that does not depend on the shares ``w``.

    One fused pass over ``G`` fills the ties ``W_ij = (o_i o_j) G_ij`` and, per row,
    ``trade_i = sum_j W_ij |s_i - s_j|``, the spillover ``sum_j W_ij a_j - a_i sum_j W_ij`` and the
    row sums ``sum_j W_ij``, ``sum_j W_ij L_j``, ``sum_j G_ij L_j`` (driver indices). The
    part of ``ln y_i`` without trade, ``ln K_i`` and ``ln L_i`` go to ``scr`` as well.
    """
    R = a.shape[0]
    o = scr[W_OPEN]
    trade = scr[W_TRADE]
    spill = scr[W_SPILL]
    roww = scr[S_ROWW]
    rowwl = scr[S_ROWWL]
    rowgl = scr[S_ROWGL]
    base = scr[S_BASE]
    lnK = scr[S_LNK]
    lnL = scr[S_LNL]
    for i in range(R):
        o[i] = e[i] * (1.0 - block * z[i])
    for i in range(R):
        oi = o[i]
        for j in range(R):
            W[i, j] = oi * o[j] * G[i, j]
    for i in range(R):
        trade[i] = 0.0
        spill[i] = 0.0
        roww[i] = 0.0
        rowwl[i] = 0.0
        rowgl[i] = 0.0
    # Row sums over j, computed column by column: G and hence W are exactly symmetric
    # (gravity_matrix makes them so), so W[j, i] is W[i, j] and the inner loop runs over
    # contiguous memory in i. Each sum still adds j = 0, 1, ... in order, so the result
    # is bitwise that of the plain row loop, and LLVM vectorises across i without any
    # fast-math licence.
    for j in range(R):
        sj = s[j]
        aj = a[j]
        lj = L[j]
        for i in range(R):
            wij = W[j, i]
            trade[i] += wij * abs(s[i] - sj)
            spill[i] += wij * aj
            roww[i] += wij
            rowwl[i] += wij * lj
            rowgl[i] += G[j, i] * lj
    for i in range(R):
        spill[i] = spill[i] - a[i] * roww[i]
    lnR = np.log(R)
    for i in range(R):
        lk = np.log(K[i])
        ll = np.log(L[i])
        lnK[i] = lk
        lnL[i] = ll
        base[i] = a[i] + alpha * (lk - ll) + eta * (lnR + ll)


@njit(cache=True, nogil=True)
def finish_output(chi, L, scr, lny):
    """``ln y_i = base_i + chi trade_i`` (step 2), ``y_i``, ``Y_i`` and ``ln(Y_i/K_i)``."""
    R = L.shape[0]
    base = scr[S_BASE]
    trade = scr[W_TRADE]
    y = scr[S_YPC]
    Y = scr[W_Y]
    lr = scr[W_LR]
    lnK = scr[S_LNK]
    lnL = scr[S_LNL]
    for i in range(R):
        v = base[i] + chi * trade[i]
        lny[i] = v
        yi = np.exp(v)
        y[i] = yi
        Y[i] = yi * L[i]
        lr[i] = v + lnL[i] - lnK[i]


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _flows(W, lr, lny, rate_k, kcap, K, rate_l, c_mig, lcap, L, scr):
    """Capital and labour flows of steps 5 and 6 with the outflow cap, fused.

    ``F_ji = rate W_ij max(x_i - x_j - c, 0) stock_j`` (``x = ln r``, ``c = 0`` for
    capital; ``x = ln y``, ``c = c_mig`` for labour). A first pass adds up every
    source's outflow (column sums, vectorised over sources), the caps give a factor per
    source, and a second pass adds up inflows. Leaves ``net`` in ``W_NETK``/``W_NETL``
    and capped outflows in ``W_OUTK``/``W_OUTL``.
    """
    R = lr.shape[0]
    colk = scr[W_OUTK]
    coll = scr[W_OUTL]
    ck = scr[S_CK]
    cl = scr[S_CL]
    netK = scr[W_NETK]
    netL = scr[W_NETL]
    for j in range(R):
        colk[j] = 0.0
        coll[j] = 0.0
    for i in range(R):
        lri = lr[i]
        lyi = lny[i] - c_mig
        for j in range(R):
            wij = W[i, j]
            colk[j] += wij * max(lri - lr[j], 0.0)
            coll[j] += wij * max(lyi - lny[j], 0.0)
    for j in range(R):
        kj = rate_k * K[j]
        tot = colk[j] * kj
        limit = kcap * K[j]
        if tot > limit:
            ck[j] = kj * (limit / tot)
            colk[j] = limit
        else:
            ck[j] = kj
            colk[j] = tot
        lj = rate_l * L[j]
        tot = coll[j] * lj
        limit = lcap * L[j]
        if tot > limit:
            cl[j] = lj * (limit / tot)
            coll[j] = limit
        else:
            cl[j] = lj
            coll[j] = tot
    # Inflows: sum over sources j for every i, column by column (W symmetric, see
    # prepare_state): same order of addition as a row loop, vectorised across i.
    for i in range(R):
        netK[i] = 0.0
        netL[i] = 0.0
    for j in range(R):
        lrj = lr[j]
        lyj = lny[j]
        ckj = ck[j]
        clj = cl[j]
        for i in range(R):
            wij = W[j, i]
            netK[i] += wij * max(lr[i] - lrj, 0.0) * ckj
            netL[i] += wij * max((lny[i] - c_mig) - lyj, 0.0) * clj
    for i in range(R):
        netK[i] = netK[i] - colk[i]
        netL[i] = netL[i] - coll[i]


@njit(cache=True, nogil=True)
def step_core(a, K, L, s, e, z, s_target, saving, par, theta, w, h, shocks, W, scr, lny, regime, astar_dev):
    """One Euler step from prepared start-of-step quantities; return the next regime.

    :func:`prepare_state` and :func:`finish_output` must have run on the current state
    with the current shares ``w``. ``regime`` is the path's convergence regime ``c``
    (1.0 or 0.0) in force during the step and ``astar_dev`` the steady-state TFP
    deviations ``a*_i - mean_k a*_k``. ``shocks`` holds the step's ``4R + 2`` variates in
    MODEL.md order: ``eps[0:R]``, ``eps_c[R]``, ``eps_s[R+1:2R+1]``, ``eps_e[2R+1:3R+1]``,
    uniforms ``u[3R+1:4R+1]`` and ``u_c[4R+1]``. The returned regime applies from the
    next step (step 7b).
    """
    R = a.shape[0]
    alpha = par[ALPHA]
    tau, m, psi, lam, chi, nu, invest, hd0, hr = mechanism_coefficients(par, theta, w, regime)
    sqh = np.sqrt(h)
    o = scr[W_OPEN]
    y = scr[S_YPC]
    Y = scr[W_Y]
    lr = scr[W_LR]
    T = scr[W_T]
    spill = scr[W_SPILL]

    # 4: transfers among cooperating regions (budget-neutral).
    sumY_c = 0.0
    sumL_c = 0.0
    for i in range(R):
        if z[i] == 0.0:
            sumY_c += Y[i]
            sumL_c += L[i]
    ybar_c = sumY_c / sumL_c if sumL_c > 0.0 else 0.0
    for i in range(R):
        T[i] = tau * (ybar_c - y[i]) * L[i] if z[i] == 0.0 else 0.0

    # 5-6: capped factor flows.
    rate_k = h * par[MU_K] * m if alpha > 0.0 else 0.0
    _flows(W, lr, lny, rate_k, par[FLOW_CAP], K, h * par[MU_L] * m, par[C_MIG], par[FLOW_CAP], L, scr)
    netK = scr[W_NETK]
    netL = scr[W_NETL]

    # 7: updates, all from start-of-step values.
    eps_c = shocks[R]
    sig = par[SIGMA] * sqh
    sig_c = par[SIGMA_C] * sqh * eps_c
    sig_s = par[SIGMA_S] * sqh
    sig_e = par[SIGMA_E] * sqh
    zeta = par[ZETA]
    kappa = par[KAPPA]
    g = par[G_TREND]
    delta = par[DELTA]
    p_return = 1.0 - np.exp(-h * hr)
    x0 = -h * hd0
    p_defect0 = 1.0 - np.exp(x0)
    # conditional reversion -c rho_a (x_i - mean_k x_k), x = a - a*, from start-of-step a
    rev = regime * par[RHO_A]
    abar = 0.0
    for i in range(R):
        abar += a[i]
    abar /= R
    for i in range(R):
        drift = g + lam * spill[i] - rev * ((a[i] - abar) - astar_dev[i])
        a[i] += h * drift + sig * shocks[i] + sig_c
        k_new = K[i] + h * (saving[i] * invest * Y[i] - delta * K[i] + T[i]) + netK[i]
        K[i] = max(k_new, 1e-12)
        L[i] += netL[i]
        s_new = s[i] + h * nu * o[i] * (s_target[i] - s[i]) + sig_s * shocks[R + 1 + i]
        s[i] = min(max(s_new, 0.0), 1.0)
        zi = z[i]
        e_new = e[i] + h * (psi * (1.0 - e[i]) * (1.0 - zi) - zeta * e[i] * zi)
        e_new += sig_e * shocks[2 * R + 1 + i]
        e[i] = min(max(e_new, 0.0), 1.0)
        u = shocks[3 * R + 1 + i]
        if zi == 0.0:
            loss = max(0.0, -(T[i] + netK[i] / h) / Y[i])
            # with no loss the hazard is the base one: same number, no exp per region
            p_defect = 1.0 - np.exp(x0 * (1.0 + kappa * loss)) if loss > 0.0 else p_defect0
            z[i] = 1.0 if u < p_defect else 0.0
        else:
            z[i] = 0.0 if u < p_return else 1.0

    # 7b: regime switch with the path's uniform u_c
    u_c = shocks[4 * R + 1]
    if regime == 1.0:
        return 0.0 if u_c < 1.0 - np.exp(-h * par[REGIME_EXIT]) else 1.0
    return 1.0 if u_c < 1.0 - np.exp(-h * par[REGIME_ENTRY]) else 0.0


@njit(cache=True, nogil=True)
def initial_tfp(lny0, K0, L0, s0, e0, G, par, theta, W, work, a):
    """Solve ``a_i(0)`` so that output per capita at t = 0 equals the data (section 2).

    Uses the mix's own coefficients with the driver shares at 1/3 and ``z = 0``.
    """
    R = lny0.shape[0]
    w = np.full(3, 1.0 / 3.0)
    chi = trade_gain(par, theta, w)
    z0 = np.zeros(R)
    ties(e0, z0, G, par[BLOCK], work[W_OPEN], W)
    zero = np.zeros(R)
    log_output(zero, K0, L0, s0, W, par[ALPHA], par[ETA], chi, work[W_TRADE], a)
    for i in range(R):
        a[i] = lny0[i] - a[i]


@njit(cache=True, nogil=True)
def driver_indices_prepared(scr, s, L, q):
    """Driver indices CA, EC, ID (section 5) from the row sums of :func:`prepare_state`.

    ``sum_ij W_ij |s_i - s_j| = sum_i trade_i``, ``sum_ij W_ij L_i L_j = sum_i L_i
    (sum_j W_ij L_j)`` and likewise for ``G``: the same numbers as the double sums over ``W`` and ``G``
    up to rounding, without another pass over the ties.
    """
    R = s.shape[0]
    trade = scr[W_TRADE]
    roww = scr[S_ROWW]
    rowwl = scr[S_ROWWL]
    rowgl = scr[S_ROWGL]
    ws = 0.0
    wsd = 0.0
    wll = 0.0
    gll = 0.0
    idx = 0.0
    for i in range(R):
        ws += roww[i]
        wsd += trade[i]
        wll += L[i] * rowwl[i]
        gll += L[i] * rowgl[i]
        idx += abs(2.0 * s[i] - 1.0)
    q[CA] = wsd / ws if ws > 0.0 else 0.0
    q[EC] = wll / gll if gll > 0.0 else 0.0
    q[ID] = idx / R
