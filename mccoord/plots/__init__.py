"""Figures of an ensemble's results (matplotlib; each function returns its Axes).

Every function takes the results dataset of :func:`mccoord.run` or the path of its
store. Without ``ax=`` they draw on a new standalone figure with an Agg canvas, so they
work headless; save with :func:`save` or ``ax.figure.savefig``. The kinds of
``mccoord plot`` are listed once, in :mod:`mccoord.plots.kinds`. The figure functions
(``plot_curves``, ``plot_heatmap``, ``plot_attribution``, ...) are documented in
:mod:`mccoord.plots.figures` and importable from here; they load matplotlib on first use.
"""

from importlib import import_module

from .kinds import KINDS, PLOT_KINDS

#: Functions of :mod:`mccoord.plots.canvas` and :mod:`mccoord.plots.figures`, imported on
#: first use: the command line lists the plot kinds without loading matplotlib and the
#: statistics libraries.
_CANVAS = ("new_axes", "save")
_FIGURES = (
    "metric_label",
    "plot_attribution",
    "plot_curves",
    "plot_drivers",
    "plot_fan",
    "plot_frontier",
    "plot_heatmap",
    "plot_kind",
    "plot_regions",
    "target_text",
)


def __getattr__(name: str):
    if name in _CANVAS:
        return getattr(import_module(".canvas", __name__), name)
    if name in _FIGURES:
        return getattr(import_module(".figures", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["KINDS", "PLOT_KINDS"]


def __dir__() -> list[str]:
    return sorted([*globals(), *_FIGURES])
