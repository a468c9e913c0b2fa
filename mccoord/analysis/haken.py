"""Order-parameter identification with the Haken synergetics model (MODEL.md section 6).

For an ordered pair of indicators (u, v) the discrete Haken model is

    q_u(t+1) = (1 - gamma1) q_u(t) - a q_u(t) q_v(t)
    q_v(t+1) = (1 - gamma2) q_v(t) + b q_u(t)^2

(continuous form ``du/dt = -gamma1 u - a u v``, ``dv/dt = -gamma2 v + b u^2``). When v
is damped much faster than u (``gamma2 > 0``, ``|gamma2| > |gamma1|``) it follows u
adiabatically, ``v = (b / gamma2) u^2``, so u alone drives the system -- it is the
order parameter -- with

    du/dt = -gamma1 u - (a b / gamma2) u^3 = -dV/du,
    V(u) = gamma1/2 u^2 + a b / (4 gamma2) u^4     (the potential function).

References
----------
.. [1] Haken, H. (1983). Synergetics: An Introduction, 3rd ed. Springer, ch. 7
   (slaving principle, adiabatic elimination).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

__all__ = ["HakenResult", "haken"]

DET_TOL = 1e-14
SCORE_EPS = 1e-12


@dataclass(frozen=True)
class HakenResult:
    """Outcome of :func:`haken`.

    Attributes
    ----------
    pairs
        One row per ordered pair (u, v), in the order (0,1), (0,2), (1,0), ... of the
        indicator columns: ``gamma1, a, gamma2, b`` (per year), their t statistics
        (``t_gamma1`` etc., H0: parameter = 0), ``det1, det2`` (determinants of the
        2x2 normal matrices), ``valid``, ``score = gamma2 / (|gamma1| + 1e-12)``, and the
        potential coefficients ``V2 = gamma1/2`` and ``V4 = a b / (4 gamma2)`` of
        ``V(u) = V2 u^2 + V4 u^4``.
    univariate
        Per indicator the fit ``q(t+1) = c q(t)`` (no intercept): ``c`` and ``|1 - c|``.
    order_parameter
        Name of the indicator identified as the order parameter.
    order_index
        Its column position.
    fallback
        True when no pair was valid and the univariate rule decided.
    best_pair
        Row label (``"u->v"``) of the winning pair, or None on fallback.
    """

    pairs: pd.DataFrame
    univariate: pd.DataFrame
    order_parameter: str
    order_index: int
    fallback: bool
    best_pair: str | None

    @property
    def potential(self) -> tuple[float, float] | None:
        """``(V2, V4)`` of the winning pair: ``V(u) = V2 u^2 + V4 u^4``; None on fallback."""
        if self.best_pair is None:
            return None
        row = self.pairs.loc[self.best_pair]
        return float(row["V2"]), float(row["V4"])


def _fit(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """OLS without intercept: coefficients, standard errors, det of X'X (NaN if singular)."""
    det = float(np.linalg.det(X.T @ X))
    if not abs(det) > DET_TOL:
        return np.full(2, np.nan), np.full(2, np.nan), det
    with warnings.catch_warnings():
        # near-collinear but |det| > 1e-14: MODEL.md's rule, not statsmodels', decides
        warnings.simplefilter("ignore", SingularMatrixWarning)
        res = sm.OLS(y, X).fit()
    return np.asarray(res.params), np.asarray(res.bse), det


def _t(value: float, se: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.divide(value, se))


def haken(indicators: pd.DataFrame, window: int | None = None) -> HakenResult:
    """Identify the order parameter among indicators with the Haken model.

    Implements MODEL.md section 6: for every ordered pair (u, v), u != v, both
    equations of the module docstring are fitted by OLS without intercept
    (statsmodels) on the yearly values. A pair is valid if both 2x2 normal systems are
    non-singular (``|det(X'X)| > 1e-14``), ``gamma2 > 0`` and ``|gamma2| > |gamma1|``.
    The order parameter is u of the valid pair with the largest
    ``gamma2 / (|gamma1| + 1e-12)``, the first pair in column order on ties. If no
    pair is valid it is the indicator whose fit ``q(t+1) = c q(t)`` has the smallest
    ``|1 - c|`` (first on ties; ``c = 0`` when ``q`` is identically 0).

    Parameters
    ----------
    indicators
        Index = year (consecutive years), columns = indicator names (e.g. ``CA, EC,
        ID``), values = indicator levels (unitless, typically in [0, 1]).
    window
        Use only the last ``window`` rows (MODEL.md uses 10); all rows by default.

    Returns
    -------
    HakenResult
        Coefficients ``gamma1, gamma2`` [1/year] and ``a, b`` [1/year per unit of
        indicator], t statistics, validity, scores and the potential function.
    """
    df = indicators.sort_index()
    if window is not None:
        df = df.iloc[-window:]
    q = df.to_numpy(dtype=float)
    if q.ndim != 2 or q.shape[1] < 2 or q.shape[0] < 3:
        raise ValueError("need at least 2 indicators and 3 years")
    if not np.isfinite(q).all():
        raise ValueError("indicators must be finite")
    names = [str(c) for c in df.columns]
    now, nxt = q[:-1], q[1:]
    rows = []
    for u in range(q.shape[1]):
        for v in range(q.shape[1]):
            if u == v:
                continue
            (c1, ma), (s1, sa), det1 = _fit(nxt[:, u], np.column_stack([now[:, u], now[:, u] * now[:, v]]))
            (c2, b), (s2, sb), det2 = _fit(nxt[:, v], np.column_stack([now[:, v], now[:, u] ** 2]))
            g1, a, g2 = 1.0 - c1, -ma, 1.0 - c2
            ok = abs(det1) > DET_TOL and abs(det2) > DET_TOL
            valid = bool(ok and g2 > 0 and abs(g2) > abs(g1))
            with np.errstate(divide="ignore", invalid="ignore"):
                v4 = a * b / (4.0 * g2)
            rows.append(
                {
                    "pair": f"{names[u]}->{names[v]}",
                    "u": names[u],
                    "v": names[v],
                    "gamma1": g1,
                    "a": a,
                    "gamma2": g2,
                    "b": b,
                    "t_gamma1": _t(g1, s1),
                    "t_a": _t(a, sa),
                    "t_gamma2": _t(g2, s2),
                    "t_b": _t(b, sb),
                    "det1": det1,
                    "det2": det2,
                    "valid": valid,
                    "score": g2 / (abs(g1) + SCORE_EPS) if ok else np.nan,
                    "V2": g1 / 2.0,
                    "V4": v4,
                }
            )
    pairs = pd.DataFrame(rows).set_index("pair")

    ss = (now**2).sum(axis=0)
    c = np.where(ss > 0, (now * nxt).sum(axis=0) / np.where(ss > 0, ss, 1.0), 0.0)
    univariate = pd.DataFrame({"c": c, "abs_1_minus_c": np.abs(1.0 - c)}, index=names)

    best, best_score = None, -np.inf
    for label, row in pairs.iterrows():
        if row["valid"] and row["score"] > best_score:
            best, best_score = label, row["score"]
    if best is not None:
        op = str(pairs.loc[best, "u"])
        return HakenResult(pairs, univariate, op, names.index(op), False, str(best))
    idx = int(np.argmin(univariate["abs_1_minus_c"].to_numpy()))
    return HakenResult(pairs, univariate, names[idx], idx, True, None)
