"""Calibration and backtesting of the model on observed regional panels.

* :func:`calibrate`: method of simulated moments with common random numbers for
  ``sigma``, ``sigma_common``, ``g`` and ``lambda0`` (see :mod:`.calibrate`).
* :func:`backtest`: calibrate on training years, simulate the test years from the
  observed cross-section and rank the observed sigma path and beta slope in the
  ensemble (see :mod:`.backtest`).
* :func:`load_panel`: the shipped ``china`` / ``us`` panels or a user CSV
  (format in :mod:`.panels`).
"""

from .backtest import BacktestResult, backtest
from .calibrate import DEFAULT_SEED, PARAMETERS, CalibrationResult, calibrate, initial_scenario
from .moments import moment_matrix, moment_names
from .panels import Panel, load_panel

__all__ = [
    "DEFAULT_SEED",
    "PARAMETERS",
    "BacktestResult",
    "CalibrationResult",
    "Panel",
    "backtest",
    "calibrate",
    "initial_scenario",
    "load_panel",
    "moment_matrix",
    "moment_names",
]
