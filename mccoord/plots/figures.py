"""Figures of an ensemble's results; every function returns the matplotlib Axes it drew on.

Without ``ax`` a new standalone :class:`matplotlib.figure.Figure` (Agg canvas, not
registered with pyplot, so nothing is shown or leaked) is created; ``ax.figure`` is it.
Every function accepts the results dataset or the path of its store.

Every figure says what it plots: titles name the quantity and the target ("dispersion
down 25%": the standard deviation of log income per capita across regions has fallen to
75% of its initial value), axis labels carry units in brackets, time axes are whole
years after the base year, and mixes are named with full mechanism names (mechanisms
not named are off). Probabilities carry 95% Wilson intervals.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ..analysis.attribution import attribution, sobol_caveat
from ..errors import ConfigError
from ..intervals import wilson_interval
from ..mixes import (
    MixSpec,
    default_mixes,
    describe,
    is_grid,
    mix_label,
    select_mix,
    slice_point,
)
from ..params import DRIVER_LONG_NAMES, DRIVERS, MECHANISMS
from ..store import open_results
from .canvas import new_axes
from .kinds import KINDS

Source = xr.Dataset | str | Path

DRIVER_COLOURS = {"CA": "#4C72B0", "EC": "#DD8452", "ID": "#55A868"}
#: Regions labelled at each end of the regions plot.
N_EXTREME = 3


# --------------------------------------------------------------------------- words


def target_text(ds: xr.Dataset) -> str:
    """``dispersion down 25%``: what reaching the target means."""
    return f"dispersion down {100 * float(ds.attrs.get('target_reduction', 0.25)):.0f}%"


def metric_label(ds: xr.Dataset, metric: str, t: str = "t") -> str:
    """Axis label of a metric with its units; ``t`` names the year."""
    r = 100 * float(ds.attrs.get("target_reduction", 0.25))
    labels = {
        "p_target": f"P(target: dispersion down {r:.0f}% by year {t}) [probability]",
        "p_sigma": f"P(dispersion in year {t} below year 0) [probability]",
        "p_beta": "P(beta-convergence: poorer regions grow faster) [probability]",
        "sigma_mean": "mean dispersion: sd of ln(income per capita) across regions [ln points]",
        "sigma": "dispersion: sd of ln(income per capita) across regions [ln points]",
        "ccd": "coupling coordination degree of CA, EC, ID [0-1]",
        "defection": "share of defecting regions [0-1]",
        "growth": "national growth [1/year]",
        "beta_slope": "beta-convergence slope [1/year]",
        "beta_speed": "implied convergence speed [1/year]",
    }
    if metric in labels:
        return labels[metric]
    if metric in ds:
        attrs = ds[metric].attrs
        units = attrs.get("units")
        return f"{attrs.get('long_name', metric)}" + (f" [{units}]" if units else "")
    return metric


def _about(ds: xr.Dataset) -> str:
    name = ds.attrs.get("scenario")
    return f"{name}, {ds.attrs.get('paths', '?')} paths per mix" if name else ""


def _years_axis(ax: Axes, ds: xr.Dataset) -> None:
    base = ds.attrs.get("base_year")
    ax.set_xlabel(f"years after {base} [years]" if base else "years after the base year [years]")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _mix_legend(ax: Axes, **kwargs) -> None:
    ax.legend(title="mix (mechanisms not named are off)", fontsize=8, title_fontsize=8, **kwargs)


# --------------------------------------------------------------------------- kinds


def plot_curves(
    ds: Source, mixes: list[MixSpec] | None = None, metric: str = "p_target", *, ax: Axes | None = None
) -> Axes:
    """A probability (or ``sigma_mean``, ``ccd``, ...) over time for chosen mixes.

    Probabilities get 95% Wilson bands over the mix's valid paths. ``mixes`` default:
    all off, all on and the best mix (:func:`mccoord.mixes.rank_order`).
    """
    ds = open_results(ds)
    if metric not in ds or "time" not in ds[metric].dims:
        raise ConfigError("metric", metric, "a variable over time (p_target, p_sigma, sigma_mean, ccd, ...)")
    ax = ax or new_axes()
    for spec in mixes or default_mixes(ds):
        one = select_mix(ds, spec).load()
        y = one[metric]
        label = mix_label(one) + (" (best)" if spec == "best" else "")
        lines = y.plot.line(x="time", ax=ax, label=label)
        if metric.startswith("p_") and "n_paths" in one:
            lo, hi = wilson_interval(y.values, float(one["n_paths"].values))
            ax.fill_between(one["time"].values, lo, hi, alpha=0.2, color=lines[0].get_color(), linewidth=0)
    _years_axis(ax, ds)
    ax.set_ylabel(metric_label(ds, metric), fontsize=8)
    if metric == "p_target":
        r = 100 * float(ds.attrs.get("target_reduction", 0.25))
        title = f"Probability that the dispersion of regional incomes is down {r:.0f}% by year t"
    else:
        title = metric_label(ds, metric).split(" [")[0]
    ax.set_title(f"{title}\n{_about(ds)}; bands: 95% intervals", fontsize=10)
    if metric.startswith("p_"):
        ax.set_ylim(-0.02, 1.02)
    _mix_legend(ax, loc="best")
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

    Grid: the other mechanisms at ``fixed`` or else at their highest level
    (:func:`mccoord.mixes.slice_point`). Sampled design: mean of the metric in
    ``bins x bins`` cells of the two intensities, averaged over the others.
    """
    ds = open_results(ds)
    for name, m in (("x", x), ("y", y)):
        if m not in MECHANISMS:
            raise ConfigError(name, m, f"one of: {', '.join(MECHANISMS)}")
    if x == y:
        raise ConfigError("y", y, "a mechanism other than x")
    if metric not in ds:
        raise ConfigError("metric", metric, f"a variable of the dataset ({', '.join(ds.data_vars)})")
    ax = ax or new_axes((6.4, 5.2))
    if is_grid(ds):
        point = slice_point(ds, (x, y), fixed)
        da = _reduce_extra(ds[metric].isel(point), time, (x, y)).load().transpose(y, x)
        xs, ys = np.asarray(ds[x].values, dtype=float), np.asarray(ds[y].values, dtype=float)
        others = describe({m: float(ds[m].values[i]) for m, i in point.items()} | {x: 0.0, y: 0.0})
        note = f"other mechanisms: {others}" if point else ""
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
    t_value = float(ds.time[-1] if time is None else time)
    t_text = f"{t_value:g}" if "time" in ds[metric].dims else "T"
    ax.figure.colorbar(im, ax=ax).set_label(metric_label(ds, metric, t_text), fontsize=8)
    ax.set_xlabel(f"{x.replace('_', ' ')} intensity [0-1]")
    ax.set_ylabel(f"{y.replace('_', ' ')} intensity [0-1]")
    head = (
        f"P(target: {target_text(ds)}) by year {t_text}"
        if metric == "p_target"
        else metric_label(ds, metric, t_text)
    )
    ax.set_title(f"{head.split(' [')[0]}\n{note}", fontsize=9)
    return ax


