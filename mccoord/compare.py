"""Differences of a metric between two stores, mix by mix, with 95% intervals.

``compare(a, b)`` answers "what changes from run A to run B?" for every mix the two
runs share (matched by their five intensities), as ``B - A``.

Paired or unpaired
    When both runs have the same seed and the same number of paths, path ``p`` of A and
    path ``p`` of B start from the same random numbers (common random numbers: the
    shocks depend only on the seed and the path, see docs/MODEL.md section 3), so the
    difference is estimated path by path from the stores' per-path data (``STORE/raw``)
    over the paths valid in both runs. Any change of the model that shifts the outcomes
    only a little then gives a small, honest interval. Otherwise the two runs are
    independent samples and the intervals are the unpaired ones.

Intervals (95%)
    Probabilities (``p_target``, ``p_sigma``, ``p_beta``): paired, Newcombe's method 10
    for paired proportions (Newcombe 1998, "Improved confidence intervals for the
    difference between binomial proportions based on paired data", Statistics in
    Medicine 17, 2635-2650: Wilson intervals of the two margins combined with the
    continuity-corrected phi coefficient of the 2 x 2 table of paths); unpaired,
    Newcombe's hybrid score interval (``statsmodels`` ``confint_proportions_2indep``,
    ``method="newcomb"``). Both stay honest when a probability is 0 or 1, unlike
    ``diff +- 1.96 SE``. ``sigma_mean``: the normal interval ``diff +- 1.96 SE`` with the
    paired (sd of the per-path differences / sqrt(n)) or the unpaired
    (sqrt(se_A^2 + se_B^2)) standard error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .analysis.attribution import per_path
from .errors import ConfigError
from .intervals import Z95, wilson_interval
from .mixes import intensities
from .params import MECHANISMS
from .store import open_results, raw_group

#: Metrics :func:`compare` accepts (those with per-path data in a store).
METRICS: tuple[str, ...] = ("p_target", "p_sigma", "p_beta", "sigma_mean")


def paired_difference_interval(a: int, b: int, c: int, d: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe's method 10 interval of ``p1 - p2`` for paired binary outcomes.

    Parameters
    ----------
    a, b, c, d : int
        Counts of pairs (1, 1), (1, 0), (0, 1) and (0, 0): the first outcome is 1 in
        ``a + b`` pairs (``p1``), the second in ``a + c`` (``p2``).
    z : float
        Normal quantile of the two-sided level (default 95%).

    Returns
    -------
    lo, hi : float
        Bounds of the interval of ``p1 - p2`` (NaN when there is no pair).
    """
    n = a + b + c + d
    if n == 0:
        return np.nan, np.nan
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = (float(v) for v in wilson_interval(p1, n, z))
    l2, u2 = (float(v) for v in wilson_interval(p2, n, z))
    denom = float(a + b) * (c + d) * (a + c) * (b + d)
    cross = float(a) * d - float(b) * c
    if denom == 0:
        phi = 0.0
    elif cross > 0:
        phi = max(cross - n / 2, 0.0) / np.sqrt(denom)
    else:
        phi = cross / np.sqrt(denom)
    diff = p1 - p2
    lo = diff - np.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    hi = diff + np.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    return float(max(lo, -1.0)), float(min(hi, 1.0))


