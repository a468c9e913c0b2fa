"""``mccoord calibrate``: fit sigma, sigma_common, g and lambda0 to an observed panel."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options

#: Same as mccoord.calibration.calibrate.DEFAULT_PATHS / DEFAULT_SEED (not imported here, so that
#: building the parser stays cheap; a test checks they agree).
DEFAULT_PATHS = 500
DEFAULT_SEED = 20241129
DATA_HELP = (
    "'china', 'us' or a long CSV file with columns region, year, gdp_per_capita, lat, lon "
    "and optionally population, group, specialisation, integration"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit the model to an observed panel (simulated moments)",
        description="Estimate sigma, sigma_common, g and lambda0 by the method of simulated moments "
        "(common random numbers) on the years START..END of an observed panel, starting "
        "from the observed START cross-section with the baseline mix. Incomes of the "
        "shipped panels are nominal, so g is a nominal trend.",
    )
    p.add_argument("data", metavar="DATA", help=DATA_HELP)
    p.add_argument("--start", type=int, required=True, help="first year Y0")
    p.add_argument("--end", type=int, required=True, help="last year Y1 (> Y0 + 2)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write a scenario TOML with base year Y1 (and its regions CSV beside it)",
    )
    p.add_argument(
        "--paths", type=options.whole(1), default=DEFAULT_PATHS, help="simulated paths per evaluation"
    )
    p.add_argument(
        "--seed", type=options.whole(0), default=DEFAULT_SEED, help="seed of the common random numbers"
    )
    p.add_argument(
        "--sigma-years", type=options.whole(1), default=3, help="number of years at which sigma is matched"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..calibration import calibrate, load_panel
    from ..calibration.calibrate import check_scenario_destination

    out = args.out
    if out is not None:
        check_scenario_destination(out, args.end)  # before the (long) calibration
    panel = load_panel(args.data)
    result = calibrate(
        panel, args.start, args.end, paths=args.paths, seed=args.seed, n_sigma=args.sigma_years
    )
    print(result.summary())
    if out is not None:
        result.to_scenario(out)
        print(
            f"scenario written to {out} (base year {result.end}, regions {out.stem}_regions_{result.end}.csv)"
        )
    return 0
