"""A NumPy reference of the model, written straight from MODEL.md, vectorised over paths.

This is the yardstick for the Numba kernel: tests feed both the same shocks and
compare (``tests/engine/test_reference_agreement.py``), and the benchmark compares their
speed. It favours readability over speed: matrix expressions over loops, names from
MODEL.md, and no code shared with ``mccoord.kernels``.

Arrays have a leading path axis ``P``: state ``(P, R)``, ties ``(P, R, R)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inputs import ModelInputs
from .kernels.layout import PARAM_ORDER
from .params import MECHANISMS


@dataclass
class State:
    """Model state of ``P`` paths (MODEL.md section 1); every field is ``(P, R)``."""

    a: np.ndarray
    K: np.ndarray
    L: np.ndarray
    s: np.ndarray
    e: np.ndarray
    z: np.ndarray


def _p(inputs: ModelInputs) -> dict[str, float]:
    return dict(zip(PARAM_ORDER, inputs.par.tolist(), strict=True))


def coefficients(
    p: dict[str, float], theta: np.ndarray, w: np.ndarray, c: np.ndarray | float = 1.0
) -> dict[str, np.ndarray]:
    """Mechanism coefficients of MODEL.md section 4; ``w`` is ``(P, 3)``, ``c`` the regime ``(P,)``."""
    th = dict(zip(MECHANISMS, theta.tolist(), strict=True))
    B = p["boost"]
    return {
        "tau": p["tau_max"] * th["transfer"],
        "m": p["mobility0"] + (1 - p["mobility0"]) * th["market"],
        "psi": (p["psi0"] + p["psi_m"] * th["market"]) * (1 + B * w[:, 1]),
        "lam": c * p["lambda0"] + p["lambda_c"] * th["cooperation"],
        "chi": (p["chi0"] + p["chi_c"] * th["cooperation"]) * (1 + B * w[:, 0]),
        "nu": (p["nu0"] + p["nu_c"] * th["cooperation"]) * (1 + B * w[:, 2]),
    }


def ties(e: np.ndarray, z: np.ndarray, G: np.ndarray, block: float) -> tuple[np.ndarray, np.ndarray]:
    """Openness ``o`` ``(P, R)`` and ties ``W = o_i o_j G_ij`` ``(P, R, R)``."""
    o = e * (1 - block * z)
    return o, o[:, :, None] * o[:, None, :] * G[None]


def log_output(st: State, W: np.ndarray, p: dict[str, float], chi: np.ndarray) -> np.ndarray:
    """``ln y`` of MODEL.md section 3 step 2."""
    R = st.a.shape[1]
    trade = np.einsum("pij,pij->pi", W, np.abs(st.s[:, :, None] - st.s[:, None, :]))
    return st.a + p["alpha"] * np.log(st.K / st.L) + p["eta"] * np.log(R * st.L) + chi[:, None] * trade


def _capped_net_flow(W, gap, stock, rate, cap):
    """Net inflow of ``F_ji = rate W_ij max(gap_ij, 0) stock_j`` with outflow cap."""
    F = rate * W * np.maximum(gap, 0.0) * stock[:, None, :]  # F[p, i, j]: j -> i
    out = F.sum(axis=1)  # outflow of j
    limit = cap * stock
    scale = np.where(out > limit, limit / np.where(out > 0, out, 1.0), 1.0)
    F = F * scale[:, None, :]
    return F.sum(axis=2) - F.sum(axis=1)


def step(
    st: State,
    inputs: ModelInputs,
    theta: np.ndarray,
    w: np.ndarray,
    h: float,
    shocks: np.ndarray,
    c: np.ndarray,
    astar: np.ndarray,
) -> dict[str, np.ndarray]:
    """One explicit Euler step of MODEL.md section 3, in place on ``st``.

    Parameters
    ----------
    shocks : (P, 4R + 2)
        ``eps, eps_c, eps_s, eps_e, u, u_c`` in that order.
    c : (P,)
        Convergence regime of each path (1 or 0) during the step.
    astar : (R,)
        Steady-state log TFP ``a*`` (only deviations from its mean matter).

    Returns
    -------
    dict
        ``T`` (transfers), ``netK``, ``netL`` (net flows), ``lny`` of the step and ``c``,
        the regime after the step's switch (step 7b).
    """
    p = _p(inputs)
    P, R = st.a.shape
    co = coefficients(p, theta, w, c)
    th = dict(zip(MECHANISMS, theta.tolist(), strict=True))
    eps, eps_c = shocks[:, :R], shocks[:, R : R + 1]
    eps_s, eps_e = shocks[:, R + 1 : 2 * R + 1], shocks[:, 2 * R + 1 : 3 * R + 1]
    u, u_c = shocks[:, 3 * R + 1 : 4 * R + 1], shocks[:, 4 * R + 1]

    o, W = ties(st.e, st.z, inputs.G, p["block"])
    lny = log_output(st, W, p, co["chi"])
    y = np.exp(lny)
    Y = y * st.L
    coop = st.z == 0
    sumL_c = np.where(coop, st.L, 0).sum(axis=1)
    ybar_c = np.where(sumL_c > 0, np.where(coop, Y, 0).sum(axis=1) / np.where(sumL_c > 0, sumL_c, 1), 0)
    T = np.where(coop, co["tau"] * (ybar_c[:, None] - y) * st.L, 0.0)

    lr = np.log(Y) - np.log(st.K)  # ln r up to the constant ln(alpha)
    rate_k = h * p["mu_k"] * co["m"] if p["alpha"] > 0 else 0.0
    netK = _capped_net_flow(W, lr[:, :, None] - lr[:, None, :], st.K, rate_k, p["flow_cap"])
    gap_w = lny[:, :, None] - lny[:, None, :] - p["migration_cost"]
    netL = _capped_net_flow(W, gap_w, st.L, h * p["mu_l"] * co["m"], p["flow_cap"])

    sq = np.sqrt(h)
    spill = np.einsum("pij,pj->pi", W, st.a) - W.sum(axis=2) * st.a
    x = st.a - astar
    reversion = c[:, None] * p["rho_a"] * (x - x.mean(axis=1, keepdims=True))
    loss = np.maximum(0.0, -(T + netK / h) / Y)
    h_d = p["h0"] * (1 - p["omega"] * th["supervision"]) * (1 + p["kappa"] * loss)
    h_r = p["hr0"] + p["hr1"] * th["supervision"]
    defect = u < 1 - np.exp(-h * h_d)
    back = u < 1 - np.exp(-h * h_r)
    z_new = np.where(st.z == 0, defect, ~back).astype(float)
    stall = u_c < 1 - np.exp(-h * p["regime_exit"])
    resume = u_c < 1 - np.exp(-h * p["regime_entry"])
    c_new = np.where(c == 1, np.where(stall, 0.0, 1.0), np.where(resume, 1.0, 0.0))

    a_new = (
        st.a
        + h * (p["g"] + co["lam"][:, None] * spill - reversion)
        + p["sigma"] * sq * eps
        + p["sigma_common"] * sq * eps_c
    )
    invest = inputs.saving * (1 - p["cost_s"] * th["supervision"])
    K_new = np.maximum(st.K + h * (invest * Y - p["delta"] * st.K + T) + netK, 1e-12)
    s_new = np.clip(
        st.s + h * co["nu"][:, None] * o * (inputs.s_target - st.s) + p["sigma_s"] * sq * eps_s, 0, 1
    )
    e_new = np.clip(
        st.e
        + h * (co["psi"][:, None] * (1 - st.e) * (1 - st.z) - p["zeta"] * st.e * st.z)
        + p["sigma_e"] * sq * eps_e,
        0,
        1,
    )
    st.a, st.K, st.L, st.s, st.e, st.z = a_new, K_new, st.L + netL, s_new, e_new, z_new
    return {"T": T, "netK": netK, "netL": netL, "lny": lny, "c": c_new}


def driver_indices(st: State, inputs: ModelInputs, block: float) -> np.ndarray:
    """``(P, 3)`` driver indices CA, EC, ID of MODEL.md section 5."""
    _, W = ties(st.e, st.z, inputs.G, block)
    sw = W.sum(axis=(1, 2))
    ca_num = np.einsum("pij,pij->p", W, np.abs(st.s[:, :, None] - st.s[:, None, :]))
    ca = np.where(sw > 0, ca_num / np.where(sw > 0, sw, 1), 0.0)
    LL = st.L[:, :, None] * st.L[:, None, :]
    ec = (W * LL).sum(axis=(1, 2)) / (inputs.G[None] * LL).sum(axis=(1, 2))
    idx = np.abs(2 * st.s - 1).mean(axis=1)
    return np.stack([ca, ec, idx], axis=1)


def haken_order_parameter(q: np.ndarray) -> int:
    """MODEL.md section 6 on one ``(window, 3)`` history, with ``numpy.linalg``."""
    best, best_score = -1, -np.inf
    for u in range(3):
        for v in range(3):
            if u == v:
                continue
            x, xn, y, yn = q[:-1, u], q[1:, u], q[:-1, v], q[1:, v]
            A1 = np.stack([x, x * y], axis=1)
            A2 = np.stack([y, x * x], axis=1)
            N1, N2 = A1.T @ A1, A2.T @ A2
            if abs(np.linalg.det(N1)) <= 1e-14 or abs(np.linalg.det(N2)) <= 1e-14:
                continue
            gamma1 = 1 - np.linalg.solve(N1, A1.T @ xn)[0]
            gamma2 = 1 - np.linalg.solve(N2, A2.T @ yn)[0]
            if gamma2 > 0 and abs(gamma2) > abs(gamma1):
                score = gamma2 / (abs(gamma1) + 1e-12)
                if score > best_score:
                    best, best_score = u, score
    if best >= 0:
        return best
    den = (q[:-1] ** 2).sum(axis=0)
    c = np.where(den > 0, (q[:-1] * q[1:]).sum(axis=0) / np.where(den > 0, den, 1), 0.0)
    return int(np.argmin(np.abs(1 - c)))


def initial_state(inputs: ModelInputs, theta: np.ndarray, P: int) -> State:
    """Initial state of MODEL.md section 2, with ``a(0)`` solved from the data."""
    p = _p(inputs)
    R = inputs.n_regions
    rep = lambda x: np.repeat(x[None, :], P, axis=0)  # noqa: E731
    st = State(
        a=np.zeros((P, R)),
        K=rep(inputs.K0),
        L=rep(inputs.L0),
        s=rep(inputs.s0),
        e=rep(inputs.e0),
        z=np.zeros((P, R)),
    )
    w = np.full((P, 3), 1 / 3)
    _, W = ties(st.e, st.z, inputs.G, p["block"])
    st.a = inputs.lny0[None, :] - log_output(st, W, p, coefficients(p, theta, w)["chi"])
    return st


def steady_state_tfp(inputs: ModelInputs, a0: np.ndarray) -> np.ndarray:
    """Steady-state log TFP ``a*`` of MODEL.md section 2 from the initial ``a(0)`` ``(R,)``.

    ``a*_i = a_i(0) + (1 - alpha)(ln y*_i - ln y_i(0))`` with the scenario's steady
    states; without them every ``a*_i`` is equal (0 here: only differences matter).
    """
    if not inputs.has_steady_state:
        return np.zeros_like(a0)
    return a0 + (1.0 - _p(inputs)["alpha"]) * inputs.ln_gap


def simulate_reference(
    inputs: ModelInputs,
    theta: np.ndarray,
    shocks: np.ndarray,
    *,
    years: int,
    substeps: int = 1,
    u0: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Run ``P`` paths on given variates ``(P, years * substeps, 4R + 2)``.

    ``u0`` ``(P,)`` is each path's uniform before its first step (initial regime
    ``c = 1`` if ``u0 < regime0``); default 0.5.

    Returns
    -------
    dict
        Yearly (t = 0..years) ``lny``, ``L``, ``a``, ``K``, ``s``, ``e``, ``z`` of shape
        ``(P, years + 1, R)``, ``q`` ``(P, years + 1, 3)``, the shares ``w`` in force
        during each year ``(P, years + 1, 3)``, the regime ``c`` after each year's last
        switch ``(P, years + 1)`` and ``picks`` ``(P, 3)``.
    """
    p = _p(inputs)
    P = shocks.shape[0]
    window, review = int(p["window"]), int(p["review"])
    st = initial_state(inputs, theta, P)
    astar = steady_state_tfp(inputs, st.a[0])
    u0 = np.full(P, 0.5) if u0 is None else np.asarray(u0, dtype=float)
    c = np.where(u0 < p["regime0"], 1.0, 0.0)
    w = np.full((P, 3), 1 / 3)
    rec = {k: [] for k in ("lny", "L", "a", "K", "s", "e", "z", "q", "w", "c")}

    def record(lny):
        for k in ("L", "a", "K", "s", "e", "z"):
            rec[k].append(getattr(st, k).copy())
        rec["lny"].append(lny)
        rec["q"].append(driver_indices(st, inputs, p["block"]))
        rec["w"].append(w.copy())
        rec["c"].append(c.copy())

    record(np.repeat(inputs.lny0[None, :], P, axis=0))
    picks = np.zeros((P, 3))
    h = 1.0 / substeps
    n = 0
    for year in range(1, years + 1):
        for _ in range(substeps):
            c = step(st, inputs, theta, w, h, shocks[:, n], c, astar)["c"]
            n += 1
        _, W = ties(st.e, st.z, inputs.G, p["block"])
        record(log_output(st, W, p, coefficients(p, theta, w)["chi"]))
        hist = np.stack(rec["q"][-window:], axis=1)
        if year % review == 0 and hist.shape[1] == window:
            th = theta[MECHANISMS.index("order_parameter")]
            for k in range(P):
                op = haken_order_parameter(hist[k])
                picks[k, op] += 1
                w[k] = (1 - th) / 3
                w[k, op] += th
    out = {k: np.stack(v, axis=1) for k, v in rec.items()}
    out["picks"] = picks
    return out
