"""Figures of an ensemble's results; every function returns the matplotlib Axes it drew on.

Without ``ax`` a new standalone :class:`matplotlib.figure.Figure` (Agg canvas, not
registered with pyplot, so nothing is shown or leaked) is created; ``ax.figure`` is it.
Every function accepts the results dataset or the path of its store.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..analysis.attribution import attribution
from ..errors import ConfigError
from ..params import DRIVERS, MECHANISMS
from ..store import open_results
from ._select import MixSpec, default_mixes, grid_mechs, is_grid, mix_label, select_mix

Source = xr.Dataset | str | Path

#: Plot kinds of ``mccoord plot``.
KINDS = ("curves", "heatmap", "fan", "regions", "attribution", "drivers")

DRIVER_COLOURS = {"CA": "#4C72B0", "EC": "#DD8452", "ID": "#55A868"}


def new_axes(figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """Axes on a new standalone figure (Agg canvas)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def save(ax: Axes, path: str | Path, dpi: int = 120) -> Path:
    """Write the figure of ``ax`` to ``path`` (format from the suffix)."""
    path = Path(path)
    ax.figure.savefig(path, dpi=dpi)
    return path


def _long_name(ds: xr.Dataset, name: str) -> str:
    return str(ds[name].attrs.get("long_name", name)) if name in ds else name


def _title_suffix(ds: xr.Dataset) -> str:
    name = ds.attrs.get("scenario")
    return f" ({name}, {ds.attrs.get('paths', '?')} paths)" if name else ""


def plot_curves(
    ds: Source, mixes: list[MixSpec] | None = None, metric: str = "p_target", *, ax: Axes | None = None
) -> Axes:
    """A probability (or ``sigma_mean``) over time for chosen mixes, with +/-1.96 SE bands.

    ``mixes`` default: all off, all on and the best mix (largest p_target at the horizon).
    """
    ds = open_results(ds)
    if metric not in ds or "time" not in ds[metric].dims:
        raise ConfigError("metric", metric, "a variable over time (p_target, p_sigma, sigma_mean, ccd, ...)")
    ax = ax or new_axes()
    for spec in mixes or default_mixes(ds):
        one = select_mix(ds, spec).load()
        y = one[metric]
        label = f"{spec}: {mix_label(one)}" if isinstance(spec, str) else mix_label(one)
        lines = y.plot.line(x="time", ax=ax, label=label)
        if f"{metric}_se" in one:
            half = 1.96 * one[f"{metric}_se"]
            lo, hi = (y - half), (y + half)
            if metric.startswith("p_"):
                lo, hi = lo.clip(0, 1), hi.clip(0, 1)
            ax.fill_between(
                one["time"].values, lo.values, hi.values, alpha=0.2, color=lines[0].get_color(), linewidth=0
            )
    ax.set_xlabel(f"years after {ds.attrs.get('base_year', 'the base year')}")
    ax.set_ylabel(_long_name(ds, metric))
    if metric.startswith("p_"):
        ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{_long_name(ds, metric)}, +/-1.96 MC SE{_title_suffix(ds)}", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return ax


def _reduce_extra(da: xr.DataArray, time: float | None, keep: tuple[str, ...]) -> xr.DataArray:
    """Pick time (default horizon), median quantile, total component."""
    if "time" in da.dims:
        da = da.isel(time=-1) if time is None else da.sel(time=time)
    if "quantile" in da.dims:
        da = da.sel(quantile=0.5, method="nearest")
    if "component" in da.dims:
        da = da.sel(component="total")
    extra = [d for d in da.dims if d not in keep]
    if extra:
        raise ConfigError(
            "metric",
            da.name,
            f"a variable without the dims {extra} (after picking "
            "time, the median quantile and the total component)",
        )
    return da


