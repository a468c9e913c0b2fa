"""Theil T index of income per capita and its between/within-group decomposition."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .panel import (
    PanelLike,
    groups_of,
    income_panel,
    population_panel,
    stack_paths,
    unstack_paths,
)

__all__ = ["theil"]


def _xlogy_ratio(s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``s * ln(s / p)`` with the limit 0 where ``s == 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, s * np.log(s / p), 0.0)


def theil(
    income: PanelLike,
    population: PanelLike | None = None,
    groups: np.ndarray | list | None = None,
    **panel_kwargs,
) -> xr.Dataset:
    """Theil T index of income per capita, total = between + within groups.

    With population shares ``p_i`` (within each year) and income per capita ``y_i``,
    ``mu = sum_i p_i y_i`` and

    ``T = sum_i p_i (y_i / mu) ln(y_i / mu) = sum_i s_i ln(s_i / p_i)``,

    where ``s_i = p_i y_i / mu`` is region i's share of total income. Without
    population every region weighs ``1/n`` (the classic unweighted Theil T, as in
    :class:`inequality.theil.Theil`). With groups g (shares ``P_g = sum p_i``,
    ``S_g = sum s_i``):

    * between = ``sum_g S_g ln(S_g / P_g)`` (every region given its group's mean),
    * within = ``sum_g S_g T_g`` with ``T_g`` the Theil index inside group g,

    and total = between + within exactly.

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

    Returns
    -------
    xarray.Dataset
        ``total``, ``between``, ``within`` with dims ``([path,] year)`` [1, nats].
        ``between`` and ``within`` are NaN when there are no groups.
    """
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
    if np.any(y <= 0) or np.any(w <= 0):
        raise ValueError("income and population must be positive")
    p = w / w.sum(axis=1, keepdims=True)
    s = p * y / (p * y).sum(axis=1, keepdims=True)
    total = _xlogy_ratio(s, p).sum(axis=1)

    if groups is None:
        groups = groups_of(panel, income)
    if groups is None:
        between = within = np.full_like(total, np.nan)
    else:
        labels = np.asarray(groups)
        if labels.shape != (y.shape[1],):
            raise ValueError("groups needs one label per region")
        between = np.zeros_like(total)
        within = np.zeros_like(total)
        for g in np.unique(labels):
            m = labels == g
            P, S = p[:, m].sum(axis=1), s[:, m].sum(axis=1)
            between += _xlogy_ratio(S, P)
            within += S * _xlogy_ratio(s[:, m] / S[:, None], p[:, m] / P[:, None]).sum(axis=1)
    dims = ("path", "year")
    ds = xr.Dataset(
        {"total": (dims, total), "between": (dims, between), "within": (dims, within)},
        coords={"year": panel["year"].values},
        attrs={"weighted": population is not None},
    )
    for v in ds.data_vars.values():
        v.attrs["units"] = "1"
    return unstack_paths(ds, panel, has_path)
