"""Tests of mccoord.calibration: fitting, regimes, steady states, scenario files, backtests."""
