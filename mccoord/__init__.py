"""mccoord: Monte Carlo engine for regional economic coordination.

The data path reads like the model: scenario -> mechanism grid -> streams of paths ->
kernel -> per-path metrics -> reduction -> dataset -> store.
"""

from __future__ import annotations

from pathlib import Path

from . import _source_tree

_source_tree.attach(__name__, Path(__file__).parent)

from ._version import __version__  # noqa: E402
from .ensemble import run  # noqa: E402
from .errors import ConfigError, MccoordError, StoreError  # noqa: E402
from .params import DRIVERS, MECHANISMS  # noqa: E402
from .scenario import Scenario, builtin_scenarios, load_scenario, scenario_from_table  # noqa: E402
from .simulate import simulate  # noqa: E402
from .store import open_results  # noqa: E402

__all__ = [
    "ConfigError",
    "DRIVERS",
    "MECHANISMS",
    "MccoordError",
    "Scenario",
    "StoreError",
    "__version__",
    "builtin_scenarios",
    "load_scenario",
    "open_results",
    "run",
    "scenario_from_table",
    "simulate",
]
