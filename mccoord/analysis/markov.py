"""Classic discrete Markov chain of relative income classes (Quah 1993; Rey 2001).

References
----------
.. [1] Quah, D. (1993). Empirical cross-section dynamics in economic growth.
   European Economic Review 37, 426-434.
.. [2] Rey, S. J. (2001). Spatial empirics for economic growth and convergence.
   Geographical Analysis 33(3), 195-214.
.. [3] Kemeny, J. G., Snell, J. L. (1976). Finite Markov Chains. Springer, ch. 4.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .panel import PanelLike, income_panel, stack_paths, unstack_paths

__all__ = ["markov", "quantile_classes"]


def quantile_classes(x: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Pooled quantile classes 0..k-1 of all values in ``x`` and the k-1 inner cut-offs.

    Cut-offs are the ``100 j / k`` percentiles (linear interpolation) of the pooled
    values, and a value equal to a cut-off belongs to the lower class -- the rule of
    :class:`mapclassify.Quantiles`, as used in giddy's examples and in
    ``giddy.markov.Spatial_Markov(fixed=True)``.
    """
    x = np.asarray(x, dtype=float)
    cuts = np.percentile(x.ravel(), 100.0 * np.arange(1, k) / k)
    return np.searchsorted(cuts, x, side="left"), cuts


def _stationary(P: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eig(P.T)
    pi = np.real(V[:, np.argmin(np.abs(w - 1.0))])
    return pi / pi.sum()


def _first_passage(P: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Mean first-passage times via the fundamental matrix; diagonal = recurrence 1/pi."""
    k = P.shape[0]
    A = np.tile(pi, (k, 1))
    Z = np.linalg.inv(np.eye(k) - P + A)
    M = (np.diag(Z)[None, :] - Z) / pi[None, :]
    M[np.diag_indices(k)] = 1.0 / pi
    return M


def markov(income: PanelLike, k: int = 5, **panel_kwargs) -> xr.Dataset:
    """Quintile (k-tile) Markov chain of relative income.

    Income is divided by the yearly unweighted cross-section mean; the relative
    incomes of all regions and years are pooled and cut into k quantile classes
    (:func:`quantile_classes`, class 0 = poorest). Transitions between consecutive
    years are counted; ``p`` is the maximum-likelihood transition matrix (row counts
    normalised; rows without observations stay 0).

    Parameters
    ----------
    income
        Income per capita, any form accepted by :func:`mccoord.analysis.income_panel`.
    k
        Number of classes.

    Returns
    -------
    xarray.Dataset
        Dims ``[path,] from_class, to_class`` (or ``class``): ``transitions`` [count],
        ``p`` [probability per year], ``steady_state`` (ergodic distribution),
        ``mfpt`` (mean first-passage times [years]; diagonal = recurrence times,
        as giddy), ``sojourn`` (expected stay ``1 / (1 - p_ii)`` [years]) and ``cuts``
        (class cut-offs of relative income [1]). ``steady_state`` and ``mfpt`` assume
        an irreducible chain (NaN otherwise).
    """
    panel = income_panel(income, **panel_kwargs)
    values, has_path = stack_paths(panel)
    rel = values / values.mean(axis=1, keepdims=True)
    out = []
    for r in rel:
        cls, cuts = quantile_classes(r, k)
        counts = np.zeros((k, k))
        np.add.at(counts, (cls[:, :-1].ravel(), cls[:, 1:].ravel()), 1.0)
        rows = counts.sum(axis=1, keepdims=True)
        P = counts / np.where(rows > 0, rows, 1.0)
        try:
            pi = _stationary(P)
            M = _first_passage(P, pi)
        except np.linalg.LinAlgError:
            pi, M = np.full(k, np.nan), np.full((k, k), np.nan)
        with np.errstate(divide="ignore"):
            soj = np.where(np.diag(P) < 1, 1.0 / (1.0 - np.diag(P)), np.inf)
        out.append((counts, P, pi, M, soj, cuts))
    stack = [np.stack(z) for z in zip(*out, strict=True)]
    ds = xr.Dataset(
        {
            "transitions": (("path", "from_class", "to_class"), stack[0]),
            "p": (("path", "from_class", "to_class"), stack[1]),
            "steady_state": (("path", "class"), stack[2]),
            "mfpt": (("path", "from_class", "to_class"), stack[3]),
            "sojourn": (("path", "class"), stack[4]),
            "cuts": (("path", "cut"), stack[5]),
        },
        coords={"from_class": np.arange(k), "to_class": np.arange(k), "class": np.arange(k)},
        attrs={"k": k, "relative_to": "yearly unweighted cross-section mean"},
    )
    return unstack_paths(ds, panel, has_path)
