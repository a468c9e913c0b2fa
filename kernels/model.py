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
    SIGMA,
    SIGMA_C,
    SIGMA_E,
    SIGMA_S,
    SUPERVISION,
    TAU_MAX,
    TRANSFER,
    ZETA,
)

# Rows of the per-path scratch array ``work`` (shape (N_WORK, R)).
W_OPEN, W_Y, W_LR, W_T, W_NETK, W_NETL, W_OUTK, W_OUTL, W_SPILL, W_TRADE = range(10)
N_WORK = 10


@njit(cache=True, nogil=True)
def mechanism_coefficients(par, theta, w):
    """Effective coefficients of a mix (MODEL.md section 4).

    Returns
    -------
    tuple
        ``(tau, m, psi, lam, chi, nu, invest, hd0, hr)``: transfer rate, mobility,
        integration growth, TFP spillover, gains from trade, specialisation speed,
        investment factor ``1 - c_S theta_S``, base defection hazard
        ``h0 (1 - omega theta_S)`` and return hazard ``h_r0 + h_r1 theta_S``.
    """
    boost = par[BOOST]
    tau = par[TAU_MAX] * theta[TRANSFER]
    m = par[M0] + (1.0 - par[M0]) * theta[MARKET]
    psi = (par[PSI0] + par[PSI_M] * theta[MARKET]) * (1.0 + boost * w[EC])
    lam = par[LAMBDA0] + par[LAMBDA_C] * theta[COOPERATION]
    chi = (par[CHI0] + par[CHI_C] * theta[COOPERATION]) * (1.0 + boost * w[CA])
    nu = (par[NU0] + par[NU_C] * theta[COOPERATION]) * (1.0 + boost * w[ID])
    invest = 1.0 - par[COST_S] * theta[SUPERVISION]
    hd0 = par[H0] * (1.0 - par[OMEGA] * theta[SUPERVISION])
    hr = par[HR0] + par[HR1] * theta[SUPERVISION]
    return tau, m, psi, lam, chi, nu, invest, hd0, hr


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


@njit(cache=True, nogil=True)
def capped_flows(W, lx, stock, rate, threshold, cap, F, out, net):
    """Factor flows of steps 5 and 6 with the outflow cap.

    ``F[j, i]`` is the flow from ``j`` to ``i``:
    ``rate * W_ij * max(lx_i - lx_j - threshold, 0) * stock_j``, scaled down for every
    source whose total outflow exceeds ``cap * stock_j``. On return ``out[j]`` holds the
    capped outflow of ``j`` and ``net[i]`` inflow minus outflow (sums to zero).
    """
    R = stock.shape[0]
    for j in range(R):
        tot = 0.0
        lj = lx[j] + threshold
        kj = rate * stock[j]
        for i in range(R):
            f = W[i, j] * max(lx[i] - lj, 0.0) * kj
            F[j, i] = f
            tot += f
        limit = cap * stock[j]
        if tot > limit:
            scale = limit / tot
            for i in range(R):
                F[j, i] *= scale
            tot = limit
        out[j] = tot
    for i in range(R):
        net[i] = -out[i]
    for j in range(R):
        for i in range(R):
            net[i] += F[j, i]


