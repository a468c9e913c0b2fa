"""The report section "Which parameters matter" (runs with parameter uncertainty only).

:func:`parameter_analyses` computes, once, what the section and its two figures (plot
kinds ``sensitivity`` and ``discovery``, drawn in the report's Figures section) show;
:func:`sensitivity_section` writes the section's text and tables.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from ..analysis.discovery import Discovery, scenario_discovery
from ..analysis.samples import path_sample
from ..analysis.sensitivity import sensitivity
from ..errors import ConfigError, StoreError
from .tables import html_table


@dataclass(frozen=True)
class ParameterAnalyses:
    """What the report shows of a run that drew its parameters per path.

    Attributes
    ----------
    sensitivity : pandas.DataFrame
        :func:`mccoord.analysis.sensitivity` of reaching the target, all off, all on and
        the best mix.
    discovery : Discovery
        :func:`mccoord.analysis.scenario_discovery` of the best mix.
    """

    sensitivity: pd.DataFrame
    discovery: Discovery


def has_path_parameters(source: xr.Dataset | str | Path) -> bool:
    """True if the run drew its parameters per path (a scenario with an ``[uncertainty]`` table)."""
    try:
        path_sample(source, "best")
    except (ConfigError, StoreError):
        return False
    return True


def parameter_analyses(source: xr.Dataset | str | Path, *, resamples: int = 100) -> ParameterAnalyses | None:
    """The sensitivity and discovery results of the report, or None for a run without per-path
    parameter draws.

    Parameters
    ----------
    source : path or xarray.Dataset
        A store of :func:`mccoord.run` or its results dataset.
    resamples : int
        Bootstrap resamples of the intervals.
    """
    if not has_path_parameters(source):
        return None
    return ParameterAnalyses(
        sensitivity(source, "target", resamples=resamples), scenario_discovery(source, "best")
    )


def sensitivity_section(found: ParameterAnalyses | None) -> str:
    """HTML of the section: sensitivity of the target to the drawn parameters, and where the
    best mix fails (PRIM).

    Parameters
    ----------
    found : ParameterAnalyses or None
        The results of :func:`parameter_analyses`.

    Returns
    -------
    str
        The section, or ``""`` when the run drew no parameters per path.
    """
    if found is None:
        return ""
    esc = html.escape
    table = found.sensitivity
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
        f"does not lie above the dummy's is indistinguishable from no influence. Figure: "
        f"<a href='#fig-sensitivity'>sensitivity</a>.</p>",
        html_table(shown, left=("mix_label", "parameter", "method")),
    ]
    result = found.discovery
    parts.append(
        f"<h3 id='discovery'>Where the best mix fails</h3><p>{result.n_fail} of {result.n} valid "
        f"paths of the best mix ({esc(result.label)}) miss the target. PRIM boxes of parameter "
        f"space where they concentrate (coverage: share of the failing paths inside the box; "
        f"density: share of the paths in the box that fail; chosen step: "
        f"{esc(result.attrs['choice'])}). Figure: <a href='#fig-discovery'>discovery</a>.</p>"
    )
    if result.boxes:
        parts.append(html_table(result.table(), left=("parameter",)))
    return "\n".join(parts)
