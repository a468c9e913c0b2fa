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


#: Bytes of per-path sigma read at once: the reduction's memory does not grow with paths.
SLAB_BYTES = 32 * 2**20
#: Granules summed per read.
GRANULES_PER_READ = 512


def _ordered_sum(arr: zarr.Array, m: int) -> np.ndarray:
    """Sum ``arr[m]`` over its granule axis, one granule after another, in granule order.

    Reads a bounded number of granules at a time; the explicit sequential order makes
    the result independent of how the granules were written.
    """
    n = arr.shape[1]
    acc = np.zeros(arr.shape[2:])
    for g0 in range(0, n, GRANULES_PER_READ):
        for row in arr[m, g0 : g0 + GRANULES_PER_READ]:
            acc += row
    return acc


RAW_ARRAYS = (
    "path_valid",
    "path_first_passage",
    "path_beta",
    "path_growth",
    "path_sigma",
    "g_theil",
    "g_ccd",
    "g_defection",
    "g_rel_income",
    "g_pop_share",
    "g_reviews",
    "g_picks",
)


def open_raw(path: str) -> dict[str, zarr.Array]:
    """Open the raw arrays of a store once (each open reads metadata from disk)."""
    with quiet_zarr():
        raw = zarr.open_group(path, mode="r", path="raw", use_consolidated=False)
        return {name: raw[name] for name in RAW_ARRAYS}


def reduce_mixes(
    path: str, mixes: list[int], time: np.ndarray, quantiles: list[float], years: int
) -> list[dict[str, np.ndarray]]:
    """:func:`reduce_mix` for several mixes of a store (one task of a parallel reduction)."""
    raw = open_raw(path)
    with quiet_zarr():
        return [reduce_mix(raw, m, time, quantiles, years) for m in mixes]


