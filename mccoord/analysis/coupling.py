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
"""

from __future__ import annotations

from typing import Literal

import numpy as np

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


def coupling_coordination(
    U: np.ndarray,
    weights: np.ndarray | None = None,
    method: Literal["standard", "adjusted"] = "standard",
) -> dict[str, np.ndarray]:
    """Coupling degree C, development index T and coordination degree D = sqrt(C*T).

    Parameters
    ----------
    U
        Subsystem indices in [0, 1] (unitless), shape ``(n, ...)`` with ``n >= 2``
        subsystems on the first axis; every trailing axis is vectorised over.
    weights
        Weights of the subsystems in T, shape ``(n,)``; equal weights by default. They
        are normalised to sum to 1.
    method
        ``"standard"`` [1]_ (MODEL.md section 8 with n = 3)::

            C = n * (prod_i U_i)^(1/n) / sum_i U_i

        ``"adjusted"``, the corrected (modified) coupling degree of Wang et al. (2021) [2]_::

            C = sqrt( (1 - sum_{i>j} |U_i - U_j| / sum_{m=1}^{n-1} m)
                      * (prod_i U_i / max_i U_i)^(1/(n-1)) )

        where ``sum_{m=1}^{n-1} m = n(n-1)/2`` normalises the pairwise gaps, and every
        ``U_i`` is divided by the largest one. Unlike the standard form, whose C
        crowds near 1, it spreads over [0, 1].

    Returns
    -------
    dict
        ``C`` (coupling degree), ``T`` (weighted mean of ``U``), ``D`` (coordination
        degree), all in [0, 1] and unitless, and ``grade`` (int 0..9, see
        :data:`GRADES`), each of shape ``U.shape[1:]``. C is 0 where all ``U`` are 0.
    """
    U = np.asarray(U, dtype=float)
    n = U.shape[0]
    if U.ndim < 1 or n < 2:
        raise ValueError("U needs n >= 2 subsystems on its first axis")
    if np.any(U < 0) or np.any(U > 1):
        raise ValueError("subsystem indices must lie in [0, 1]")
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights needs n non-negative values")
    w = w / w.sum()
    T = np.tensordot(w, U, axes=1)
    total = U.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "standard":
            geo = np.exp(np.log(U).mean(axis=0))
            C = np.where(total > 0, n * geo / np.where(total > 0, total, 1.0), 0.0)
        elif method == "adjusted":
            i, j = np.triu_indices(n, k=1)
            gaps = np.abs(U[i] - U[j]).sum(axis=0) / (n * (n - 1) / 2)
            top = U.max(axis=0)
            ratio = np.prod(U / np.where(top > 0, top, 1.0), axis=0) ** (1.0 / (n - 1))
            C = np.where(top > 0, np.sqrt(np.clip((1.0 - gaps) * ratio, 0.0, None)), 0.0)
        else:
            raise ValueError("method must be 'standard' or 'adjusted'")
    D = np.sqrt(C * T)
    return {"C": C, "T": T, "D": D, "grade": coordination_grade(D)}
