"""Argument types shared by the commands: numbers checked when the command line is parsed.

Each type raises :class:`argparse.ArgumentTypeError` with the value and what is
expected; the ``mccoord`` parser prints it as one line (``mccoord plot: error:
argument --dpi: got '0', expected ...``) and exits with code 2 before any work.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A type for whole numbers in ``[low, high]`` (no upper bound when ``high`` is None)."""
    expected = f"a whole number >= {low}" if high is None else f"a whole number from {low} to {high}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}, expected {expected}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"got {text!r}, expected {expected}")
        return value

    parse.__name__ = "whole number"
    return parse


def finite(low: float = -math.inf, high: float = math.inf, what: str = "") -> Callable[[str], float]:
    """A type for finite numbers in ``[low, high]``; ``what`` names the unit or meaning."""
    bounds = []
    if math.isfinite(low):
        bounds.append(f">= {low:g}")
    if math.isfinite(high):
        bounds.append(f"<= {high:g}")
    expected = (
        "a finite number" + (" " + " and ".join(bounds) if bounds else "") + (f" ({what})" if what else "")
    )

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}, expected {expected}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"got {text!r}, expected {expected}")
        return value

    parse.__name__ = "number"
    return parse


#: ``--top``: rows of a ranking table.
top = whole(1)
#: ``--dpi``: resolution of a raster image [dots per inch].
dpi = whole(10, 2400)
#: ``--time``: a time on the results' axis [years since the base year].
time = finite(0.0, what="years since the base year")
#: A probability, e.g. ``frontier --reach``.
probability = finite(0.0, 1.0, what="a probability")