@njit(cache=True, nogil=True)
def step(a, K, L, s, e, z, G, s_target, saving, par, theta, w, h, shocks, W, F, work, lny):
    """Advance one path by one explicit Euler step of length ``h`` years, in place.

    Parameters
    ----------
    a, K, L, s, e, z : float64[R]
        State: log TFP, capital, population share, specialisation, integration,
        defection indicator (0.0 or 1.0).
    G : float64[R, R]
        Normalised gravity matrix.
    s_target : float64[R]
        Target specialisation ``s*_i`` (0 or 1).
    saving : float64[R]
        Investment rate per region.
    par : float64[N_PARAMS]
        Model parameters (:mod:`kernels.layout`).
    theta : float64[5]
        Mechanism intensities.
    w : float64[3]
        Driver shares set by the order-parameter mechanism.
    h : float
        Step length in years.
    shocks : float64[4R + 1]
        ``eps[0:R]``, ``eps_c[R]``, ``eps_s[R+1:2R+1]``, ``eps_e[2R+1:3R+1]``, uniforms
        ``u[3R+1:4R+1]``.
    W, F : float64[R, R]
        Scratch for ties and flows.
    work : float64[N_WORK, R]
        Scratch; on return rows ``W_T``, ``W_NETK``, ``W_NETL`` hold the step's transfers
        ``T_i`` (per year), capital and labour net flows (per step), and ``W_Y`` output.
    lny : float64[R]
        On return, ``ln y_i`` at the start of the step.
    """
    R = a.shape[0]
    alpha = par[ALPHA]
    tau, m, psi, lam, chi, nu, invest, hd0, hr = mechanism_coefficients(par, theta, w)
    sqh = np.sqrt(h)
    o = work[W_OPEN]
    Y = work[W_Y]
    lr = work[W_LR]
    T = work[W_T]
    trade = work[W_TRADE]
    spill = work[W_SPILL]

    # 1-3: ties, output, (log) returns; wages enter through ln w_i - ln w_j = ln y_i - ln y_j.
    ties(e, z, G, par[BLOCK], o, W)
    log_output(a, K, L, s, W, alpha, par[ETA], chi, trade, lny)
    sumY_c = 0.0
    sumL_c = 0.0
    for i in range(R):
        Y[i] = np.exp(lny[i]) * L[i]
        lr[i] = np.log(Y[i]) - np.log(K[i])
        if z[i] == 0.0:
            sumY_c += Y[i]
            sumL_c += L[i]

    # 4: transfers among cooperating regions (budget-neutral).
    ybar_c = sumY_c / sumL_c if sumL_c > 0.0 else 0.0
    for i in range(R):
        T[i] = tau * (ybar_c - np.exp(lny[i])) * L[i] if z[i] == 0.0 else 0.0

    # 5-6: capped factor flows.
    rate_k = h * par[MU_K] * m if alpha > 0.0 else 0.0
    capped_flows(W, lr, K, rate_k, 0.0, par[FLOW_CAP], F, work[W_OUTK], work[W_NETK])
    capped_flows(W, lny, L, h * par[MU_L] * m, par[C_MIG], par[FLOW_CAP], F,
                 work[W_OUTL], work[W_NETL])
    netK = work[W_NETK]
    netL = work[W_NETL]

    # 7: updates, all from start-of-step values.
    for i in range(R):
        acc = 0.0
        ai = a[i]
        for j in range(R):
            acc += W[i, j] * (a[j] - ai)
        spill[i] = acc
    eps_c = shocks[R]
    sig = par[SIGMA] * sqh
    sig_c = par[SIGMA_C] * sqh * eps_c
    sig_s = par[SIGMA_S] * sqh
    sig_e = par[SIGMA_E] * sqh
    zeta = par[ZETA]
    kappa = par[KAPPA]
    p_return = 1.0 - np.exp(-h * hr)
    for i in range(R):
        a[i] += h * (par[G_TREND] + lam * spill[i]) + sig * shocks[i] + sig_c
        k_new = K[i] + h * (saving[i] * invest * Y[i] - par[DELTA] * K[i] + T[i]) + netK[i]
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
            p_defect = 1.0 - np.exp(-h * hd0 * (1.0 + kappa * loss))
            z[i] = 1.0 if u < p_defect else 0.0
        else:
            z[i] = 0.0 if u < p_return else 1.0


@njit(cache=True, nogil=True)
def initial_tfp(lny0, K0, L0, s0, e0, G, par, theta, W, work, a):
    """Solve ``a_i(0)`` so that output per capita at t = 0 equals the data (section 2).

    Uses the mix's own coefficients with the driver shares at 1/3 and ``z = 0``.
    """
    R = lny0.shape[0]
    w = np.full(3, 1.0 / 3.0)
    _, _, _, _, chi, _, _, _, _ = mechanism_coefficients(par, theta, w)
    z0 = np.zeros(R)
    ties(e0, z0, G, par[BLOCK], work[W_OPEN], W)
    zero = np.zeros(R)
    log_output(zero, K0, L0, s0, W, par[ALPHA], par[ETA], chi, work[W_TRADE], a)
    for i in range(R):
        a[i] = lny0[i] - a[i]


@njit(cache=True, nogil=True)
def driver_indices(W, G, s, L, q):
    """Driver indices CA, EC, ID of MODEL.md section 5 into ``q[0:3]``."""
    R = s.shape[0]
    ws = 0.0
    wsd = 0.0
    wll = 0.0
    gll = 0.0
    idx = 0.0
    for i in range(R):
        si = s[i]
        li = L[i]
        for j in range(R):
            wij = W[i, j]
            ws += wij
            wsd += wij * abs(si - s[j])
            ll = li * L[j]
            wll += wij * ll
            gll += G[i, j] * ll
        idx += abs(2.0 * si - 1.0)
    q[CA] = wsd / ws if ws > 0.0 else 0.0
    q[EC] = wll / gll if gll > 0.0 else 0.0
    q[ID] = idx / R