def plot_heatmap(
    ds: Source,
    x: str = "transfer",
    y: str = "market",
    metric: str = "p_target",
    *,
    time: float | None = None,
    fixed: dict | None = None,
    ax: Axes | None = None,
    bins: int = 5,
) -> Axes:
    """A metric over two mechanisms.

    Grid: the other mechanisms are fixed at ``fixed`` (default: their highest level).
    Sampled design: mean of the metric in ``bins x bins`` cells of the two intensities,
    averaged over the others.
    """
    ds = open_results(ds)
    for name, m in (("x", x), ("y", y)):
        if m not in MECHANISMS:
            raise ConfigError(name, m, f"one of: {', '.join(MECHANISMS)}")
    if x == y:
        raise ConfigError("y", y, "a mechanism other than x")
    if metric not in ds:
        raise ConfigError("metric", metric, f"a variable of the dataset ({', '.join(ds.data_vars)})")
    ax = ax or new_axes((6.0, 5.0))
    fixed = dict(fixed or {})
    if is_grid(ds):
        mechs = grid_mechs(ds)
        for m in (x, y):
            if m not in mechs:
                raise ConfigError(m, "single level", "a mechanism with a grid dimension")
        point = {}
        for m in mechs:
            if m in (x, y):
                continue
            levels = np.asarray(ds[m].values, dtype=float)
            value = fixed.get(m, levels.max())
            hit = np.flatnonzero(np.isclose(levels, float(value)))
            if not hit.size:
                shown = ", ".join(f"{v:g}" for v in levels)
                raise ConfigError(f"fixed.{m}", value, f"a grid level ({shown})")
            point[m] = int(hit[0])
        da = _reduce_extra(ds[metric].isel(point), time, (x, y)).load().transpose(y, x)
        xs, ys = np.asarray(ds[x].values, dtype=float), np.asarray(ds[y].values, dtype=float)
        others = ", ".join(f"{m}={float(ds[m].values[i]):g}" for m, i in point.items())
        note = f"others: {others}" if others else ""
        values = da.values
        xlab, ylab = [f"{v:g}" for v in xs], [f"{v:g}" for v in ys]
    else:
        da = _reduce_extra(ds[metric], time, ("mix",)).load()
        edges = np.linspace(0, 1, bins + 1)
        ix = np.clip(np.digitize(np.asarray(ds[x].values), edges) - 1, 0, bins - 1)
        iy = np.clip(np.digitize(np.asarray(ds[y].values), edges) - 1, 0, bins - 1)
        frame = pd.DataFrame({"ix": ix, "iy": iy, "v": np.asarray(da.values, dtype=float)})
        values = frame.pivot_table(index="iy", columns="ix", values="v", aggfunc="mean")
        values = values.reindex(index=range(bins), columns=range(bins)).to_numpy()
        centres = (edges[:-1] + edges[1:]) / 2
        xlab = ylab = [f"{v:.1f}" for v in centres]
        note = "mean over the other mechanisms (binned sample)"
    vmin, vmax = (0.0, 1.0) if metric.startswith("p_") and not metric.endswith("_se") else (None, None)
    im = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(xlab)), xlab)
    ax.set_yticks(range(len(ylab)), ylab)
    finite = values[np.isfinite(values)]
    mid = np.nanmean([vmin, vmax]) if vmin is not None else (float(np.mean(finite)) if finite.size else 0)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(
                j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v < mid else "black"
            )
    ax.figure.colorbar(im, ax=ax, label=_long_name(ds, metric))
    ax.set_xlabel(f"{x.replace('_', ' ')} intensity")
    ax.set_ylabel(f"{y.replace('_', ' ')} intensity")
    t = "" if "time" not in ds[metric].dims else f" at t={float(ds.time[-1] if time is None else time):g}"
    ax.set_title(f"{metric}{t}\n{note}", fontsize=9)
    return ax


