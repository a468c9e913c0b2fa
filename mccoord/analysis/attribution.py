"""Which mechanisms matter: attribution of an ensemble metric to the five mechanisms.

:func:`attribution` works on the results of :func:`mccoord.run` (a store path or the
dataset ``mccoord.run`` returns).

Factorial grids (one dimension per mechanism)
    The *value function* ``v(S)`` is the metric of the mix in which the mechanisms in
    ``S`` are at their "on" level and the others at their "off" level (default: every
    mechanism's highest level vs its lowest; with ``between=(a, b)`` the players are the
    mechanisms in which mixes ``a`` and ``b`` differ, ``v(S)`` takes ``b``'s levels for
    ``S`` and ``a``'s otherwise). On the ``2**n`` corners of that cube we report

    * ``total``: ``v(all on) - v(all off)``;
    * ``shapley``: the exact Shapley value of each mechanism,
      ``phi_j = sum_{S not containing j} |S|! (n-|S|-1)! / n! * (v(S + j) - v(S))``;
      they sum to the total exactly (efficiency);
    * ``main``: the factorial (Yates) main effect, mean of ``v`` over the corners with
      ``j`` on minus the mean over the corners with ``j`` off;
    * ``interaction``: the two-way (Yates) interaction, mean of ``v`` over the corners
      where ``j`` and ``k`` are at the same end minus the mean where they differ, i.e.
      half of (effect of ``j`` with ``k`` on minus effect of ``j`` with ``k`` off),
      averaged over the other mechanisms;
    * ``value``: ``v(all off)`` and ``v(all on)`` themselves.

    Every row is a linear combination ``sum_k c_k v(S_k)``. Each ``v(S_k)`` is a mean over
    paths of a per-path quantity ``x_pk`` (an indicator for the probabilities, sigma(t)
    for ``sigma_mean``), and path ``p`` sees the same shocks under every mix (common
    random numbers), so ``sum_k c_k x_pk`` is one i.i.d. draw per path whose mean is the
    estimate. The standard error is therefore ``sd_p(sum_k c_k x_pk) / sqrt(n)`` (sd
    with ``ddof=0``; for a single mix this is the binomial ``sqrt(p(1-p)/n)`` of the
    dataset). It is exact under the pairing, including all covariances between mixes,
    and is usually much smaller than the independent-samples formula. It needs the
    store's ``raw`` per-path data; without it (a dataset not opened from a store) the
    standard errors fall back to ``sqrt(sum_k c_k**2 se_k**2)``, which ignores the
    (usually positive) correlation between mixes and is then conservative for
    contrasts; ``result.attrs["se_method"]`` says which was used. The estimates are
    always the dataset's values (each mix over its own valid paths); the paired
    standard errors use the paths valid under every mix of the cube.

Sampled designs (``mixes="sobol:N"``, a ``mix`` dimension)
    First-order, total and second-order Sobol indices of the metric over the five
    intensities, independent and uniform on [0, 1], from the Saltelli design of
    :func:`mccoord.design.sobol_design` by SALib's :func:`SALib.analyze.sobol.analyze`
    (first order: Saltelli et al. 2010; total: Jansen 1999; second order: Saltelli
    2002). Standard errors are SALib's bootstrap over base points (``n_boot``
    resamples, seeded by ``seed``): its 95% half-width divided by 1.96. A base point
    whose twelve mixes do not all have a finite value is left out whole. The design
    must be a Saltelli design (checked from the intensities): other sampled or listed
    mixes are refused. ``attrs["noise_share"]`` is the mean squared Monte Carlo SE of
    the metric over its variance across mixes: Monte Carlo noise adds to every total
    index about this share, and less to first-order ones.

    Why not a surrogate: a polynomial-chaos fit of degree 3 on the same budget is far
    more accurate when the metric is a low-degree polynomial-like surface, but it is
    biased without bound, and with confidence intervals that do not cover, when it is
    not (Ishigami function: error about 0.23 whatever the number of mixes); the
    Saltelli estimator makes no assumption on the surface and converges on both.
    ``tests/analysis/study_sobol_estimators.py`` gives the numbers.
"""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..catalogue import PROBABILITIES
from ..errors import ConfigError
from ..params import MECHANISMS
from ..store import open_results, raw_group

__all__ = ["METRICS", "attribution"]

#: Metrics :func:`attribution` accepts.
METRICS: tuple[str, ...] = ("p_target", "p_sigma", "p_beta", "sigma_mean")

N_BOOT = 200


# --------------------------------------------------------------------------- helpers


