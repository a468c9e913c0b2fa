"""Standalone figures: new Axes on an Agg canvas, and saving them.

A figure made here is not registered with pyplot, so nothing is shown or leaked and the
plots work headless; ``ax.figure`` is the figure.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_axes(figsize: tuple[float, float] = (7.5, 4.8)) -> Axes:
    """Axes on a new standalone figure (Agg canvas)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def save(ax: Axes, path: str | Path, dpi: int = 120) -> Path:
    """Write the figure of ``ax`` to ``path`` (format from the suffix)."""
    path = Path(path)
    ax.figure.savefig(path, dpi=dpi)
    return path