def plot_fan(ds: Source, mix: MixSpec = "best", *, ax: Axes | None = None) -> Axes:
    """Fan chart of the dispersion's quantiles across paths over time for one mix."""
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
            label=f"{q[i]:.0%} to {q[n - 1 - i]:.0%} of paths",
        )
    if n % 2:
        ax.plot(t, sig.isel(quantile=n // 2).values, color="#1f3b73", lw=2, label="median path value")
    if "sigma_mean" in one:
        ax.plot(t, one["sigma_mean"].values, color="k", ls="--", lw=1, label="mean over paths")
    reduction = float(ds.attrs.get("target_reduction", 0.25))
    s0 = float(sig.isel(time=0, quantile=n // 2).values)
    ax.axhline(
        (1 - reduction) * s0,
        color="#C44E52",
        ls=":",
        lw=1.2,
        label=f"target: {target_text(ds)} ({1 - reduction:g} x year 0)",
    )
    _years_axis(ax, ds)
    ax.set_ylabel(metric_label(ds, "sigma"), fontsize=8)
    name = mix_label(one) + (" (best)" if mix == "best" else "")
    ax.set_title(f"Dispersion of log income per capita across regions, mix: {name}\n{_about(ds)}", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_regions(ds: Source, mix: MixSpec = "best", *, ax: Axes | None = None) -> Axes:
    """Mean relative income of every region over time, coloured by macro-region.

    The :data:`N_EXTREME` richest and poorest regions at the horizon are labelled.
    """
    ds = open_results(ds)
    one = select_mix(ds, mix).load()
    rel = one["rel_income"].transpose("region", "time")
    n_region = rel.sizes["region"]
    if "group" in one.coords:
        groups = [str(g) for g in np.asarray(one["group"].values)]
    else:
        groups = ["all"] * n_region
    names = list(dict.fromkeys(groups))
    colours = {g: f"C{i % 10}" for i, g in enumerate(names)}
    ax = ax or new_axes((8.0, 5.0))
    t = np.asarray(one["time"].values, dtype=float)
    values = np.asarray(rel.values, dtype=float)
    for r, g in enumerate(groups):
        ax.plot(t, values[r], color=colours[g], lw=1.2, alpha=0.85)
    for g in names:
        ax.plot([], [], color=colours[g], label=g)
    end = values[:, -1]
    order = np.argsort(np.where(np.isfinite(end), end, 0.0))
    k = min(N_EXTREME, n_region // 2)
    regions = [str(r) for r in np.asarray(one["region"].values)]
    for r in [*order[:k], *order[n_region - k :]]:
        ax.annotate(
            regions[r],
            xy=(t[-1], end[r]),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
            color=colours[groups[r]],
        )
    span = t[-1] - t[0] if t.size > 1 else 1.0
    ax.set_xlim(t[0], t[-1] + 0.2 * span)  # room for the labels
    ax.axhline(0, color="k", lw=0.6)
    _years_axis(ax, ds)
    ticks = MaxNLocator(integer=True).tick_values(t[0], t[-1])
    ax.set_xticks([v for v in ticks if t[0] <= v <= t[-1]])
    ax.set_ylabel("mean ln(income per capita / national mean) [ln points]", fontsize=8)
    name = mix_label(one) + (" (best)" if mix == "best" else "")
    ax.set_title(
        f"Relative income by region, mix: {name}\n{_about(ds)}; "
        f"the {k} richest and poorest regions at year {t[-1]:g} labelled",
        fontsize=9,
    )
    ax.legend(title="macro-region", fontsize=8, title_fontsize=8, ncols=2 if len(names) > 4 else 1)
    ax.grid(alpha=0.3)
    return ax


def _warn_imprecise(table: pd.DataFrame) -> str:
    """Warn when a sampled design's Sobol indices cannot be read as they are; return a note."""
    caveat = sobol_caveat(table)
    if caveat is None:
        return ""
    warnings.warn(caveat[0], UserWarning, stacklevel=3)
    return caveat[1]


def plot_attribution(
    table: pd.DataFrame | Source, kinds: tuple[str, ...] | None = None, *, ax: Axes | None = None, **kwargs
) -> Axes:
    """Bar chart of an :func:`~mccoord.analysis.attribution` table with 95% error bars.

    ``table`` may be the table or the dataset/store (then ``kwargs`` go to
    ``attribution``). ``kinds`` default: Shapley values and main effects (grid), first
    and total Sobol indices (sampled). Sobol indices too imprecise to read (a design of
    few base points) or undefined (no variance across mixes) get a warning and a note in
    the title (:func:`~mccoord.analysis.attribution.sobol_caveat`).
    """
    if not isinstance(table, pd.DataFrame):
        table = attribution(table, **kwargs)
    if kinds is None:
        sampled = table.attrs.get("design") == "sampled"
        kinds = ("first_order", "total_order") if sampled else ("shapley", "main")
    rows = table[table["kind"].isin(kinds)]
    if rows.empty:
        raise ConfigError("kinds", kinds, f"kinds present in the table ({', '.join(table['kind'].unique())})")
    caveat = _warn_imprecise(table)
    terms = list(dict.fromkeys(rows["term"]))
    ax = ax or new_axes((7.5, 1.4 + 0.45 * len(terms) * len(kinds) ** 0.5))
    height = 0.8 / len(kinds)
    pos = np.arange(len(terms))
    names = {
        "shapley": "Shapley value",
        "main": "main effect",
        "interaction": "interaction",
        "first_order": "first-order Sobol index",
        "total_order": "total Sobol index",
    }
    for i, kind in enumerate(kinds):
        sub = rows[rows["kind"] == kind].set_index("term").reindex(terms)
        ax.barh(
            pos + (i - (len(kinds) - 1) / 2) * height,
            sub["estimate"].values,
            height=height,
            xerr=1.96 * sub["se"].fillna(0).values,
            capsize=3,
            label=names.get(kind, kind.replace("_", " ")),
            color=f"C{i}",
            alpha=0.85,
        )
    ax.set_yticks(pos, [t.replace("_", " ").replace(":", " x ") for t in terms])
    ax.invert_yaxis()
    ax.axvline(0, color="k", lw=0.6)
    meta = table.attrs
    metric = meta.get("metric", "metric")
    t = "" if meta.get("time") is None else f" by year {meta['time']:g}"
    what = {"p_target": "P(target)", "p_sigma": "P(sigma falls)", "p_beta": "P(beta < 0)"}.get(metric, metric)
    if meta.get("design") == "sampled":
        ax.set_xlabel(f"share of the variance of {what}{t} across mixes [0-1]")
        title = f"Which mechanisms matter: Sobol indices of {what}{t}"
    else:
        ax.set_xlabel(f"change of {what}{t} from all off to all on [probability]")
        title = f"Which mechanisms matter: contributions to {what}{t}"
    ax.set_title(f"{title}\nerror bars: 95%" + (f"; {caveat}" if caveat else ""), fontsize=10)
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
    mechanism ``over`` (grid: the others at ``fixed`` or else their highest level;
    sampled: the mean in ``bins`` bins of its intensity).
    """
    ds = open_results(ds)
    if over is not None:
        if over not in MECHANISMS:
            raise ConfigError("over", over, f"one of: {', '.join(MECHANISMS)}")
        if is_grid(ds):
            point = slice_point(ds, (over,), fixed)
            shares = ds["order_parameter_share"].isel(point).load().transpose(over, "driver").values
            labels = [f"{float(v):g}" for v in ds[over].values]
            others = describe({m: float(ds[m].values[i]) for m, i in point.items()})
            note = f"other mechanisms: {others}"
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
            note = "mean over the other mechanisms (binned sample)"
        xlabel = f"{over.replace('_', ' ')} intensity [0-1]"
    else:
        specs = mixes or default_mixes(ds)
        ones = [select_mix(ds, s).load() for s in specs]
        shares = np.array([o["order_parameter_share"].transpose("driver").values for o in ones])
        labels = [mix_label(o).replace(", ", "\n") for o in ones]
        xlabel = "mix (mechanisms not named are off)"
        note = _about(ds)
    shares = np.nan_to_num(np.asarray(shares, dtype=float))
    ax = ax or new_axes((max(6.0, 1.3 * len(labels) + 3), 4.8))
    bottom = np.zeros(len(labels))
    drivers = [str(d) for d in ds["driver"].values] if "driver" in ds.coords else list(DRIVERS)
    for j, d in enumerate(drivers):
        ax.bar(
            range(len(labels)),
            shares[:, j],
            bottom=bottom,
            label=f"{d}: {DRIVER_LONG_NAMES.get(d, d)}",
            color=DRIVER_COLOURS.get(d, f"C{j}"),
        )
        bottom += shares[:, j]
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of order-parameter reviews [0-1]")
    ax.set_title(f"Driving factor identified as order parameter at reviews (Haken model)\n{note}", fontsize=9)
    ax.legend(title="driver", fontsize=8, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_frontier(
    ds: Source,
    costs: dict | None = None,
    *,
    reach: float = 0.9,
    time: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cost of every mix against its target probability; the frontier joined.

    Grey points are all mixes; the non-dominated ones (:func:`mccoord.frontier.frontier`)
    are joined, with 95% Wilson bars, and the cheapest mix reaching ``reach`` is marked.
    """
    from ..frontier import cheapest, frontier

    ds = open_results(ds)
    table = frontier(ds, costs, time=time)
    meta = table.attrs
    ax = ax or new_axes()
    ax.scatter(table["cost"], table["p_target"], s=12, color="0.7", label="mix", zorder=2)
    front = table[table["on_frontier"]]
    err = np.vstack([front["p_target"] - front["p_target_lo"], front["p_target_hi"] - front["p_target"]])
    ax.errorbar(
        front["cost"],
        front["p_target"],
        yerr=err,
        fmt="o-",
        color="C0",
        capsize=3,
        drawstyle="steps-post",
        label="not dominated (95% intervals)",
        zorder=3,
    )
    ax.axhline(reach, color="#C44E52", ls=":", lw=1, label=f"P(target) = {reach:g}")
    best = cheapest(table, reach)
    if best is not None:
        ax.annotate(
            f"cheapest reaching {reach:g}:\n{describe({m: best[m] for m in MECHANISMS})}",
            xy=(best["cost"], best["p_target"]),
            xytext=(10, -30),
            textcoords="offset points",
            fontsize=7,
            arrowprops={"arrowstyle": "->", "lw": 0.8},
        )
    ax.set_xlabel(f"cost of the mix [{meta['units']}]", fontsize=8)
    ax.set_ylabel(metric_label(ds, "p_target", f"{meta['time']:g}"), fontsize=8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(
        f"Cost-effective mixes: P(target: {target_text(ds)} by year {meta['time']:g}) "
        f"against cost\n{_about(ds)}",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
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
    costs: dict | None = None,
    reach: float = 0.9,
) -> Axes:
    """Draw one of :data:`~mccoord.plots.kinds.KINDS`; what ``mccoord plot`` calls."""
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
    if kind == "frontier":
        return plot_frontier(ds, costs, reach=reach, time=time)
    if kind in ("sensitivity", "discovery"):
        from .sensitivity import plot_discovery, plot_sensitivity

        if kind == "sensitivity":
            return plot_sensitivity(ds, "S1", outcome="target", mix=mixes)
        return plot_discovery(ds, mix=(mixes or ["best"])[0])
    raise ConfigError("kind", kind, f"one of: {', '.join(KINDS)}")