def _check_metric(ds: xr.Dataset, metric: str) -> None:
    if metric not in METRICS:
        raise ConfigError("metric", metric, f"one of: {', '.join(METRICS)}")
    if metric not in ds:
        raise ConfigError("metric", metric, f"a variable of the dataset ({', '.join(ds.data_vars)})")


def _resolve_time(ds: xr.Dataset, metric: str, time: object) -> tuple[int | None, float | None]:
    """(position, value) of ``time`` on the time axis; horizon by default."""
    if "time" not in ds[metric].dims:
        return None, None
    times = np.asarray(ds["time"].values, dtype=float)
    if time is None:
        return len(times) - 1, float(times[-1])
    hit = np.flatnonzero(np.isclose(times, float(time)))
    if not hit.size:
        raise ConfigError("time", time, f"a recorded time, {times[0]:g} to {times[-1]:g}")
    return int(hit[0]), float(times[hit[0]])


def _metric_values(ds: xr.Dataset, metric: str, t_pos: int | None) -> xr.DataArray:
    da = ds[metric]
    if t_pos is not None:
        da = da.isel(time=t_pos)
    return da


def _se_values(ds: xr.Dataset, metric: str, t_pos: int | None) -> xr.DataArray | None:
    name = f"{metric}_se"
    if name not in ds:
        return None
    return _metric_values(ds, name, t_pos)


def per_path(raw, mix: int, metric: str, t_pos: int | None, t_val: float | None) -> np.ndarray:
    """Per-path value of ``metric`` for flat mix ``mix`` (NaN on invalid paths).

    The probabilities' per-path indicators come from :data:`mccoord.catalogue.PROBABILITIES`
    (the definitions the reduction uses); ``sigma(t)`` for ``sigma_mean``. Their mean
    over valid paths is the dataset's value.
    """
    valid = np.asarray(raw["path_valid"][mix]) == 1
    if metric in PROBABILITIES:
        spec = PROBABILITIES[metric]
        (name,) = spec.reads
        values = np.asarray(raw[name][mix], dtype=float)
        if metric == "p_sigma":
            hit = spec.indicator(values[:, [t_pos]], values[:, 0])[:, 0]
        elif metric == "p_target":
            hit = spec.indicator(values, np.array([t_val]))[:, 0]
        else:
            hit = spec.indicator(values)
        x = hit.astype(float)
    else:
        x = np.asarray(raw["path_sigma"][mix], dtype=float)[:, t_pos].copy()
    x[~valid] = np.nan
    return x


def _level_index(ds: xr.Dataset, mech: str, value: float, where: str) -> int:
    levels = np.asarray(ds[mech].values, dtype=float)
    hit = np.flatnonzero(np.isclose(levels, float(value)))
    if not hit.size:
        shown = ", ".join(f"{v:g}" for v in levels)
        raise ConfigError(f"{where}.{mech}", value, f"a level of the grid ({shown})")
    return int(hit[0])


def _mix_levels(ds: xr.Dataset, mix: object, where: str) -> dict[str, int]:
    """Level indices (per grid mechanism) of a mix given as a dict or a flat index."""
    mechs = [m for m in MECHANISMS if m in ds.dims]
    shape = tuple(ds.sizes[m] for m in mechs)
    if isinstance(mix, int | np.integer) and not isinstance(mix, bool):
        if not 0 <= int(mix) < math.prod(shape):
            raise ConfigError(where, mix, f"a flat mix index in 0..{math.prod(shape) - 1}")
        return dict(zip(mechs, (int(i) for i in np.unravel_index(int(mix), shape)), strict=True))
    if isinstance(mix, dict):
        unknown = set(mix) - set(MECHANISMS)
        if unknown:
            raise ConfigError(where, sorted(unknown), f"mechanisms among: {', '.join(MECHANISMS)}")
        out = {}
        for m in mechs:
            if m in mix:
                out[m] = _level_index(ds, m, mix[m], where)
            elif ds.sizes[m] == 1:
                out[m] = 0
            else:
                raise ConfigError(f"{where}.{m}", None, "a level for every mechanism with several levels")
        return out
    raise ConfigError(where, mix, "a dict of mechanism intensities or a flat mix index")


