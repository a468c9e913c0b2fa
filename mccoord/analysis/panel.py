"""Observed and simulated panels in one tidy form: region x year (x path).

Every analysis function accepts the same inputs and turns them into an
:class:`xarray.DataArray` with dims ``("region", "year")``, or
``("path", "region", "year")`` for a simulated ensemble, through
:func:`income_panel` and :func:`population_panel`:

* a long :class:`pandas.DataFrame` (one row per region and year);
* a wide :class:`pandas.DataFrame` (index = regions, columns = years);
* an :class:`xarray.DataArray` with dims ``region`` and ``year`` (and optionally ``path``);
* a simulated :class:`xarray.Dataset` from :mod:`mccoord.simulate`, with the variable
  ``ln_y`` (log output per capita, relative to the initial national mean) and ``L``
  (population share), both of dims ``(path, time, region)``, and the coordinate
  ``group`` (macro-region) on ``region``. ``time`` is renamed to ``year``.

A ``group`` coordinate on ``region`` (macro-region) is kept whenever the input has one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["income_panel", "population_panel", "PanelLike"]

PanelLike = pd.DataFrame | xr.DataArray | xr.Dataset

#: Columns tried, in this order, as the region key of a long DataFrame. ``region`` comes
#: last because in the China panel it is the NBS macro-region, not the province.
REGION_KEYS: tuple[str, ...] = ("province", "state", "nuts2_code", "region", "unit")


def _from_long(
    df: pd.DataFrame,
    value: Hashable,
    region: Hashable | None,
    year: Hashable,
    group: Hashable | None,
) -> xr.DataArray:
    if region is None:
        region = next((k for k in REGION_KEYS if k in df.columns and k != value), None)
        if region is None:
            raise KeyError(f"no region column; give region= (tried {REGION_KEYS})")
    if df.duplicated([region, year]).any():
        raise ValueError(f"several rows for the same ({region!r}, {year!r})")
    wide = df.pivot(index=region, columns=year, values=value).sort_index(axis=1)
    out = _from_wide(wide)
    if group is None and "region" in df.columns and region != "region":
        group = "region"
    if group is not None and group in df.columns:
        g = df.drop_duplicates(region).set_index(region)[group]
        out = out.assign_coords(group=("region", g.reindex(out["region"].values).to_numpy()))
    out.name = str(value)
    return out


def _from_wide(wide: pd.DataFrame) -> xr.DataArray:
    years = pd.Index(wide.columns).astype(int)
    return xr.DataArray(
        wide.to_numpy(dtype=float),
        dims=("region", "year"),
        coords={"region": np.asarray(wide.index), "year": years.to_numpy()},
    )


def _standard_dims(da: xr.DataArray) -> xr.DataArray:
    if "time" in da.dims and "year" not in da.dims:
        da = da.rename(time="year")
    missing = {"region", "year"} - set(da.dims)
    if missing:
        raise ValueError(f"a panel needs dims 'region' and 'year'; missing {sorted(missing)}")
    extra = set(da.dims) - {"path", "region", "year"}
    if extra:
        raise ValueError(f"unexpected dims {sorted(extra)}; allowed: path, region, year")
    order = [d for d in ("path", "region", "year") if d in da.dims]
    return da.transpose(*order).astype(float)


def income_panel(
    data: PanelLike,
    *,
    value: Hashable | None = None,
    region: Hashable | None = None,
    year: Hashable = "year",
    group: Hashable | None = None,
    years: Sequence[int] | slice | None = None,
) -> xr.DataArray:
    """Income per capita as a tidy panel with dims ``([path,] region, year)``.

    Parameters
    ----------
    data
        Long or wide DataFrame, DataArray, or simulated Dataset (see the module docstring).
        For a simulated Dataset the result is ``exp(ln_y)``, i.e. output per capita in
        units of the initial population-weighted national mean [1].
    value
        Column of a long DataFrame holding income per capita (any currency unit, e.g.
        [yuan/person] or [USD/person]). When ``value`` is None and ``year`` is not a
        column, ``data`` is taken as wide (index = regions, columns = years).
    region
        Column holding the region key of a long DataFrame; by default the first of
        ``province, state, nuts2_code, region, unit`` present.
    year
        Column holding the year [calendar year] of a long DataFrame.
    group
        Column holding the macro-region of a long DataFrame (stored as coordinate
        ``group``); by default ``region`` when it is not the region key itself.
    years
        Optional selection of years (a slice of labels, inclusive, or a list).

    Returns
    -------
    xarray.DataArray
        Float panel with dims ``("region", "year")`` or ``("path", "region", "year")``.
    """
    if isinstance(data, xr.Dataset):
        if "ln_y" not in data:
            raise KeyError("a simulated Dataset needs the variable 'ln_y'")
        out = np.exp(data["ln_y"])
        out.name = "y"
    elif isinstance(data, xr.DataArray):
        out = data
    elif isinstance(data, pd.DataFrame):
        if value is None and year not in data.columns:
            out = _from_wide(data)
        else:
            if value is None:
                raise ValueError("a long DataFrame needs value= (the income column)")
            out = _from_long(data, value, region, year, group)
    else:
        raise TypeError(f"cannot make a panel from {type(data).__name__}")
    out = _standard_dims(out)
    if years is not None:
        out = out.sel(year=years)
    return out


def population_panel(
    data: PanelLike,
    *,
    value: Hashable | None = None,
    region: Hashable | None = None,
    year: Hashable = "year",
    years: Sequence[int] | slice | None = None,
) -> xr.DataArray:
    """Population as a tidy panel with dims ``([path,] region, year)``.

    Same inputs as :func:`income_panel`; for a simulated Dataset it is the population
    share ``L`` [1]. Only shares within a year matter to the analysis functions, so any
    unit (e.g. [10 000 persons]) works.
    """
    if isinstance(data, xr.Dataset):
        if "L" not in data:
            raise KeyError("a simulated Dataset needs the variable 'L'")
        return income_panel(data["L"], years=years)
    return income_panel(data, value=value, region=region, year=year, years=years)


def groups_of(panel: xr.DataArray, data: PanelLike | None = None) -> np.ndarray | None:
    """Macro-region labels of ``panel``'s regions (coordinate ``group``), if any."""
    if "group" in panel.coords:
        return np.asarray(panel["group"].values)
    if isinstance(data, xr.Dataset) and "group" in data.coords:
        return np.asarray(data["group"].values)
    return None


def stack_paths(panel: xr.DataArray) -> tuple[np.ndarray, bool]:
    """Values as ``(path, region, year)`` and whether ``panel`` had a ``path`` dim."""
    has_path = "path" in panel.dims
    values = panel.transpose(*[d for d in ("path", "region", "year") if d in panel.dims]).values
    return (values if has_path else values[None]), has_path


def unstack_paths(ds: xr.Dataset, panel: xr.DataArray, has_path: bool) -> xr.Dataset:
    """Drop the helper ``path`` dim of length 1, or label it with ``panel``'s paths."""
    if has_path:
        return ds.assign_coords(path=panel["path"].values)
    return ds.isel(path=0, drop=True)
