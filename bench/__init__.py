"""Benchmarks of mccoord: ``python -m bench`` (or ``mccoord bench``) runs them all in one go.

See :mod:`bench.core` for what is measured and ``docs/performance.md`` for the results.
"""

from .core import main

__all__ = ["main"]
