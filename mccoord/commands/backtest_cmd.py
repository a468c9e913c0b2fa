"""``mccoord backtest``: calibrate on training years and rank the test years in the ensemble."""

from __future__ import annotations

import argparse

from . import options
from .calibrate_cmd import DATA_HELP, DEFAULT_PATHS, add_fit_arguments, stderr_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="out-of-sample test of a calibration",
        description="Calibrate on the training years, simulate the test years from the observed "
        "cross-section of the test start (with parameter uncertainty from the fit, and with "
        "shocks only), and report the percentile rank of the observed sigma (each test year) "
        "and beta slope in the ensembles and whether each lies in the central 90%% band.",
    )
    p.add_argument("data", metavar="DATA", help=DATA_HELP)
    p.add_argument("--train", required=True, metavar="Y0:Y1", help="training window")
    p.add_argument("--test", required=True, metavar="Y1:Y2", help="test window (starts at or after Y1)")
    p.add_argument("--mix", default="", help="mix of the test ensemble, e.g. transfer=1 (default all 0)")
    p.add_argument("--paths", type=options.whole(20), default=1000, help="paths of each test ensemble")
    p.add_argument(
        "--calib-paths",
        type=options.whole(10),
        default=DEFAULT_PATHS,
        help="paths per calibration evaluation",
    )
    add_fit_arguments(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..calibration import backtest
    from ..calibration.regimes import parse_regime_source
    from ..mixes import parse_mix

    result = backtest(
        args.data,
        args.train,
        args.test,
        model=args.model,
        mix=parse_mix(args.mix, named=False),
        paths=args.paths,
        calib_paths=args.calib_paths,
        seed=args.seed,
        n_sigma=args.sigma_years,
        maxfev=args.maxfev,
        regimes=parse_regime_source(args.regimes),
        progress=stderr_progress,
    )
    print(result.summary())
    return 0
