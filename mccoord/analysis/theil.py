"""Theil indices of income per capita (Theil T and Theil L) and their decomposition.

Both are generalised entropy indices of regional income per capita ``y_i`` with regions
weighted by their population shares ``p_i`` within each year (or equally, ``1/n``,
without population). With ``mu = sum_i p_i y_i`` (population-weighted mean income per
capita) and ``s_i = p_i y_i / mu`` (region i's share of total income):

* **Theil T** (``index="T"``, the default; GE(1)): income-share weighted log ratio of
  income to the mean, ``T = sum_i s_i ln(y_i / mu) = sum_i s_i ln(s_i / p_i)``. This is
  the index of MODEL.md and of the simulated ``theil`` variable, and, unweighted, the
  index of :class:`inequality.theil.Theil` and :class:`inequality.theil.TheilD`.
* **Theil L** (``index="L"``; GE(0), the mean log deviation): population-share weighted,
  ``L = sum_i p_i ln(mu / y_i) = sum_i p_i ln(p_i / s_i)``. Unweighted it equals
  ``-ln(1 - A_1)`` with ``A_1`` the Atkinson index of inequality aversion 1
  (:func:`inequality.atkinson.atkinson`).

T is the more sensitive to the top of the distribution, L to the bottom. Both split
exactly into between-group and within-group parts over macro-regions g with population
shares ``P_g = sum_{i in g} p_i`` and income shares ``S_g = sum_{i in g} s_i``:

* T: between = ``sum_g S_g ln(S_g / P_g)``, within = ``sum_g S_g T_g`` (groups weighted by
  their income shares);
* L: between = ``sum_g P_g ln(P_g / S_g)``, within = ``sum_g P_g L_g`` (groups weighted by
  their population shares);

where ``T_g``, ``L_g`` are the indices inside group g and between is the index of the
regions each given its group's mean (Shorrocks 1980). Only L's within part has weights
that do not depend on incomes, which is why L is often preferred for decompositions.

References
----------
.. [1] Theil, H. (1967). Economics and Information Theory. North-Holland.
.. [2] Shorrocks, A. F. (1980). The class of additively decomposable inequality
   measures. Econometrica 48(3), 613-625.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from ..errors import ConfigError
from .panel import (
    PanelLike,
    groups_of,
    income_panel,
    population_panel,
    stack_paths,
    unstack_paths,
)

__all__ = ["THEIL_INDICES", "theil"]

#: Theil indices offered by :func:`theil`: name -> description.
THEIL_INDICES: dict[str, str] = {
    "T": "Theil T (GE(1)): income-share weighted",
    "L": "Theil L (GE(0), mean log deviation): population-share weighted",
}


def _xlogy_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * ln(a / b)`` with the limit 0 where ``a == 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(a / b), 0.0)


def theil(
    income: PanelLike,
    population: PanelLike | str | None = None,
    groups: np.ndarray | list | None = None,
    *,
    index: Literal["T", "L"] = "T",
    **panel_kwargs,
) -> xr.Dataset:
    """Theil T (default) or Theil L index of income per capita, total = between + within.

    See the module docstring for the definitions. ``index="T"`` is the
    population-weighted Theil T of income per capita, each region's log income ratio
    weighted by its income share; ``index="L"`` is the mean log deviation, weighted by
    population shares. Without population every region weighs ``1/n``.

    Parameters
    ----------
    income
        Income per capita (any currency unit; only ratios matter), any form accepted by
        :func:`mccoord.analysis.income_panel`. A simulated Dataset also supplies
        population (``L``) and groups (coordinate ``group``) unless given.
    population
        Population (any unit: only shares within a year matter), same form as
        ``income``; for a long DataFrame pass the column name as ``population=`` and
        the DataFrame as ``income``. None gives equal weights unless ``income`` is a
        simulated Dataset.
    groups
        One label per region (macro-region), in the panel's region order; by default
        the coordinate ``group`` of the panel, if any.
    index
        ``"T"`` (Theil T, GE(1), income-share weighted) or ``"L"`` (Theil L, GE(0), mean
        log deviation, population-share weighted).

    Returns
    -------
    xarray.Dataset
        ``total``, ``between``, ``within`` with dims ``([path,] year)`` [1, nats].
        ``between`` and ``within`` are NaN when there are no groups. Attributes
        ``index`` (``"T"`` or ``"L"``) and ``weighted`` (population weights or not).
    """
    if index not in THEIL_INDICES:
        raise ConfigError("index", index, "'T' (Theil T, income-share weighted) or 'L' (mean log deviation)")
    panel = income_panel(income, **panel_kwargs)
    y, has_path = stack_paths(panel)
    if isinstance(population, str) and not isinstance(income, xr.Dataset):
        kw = {k: v for k, v in panel_kwargs.items() if k not in ("value", "group")}
        population = population_panel(income, value=population, **kw)
    elif population is None and isinstance(income, xr.Dataset):
        population = population_panel(income, years=panel_kwargs.get("years"))
    if population is None:
        w = np.ones_like(y)
    else:
        pop = population_panel(population)
        pop = pop.sel(region=panel["region"], year=panel["year"])
        w, _ = stack_paths(pop)
        w = np.broadcast_to(w, y.shape)
    if not (y > 0).all():
        raise ConfigError("income", f"minimum {np.nanmin(y):g}", "positive income per capita, no gaps")
    if not (w > 0).all():
        raise ConfigError("population", f"minimum {np.nanmin(w):g}", "positive population, no gaps")
    if groups is None:
        groups = groups_of(panel, income)
    labels = None if groups is None else np.asarray(groups)
    if labels is not None and labels.shape != (y.shape[1],):
        raise ConfigError("groups", f"{labels.size} labels", f"one label per region ({y.shape[1]})")

    p = w / w.sum(axis=1, keepdims=True)  # population shares
    s = p * y / (p * y).sum(axis=1, keepdims=True)  # income shares
    a, b = (s, p) if index == "T" else (p, s)  # the index is sum_i a_i ln(a_i / b_i)
    total = _xlogy_ratio(a, b).sum(axis=1)
    if labels is None:
        between = within = np.full_like(total, np.nan)
    else:
        between = np.zeros_like(total)
        within = np.zeros_like(total)
        for g in np.unique(labels):
            m = labels == g
            A, B = a[:, m].sum(axis=1), b[:, m].sum(axis=1)
            between += _xlogy_ratio(A, B)
            within += A * _xlogy_ratio(a[:, m] / A[:, None], b[:, m] / B[:, None]).sum(axis=1)
    dims = ("path", "year")
    ds = xr.Dataset(
        {"total": (dims, total), "between": (dims, between), "within": (dims, within)},
        coords={"year": panel["year"].values},
        attrs={
            "index": index,
            "definition": THEIL_INDICES[index],
            "weighted": population is not None,
            "weights": "population shares" if population is not None else "equal (1/n)",
            "source": "mccoord.analysis.theil",
        },
    )
    name = "Theil T" if index == "T" else "Theil L (mean log deviation)"
    for var, part in (("total", "total"), ("between", "between-group"), ("within", "within-group")):
        ds[var].attrs.update(long_name=f"{name} of income per capita, {part}", units="1")
    return unstack_paths(ds, panel, has_path)
