"""The plot kinds: one registry used by ``mccoord plot``, :func:`~mccoord.plots.plot_kind`
and the report (name, what it shows, report caption)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlotKind:
    """One kind of figure.

    Attributes
    ----------
    name : str
        The ``--kind`` value.
    shows : str
        What the figure shows (command help).
    caption : str
        Caption of the figure in the report.
    per_path_parameters : bool
        The figure needs a run that drew its parameters per path (a scenario with an
        ``[uncertainty]`` table); other runs have no such figure.
    """

    name: str
    shows: str
    caption: str
    per_path_parameters: bool = False


#: Every plot kind, in the order of the report.
PLOT_KINDS: tuple[PlotKind, ...] = (
    PlotKind(
        "curves",
        "probability of the target over time for chosen mixes, with 95% Wilson bands",
        "Probability that the dispersion of log income per capita is down by the target share, "
        "over time, for all off, all on and the best mix (bands: 95% Wilson intervals).",
    ),
    PlotKind(
        "heatmap",
        "a metric over two mechanisms (the others at their highest level)",
        "Target probability at the horizon over two mechanisms, the others at their highest level.",
    ),
    PlotKind(
        "fan",
        "quantiles across paths of the dispersion over time, for one mix",
        "Dispersion of log income per capita across regions: quantiles across paths, best mix.",
    ),
    PlotKind(
        "regions",
        "mean relative income of every region over time, extremes labelled",
        "Mean relative income ln(y_i / national mean) of every region, coloured by macro-region, best mix.",
    ),
    PlotKind(
        "attribution",
        "which mechanisms matter: Shapley values and main effects, or Sobol indices",
        "Attribution of the target probability to the mechanisms, with 95% error bars.",
    ),
    PlotKind(
        "drivers",
        "share of reviews that picked each driver (CA, EC, ID) as order parameter",
        "Share of order-parameter reviews that picked each driving factor (Haken model).",
    ),
    PlotKind(
        "frontier",
        "cost against probability of the target; the non-dominated mixes joined",
        "Cost-effective mixes: cost against target probability; the frontier of non-dominated mixes.",
    ),
    PlotKind(
        "sensitivity",
        "which uncertain parameters matter for reaching the target: first-order index S1 per "
        "parameter and mix, with 95% bootstrap intervals (runs with an [uncertainty] table)",
        "Which uncertain parameters matter: first-order index S1 of reaching the target, per "
        "parameter, for all off, all on and the best mix, with 95% bootstrap intervals; the grey "
        "band is a dummy parameter of independent draws (the noise level).",
        per_path_parameters=True,
    ),
    PlotKind(
        "discovery",
        "where in parameter space a mix fails the target: PRIM's coverage-density trade-off "
        "and the chosen box (runs with an [uncertainty] table)",
        "Where the best mix fails the target: coverage against density of every box along PRIM's "
        "peeling trajectory, the chosen box circled with its restrictions.",
        per_path_parameters=True,
    ),
)

#: Names of the plot kinds (``mccoord plot --kind``).
KINDS: tuple[str, ...] = tuple(k.name for k in PLOT_KINDS)
KIND_BY_NAME: dict[str, PlotKind] = {k.name: k for k in PLOT_KINDS}
