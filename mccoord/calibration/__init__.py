"""Calibration and backtesting of the model on observed regional panels (MODEL.md section 9).

* :func:`calibrate`: steady states (:mod:`.steady_state`), regime hazards from a long
  record (:mod:`.regimes`) and the method of simulated moments with common random
  numbers for ``sigma``, ``sigma_common``, ``g``, ``lambda0`` and ``rho_a``
  (:mod:`.calibrate`); :func:`write_scenario` writes the fitted scenario
  (:mod:`.scenario_file`).
* :func:`backtest`: calibrate on training years, simulate the test years from the
  observed cross-section with and without parameter uncertainty, and rank the observed
  sigma path and beta slope in the ensembles (:mod:`.backtest`).
* :func:`load_panel`: the shipped ``china`` / ``us`` panels or a user CSV
  (format in :mod:`.panels`).
* ``python -m mccoord.calibration.report``: re-run the documented backtests and rewrite
  ``docs/backtests.md``.
"""

from .backtest import BacktestResult, backtest
from .calibrate import (
    DEFAULT_PATHS,
    DEFAULT_SEED,
    PARAMETERS,
    PARAMETERS_V1,
    CalibrationResult,
    calibrate,
    initial_scenario,
)
from .moments import moment_matrix, moment_names
from .panels import Panel, load_panel
from .regimes import RegimeHazards, regime_hazards
from .scenario_file import write_scenario
from .steady_state import SteadyStates, estimate_steady_states

__all__ = [
    "DEFAULT_PATHS",
    "DEFAULT_SEED",
    "PARAMETERS",
    "PARAMETERS_V1",
    "BacktestResult",
    "CalibrationResult",
    "Panel",
    "RegimeHazards",
    "SteadyStates",
    "backtest",
    "calibrate",
    "estimate_steady_states",
    "initial_scenario",
    "load_panel",
    "moment_matrix",
    "moment_names",
    "regime_hazards",
    "write_scenario",
]