def plot_fan(ds: Source, mix: MixSpec = "best", *, ax: Axes | None = None) -> Axes:
    """Fan chart of the sigma quantiles across paths over time for one mix."""
    ds = open_results(ds)
    one = select_mix(ds, mix).load()
    sig = one["sigma"]
    q = np.asarray(sig["quantile"].values, dtype=float)
    ax = ax or new_axes()
    t = one["time"].values
    n = len(q)
    for i in range(n // 2):
        lo, hi = sig.isel(quantile=i).values, sig.isel(quantile=n - 1 - i).values
        ax.fill_between(
            t,
            lo,
            hi,
            color="#4C72B0",
            alpha=0.18 + 0.17 * i,
            linewidth=0,
            label=f"{q[i]:.0%} to {q[n - 1 - i]:.0%}",
        )
    if n % 2:
        ax.plot(t, sig.isel(quantile=n // 2).values, color="#1f3b73", lw=2, label=f"{q[n // 2]:.0%} (median)")
    if "sigma_mean" in one:
        ax.plot(t, one["sigma_mean"].values, color="k", ls="--", lw=1, label="mean")
    reduction = float(ds.attrs.get("target_reduction", 0.25))
    s0 = float(sig.isel(time=0, quantile=n // 2).values)
    ax.axhline(
        (1 - reduction) * s0, color="#C44E52", ls=":", lw=1, label=f"target: {reduction:.0%} below sigma(0)"
    )
    ax.set_xlabel(f"years after {ds.attrs.get('base_year', 'the base year')}")
    ax.set_ylabel("sigma of ln y across regions")
    ax.set_title(f"sigma quantiles across paths, {mix_label(one)}{_title_suffix(ds)}", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_regions(ds: Source, mix: MixSpec = "best", *, ax: Axes | None = None) -> Axes:
    """Mean relative income ln(y_i/ybar) of every region over time, coloured by macro-region."""
    ds = open_results(ds)
    one = select_mix(ds, mix).load()
    rel = one["rel_income"]
    if "group" in one.coords:
        groups = [str(g) for g in np.asarray(one["group"].values)]
    else:
        groups = ["all"] * rel.sizes["region"]
    names = list(dict.fromkeys(groups))
    colours = {g: f"C{i % 10}" for i, g in enumerate(names)}
    ax = ax or new_axes()
    t = one["time"].values
    for r, g in zip(range(rel.sizes["region"]), groups, strict=True):
        ax.plot(t, rel.isel(region=r).values, color=colours[g], lw=1.2, alpha=0.85)
    for g in names:
        ax.plot([], [], color=colours[g], label=g)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel(f"years after {ds.attrs.get('base_year', 'the base year')}")
    ax.set_ylabel("mean ln(y_i / ybar)")
    ax.set_title(f"relative income by region, {mix_label(one)}{_title_suffix(ds)}", fontsize=9)
    ax.legend(title="macro-region", fontsize=8, ncols=2 if len(names) > 4 else 1)
    ax.grid(alpha=0.3)
    return ax


def plot_attribution(
    table: pd.DataFrame | Source, kinds: tuple[str, ...] | None = None, *, ax: Axes | None = None, **kwargs
) -> Axes:
    """Bar chart of an :func:`~mccoord.analysis.attribution` table with +/-1.96 SE error bars.

    ``table`` may be the table or the dataset/store (then ``kwargs`` go to
    ``attribution``). ``kinds`` default: Shapley values and main effects (grid), first
    and total Sobol indices (sampled).
    """
    if not isinstance(table, pd.DataFrame):
        table = attribution(table, **kwargs)
    if kinds is None:
        sampled = table.attrs.get("design") == "sampled"
        kinds = ("first_order", "total_order") if sampled else ("shapley", "main")
    rows = table[table["kind"].isin(kinds)]
    if rows.empty:
        raise ConfigError("kinds", kinds, f"kinds present in the table ({', '.join(table['kind'].unique())})")
    terms = list(dict.fromkeys(rows["term"]))
    ax = ax or new_axes((7.0, 0.9 + 0.45 * len(terms) * len(kinds) ** 0.5))
    height = 0.8 / len(kinds)
    pos = np.arange(len(terms))
    for i, kind in enumerate(kinds):
        sub = rows[rows["kind"] == kind].set_index("term").reindex(terms)
        ax.barh(
            pos + (i - (len(kinds) - 1) / 2) * height,
            sub["estimate"].values,
            height=height,
            xerr=1.96 * sub["se"].fillna(0).values,
            capsize=3,
            label=kind.replace("_", " "),
            color=f"C{i}",
            alpha=0.85,
        )
    ax.set_yticks(pos, [t.replace("_", " ") for t in terms])
    ax.invert_yaxis()
    ax.axvline(0, color="k", lw=0.6)
    meta = table.attrs
    t = "" if meta.get("time") is None else f" at t={meta['time']:g}"
    what = " share of variance" if meta.get("design") == "sampled" else " change"
    ax.set_xlabel(f"{meta.get('metric', 'metric')}{t}{what}")
    ax.set_title("attribution to mechanisms, +/-1.96 SE", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_drivers(
    ds: Source,
    over: str | None = None,
    mixes: list[MixSpec] | None = None,
    *,
    fixed: dict | None = None,
    ax: Axes | None = None,
    bins: int = 5,
) -> Axes:
    """Stacked bars of the share of reviews that picked each driver as order parameter.

    Per mix (``mixes``, default all off / all on / best), or over the levels of the
    mechanism ``over`` (grid: others fixed at ``fixed``, default highest; sampled: the
    mean in ``bins`` bins of its intensity).
    """
    ds = open_results(ds)
    fixed = dict(fixed or {})
    if over is not None:
        if over not in MECHANISMS:
            raise ConfigError("over", over, f"one of: {', '.join(MECHANISMS)}")
        if is_grid(ds):
            if over not in ds.dims:
                raise ConfigError("over", over, "a mechanism with a grid dimension")
            point = {}
            for m in grid_mechs(ds):
                if m == over:
                    continue
                levels = np.asarray(ds[m].values, dtype=float)
                hit = np.flatnonzero(np.isclose(levels, float(fixed.get(m, levels.max()))))
                if not hit.size:
                    raise ConfigError(f"fixed.{m}", fixed.get(m), "a grid level")
                point[m] = int(hit[0])
            shares = ds["order_parameter_share"].isel(point).load().transpose(over, "driver").values
            labels = [f"{float(v):g}" for v in ds[over].values]
        else:
            edges = np.linspace(0, 1, bins + 1)
            idx = np.clip(np.digitize(np.asarray(ds[over].values), edges) - 1, 0, bins - 1)
            sh = ds["order_parameter_share"].load().transpose("mix", "driver").values
            shares = np.array(
                [
                    np.nanmean(sh[idx == b], axis=0) if (idx == b).any() else np.full(sh.shape[1], np.nan)
                    for b in range(bins)
                ]
            )
            labels = [f"{(edges[b] + edges[b + 1]) / 2:.1f}" for b in range(bins)]
        xlabel = f"{over.replace('_', ' ')} intensity"
    else:
        specs = mixes or default_mixes(ds)
        ones = [select_mix(ds, s).load() for s in specs]
        shares = np.array([o["order_parameter_share"].transpose("driver").values for o in ones])
        labels = [mix_label(o).replace(" ", "\n") for o in ones]
        xlabel = "mix"
    shares = np.nan_to_num(np.asarray(shares, dtype=float))
    ax = ax or new_axes((max(5.0, 1.1 * len(labels) + 2), 4.5))
    bottom = np.zeros(len(labels))
    drivers = [str(d) for d in ds["driver"].values] if "driver" in ds.coords else list(DRIVERS)
    for j, d in enumerate(drivers):
        ax.bar(range(len(labels)), shares[:, j], bottom=bottom, label=d, color=DRIVER_COLOURS.get(d, f"C{j}"))
        bottom += shares[:, j]
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of reviews")
    ax.set_title("order parameter picked at reviews (Haken model)", fontsize=10)
    ax.legend(title="driver", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_kind(
    ds: Source,
    kind: str,
    *,
    x: str | None = None,
    y: str | None = None,
    metric: str | None = None,
    time: float | None = None,
    mixes: list[MixSpec] | None = None,
) -> Axes:
    """Dispatch on ``kind`` (one of :data:`KINDS`); what ``mccoord plot`` calls."""
    ds = open_results(ds)
    if kind == "curves":
        return plot_curves(ds, mixes, metric or "p_target")
    if kind == "heatmap":
        return plot_heatmap(ds, x or "transfer", y or "market", metric or "p_target", time=time)
    if kind == "fan":
        return plot_fan(ds, (mixes or ["best"])[0])
    if kind == "regions":
        return plot_regions(ds, (mixes or ["best"])[0])
    if kind == "attribution":
        return plot_attribution(ds, metric=metric or "p_target", time=time)
    if kind == "drivers":
        return plot_drivers(ds, over=x, mixes=mixes)
    raise ConfigError("kind", kind, f"one of: {', '.join(KINDS)}")
