"""From a store's raw per-path and per-granule data to the results dataset.

What each result is, and from which raw array, is in :mod:`mccoord.catalogue`; this
module computes it. Every statistic is computed from arrays whose content does not
depend on how paths were split into tasks (per-path values, and sums over fixed
granules taken in granule order), so the dataset is identical for any worker, thread
or block count. Invalid paths are counted in ``n_invalid`` and left out of every
statistic; a mix without a valid path gets NaN statistics.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr
import zarr

from .catalogue import (
    COMPONENTS,
    GRANULE,
    PATH_MEANS,
    PROBABILITIES,
    RAW_ARRAYS,
    RESULTS,
    annotate,
    beta_speed,
    speed_undefined,
)
from .design import MixDesign
from .intervals import binomial_se, wilson_interval
from .params import DRIVERS, MECHANISMS
from .store import quiet_zarr

#: Bytes of per-path sigma read at once: the reduction's memory does not grow with paths.
SLAB_BYTES = 32 * 2**20
#: Granules summed per read.
GRANULES_PER_READ = 512


def _probability(out: dict, name: str, hits: np.ndarray, n: int) -> None:
    """``name``, ``name_se``, ``name_lo``, ``name_hi`` of ``hits`` successes in ``n`` paths."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.asarray(hits, dtype=float) / n if n else np.full(np.shape(hits), np.nan)
    out[name] = p
    out[f"{name}_se"] = binomial_se(p, n)
    out[f"{name}_lo"], out[f"{name}_hi"] = (np.asarray(x, dtype=float) for x in wilson_interval(p, n))


def _quantiles(x: np.ndarray, q: list[float]) -> np.ndarray:
    """Quantiles over axis 0; NaN where there is no value."""
    if x.shape[0] == 0:
        return np.full((len(q),) + x.shape[1:], np.nan)
    return np.quantile(x, q, axis=0)


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


def _pooled_deviations(sums: zarr.Array, m2s: zarr.Array, m: int, counts: np.ndarray) -> np.ndarray:
    """Sum of squared deviations from the mean over every valid path of mix ``m``.

    Pools the granules' sums of squared deviations one after another in granule order
    (Chan, Golub and LeVeque 1983): ``M2 = M2_a + M2_b + d^2 n_a n_b / (n_a + n_b)``,
    ``d`` the difference of the two means.
    """
    n_acc = 0
    mean = np.zeros(sums.shape[2:])
    m2 = np.zeros(sums.shape[2:])
    for g0 in range(0, sums.shape[1], GRANULES_PER_READ):
        block_s = sums[m, g0 : g0 + GRANULES_PER_READ]
        block_m2 = m2s[m, g0 : g0 + GRANULES_PER_READ]
        for k in range(block_s.shape[0]):
            n_b = int(counts[g0 + k])
            if n_b == 0:
                continue
            mean_b = block_s[k] / n_b
            n = n_acc + n_b
            delta = mean_b - mean
            m2 = m2 + block_m2[k] + delta**2 * (n_acc * n_b / n)
            mean = mean + delta * (n_b / n)
            n_acc = n
    return m2


def open_raw(path: str) -> dict[str, zarr.Array]:
    """Open the raw arrays of a store once (each open reads metadata from disk)."""
    with quiet_zarr():
        raw = zarr.open_group(path, mode="r", path="raw", use_consolidated=False)
        return {name: raw[name] for name in RAW_ARRAYS if name in raw}


def reduce_mixes(
    path: str, mixes: list[int], time: np.ndarray, quantiles: list[float], years: int
) -> list[dict[str, np.ndarray]]:
    """:func:`reduce_mix` for several mixes of a store (one task of a parallel reduction)."""
    raw = open_raw(path)
    with quiet_zarr():
        return [reduce_mix(raw, m, time, quantiles, years) for m in mixes]