def unpaired_difference_interval(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``x1/n1 - x2/n2`` (independent samples)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    if n1 == 0 or n2 == 0:
        return np.nan, np.nan
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    return float(lo), float(hi)


def _keys(theta: np.ndarray) -> list[tuple[float, ...]]:
    return [tuple(np.round(row, 9)) for row in theta]


def _common_time(a: xr.Dataset, b: xr.Dataset, time: float | None) -> tuple[int, int, float]:
    ta = np.asarray(a["time"].values, dtype=float)
    tb = np.asarray(b["time"].values, dtype=float)
    both = np.intersect1d(ta, tb)
    if not both.size:
        raise ConfigError("--time", time, "a time recorded in both stores (they share none)")
    t = float(both[-1]) if time is None else float(time)
    if not (np.isclose(ta, t).any() and np.isclose(tb, t).any()):
        raise ConfigError(
            "--time", time, f"a time recorded in both stores ({', '.join(f'{v:g}' for v in both)})"
        )
    return int(np.flatnonzero(np.isclose(ta, t))[0]), int(np.flatnonzero(np.isclose(tb, t))[0]), t


def _per_path(ds: xr.Dataset, raw, metric: str, t_pos: int, t: float, k: int) -> np.ndarray:
    if raw is None or raw["path_valid"].shape[0] != intensities(ds).shape[0]:
        raise ConfigError(
            "store", str(ds.encoding.get("source")), "a store written by mccoord run (with its per-path data)"
        )
    return per_path(raw, k, metric, t_pos, t)


def compare(
    a: xr.Dataset | str | Path,
    b: xr.Dataset | str | Path,
    metric: str = "p_target",
    *,
    time: float | None = None,
) -> pd.DataFrame:
    """Per-mix difference ``B - A`` of a metric between two runs, with 95% intervals.

    Parameters
    ----------
    a, b : path or xarray.Dataset
        Stores written by :func:`mccoord.run` (or their datasets opened from the store,
        so that the per-path data are found).
    metric : {"p_target", "p_sigma", "p_beta", "sigma_mean"}
        The metric to compare.
    time : float, optional
        Time [years since the base year]; default the last time recorded in both.

    Returns
    -------
    pandas.DataFrame
        One row per shared mix, in A's design order: the five intensities, ``a``, ``b``
        (the metric in each run over the paths used), ``diff`` (``b - a``), ``lo``,
        ``hi`` (95% interval of the difference), ``n_a``, ``n_b`` (paths used) and
        ``excludes_zero``. ``attrs`` holds ``metric``, ``time``, ``paired`` and
        ``method``.

    Raises
    ------
    ConfigError
        On an unknown metric, a time not recorded in both runs, runs with no mix in
        common, or a dataset without per-path data.
    """
    if metric not in METRICS:
        raise ConfigError("--metric", metric, f"one of: {', '.join(METRICS)}")
    da, db = open_results(a), open_results(b)
    ia, ib, t = _common_time(da, db, time)
    ka, kb = _keys(intensities(da)), _keys(intensities(db))
    where_b = {key: j for j, key in enumerate(kb)}
    shared = [(i, where_b[key]) for i, key in enumerate(ka) if key in where_b]
    if not shared:
        raise ConfigError("B", str(b), "a run with at least one mix (intensities) in common with A")
    paired = int(da.attrs.get("seed", -1)) == int(db.attrs.get("seed", -2)) and int(
        da.attrs.get("paths", -1)
    ) == int(db.attrs.get("paths", -2))
    ra, rb = raw_group(da), raw_group(db)
    binary = metric != "sigma_mean"
    rows = []
    for i, j in shared:
        xa = _per_path(da, ra, metric, ia, t, i)
        xb = _per_path(db, rb, metric, ib, t, j)
        if paired:
            both = np.isfinite(xa) & np.isfinite(xb)
            xa, xb = xa[both], xb[both]
        else:
            xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
        na, nb = xa.size, xb.size
        va = float(xa.mean()) if na else np.nan
        vb = float(xb.mean()) if nb else np.nan
        if binary and paired:
            ya, yb = xa.astype(bool), xb.astype(bool)
            counts = [
                int((yb & ya).sum()),
                int((yb & ~ya).sum()),
                int((~yb & ya).sum()),
                int((~yb & ~ya).sum()),
            ]
            lo, hi = paired_difference_interval(*counts)
        elif binary:
            lo, hi = unpaired_difference_interval(int(xb.sum()), nb, int(xa.sum()), na)
        else:
            if paired:
                se = float(np.std(xb - xa, ddof=1) / np.sqrt(na)) if na > 1 else np.nan
            else:
                se = (
                    float(np.sqrt(np.var(xa, ddof=1) / na + np.var(xb, ddof=1) / nb))
                    if min(na, nb) > 1
                    else np.nan
                )
            lo, hi = vb - va - Z95 * se, vb - va + Z95 * se
        level = dict(zip(MECHANISMS, ka[i], strict=True))
        rows.append(level | {"a": va, "b": vb, "diff": vb - va, "lo": lo, "hi": hi, "n_a": na, "n_b": nb})
    frame = pd.DataFrame(rows)
    frame["excludes_zero"] = (frame["lo"] > 0) | (frame["hi"] < 0)
    if binary:
        method = (
            "paired: Newcombe method 10 over the paths valid in both runs (common random numbers)"
            if paired
            else "unpaired: Newcombe hybrid score (independent runs: seeds or path counts differ)"
        )
    else:
        method = (
            "paired: diff +- 1.96 sd(per-path differences)/sqrt(n) (common random numbers)"
            if paired
            else "unpaired: diff +- 1.96 sqrt(se_a^2 + se_b^2)"
        )
    frame.attrs.update(
        metric=metric,
        time=t,
        paired=paired,
        method=method,
        a=str(da.encoding.get("source", "A")),
        b=str(db.encoding.get("source", "B")),
        only_in_a=len(ka) - len(shared),
        only_in_b=len(kb) - len(shared),
    )
    return frame


def format_comparison(frame: pd.DataFrame, top: int | None = None) -> str:
    """The comparison as text, largest absolute difference first, with notes."""
    a = frame.attrs
    order = frame["diff"].abs().sort_values(ascending=False, kind="stable").index
    rows = frame.loc[order]
    if top is not None:
        rows = rows.iloc[:top]
    widths = {m: max(len(m), 4) for m in MECHANISMS}
    head = " ".join(f"{m:>{widths[m]}}" for m in MECHANISMS)
    lines = [
        f"{a['metric']} at t = {a['time']:g}: B - A per mix, {'paired' if a['paired'] else 'unpaired'}",
        f"  A = {a['a']}",
        f"  B = {a['b']}",
        f"{head}  {'A':>7} {'B':>7} {'B - A':>8}  {'95% interval':^19} {'n_A':>6} {'n_B':>6}",
    ]
    for _, r in rows.iterrows():
        levels = " ".join(f"{r[m]:>{widths[m]}g}" for m in MECHANISMS)
        mark = " *" if r["excludes_zero"] else ""
        lines.append(
            f"{levels}  {r['a']:>7.3f} {r['b']:>7.3f} {r['diff']:>+8.3f}  [{r['lo']:+.3f}, {r['hi']:+.3f}]"
            f" {int(r['n_a']):>6} {int(r['n_b']):>6}{mark}"
        )
    lines += [
        "",
        f"Interval: {a['method']}.",
        "'*': the interval excludes 0. Rows: largest |B - A| first"
        + (f" (first {len(rows)} of {len(frame)} shared mixes)." if len(rows) < len(frame) else "."),
    ]
    if a["only_in_a"] or a["only_in_b"]:
        lines.append(f"Mixes in only one run (not compared): {a['only_in_a']} in A, {a['only_in_b']} in B.")
    return "\n".join(lines)
