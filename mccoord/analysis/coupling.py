"""Coupling coordination degree of n subsystem indices.

References
----------
.. [1] Liao Chongbin (廖重斌), 1999. "环境与经济协调发展的定量评判及其分类体系--以珠江三角洲
   城市群为例" (Quantitative judgement and classification system for coordinated
   development of environment and economy), Tropical Geography 19(2), 171-177.
.. [2] Wang Shujia, Kong Wei, Ren Liang, Zhi Dandan, Dai Bintao (王淑佳, 孔伟, 任亮,
   治丹丹, 戴彬涛), 2021. "国内耦合协调度模型的误区及修正" (Research on misuses and
   modification of coupling coordination degree model in China), Journal of Natural
   Resources (自然资源学报) 36(3), 793-810,
   https://www.jnr.ac.cn/article/2021/1000-3037/1000-3037-36-3-793.shtml
.. [3] "Urban-Rural Logistics Coupling Coordinated Development and Urban-Rural
   Integrated Development: Measurement, Influencing Factors, and Countermeasures",
   Mathematical Problems in Engineering 2022, article 2969206, Table 4,
   https://preview.hindawi.com/journals/mpe/2022/2969206/tab4 (urban and rural logistics
   indices of 2011-2020 with their C, T and D; the worked example below and in the tests).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError

__all__ = ["GRADES", "coupling_coordination", "coordination_grade"]

#: The ten standard grades of the coupling coordination degree D, one per band of 0.1
#: (lower bound inclusive; D = 1 belongs to the last band), Chinese names in brackets.
GRADES: tuple[str, ...] = (
    "extreme disorder",  # 极度失调 [0.0, 0.1)
    "serious disorder",  # 严重失调 [0.1, 0.2)
    "moderate disorder",  # 中度失调 [0.2, 0.3)
    "mild disorder",  # 轻度失调 [0.3, 0.4)
    "on the verge of disorder",  # 濒临失调 [0.4, 0.5)
    "barely coordinated",  # 勉强协调 [0.5, 0.6)
    "primary coordination",  # 初级协调 [0.6, 0.7)
    "intermediate coordination",  # 中级协调 [0.7, 0.8)
    "good coordination",  # 良好协调 [0.8, 0.9)
    "high-quality coordination",  # 优质协调 [0.9, 1.0]
)
_EDGES = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


def coordination_grade(D: np.ndarray | float) -> np.ndarray:
    """Grade index 0..9 of the coordination degree D (see :data:`GRADES`)."""
    return np.digitize(np.asarray(D, dtype=float), _EDGES, right=False)


def _orientation(
    table: pd.DataFrame,
    names: Sequence[Hashable] | None,
    axis: str | None,
) -> tuple[str, list[Hashable]]:
    """Which axis of ``table`` holds the subsystems, and their names in order.

    Decided by ``axis`` or by the axis that carries every given name; a table that
    neither settles is refused (no guessing from shapes or label types).
    """
    if axis is not None and axis not in ("columns", "index"):
        raise ConfigError("axis", axis, "'columns' or 'index' (the axis whose labels are the subsystems)")
    if names is None:
        if axis is None:
            raise ConfigError(
                "U",
                f"a DataFrame of shape {table.shape}",
                "subsystems=[names] or axis='columns'|'index' to say which axis holds the subsystems",
            )
        labels = table.columns if axis == "columns" else table.index
        return axis, list(labels)
    names = list(names)
    if len(set(names)) != len(names):
        raise ConfigError("subsystems", names, "distinct subsystem names")
    found = [ax for ax in ("columns", "index") if set(names) <= set(getattr(table, ax))]
    if axis is not None:
        if axis not in found:
            raise ConfigError("subsystems", names, f"labels of the table's {axis}")
        return axis, names
    if not found:
        raise ConfigError("subsystems", names, "labels of the table's columns or of its index")
    if len(found) == 2:
        raise ConfigError(
            "subsystems",
            names,
            "names found on one axis only; both the columns and the index have them: give axis=",
        )
    return found[0], names


def _weights_by_name(weights, names: list[Hashable]) -> np.ndarray:
    w = pd.Series(weights)
    missing = [n for n in names if n not in w.index]
    if missing:
        raise ConfigError("weights", dict(w), f"a weight for every subsystem ({', '.join(map(str, names))})")
    return w.reindex(names).to_numpy(dtype=float)


def coupling_coordination(
    U: np.ndarray | pd.DataFrame,
    weights: np.ndarray | Sequence[float] | Mapping[Hashable, float] | pd.Series | None = None,
    method: Literal["standard", "adjusted"] = "standard",
    *,
    subsystems: Sequence[Hashable] | None = None,
    axis: Literal["columns", "index"] | None = None,
) -> dict[str, np.ndarray] | pd.DataFrame:
    """Coupling degree C, development index T and coordination degree D = sqrt(C*T).

    Parameters
    ----------
    U
        Subsystem indices in [0, 1] (unitless). An array has shape ``(n, ...)`` with
        ``n >= 2`` subsystems on the first axis (every trailing axis is vectorised
        over). A :class:`pandas.DataFrame` may hold the subsystems either as columns
        (one row per observation, e.g. per year) or as rows; which one is never
        guessed: it is the axis whose labels include every name in ``subsystems``
        (or in the keys of ``weights`` given as a mapping), or the one named by
        ``axis``. A table that none of these settles, or whose columns and index both
        carry the names, is refused with a :class:`~mccoord.errors.ConfigError`.
    weights
        Weights of the subsystems in T; equal weights by default. An array of length n
        (in the order of the subsystems), or a mapping/Series from subsystem name to
        weight (for a DataFrame). They are normalised to sum to 1.
    method
        ``"standard"`` [1]_ (MODEL.md section 8 with n = 3)::

            C = n * (prod_i U_i)^(1/n) / sum_i U_i

        ``"adjusted"``, the corrected (modified) coupling degree of Wang et al. (2021) [2]_::

            C = sqrt( (1 - sum_{i>j} |U_i - U_j| / sum_{m=1}^{n-1} m)
                      * (prod_i U_i / max_i U_i)^(1/(n-1)) )

        where ``sum_{m=1}^{n-1} m = n(n-1)/2`` normalises the pairwise gaps, and every
        ``U_i`` is divided by the largest one. Unlike the standard form, whose C
        crowds near 1, it spreads over [0, 1].
    subsystems
        For a DataFrame: names of the subsystems, in order; they select the subsystems
        (other labels on that axis are ignored) and settle the orientation.
    axis
        For a DataFrame: ``"columns"`` or ``"index"``, the axis whose labels are the
        subsystems (all of them unless ``subsystems`` picks some).

    Returns
    -------
    dict or pandas.DataFrame
        ``C`` (coupling degree), ``T`` (weighted mean of ``U``), ``D`` (coordination
        degree), all in [0, 1] and unitless, and ``grade`` (int 0..9, see
        :data:`GRADES`). For an array, a dict of arrays of shape ``U.shape[1:]``; for a
        DataFrame, a DataFrame with these four columns indexed by the observations
        (the labels of the other axis). C is 0 where all ``U`` are 0.

    Examples
    --------
    The urban (``Uu``) and rural (``Ur``) logistics indices of [3]_ (Table 4), equal
    weights, with the published C, T and D of 2013 (0.920, 0.307, 0.532) and 2019
    (0.989, 0.777, 0.877):

    >>> q = pd.DataFrame({"Uu": [0.187, 0.892], "Ur": [0.427, 0.662]}, index=[2013, 2019])
    >>> coupling_coordination(q, subsystems=["Uu", "Ur"]).round(3)
              C      T      D  grade
    2013  0.920  0.307  0.532      5
    2019  0.989  0.777  0.877      8

    The same table transposed (``q.T``) gives the same result, and so does
    ``axis="columns"`` in place of ``subsystems``. The published indices are rounded to
    3 decimals, so other years of the table agree to within 0.001 only (C of 2011 comes
    out 0.883 against 0.882). Grades follow :data:`GRADES`, not the paper's own
    classification.
    """
    labels = None
    if isinstance(U, pd.DataFrame):
        names = subsystems
        if names is None and axis is None and isinstance(weights, (Mapping, pd.Series)):
            names = list(pd.Series(weights).index)
        on, names = _orientation(U, names, axis)
        table = U.loc[:, names] if on == "columns" else U.loc[names, :].T
        labels = table.index
        if isinstance(weights, (Mapping, pd.Series)):
            weights = _weights_by_name(weights, names)
        U = table.to_numpy(dtype=float).T
    elif subsystems is not None or axis is not None:
        raise ConfigError(
            "subsystems" if subsystems is not None else "axis", subsystems or axis, "a DataFrame U"
        )
    out = _coupling(np.asarray(U, dtype=float), weights, method)
    if labels is None:
        return out
    return pd.DataFrame(out, index=labels)


def _coupling(U: np.ndarray, weights, method: str) -> dict[str, np.ndarray]:
    if method not in ("standard", "adjusted"):
        raise ConfigError("method", method, "'standard' or 'adjusted'")
    if U.ndim < 1 or U.shape[0] < 2:
        raise ConfigError("U", f"an array of shape {U.shape}", "n >= 2 subsystems on the first axis")
    n = U.shape[0]
    if np.any(U < 0) or np.any(U > 1) or np.isnan(U).any():
        raise ConfigError(
            "U", f"values from {np.nanmin(U):g} to {np.nanmax(U):g}", "subsystem indices in [0, 1]"
        )
    if isinstance(weights, (Mapping, pd.Series)):
        raise ConfigError("weights", dict(weights), "an array of n weights (names need a DataFrame U)")
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or np.any(w < 0) or w.sum() <= 0:
        raise ConfigError("weights", w.tolist(), f"{n} non-negative weights, not all 0")
    w = w / w.sum()
    T = np.tensordot(w, U, axes=1)
    total = U.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "standard":
            geo = np.exp(np.log(U).mean(axis=0))
            C = np.where(total > 0, n * geo / np.where(total > 0, total, 1.0), 0.0)
        else:
            i, j = np.triu_indices(n, k=1)
            gaps = np.abs(U[i] - U[j]).sum(axis=0) / (n * (n - 1) / 2)
            top = U.max(axis=0)
            ratio = np.prod(U / np.where(top > 0, top, 1.0), axis=0) ** (1.0 / (n - 1))
            C = np.where(top > 0, np.sqrt(np.clip((1.0 - gaps) * ratio, 0.0, None)), 0.0)
    D = np.sqrt(C * T)
    return {"C": C, "T": T, "D": D, "grade": coordination_grade(D)}
