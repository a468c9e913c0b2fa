"""The report section "Which parameters matter" (runs with parameter uncertainty only)."""

from __future__ import annotations

import html
from pathlib import Path

import xarray as xr

from ..analysis.discovery import scenario_discovery
from ..analysis.samples import path_sample
from ..analysis.sensitivity import sensitivity
from ..errors import ConfigError, StoreError


def _has_parameters(source: xr.Dataset | str | Path) -> bool:
    try:
        path_sample(source, "best")
    except (ConfigError, StoreError):
        return False
    return True


def sensitivity_section(source: xr.Dataset | str | Path, *, resamples: int = 100) -> str:
    """HTML of the section: sensitivity of the target to the drawn parameters, and where the
    best mix fails (PRIM), with their figures.

    Parameters
    ----------
    source : path or xarray.Dataset
        A store of :func:`mccoord.run` or its results dataset.
    resamples : int
        Bootstrap resamples of the intervals.

    Returns
    -------
    str
        The section, or ``""`` when the run drew no parameters per path.
    """
    from ..plots.sensitivity import plot_discovery, plot_sensitivity
    from .html import _png, _table

    if not _has_parameters(source):
        return ""
    esc = html.escape
    table = sensitivity(source, "target", resamples=resamples)
    a = table.attrs
    shown = table.assign(mix_label=table["mix"].map(a["labels"]))[
        ["mix", "mix_label", "parameter", "method", "index", "ci_low", "ci_high", "rank", "n"]
    ]
    parts = [
        "<h2 id='sensitivity'>Which parameters matter</h2>",
        f"<p>Every path drew its own values of the uncertain parameters. Sensitivity of reaching "
        f"the target by year {a['horizon']:g} to each of them, for all off, all on and the best "
        f"mix: PAWN (median Kolmogorov-Smirnov distance between the outcome's distribution "
        f"given a slice of the parameter and overall) and the first-order Sobol index S1 from "
        f"the same paths, with 95% bootstrap intervals ({a['resamples']} resamples). The row "
        f"<code>dummy</code> is a column of independent random draws: a parameter whose interval "
        f"does not lie above the dummy's is indistinguishable from no influence.</p>",
        _table(shown, left=("mix_label", "parameter", "method")),
        f"<figure id='fig-sensitivity'><img alt='sensitivity' "
        f"src='data:image/png;base64,{_png(plot_sensitivity(table, 'S1'))}'>"
        "<figcaption>First-order index S1 of reaching the target, per parameter and mix, with 95% "
        "bootstrap intervals; the grey band is the dummy (noise level).</figcaption></figure>",
    ]
    found = scenario_discovery(source, "best")
    parts.append(
        f"<h3 id='discovery'>Where the best mix fails</h3><p>{found.n_fail} of {found.n} valid "
        f"paths of the best mix ({esc(found.label)}) miss the target. PRIM boxes of parameter "
        f"space where they concentrate (coverage: share of the failing paths inside the box; "
        f"density: share of the paths in the box that fail; chosen step: "
        f"{esc(found.attrs['choice'])}).</p>"
    )
    if found.boxes:
        parts.append(_table(found.table(), left=("parameter",)))
        parts.append(
            f"<figure id='fig-discovery'><img alt='discovery' "
            f"src='data:image/png;base64,{_png(plot_discovery(found))}'>"
            "<figcaption>PRIM peeling trajectory: coverage against density of each candidate "
            "box; the chosen box circled, its restrictions written below.</figcaption></figure>"
        )
    return "\n".join(parts)
