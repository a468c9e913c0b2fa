"""Figures of an ensemble's results (matplotlib; each function returns its Axes).

Every function takes the results dataset of :func:`mccoord.run` or the path of its
store. Without ``ax=`` they draw on a new standalone figure with an Agg canvas, so they
work headless; save with :func:`save` or ``ax.figure.savefig``. The kinds of
``mccoord plot`` are listed once, in :mod:`mccoord.plots.kinds`.
"""

from .figures import (
    metric_label,
    new_axes,
    plot_attribution,
    plot_curves,
    plot_drivers,
    plot_fan,
    plot_frontier,
    plot_heatmap,
    plot_kind,
    plot_regions,
    save,
    target_text,
)
from .kinds import KINDS, PLOT_KINDS

__all__ = [
    "KINDS",
    "PLOT_KINDS",
    "metric_label",
    "new_axes",
    "plot_attribution",
    "plot_curves",
    "plot_drivers",
    "plot_fan",
    "plot_frontier",
    "plot_heatmap",
    "plot_kind",
    "plot_regions",
    "save",
    "target_text",
]