def reduce_mix(
    raw: dict[str, zarr.Array], m: int, time: np.ndarray, quantiles: list[float], years: int
) -> dict[str, np.ndarray]:
    """All statistics of flat mix ``m``, reading per-path data in bounded slabs of time."""
    valid = raw["path_valid"][m] == 1
    fp = raw["path_first_passage"][m][valid]
    beta = raw["path_beta"][m][valid]
    growth = raw["path_growth"][m][valid]
    n = float(valid.sum())
    T = time.shape[0]
    sigma_arr = raw["path_sigma"]
    sigma0 = sigma_arr[m, :, 0][valid]
    below = np.zeros(T)
    sigma_q = np.full((T, len(quantiles)), np.nan)
    sigma_mean = np.full(T, np.nan)
    step = max(1, SLAB_BYTES // max(1, 8 * valid.size))
    for t0 in range(0, T, step):
        x = sigma_arr[m, :, t0 : t0 + step][valid]
        below[t0 : t0 + step] = (x < sigma0[:, None]).sum(axis=0)
        sigma_q[t0 : t0 + step] = _quantiles(x, quantiles).T
        if n:
            sigma_mean[t0 : t0 + step] = x.mean(axis=0)
    out: dict[str, np.ndarray] = {}
    out["p_sigma"], out["p_sigma_se"] = _prob(below, n)
    with np.errstate(invalid="ignore"):
        hits = (fp[:, None] <= time[None, :]).sum(axis=0)
    out["p_target"], out["p_target_se"] = _prob(hits, n)
    out["sigma"] = sigma_q  # (time, quantile)
    out["sigma_mean"] = sigma_mean
    out["beta_slope"] = _quantiles(beta, quantiles)
    out["beta_speed"] = _quantiles(beta_speed(beta, years), quantiles)
    out["p_beta"], out["p_beta_se"] = _prob(float((beta < 0).sum()), n)
    out["growth"] = _quantiles(growth, quantiles)
    g = {
        k: _ordered_sum(raw[f"g_{k}"], m)
        for k in ("theil", "ccd", "defection", "rel_income", "pop_share", "reviews", "picks")
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        out["theil"] = g["theil"] / n  # (time, component)
        out["ccd"] = g["ccd"] / n
        out["defection"] = g["defection"] / n
        out["rel_income"] = (g["rel_income"] / n).T  # (region, time)
        out["pop_share"] = (g["pop_share"] / n).T
        out["order_parameter_share"] = g["picks"] / g["reviews"]
    out["n_paths"] = np.int64(n)
    out["n_invalid"] = np.int64(valid.size - n)
    return out


DIMS = {
    "p_sigma": ("time",),
    "p_sigma_se": ("time",),
    "p_target": ("time",),
    "p_target_se": ("time",),
    "sigma": ("time", "quantile"),
    "sigma_mean": ("time",),
    "beta_slope": ("quantile",),
    "beta_speed": ("quantile",),
    "p_beta": (),
    "p_beta_se": (),
    "growth": ("quantile",),
    "theil": ("time", "component"),
    "ccd": ("time",),
    "defection": ("time",),
    "order_parameter_share": ("driver",),
    "rel_income": ("region", "time"),
    "pop_share": ("region", "time"),
    "n_paths": (),
    "n_invalid": (),
}


def reduce_store(
    path: str,
    design: MixDesign,
    *,
    time: np.ndarray,
    years: int,
    quantiles: list[float],
    regions: list[str],
    groups: list[str],
    client=None,
) -> xr.Dataset:
    """Compute the results dataset of a complete store.

    With a ``distributed.Client`` the mixes are reduced in parallel on its workers (each
    mix's statistics depend only on its own stored data, so the result is the same).

    Returns
    -------
    xarray.Dataset
        For a grid design, one dimension per mechanism; otherwise a ``mix`` dimension
        with the five intensities as coordinates.
    """
    mixes = list(range(design.n_mix))
    if client is None:
        per_mix = reduce_mixes(path, mixes, time, quantiles, years)
    else:
        n_groups = max(1, min(len(mixes), 4 * len(client.scheduler_info().get("workers", {})) or 1))
        groups_of = [mixes[i::n_groups] for i in range(n_groups)]
        futures = [
            client.submit(reduce_mixes, path, g, time, quantiles, years, pure=False) for g in groups_of
        ]
        per_mix = [None] * design.n_mix
        for g, fut in zip(groups_of, futures, strict=True):
            for m, r in zip(g, fut.result(), strict=True):
                per_mix[m] = r
    data = {k: np.stack([r[k] for r in per_mix]) for k in DIMS}
    coords: dict = {
        "time": ("time", time, {"long_name": "years since the base year", "units": "year"}),
        "quantile": (
            "quantile",
            np.asarray(quantiles, dtype=float),
            {"long_name": "quantile level across paths"},
        ),
        "region": np.asarray(regions, dtype=object),
        "group": ("region", np.asarray(groups, dtype=object), {"long_name": "macro-region"}),
        "driver": np.asarray(DRIVERS, dtype=object),
        "component": np.asarray(COMPONENTS, dtype=object),
    }
    if design.kind == "grid":
        shape = tuple(len(design.levels[m]) for m in MECHANISMS)
        lead = MECHANISMS
        for m in MECHANISMS:
            coords[m] = (
                m,
                np.asarray(design.levels[m], dtype=float),
                {"long_name": f"{m.replace('_', ' ')} intensity", "units": "1"},
            )
        arrays = {k: (lead + DIMS[k], v.reshape(shape + v.shape[1:])) for k, v in data.items()}
    else:
        lead = ("mix",)
        coords["mix"] = np.arange(design.n_mix)
        for j, m in enumerate(MECHANISMS):
            coords[m] = (
                "mix",
                design.theta[:, j],
                {"long_name": f"{m.replace('_', ' ')} intensity", "units": "1"},
            )
        arrays = {k: (lead + DIMS[k], v) for k, v in data.items()}
    ds = xr.Dataset(arrays, coords=coords)
    return annotate(ds)
