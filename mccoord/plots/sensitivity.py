"""Figures of parameter uncertainty: which parameters matter, and where a mix fails.

* :func:`plot_sensitivity`: the indices of :func:`mccoord.analysis.sensitivity` as bars
  per parameter, one colour per mix, with their 95% bootstrap intervals.
* :func:`plot_discovery`: the PRIM peeling trajectory of
  :func:`mccoord.analysis.scenario_discovery` (coverage against density, coloured by the
  number of restricted parameters), the chosen box marked and its restrictions written
  beside it.

Both take either the analysis result or its source (a store, its results dataset or a
:func:`mccoord.simulate` dataset; then keyword arguments go to the analysis) and return
the matplotlib Axes they drew on (a new standalone figure without ``ax=``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..analysis.discovery import Discovery, scenario_discovery
from ..analysis.sensitivity import sensitivity
from ..errors import ConfigError
from .canvas import new_axes


def plot_sensitivity(
    table: pd.DataFrame | object, method: str | None = None, *, ax: Axes | None = None, **kwargs
) -> Axes:
    """Bars of sensitivity indices per parameter and mix, with 95% intervals.

    Parameters
    ----------
    table : pandas.DataFrame or source
        A table of :func:`mccoord.analysis.sensitivity`, or its source (``kwargs`` go to
        it).
    method : str, optional
        The measure to draw (``pawn``, ``delta`` or ``S1``); default the table's first.
    ax : matplotlib Axes, optional
    """
    if not isinstance(table, pd.DataFrame):
        table = sensitivity(table, **kwargs)
    methods = list(dict.fromkeys(table["method"]))
    method = method or methods[0]
    if method not in methods:
        raise ConfigError("method", method, f"a measure of the table ({', '.join(methods)})")
    rows = table[table["method"] == method]
    mixes = list(dict.fromkeys(rows["mix"]))
    largest = rows.groupby("parameter", sort=False)["index"].max().sort_values(ascending=False)
    params = list(largest.index)
    ax = ax or new_axes((7.0, 1.8 + 0.2 * len(mixes) + 0.35 * len(params) * max(1, len(mixes)) ** 0.5))
    height = 0.8 / len(mixes)
    pos = np.arange(len(params))
    labels = table.attrs.get("labels", {})
    for i, mix in enumerate(mixes):
        sub = rows[rows["mix"] == mix].set_index("parameter").reindex(params)
        est = sub["index"].to_numpy(dtype=float)
        lo, hi = sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float)
        err = np.vstack([est - lo, hi - est])
        ax.barh(
            pos + (i - (len(mixes) - 1) / 2) * height,
            np.nan_to_num(est),
            height=height,
            xerr=np.nan_to_num(np.clip(err, 0, None)),
            capsize=3,
            color=f"C{i}",
            alpha=0.85,
            label=f"mix {mix}: {labels.get(mix, '')}",
        )
    dummy = table.attrs.get("dummy")
    if dummy in params:
        j = params.index(dummy)
        ax.axhspan(j - 0.5, j + 0.5, color="0.9", zorder=0, label=f"{dummy}: noise level")
    ax.set_yticks(pos, params)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    a = table.attrs
    ax.set_xlabel(f"{method} index of {a.get('outcome', 'the outcome')} (T = {a.get('horizon', np.nan):g})")
    ax.set_title("which uncertain parameters matter, 95% bootstrap intervals", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=1, frameon=False)
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_discovery(result: Discovery | object, box: int = 1, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Coverage against density along PRIM's peeling trajectory; the chosen box marked.

    Parameters
    ----------
    result : Discovery or source
        A result of :func:`mccoord.analysis.scenario_discovery`, or its source
        (``kwargs`` go to it).
    box : int
        Which box (from 1).
    ax : matplotlib Axes, optional
    """
    if not isinstance(result, Discovery):
        result = scenario_discovery(result, **kwargs)
    ax = ax or new_axes((7.5, 4.5))
    if not result.boxes:
        ax.text(0.5, 0.5, "no failing path: nothing to discover", ha="center", va="center")
        ax.set_axis_off()
        return ax
    if not 1 <= box <= len(result.boxes):
        raise ConfigError("box", box, f"a box number from 1 to {len(result.boxes)}")
    chosen = result.boxes[box - 1]
    traj = chosen.trajectory
    points = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18, zorder=3)
    ax.plot(traj["coverage"], traj["density"], color="0.7", lw=0.8, zorder=2)
    ax.scatter(
        [chosen.coverage],
        [chosen.density],
        s=140,
        facecolors="none",
        edgecolors="C3",
        linewidths=1.6,
        zorder=4,
        label=f"chosen box (step {chosen.step})",
    )
    bar = ax.figure.colorbar(points, ax=ax, label="restricted parameters")
    bar.set_ticks(range(int(traj["res_dim"].max()) + 1))
    text = "\n".join(f"{name}: {r['low']:.3g} .. {r['high']:.3g}" for name, r in chosen.limits.iterrows())
    ax.text(
        0.02,
        0.02,
        f"box {box}: coverage {chosen.coverage:.2f}, density {chosen.density:.2f}\n{text}",
        transform=ax.transAxes,
        fontsize=8,
        va="bottom",
        bbox={"boxstyle": "round", "fc": "white", "ec": "0.8"},
    )
    ax.set_xlabel("coverage (share of failing paths inside the box)")
    ax.set_ylabel("density (share of paths in the box that fail)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(
        f"where mix {result.mix} fails the target (T = {result.horizon:g}): PRIM trade-off",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="center left")
    ax.grid(alpha=0.3)
    return ax
