"""Classic discrete Markov chain of relative income classes (Quah 1993; Rey 2001).

Two conventions for the classes are in use, and :func:`markov` offers both:

* ``classes="pooled"`` (the default): quantiles of relative income over all region-years,
  so the class boundaries are fixed in relative income. This is Quah's distribution
  dynamics: the steady state says where the cross-section is heading (mass piling up in
  the middle classes means convergence, in the extreme classes polarisation). It is
  giddy's "relative incomes" example
  (``mapclassify.Quantiles(rpci.flatten()).yb.reshape(rpci.shape)``).
* ``classes="yearly"``: each year's own quantiles, the canonical example of
  :class:`giddy.markov.Markov` (``np.array([mapclassify.Quantiles(y).yb for y in
  pci]).T``). Every year then has the same number of regions in every class, so the
  chain measures rank mobility only, and its steady state is close to uniform by
  construction; it cannot show convergence or polarisation. The classes are the same
  whether income is relative or not (dividing a year by its mean keeps its order).

References
----------
.. [1] Quah, D. (1993). Empirical cross-section dynamics in economic growth.
   European Economic Review 37, 426-434.
.. [2] Rey, S. J. (2001). Spatial empirics for economic growth and convergence.
   Geographical Analysis 33(3), 195-214.
.. [3] Kemeny, J. G., Snell, J. L. (1976). Finite Markov Chains. Springer, ch. 4.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from ..errors import ConfigError
from .panel import PanelLike, income_panel, stack_paths, unstack_paths

__all__ = ["CLASSES", "markov", "quantile_classes"]

#: Ways of cutting relative income into classes (see the module docstring).
CLASSES: tuple[str, ...] = ("pooled", "yearly")


def quantile_classes(x: np.ndarray, k: int = 5, *, axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Quantile classes 0..k-1 of ``x`` and the k-1 inner cut-offs.

    Cut-offs are the ``100 j / k`` percentiles (linear interpolation), and a value equal
    to a cut-off belongs to the lower class -- the rule of :class:`mapclassify.Quantiles`,
    as used in giddy's examples. Classes are not merged when cut-offs repeat (mapclassify
    merges them), so a class may stay empty.

    Parameters
    ----------
    x
        Values to classify, e.g. relative income of shape ``(region, year)`` [1].
    k
        Number of classes.
    axis
        None pools all values of ``x`` (one set of cut-offs); an axis cuts the values
        along that axis separately for every position of the other axes (``axis=0`` on
        ``(region, year)`` gives each year its own quantiles).

    Returns
    -------
    classes : numpy.ndarray
        Integer class of every value, shape of ``x`` (0 = lowest).
    cuts : numpy.ndarray
        Cut-offs, shape ``(k-1,)`` when pooled, else the shape of ``x`` without ``axis``
        followed by ``k-1``.
    """
    x = np.asarray(x, dtype=float)
    q = 100.0 * np.arange(1, k) / k
    if axis is None:
        cuts = np.percentile(x.ravel(), q)
        return np.searchsorted(cuts, x, side="left"), cuts
    axis = axis % x.ndim
    cuts = np.moveaxis(np.percentile(x, q, axis=axis), 0, -1)  # (..., k-1)
    # number of cut-offs strictly below each value = searchsorted(..., side="left")
    classes = (np.expand_dims(x, -1) > np.expand_dims(cuts, axis)).sum(axis=-1)
    return classes, cuts


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


def _chain(cls: np.ndarray, k: int):
    """Counts, transition matrix, steady state, first-passage and sojourn times."""
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
    return counts, P, pi, M, soj


def markov(
    income: PanelLike,
    k: int = 5,
    classes: Literal["pooled", "yearly"] = "pooled",
    **panel_kwargs,
) -> xr.Dataset:
    """Quintile (k-tile) Markov chain of relative income.

    Income is divided by the yearly unweighted cross-section mean and cut into k
    quantile classes (:func:`quantile_classes`, class 0 = poorest), either over all
    region-years pooled or within each year (see the module docstring). Transitions
    between consecutive years are counted; ``p`` is the maximum-likelihood transition
    matrix (row counts normalised; rows without observations stay 0).

    Parameters
    ----------
    income
        Income per capita, any form accepted by :func:`mccoord.analysis.income_panel`.
    k
        Number of classes.
    classes
        ``"pooled"`` (default): one set of cut-offs over all region-years, fixed in
        relative income, so that the steady state shows convergence or polarisation
        (Quah; giddy's relative-income example). ``"yearly"``: each year's own
        quantiles, as :class:`giddy.markov.Markov`'s canonical US example; the chain
        then measures rank mobility only and its steady state is near uniform by
        construction.

    Returns
    -------
    xarray.Dataset
        Dims ``[path,] from_class, to_class`` (or ``class``): ``transitions`` [count],
        ``p`` [probability per year], ``steady_state`` (ergodic distribution),
        ``mfpt`` (mean first-passage times [years]; diagonal = recurrence times,
        as giddy), ``sojourn`` (expected stay ``1 / (1 - p_ii)`` [years]) and ``cuts``
        (class cut-offs of relative income [1]; dims ``[path,] cut`` when pooled,
        ``[path,] year, cut`` when yearly). ``steady_state`` and ``mfpt`` assume an
        irreducible chain (NaN otherwise).
    """
    if classes not in CLASSES:
        raise ConfigError("classes", classes, "'pooled' or 'yearly'")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ConfigError("k", k, "an integer number of classes >= 2")
    panel = income_panel(income, **panel_kwargs)
    values, has_path = stack_paths(panel)
    rel = values / values.mean(axis=1, keepdims=True)
    out = []
    for r in rel:
        cls, cuts = quantile_classes(r, k, axis=0 if classes == "yearly" else None)
        out.append((*_chain(cls, k), cuts))
    stack = [np.stack(z) for z in zip(*out, strict=True)]
    cut_dims = ("path", "year", "cut") if classes == "yearly" else ("path", "cut")
    ds = xr.Dataset(
        {
            "transitions": (("path", "from_class", "to_class"), stack[0]),
            "p": (("path", "from_class", "to_class"), stack[1]),
            "steady_state": (("path", "class"), stack[2]),
            "mfpt": (("path", "from_class", "to_class"), stack[3]),
            "sojourn": (("path", "class"), stack[4]),
            "cuts": (cut_dims, stack[5]),
        },
        coords={"from_class": np.arange(k), "to_class": np.arange(k), "class": np.arange(k)},
        attrs={
            "k": k,
            "classes": classes,
            "relative_to": "yearly unweighted cross-section mean",
            "source": "mccoord.analysis.markov",
        },
    )
    if classes == "yearly":
        ds = ds.assign_coords(year=panel["year"].values)
    for name, (long_name, units) in _ATTRS.items():
        ds[name].attrs.update(long_name=long_name, units=units)
    return unstack_paths(ds, panel, has_path)


_ATTRS = {
    "transitions": ("transitions between classes in consecutive years", "count"),
    "p": ("transition probability per year", "1"),
    "steady_state": ("ergodic distribution over classes", "1"),
    "mfpt": ("mean first-passage time (diagonal: recurrence time)", "years"),
    "sojourn": ("expected stay in a class", "years"),
    "cuts": ("class cut-off of income relative to the yearly mean", "1"),
}
