"""From a store's raw per-path and per-granule data to the results dataset (schema v1).

Every statistic here is computed from arrays whose content does not depend on how
paths were split into tasks (per-path values, and sums over fixed granules taken in
granule order), so the dataset is identical for any worker, thread or block count.
Quantiles are exact (NumPy's default linear interpolation between order statistics)
over the valid paths. Invalid paths (a non-finite value) are counted in ``n_invalid``
and left out of every statistic.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr
import zarr

from .design import MixDesign
from .params import DRIVERS, MECHANISMS
from .simulate import beta_speed
from .store import quiet_zarr
from .variables import annotate

COMPONENTS = ("total", "between", "within")


def _prob(hit: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Proportion and its binomial Monte Carlo standard error ``sqrt(p(1-p)/n)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = hit / n
        return p, np.sqrt(p * (1 - p) / n)


def _quantiles(x: np.ndarray, q: list[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN; NaN where no value is finite."""
    if x.shape[0] == 0:
        return np.full((len(q),) + x.shape[1:], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(x, q, axis=0)


def reduce_mix(raw: zarr.Group, m: int, time: np.ndarray, quantiles: list[float],
               years: int) -> dict[str, np.ndarray]:
    """All statistics of flat mix ``m``."""
    valid = raw["path_valid"][m] == 1
    sigma = raw["path_sigma"][m][valid]
    fp = raw["path_first_passage"][m][valid]
    beta = raw["path_beta"][m][valid]
    growth = raw["path_growth"][m][valid]
    n = float(valid.sum())
    out: dict[str, np.ndarray] = {}
    out["p_sigma"], out["p_sigma_se"] = _prob((sigma < sigma[:, :1]).sum(axis=0), n)
    with np.errstate(invalid="ignore"):
        hits = (fp[:, None] <= time[None, :]).sum(axis=0)
    out["p_target"], out["p_target_se"] = _prob(hits, n)
    out["sigma"] = _quantiles(sigma, quantiles).T                      # (time, quantile)
    out["sigma_mean"] = sigma.mean(axis=0) if n else np.full(time.shape, np.nan)
    out["beta_slope"] = _quantiles(beta, quantiles)
    out["beta_speed"] = _quantiles(beta_speed(beta, years), quantiles)
    out["p_beta"], out["p_beta_se"] = _prob(float((beta < 0).sum()), n)
    out["growth"] = _quantiles(growth, quantiles)
    g = {k: np.add.reduce(raw[f"g_{k}"][m], axis=0) for k in
         ("n_valid", "theil", "ccd", "defection", "rel_income", "pop_share", "reviews", "picks")}
    with np.errstate(invalid="ignore", divide="ignore"):
        out["theil"] = g["theil"] / n                                   # (time, component)
        out["ccd"] = g["ccd"] / n
        out["defection"] = g["defection"] / n
        out["rel_income"] = (g["rel_income"] / n).T                     # (region, time)
        out["pop_share"] = (g["pop_share"] / n).T
        out["order_parameter_share"] = g["picks"] / g["reviews"]
    out["n_paths"] = np.int64(n)
    out["n_invalid"] = np.int64(valid.size - n)
    return out


DIMS = {
    "p_sigma": ("time",), "p_sigma_se": ("time",), "p_target": ("time",), "p_target_se": ("time",),
    "sigma": ("time", "quantile"), "sigma_mean": ("time",), "beta_slope": ("quantile",),
    "beta_speed": ("quantile",), "p_beta": (), "p_beta_se": (), "growth": ("quantile",),
    "theil": ("time", "component"), "ccd": ("time",), "defection": ("time",),
    "order_parameter_share": ("driver",), "rel_income": ("region", "time"),
    "pop_share": ("region", "time"), "n_paths": (), "n_invalid": (),
}


def reduce_store(path: str, design: MixDesign, *, time: np.ndarray, years: int, quantiles: list[float],
                 regions: list[str], groups: list[str]) -> xr.Dataset:
    """Compute the results dataset of a complete store.

    Returns
    -------
    xarray.Dataset
        For a grid design, one dimension per mechanism; otherwise a ``mix`` dimension
        with the five intensities as coordinates.
    """
    with quiet_zarr():
        raw = zarr.open_group(path, mode="r", path="raw", use_consolidated=False)
        per_mix = [reduce_mix(raw, m, time, quantiles, years) for m in range(design.n_mix)]
    data = {k: np.stack([r[k] for r in per_mix]) for k in DIMS}
    coords: dict = {
        "time": ("time", time, {"long_name": "years since the base year", "units": "year"}),
        "quantile": ("quantile", np.asarray(quantiles, dtype=float),
                     {"long_name": "quantile level across paths"}),
        "region": np.asarray(regions, dtype=object),
        "group": ("region", np.asarray(groups, dtype=object), {"long_name": "macro-region"}),
        "driver": np.asarray(DRIVERS, dtype=object),
        "component": np.asarray(COMPONENTS, dtype=object),
    }
    if design.kind == "grid":
        shape = tuple(len(design.levels[m]) for m in MECHANISMS)
        lead = MECHANISMS
        for m in MECHANISMS:
            coords[m] = (m, np.asarray(design.levels[m], dtype=float),
                         {"long_name": f"{m.replace('_', ' ')} intensity", "units": "1"})
        arrays = {k: (lead + DIMS[k], v.reshape(shape + v.shape[1:])) for k, v in data.items()}
    else:
        lead = ("mix",)
        coords["mix"] = np.arange(design.n_mix)
        for j, m in enumerate(MECHANISMS):
            coords[m] = ("mix", design.theta[:, j], {"long_name": f"{m.replace('_', ' ')} intensity",
                                                     "units": "1"})
        arrays = {k: (lead + DIMS[k], v) for k, v in data.items()}
    ds = xr.Dataset(arrays, coords=coords)
    return annotate(ds)
