"""The ranking table of mixes: what ``mccoord run`` prints at its end and the report shows.

:func:`ranking` builds the table as a DataFrame, :func:`format_ranking` renders it as
text, and :func:`column_notes` explains its columns (printed under the table and shown
under the report's table, so both say the same).

Rank order is :func:`mccoord.mixes.rank_order`: ``p_target`` at the horizon, largest
first; ties broken by the larger mean of ``p_target`` over time (earlier), then the
smaller sum of intensities, then design order. Each probability comes with its 95%
Wilson score interval over the mix's valid paths
(:func:`mccoord.intervals.wilson_interval`). A mix is *tied* with the best when its
``p_target`` interval overlaps the best mix's interval: the two cannot be told apart at
this number of paths by that (conservative) criterion; ``mccoord compare`` and
:func:`mccoord.analysis.attribution` give the sharper, paired answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .intervals import wilson_interval
from .mixes import flat, horizon, rank_order
from .params import MECHANISMS

#: Probabilities shown in the table, in column order.
PROBABILITIES: tuple[str, ...] = ("p_target", "p_sigma", "p_beta")


def ranking(ds: xr.Dataset, top: int | None = None, *, time: float | None = None) -> pd.DataFrame:
    """Mixes ranked by the target probability, with 95% Wilson intervals.

    Parameters
    ----------
    ds : xarray.Dataset
        Results of :func:`mccoord.run`.
    top : int, optional
        Keep the first ``top`` rows (default all mixes).
    time : float, optional
        Time [years since the base year] at which ``p_target`` and ``p_sigma`` are
        read; default the horizon.

    Returns
    -------
    pandas.DataFrame
        Index ``rank`` (1 = best). Columns: ``mix`` (flat index in design order), the
        five intensities (full mechanism names), for each of ``p_target``, ``p_sigma``
        and ``p_beta`` the estimate and ``_lo``/``_hi`` (95% Wilson), ``n_paths``
        (valid paths) and ``tied`` (interval overlaps the best mix's). ``attrs`` holds
        ``time``, ``target_reduction`` and ``n_mix``.
    """
    pos, t = horizon(ds, time)
    one = flat(ds)
    n_mix = int(one.sizes["mix"])
    n = np.broadcast_to(np.asarray(one["n_paths"].values, dtype=float), (n_mix,))
    data: dict[str, np.ndarray] = {"mix": np.arange(n_mix)}
    for m in MECHANISMS:
        data[m] = np.broadcast_to(np.asarray(one[m].values, dtype=float), (n_mix,))
    for name in PROBABILITIES:
        da = one[name]
        p = np.asarray((da.isel(time=pos) if "time" in da.dims else da).values, dtype=float)
        lo, hi = wilson_interval(p, n)
        data[name], data[f"{name}_lo"], data[f"{name}_hi"] = p, np.asarray(lo), np.asarray(hi)
    data["n_paths"] = n.astype(int)
    frame = pd.DataFrame(data).iloc[rank_order(ds, t)].reset_index(drop=True)
    best_lo = frame["p_target_lo"].iloc[0]
    frame["tied"] = frame["p_target_hi"] >= best_lo
    frame.loc[0, "tied"] = True
    if top is not None:
        frame = frame.iloc[:top]
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
    frame.attrs.update(
        time=t,
        target_reduction=float(ds.attrs.get("target_reduction", 0.25)),
        n_mix=n_mix,
        base_year=ds.attrs.get("base_year"),
    )
    return frame


def title(frame: pd.DataFrame) -> str:
    """One line saying what the table ranks."""
    a = frame.attrs
    return (
        f"Mixes ranked by P(target): the probability that the dispersion of log income per capita "
        f"across regions is down {100 * a['target_reduction']:.0f}% within {a['time']:g} years "
        f"(best {len(frame)} of {a['n_mix']})"
    )


def column_notes(frame: pd.DataFrame) -> list[str]:
    """What every column of the table means, one line each."""
    a = frame.attrs
    r = 100 * a["target_reduction"]
    return [
        "transfer .. order_parameter: intensity of each mechanism in [0, 1] (0 = off).",
        f"P(target): share of paths on which sigma, the standard deviation of ln(income per capita) "
        f"across regions, has fallen to {100 - r:.0f}% of its initial value at least once "
        f"within {a['time']:g} years.",
        f"P(sigma): share of paths with sigma in year {a['time']:g} below its initial value.",
        "P(beta): share of paths whose poorer regions grew faster over the horizon "
        "(beta-convergence slope < 0).",
        "[lo, hi]: 95% Wilson score interval of the share over the valid paths (n).",
        "tied '=': the P(target) interval overlaps the best mix's; not distinguishable from "
        "the best at this number of paths.",
        "Order: P(target), then its mean over the years (earlier first), then the smaller sum "
        "of intensities, then design order.",
    ]


def _interval(p: float, lo: float, hi: float) -> str:
    if not np.isfinite(p):
        return "no valid path"
    return f"{p:.3f} [{lo:.3f}, {hi:.3f}]"


def format_ranking(frame: pd.DataFrame) -> str:
    """The table of :func:`ranking` as text: a title, the rows and the column notes."""
    widths = {m: max(len(m), 4) for m in MECHANISMS}
    heads = {"p_target": "P(target)", "p_sigma": "P(sigma)", "p_beta": "P(beta)"}
    cell = 21
    head = (
        f"{'rank':>4}  "
        + " ".join(f"{m:>{widths[m]}}" for m in MECHANISMS)
        + "  "
        + " ".join(f"{heads[p]:^{cell}}" for p in PROBABILITIES)
        + f" {'n':>6} tied"
    )
    lines = [title(frame), head]
    for rank, row in frame.iterrows():
        levels = " ".join(f"{row[m]:>{widths[m]}g}" for m in MECHANISMS)
        probs = " ".join(
            f"{_interval(row[p], row[p + '_lo'], row[p + '_hi']):^{cell}}" for p in PROBABILITIES
        )
        tie = "best" if rank == 1 else ("=" if row["tied"] else "")
        lines.append(f"{rank:>4}  {levels}  {probs} {int(row['n_paths']):>6} {tie:^4}")
    lines += ["", *column_notes(frame)]
    return "\n".join(lines)