def reduce_mix(raw, m: int, time: np.ndarray, quantiles: list[float], years: int) -> dict[str, np.ndarray]:
    """Every result variable of flat mix ``m`` (:data:`mccoord.catalogue.RESULTS`).

    Parameters
    ----------
    raw : mapping of name -> array
        The raw arrays (zarr arrays, or NumPy arrays of the same shapes).
    m : int
        Flat mix index.
    time : numpy.ndarray
        Record times [years since the base year].
    quantiles : list of float
        Quantile levels.
    years : int
        Horizon T [years] (for the implied speed).
    """
    valid = np.asarray(raw["path_valid"][m]) == 1
    n = int(valid.sum())
    out: dict[str, np.ndarray] = {}

    # per-path sigma, in slabs of record times (bounded memory)
    T = time.shape[0]
    sigma_arr = raw["path_sigma"]
    sigma0 = np.asarray(sigma_arr[m, :, 0])[valid]
    fell = np.zeros(T)
    sigma_q = np.full((T, len(quantiles)), np.nan)
    sigma_mean = np.full(T, np.nan)
    sigma_sd = np.full(T, np.nan)
    step = max(1, SLAB_BYTES // max(1, 8 * valid.size))
    for t0 in range(0, T, step):
        x = np.asarray(sigma_arr[m, :, t0 : t0 + step])[valid]
        fell[t0 : t0 + step] = PROBABILITIES["p_sigma"].indicator(x, sigma0).sum(axis=0)
        sigma_q[t0 : t0 + step] = _quantiles(x, quantiles).T
        if n:
            sigma_mean[t0 : t0 + step] = x.mean(axis=0)
            sigma_sd[t0 : t0 + step] = x.std(axis=0)
    _probability(out, "p_sigma", fell, n)
    out["sigma"] = sigma_q
    out["sigma_mean"] = sigma_mean
    out["sigma_mean_se"] = sigma_sd / np.sqrt(n) if n else np.full(T, np.nan)

    fp = np.asarray(raw["path_first_passage"][m])[valid]
    _probability(out, "p_target", PROBABILITIES["p_target"].indicator(fp, time).sum(axis=0), n)
    beta = np.asarray(raw["path_beta"][m])[valid]
    _probability(out, "p_beta", PROBABILITIES["p_beta"].indicator(beta).sum(), n)
    out["beta_slope"] = _quantiles(beta, quantiles)
    # the speed decreases with the slope: its level-q quantile is the speed of the
    # slope's level-(1 - q) quantile, i.e. of minus the level-q quantile of -slope (same
    # order statistics as the speeds themselves); +inf where 1 + slope*T <= 0
    out["beta_speed"] = beta_speed(-_quantiles(-beta, quantiles), years)
    out["n_speed_undefined"] = np.int64(speed_undefined(beta, years).sum())
    out["growth"] = _quantiles(np.asarray(raw["path_growth"][m])[valid], quantiles)

    granule = min(GRANULE, valid.size)
    counts = np.add.reduceat(valid.astype(np.int64), np.arange(0, valid.size, granule))
    for name, spec in PATH_MEANS.items():
        s = _ordered_sum(raw[f"g_{name}"], m)
        m2 = _pooled_deviations(raw[f"g_{name}"], raw[f"g_{name}_sq"], m, counts)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s / n
            se = np.sqrt(m2 / n / n)
        order = [spec.dims.index(d) for d in spec.out_dims]
        out[name] = mean.transpose(order)
        out[f"{name}_se"] = se.transpose(order)
    reviews = _ordered_sum(raw["g_reviews"], m)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["order_parameter_share"] = _ordered_sum(raw["g_picks"], m) / reviews
    out["n_paths"] = np.int64(n)
    out["n_invalid"] = np.int64(valid.size - n)
    return out


def reduce_store(
    path: str,
    design: MixDesign,
    *,
    time: np.ndarray,
    years: int,
    base_year: int,
    quantiles: list[float],
    regions: list[str],
    groups: list[str],
    client=None,
) -> xr.Dataset:
    """Compute the results dataset of a store whose blocks are all done.

    With a ``distributed.Client`` the mixes are reduced in parallel on its workers (each
    mix's statistics depend only on its own stored data, so the result is the same).

    Returns
    -------
    xarray.Dataset
        The variables of :data:`mccoord.catalogue.RESULTS`. For a grid design, one
        dimension per mechanism; otherwise a ``mix`` dimension with the five
        intensities as coordinates.
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
    if set(per_mix[0]) != set(RESULTS):
        raise AssertionError(f"reduction and catalogue disagree: {set(per_mix[0]) ^ set(RESULTS)}")
    data = {k: np.stack([r[k] for r in per_mix]).astype(RESULTS[k].dtype) for k in RESULTS}
    time = np.asarray(time)
    coords: dict = {
        "time": ("time", time),
        "year": ("time", int(base_year) + time),
        "quantile": ("quantile", np.asarray(quantiles, dtype=float)),
        "region": ("region", np.asarray(regions, dtype=object)),
        "group": ("region", np.asarray(groups, dtype=object)),
        "driver": ("driver", np.asarray(DRIVERS, dtype=object)),
        "component": ("component", np.asarray(COMPONENTS, dtype=object)),
    }
    if design.kind == "grid":
        shape = tuple(len(design.levels[m]) for m in MECHANISMS)
        lead = MECHANISMS
        for m in MECHANISMS:
            coords[m] = (m, np.asarray(design.levels[m], dtype=float))
        arrays = {k: (lead + RESULTS[k].dims, v.reshape(shape + v.shape[1:])) for k, v in data.items()}
    else:
        lead = ("mix",)
        coords["mix"] = ("mix", np.arange(design.n_mix))
        for j, m in enumerate(MECHANISMS):
            coords[m] = ("mix", design.theta[:, j])
        arrays = {k: (lead + RESULTS[k].dims, v) for k, v in data.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ds = xr.Dataset(arrays, coords=coords)
    return annotate(ds)
