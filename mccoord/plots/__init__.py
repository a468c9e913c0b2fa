"""Figures of an ensemble's results (matplotlib; each function returns its Axes).

Every function takes the results dataset of :func:`mccoord.run` or the path of its
store. Without ``ax=`` they draw on a new standalone figure with an Agg canvas, so they
work headless; save with :func:`save` or ``ax.figure.savefig``.
"""

from ._select import default_mixes, mix_label, parse_mix, select_mix
from .figures import (
    KINDS,
    new_axes,
    plot_attribution,
    plot_curves,
    plot_drivers,
    plot_fan,
    plot_heatmap,
    plot_kind,
    plot_regions,
    save,
)

__all__ = [
    "KINDS",
    "default_mixes",
    "mix_label",
    "new_axes",
    "parse_mix",
    "plot_attribution",
    "plot_curves",
    "plot_drivers",
    "plot_fan",
    "plot_heatmap",
    "plot_kind",
    "plot_regions",
    "save",
    "select_mix",
]
