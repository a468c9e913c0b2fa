"""Rendering of the HTML report (see :mod:`mccoord.report`)."""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .._version import __version__
from ..analysis.attribution import attribution
from ..errors import ConfigError
from ..frontier import cheapest, frontier
from ..mixes import describe, grid_mechs, is_grid
from ..params import MECHANISMS
from ..plots import plot_attribution, plot_frontier, plot_kind
from ..plots.kinds import KIND_BY_NAME, PLOT_KINDS
from ..ranking import column_notes, ranking
from ..ranking import title as ranking_title
from ..store import open_results
from .sensitivity_section import ParameterAnalyses, parameter_analyses, sensitivity_section
from .tables import html_table

#: Figures of the report, in order: (kind, caption), one per plot kind.
FIGURES: tuple[tuple[str, str], ...] = tuple((k.name, k.caption) for k in PLOT_KINDS)
#: Probability the report's frontier section asks the cheapest mix to reach.
REACH = 0.9

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; }
td.l, th.l { text-align: left; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
.note { color: #555; font-size: 0.9em; }
.wide { overflow-x: auto; }
"""


def top_mixes(ds: xr.Dataset, top: int = 10) -> pd.DataFrame:
    """The report's ranking table: :func:`mccoord.ranking.ranking` with its columns for display."""
    frame = ranking(ds, top)
    out = frame[list(MECHANISMS)].copy()
    for name, label in (("p_target", "P(target)"), ("p_sigma", "P(sigma)"), ("p_beta", "P(beta)")):
        out[label] = [
            f"{p:.3f} [{lo:.3f}, {hi:.3f}]" if np.isfinite(p) else "no valid path"
            for p, lo, hi in zip(frame[name], frame[f"{name}_lo"], frame[f"{name}_hi"], strict=True)
        ]
    out["n"] = frame["n_paths"]
    out["tied"] = [
        "best" if r == 1 else ("=" if t else "") for r, t in zip(frame.index, frame["tied"], strict=True)
    ]
    out.attrs.update(frame.attrs)
    return out


def _png(ax) -> str:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _heatmap_axes(ds: xr.Dataset) -> tuple[str, str] | None:
    if is_grid(ds):
        multi = [m for m in grid_mechs(ds) if ds.sizes[m] > 1]
    else:
        multi = list(MECHANISMS)
    if len(multi) < 2:
        return None
    return ("transfer", "market") if {"transfer", "market"} <= set(multi) else (multi[0], multi[1])


def _figures(
    ds: xr.Dataset, table: pd.DataFrame | None, uncertain: ParameterAnalyses | None
) -> list[tuple[str, str, str | None]]:
    """(kind, caption, base64 PNG or None) of every plot kind.

    ``table`` is the attribution table, ``uncertain`` the results of the section "Which
    parameters matter" (None for a run without per-path parameter draws: no figure of the
    kinds that need them).
    """
    from ..plots.sensitivity import plot_discovery, plot_sensitivity

    out = []
    for key, caption in FIGURES:
        ax = None
        if KIND_BY_NAME[key].per_path_parameters:
            if uncertain is not None:
                ax = (
                    plot_sensitivity(uncertain.sensitivity, "S1")
                    if key == "sensitivity"
                    else plot_discovery(uncertain.discovery)
                )
        elif key == "heatmap":
            xy = _heatmap_axes(ds)
            if xy is not None:
                ax = plot_kind(ds, key, x=xy[0], y=xy[1])
                if is_grid(ds):
                    caption = f"{caption} ({xy[0]} by {xy[1]})"
                else:
                    caption = (
                        f"Target probability at the horizon over {xy[0]} and {xy[1]}: "
                        "binned mean over the sampled mixes."
                    )
        elif key == "attribution":
            if table is not None:
                with warnings.catch_warnings():
                    # the figure's title states the caveat of imprecise Sobol indices
                    warnings.filterwarnings("ignore", message="Sobol indices of .* are imprecise")
                    ax = plot_attribution(table)
        elif key == "frontier":
            ax = plot_frontier(ds, reach=REACH)
        else:
            ax = plot_kind(ds, key)
        out.append((key, caption, _png(ax) if ax is not None else None))
    return out


def render_report(ds_or_store: xr.Dataset | str | Path, *, top: int = 10) -> str:
    """The report as one HTML string."""
    ds = open_results(ds_or_store)
    a = ds.attrs
    name = str(a.get("scenario", "unnamed"))
    esc = html.escape
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>mccoord report: {esc(name)}</title><style>{CSS}</style></head><body>",
        f"<h1>mccoord report: {esc(name)}</h1>",
        f"<p class='note'>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by mccoord {esc(__version__)}"
        + (f" from <code>{esc(str(ds.encoding['source']))}</code>" if ds.encoding.get("source") else "")
        + ".</p>",
    ]

    # scenario
    keys = [
        ("scenario", "scenario"),
        ("description", "scenario_description"),
        ("base year", "base_year"),
        ("currency", "currency"),
        ("design", "design"),
        ("mixes", "n_mix"),
        ("paths per mix", "paths"),
        ("years", "years"),
        ("seed", "seed"),
        ("substeps", "substeps"),
        ("target reduction", "target_reduction"),
        ("created", "created"),
        ("wall seconds", "wall_seconds"),
        ("config hash", "config_hash"),
    ]
    rows = "".join(
        f"<tr><th class='l'>{esc(label)}</th><td class='l'>{esc(str(a[k]))}</td></tr>"
        for label, k in keys
        if k in a
    )
    levels = "".join(
        f"<tr><th class='l'>{esc(m)}</th><td class='l'>"
        f"{esc(', '.join(f'{float(v):g}' for v in np.atleast_1d(ds[m].values)))}</td></tr>"
        for m in MECHANISMS
        if m in ds.coords and is_grid(ds)
    )
    parts.append("<h2 id='scenario'>Scenario</h2>")
    parts.append(f"<table>{rows}</table>")
    if levels:
        parts.append(f"<h3>Mechanism levels</h3><table>{levels}</table>")
    other = {k: v for k, v in a.items() if k not in {k for _, k in keys} | {"config"}}
    if "versions" in other:
        try:
            other["versions"] = ", ".join(f"{k} {v}" for k, v in json.loads(other["versions"]).items())
        except (TypeError, ValueError):
            pass
    parts.append(
        "<details><summary>All attributes</summary><table>"
        + "".join(
            f"<tr><th class='l'>{esc(str(k))}</th><td class='l'>{esc(str(v))}</td></tr>"
            for k, v in other.items()
        )
        + "</table></details>"
    )

    # top mixes
    T = float(ds.time[-1])
    ranked = top_mixes(ds, top)
    parts.append("<h2 id='top-mixes'>Top mixes</h2>")
    parts.append(f"<p>{esc(ranking_title(ranked))}.</p>")
    parts.append(html_table(ranked.reset_index()))
    parts.append("<ul class='note'>" + "".join(f"<li>{esc(n)}</li>" for n in column_notes(ranked)) + "</ul>")

    # frontier
    front = frontier(ds)
    meta = front.attrs
    parts.append("<h2 id='frontier'>Cost-effective mixes</h2>")
    parts.append(
        "<p>A mix costs the sum over mechanisms of unit cost x intensity; unit costs at full "
        f"intensity [{esc(meta['units'])}]: "
        + esc(", ".join(f"{m} {c:g}" for m, c in meta["costs"].items()))
        + ". The mixes below are not dominated: no other mix is at most as costly and at least as "
        "likely to reach the target.</p>"
    )
    shown = front[front["on_frontier"]].copy()
    shown["mix"] = [describe({m: r[m] for m in MECHANISMS}) for _, r in shown.iterrows()]
    shown["P(target) [95% interval]"] = [
        f"{r['p_target']:.3f} [{r['p_target_lo']:.3f}, {r['p_target_hi']:.3f}]" for _, r in shown.iterrows()
    ]
    parts.append(html_table(shown[["cost", "P(target) [95% interval]", "mix"]], left=("mix",)))
    best = cheapest(front, REACH)
    parts.append(
        f"<p>Cheapest mix with P(target) &ge; {REACH:g}: "
        + (
            f"{esc(describe({m: best[m] for m in MECHANISMS}))} (cost {best['cost']:.3g})."
            if best is not None
            else "none reaches it."
        )
        + "</p>"
    )

    # attribution
    parts.append("<h2 id='attribution'>Attribution</h2>")
    table = None
    try:
        table = attribution(ds, "p_target")
    except ConfigError as exc:
        parts.append(f"<p class='note'>No attribution: {esc(str(exc))}</p>")
    if table is not None:
        meta = table.attrs
        if meta.get("design") == "sampled":
            parts.append(
                f"<p>First-order and total Sobol indices of p_target at t={T:g} over the five "
                f"intensities; estimator: {esc(meta['estimator'])}; "
                f"standard errors: {esc(meta['se_method'])}.</p>"
            )
        else:
            parts.append(
                f"<p>Change of p_target at t={T:g} from all mechanisms at their lowest level to "
                "all at their highest: exact Shapley values (they sum to the total), factorial "
                "main effects and two-way interactions. Standard errors: "
                f"{esc(meta['se_method'])}.</p>"
            )
        parts.append(html_table(table, left=("term", "kind")))

    # which parameters matter (runs that drew parameters per path)
    uncertain = parameter_analyses(ds)
    parts.append(sensitivity_section(uncertain))

    # figures
    parts.append("<h2 id='figures'>Figures</h2>")
    for key, caption, png in _figures(ds, table, uncertain):
        if png is None:
            why = (
                "the run drew no parameters per path (no [uncertainty] table)"
                if KIND_BY_NAME[key].per_path_parameters
                else "not available for this design"
            )
            parts.append(f"<p class='note'>Figure {esc(key)}: {esc(why)}.</p>")
            continue
        parts.append(
            f"<figure id='fig-{key}'><img alt='{esc(key)}' src='data:image/png;base64,{png}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(store: xr.Dataset | str | Path, out: str | Path, *, top: int = 10) -> Path:
    """Render the report of ``store`` into the new file ``out``.

    Raises
    ------
    ConfigError
        If ``out`` already exists or its directory does not.
    """
    out = Path(out)
    if out.exists():
        raise ConfigError("--out", str(out), "a file that does not exist yet (reports are never overwritten)")
    if not out.resolve().parent.is_dir():
        raise ConfigError("--out", str(out), "a path in an existing directory")
    page = render_report(store, top=top)
    try:
        with open(out, "x", encoding="utf-8") as fh:
            fh.write(page)
    except FileExistsError:
        raise ConfigError(
            "--out", str(out), "a file that does not exist yet (reports are never overwritten)"
        ) from None
    return out