def _coefficients(n: int) -> list[tuple[str, tuple[int, ...], np.ndarray]]:
    """(kind, players, coefficient vector over the 2**n corners) of every effect.

    Corner ``k`` has player ``i`` on iff bit ``i`` of ``k`` is set.
    """
    K = 1 << n
    bits = np.array([[(k >> i) & 1 for i in range(n)] for k in range(K)], dtype=float)
    sign = 2 * bits - 1
    rows: list[tuple[str, tuple[int, ...], np.ndarray]] = []
    off = np.zeros(K)
    off[0] = 1.0
    on = np.zeros(K)
    on[K - 1] = 1.0
    rows += [("value_off", (), off), ("value_on", (), on), ("total", (), on - off)]
    for j in range(n):
        c = np.zeros(K)
        for k in range(K):
            if (k >> j) & 1:
                continue
            s = bin(k).count("1")
            w = math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            c[k | (1 << j)] += w
            c[k] -= w
        rows.append(("shapley", (j,), c))
    scale = 1.0 / (K // 2) if n else 1.0
    rows += [("main", (j,), sign[:, j] * scale) for j in range(n)]
    rows += [
        ("interaction", (j, k), sign[:, j] * sign[:, k] * scale)
        for j, k in itertools.combinations(range(n), 2)
    ]
    return rows


# --------------------------------------------------------------------------- grid


def _grid_attribution(ds: xr.Dataset, metric: str, t_pos, t_val, between) -> pd.DataFrame:
    mechs = [m for m in MECHANISMS if m in ds.dims]
    if between is None:
        a = {m: int(np.argmin(ds[m].values)) for m in mechs}
        b = {m: int(np.argmax(ds[m].values)) for m in mechs}
        names = ("all off", "all on")
    else:
        if not isinstance(between, list | tuple) or len(between) != 2:
            raise ConfigError("between", between, "a pair (mix_a, mix_b)")
        a = _mix_levels(ds, between[0], "between[0]")
        b = _mix_levels(ds, between[1], "between[1]")
        names = ("mix_a", "mix_b")
    players = [m for m in mechs if a[m] != b[m]]
    n = len(players)
    K = 1 << n
    corners = []
    for k in range(K):
        lv = dict(a)
        for i, m in enumerate(players):
            if (k >> i) & 1:
                lv[m] = b[m]
        corners.append(lv)
    values = _metric_values(ds, metric, t_pos)
    v = np.array([float(values.isel(lv).values) for lv in corners])
    se_da = _se_values(ds, metric, t_pos)
    se_k = (
        np.array([float(se_da.isel(lv).values) for lv in corners])
        if se_da is not None
        else np.full(K, np.nan)
    )

    # per-path data, if this dataset is a whole grid opened from a store
    X = None
    raw = raw_group(ds)
    shape = tuple(ds.sizes[m] for m in MECHANISMS) if all(m in ds.dims for m in MECHANISMS) else None
    if raw is not None and shape is not None and raw["path_valid"].shape[0] == math.prod(shape):
        flat = [int(np.ravel_multi_index(tuple(lv[m] for m in MECHANISMS), shape)) for lv in corners]
        X = np.column_stack([per_path(raw, f, metric, t_pos, t_val) for f in flat])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            check = np.nanmean(X, axis=0)
        if not np.allclose(check, v, rtol=1e-9, atol=1e-12, equal_nan=True):
            warnings.warn(
                "the store's per-path data do not reproduce the dataset values (was the "
                "dataset subset or reordered?); using independent-samples SEs",
                RuntimeWarning,
                stacklevel=3,
            )
            X = None
    if X is not None:
        X = X[np.isfinite(X).all(axis=1)]
        se_method = (
            "paired: sd over paths of the per-path linear combination / sqrt(n) (common random numbers)"
        )
        n_used = int(X.shape[0])
    else:
        se_method = (
            "independent: sqrt(sum c_k^2 se_k^2) (no per-path data; ignores the correlation between mixes)"
        )
        n_used = None

    rows = []
    for kind, who, c in _coefficients(n):
        if kind == "value_off":
            term, kind = names[0], "value"
        elif kind == "value_on":
            term, kind = names[1], "value"
        elif kind == "total":
            term = "total"
        else:
            term = ":".join(players[i] for i in who)
        est = float(c @ v)
        if X is not None:
            se = float(np.std(X @ c, ddof=0) / np.sqrt(X.shape[0])) if X.shape[0] else np.nan
        else:
            se = float(np.sqrt(np.sum(c**2 * se_k**2)))
        rows.append({"term": term, "kind": kind, "estimate": est, "se": se})
    out = pd.DataFrame(rows, columns=["term", "kind", "estimate", "se"])
    out.attrs.update(
        {
            "metric": metric,
            "time": t_val,
            "design": "grid",
            "players": players,
            "from": {m: float(ds[m].values[a[m]]) for m in mechs},
            "to": {m: float(ds[m].values[b[m]]) for m in mechs},
            "se_method": se_method,
            "n_paths": n_used,
        }
    )
    return out


# --------------------------------------------------------------------------- sampled


def saltelli_base(theta: np.ndarray) -> int | None:
    """Number of base points if the rows of ``theta`` are a Saltelli design, else None.

    A Saltelli design with second-order cross-sampling (:func:`mccoord.design.sobol_design`)
    has blocks of ``2 d + 2`` rows per base point: ``A``, ``AB_1..AB_d``, ``BA_1..BA_d``,
    ``B``, where ``AB_j`` is ``A`` with column ``j`` from ``B`` and ``BA_j`` is ``B`` with
    column ``j`` from ``A``. The check is exact (the design copies values).
    """
    n, d = theta.shape
    block = 2 * d + 2
    if n == 0 or n % block:
        return None
    blocks = theta.reshape(n // block, block, d)
    a, b = blocks[:, 0], blocks[:, -1]
    for j in range(d):
        ab, ba = a.copy(), b.copy()
        ab[:, j] = b[:, j]
        ba[:, j] = a[:, j]
        if not (np.array_equal(blocks[:, 1 + j], ab) and np.array_equal(blocks[:, 1 + d + j], ba)):
            return None
    return n // block


def _salib_seed(seed: int) -> int:
    """SALib treats a seed of 0 as "no seed" (global NumPy state): shift by one."""
    return int(seed) + 1


def _sampled_attribution(ds: xr.Dataset, metric: str, t_pos, t_val, n_boot: int, seed: int) -> pd.DataFrame:
    from SALib.analyze import sobol
    from scipy.stats import norm

    from ..design import sobol_problem

    values = _metric_values(ds, metric, t_pos)
    y = np.asarray(values.values, dtype=float)
    theta = np.column_stack([np.asarray(ds[m].values, dtype=float) for m in MECHANISMS])
    d = theta.shape[1]
    n_base = saltelli_base(theta)
    if n_base is None:
        raise ConfigError(
            "mixes",
            f"{theta.shape[0]} mixes of a '{ds.attrs.get('design', 'sampled')}' design",
            "a Saltelli design (mccoord run --mixes sobol:N) for Sobol indices",
        )
    block = 2 * d + 2
    keep = np.isfinite(y.reshape(n_base, block)).all(axis=1)
    n_used = int(keep.sum())
    if n_used < 2:
        raise ConfigError(metric, f"{n_used} base points with a finite value", "at least 2 for Sobol indices")
    y_used = y.reshape(n_base, block)[keep].ravel()
    first = total = np.full(d, np.nan)
    first_se = total_se = np.full(d, np.nan)
    second = second_se = np.full((d, d), np.nan)
    if np.var(y_used) > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = sobol.analyze(
                sobol_problem(),
                y_used,
                calc_second_order=True,
                num_resamples=n_boot,
                conf_level=0.95,
                seed=_salib_seed(seed),
            )
        z = float(norm.ppf(0.975))
        first, total, second = res["S1"], res["ST"], res["S2"]
        first_se, total_se, second_se = res["S1_conf"] / z, res["ST_conf"] / z, res["S2_conf"] / z
    rows = [
        {"term": m, "kind": "first_order", "estimate": float(first[j]), "se": float(first_se[j])}
        for j, m in enumerate(MECHANISMS)
    ]
    rows += [
        {"term": m, "kind": "total_order", "estimate": float(total[j]), "se": float(total_se[j])}
        for j, m in enumerate(MECHANISMS)
    ]
    rows += [
        {
            "term": f"{MECHANISMS[j]}:{MECHANISMS[k]}",
            "kind": "second_order",
            "estimate": float(second[j, k]),
            "se": float(second_se[j, k]),
        }
        for j, k in itertools.combinations(range(d), 2)
    ]
    out = pd.DataFrame(rows, columns=["term", "kind", "estimate", "se"])
    se_da = _se_values(ds, metric, t_pos)
    var_y = float(np.var(y_used))
    noise = (
        float(np.nanmean(np.asarray(se_da.values, dtype=float).reshape(n_base, block)[keep] ** 2)) / var_y
        if se_da is not None and var_y > 0
        else np.nan
    )
    out.attrs.update(
        {
            "metric": metric,
            "time": t_val,
            "design": "sampled",
            "estimator": f"Saltelli design, SALib sobol.analyze (first order Saltelli 2010, total "
            f"Jansen 1999, second order Saltelli 2002) on {n_used} base points ({n_used * block} mixes)",
            "n_base": n_used,
            "n_mix": int(y.size),
            "noise_share": noise,
            "se_method": f"bootstrap over base points ({n_boot} resamples): SALib's 95% half-width / 1.96",
            "conf_level": 0.95,
            "n_boot": n_boot,
        }
    )
    return out


#: Widest 95% half-width of a first-order or total index [share of the variance] that
#: :func:`sobol_caveat` accepts without a warning.
SOBOL_HALF_WIDTH = 0.2


def sobol_caveat(table: pd.DataFrame, widest: float = SOBOL_HALF_WIDTH) -> tuple[str, str] | None:
    """Why the Sobol indices of a sampled design cannot be read as they are, if they cannot.

    SALib's estimators do not fail on a small design: they return indices whose bootstrap
    intervals span most of [0, 1] (a design of a few base points), or NaN when the metric
    takes one value at every mix (no variance to share out). Both are reported here.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :func:`attribution`.
    widest : float
        Largest acceptable 95% half-width of a first-order or total index.

    Returns
    -------
    (str, str) or None
        ``(message, short note)`` for a warning and a figure title, or None for a grid
        design or precise enough indices.
    """
    meta = table.attrs
    if meta.get("design") != "sampled":
        return None
    rows = table[table["kind"].isin(("first_order", "total_order"))]
    n_base, metric = int(meta.get("n_base", 0)), meta.get("metric", "the metric")
    if rows["estimate"].isna().all():
        return (
            f"Sobol indices of {metric} are not defined: it takes the same value at every mix, "
            "so there is no variance across mixes to attribute",
            "no variance across mixes",
        )
    half = float(np.nanmax(1.96 * rows["se"].to_numpy(dtype=float)))
    if not half > widest:
        return None
    needed = 1 << max(1, math.ceil(math.log2(n_base * (half / widest) ** 2)))
    return (
        f"Sobol indices of {metric} from {n_base} base points ({n_base * (2 * len(MECHANISMS) + 2)} "
        f"mixes) are imprecise: their 95% intervals reach +/-{half:.2f} of the variance; about "
        f"--mixes sobol:{needed} narrows them to +/-{widest:g}",
        f"intervals up to +/-{half:.2f}: run sobol:{needed} or more",
    )


# --------------------------------------------------------------------------- API


def attribution(
    ds_or_store: xr.Dataset | str | Path,
    metric: str = "p_target",
    time: float | None = None,
    *,
    between: tuple[object, object] | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> pd.DataFrame:
    """Attribute an ensemble metric to the mechanisms (see the module docstring).

    Parameters
    ----------
    ds_or_store : xarray.Dataset or path
        Results of :func:`mccoord.run`, or the path of its store. Paired (common random
        numbers) standard errors need the store's per-path data, found through the
        dataset's ``encoding["source"]``.
    metric : {"p_target", "p_sigma", "p_beta", "sigma_mean"}
    time : float, optional
        Time (years since the base year) of a time-dependent metric; default the horizon.
    between : (mix_a, mix_b), optional
        Grid only: attribute the change from mix ``a`` to mix ``b`` (dicts of mechanism
        intensities on the grid, or flat mix indices in design order) instead of from
        all off (lowest levels) to all on (highest levels).
    n_boot, seed : int
        Bootstrap resamples and seed of the Sobol-index standard errors (sampled designs).

    Returns
    -------
    pandas.DataFrame
        Columns ``term, kind, estimate, se``. Grid: kinds ``value`` (``v`` at both ends),
        ``total``, ``shapley``, ``main`` and ``interaction`` (terms ``"a:b"``); sampled:
        ``first_order``, ``total_order`` and ``second_order`` (terms ``"a:b"``). ``attrs``
        records the metric, time, ends, estimator and standard-error method.
    """
    ds = open_results(ds_or_store)
    _check_metric(ds, metric)
    t_pos, t_val = _resolve_time(ds, metric, time)
    if "mix" in ds.dims:
        if between is not None:
            raise ConfigError("between", between, "None for a sampled design (it needs a grid)")
        return _sampled_attribution(ds, metric, t_pos, t_val, n_boot, seed)
    if not any(m in ds.dims for m in MECHANISMS):
        raise ConfigError("dataset", "no mechanism dimension", "a grid (mechanism dims) or a mix dimension")
    return _grid_attribution(ds, metric, t_pos, t_val, between)
