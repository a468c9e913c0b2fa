"""``mccoord calibrate``: fit the model to an observed panel (MODEL.md section 9)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import options

#: Same as the defaults of mccoord.calibration.calibrate and its DEFAULT_REGIME_SOURCE (not
#: imported here, so that building the parser stays cheap; a test checks they agree).
DEFAULT_PATHS = 400
DEFAULT_SEED = 20241129
DEFAULT_N_SIGMA = 4
DEFAULT_MAXFEV = 100
DEFAULT_REGIMES = "us:1929:1989"
DATA_HELP = (
    "'china', 'us' or a long CSV file with columns region, year, gdp_per_capita, lat, lon "
    "and optionally population, group, specialisation, integration"
)


def add_fit_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``calibrate`` and ``backtest``."""
    p.add_argument(
        "--model",
        choices=("v2", "v1"),
        default="v2",
        help="v2: steady states, rho_a and regimes (default); v1: sigma, sigma_common, g, lambda0 only",
    )
    p.add_argument(
        "--regimes",
        default=DEFAULT_REGIMES,
        metavar="DATA:Y0:Y1",
        help=f"long record the regime hazards are estimated from (default {DEFAULT_REGIMES})",
    )
    p.add_argument(
        "--seed", type=options.whole(0), default=DEFAULT_SEED, help="seed of the common random numbers"
    )
    p.add_argument(
        "--sigma-years",
        type=options.whole(1),
        default=DEFAULT_N_SIGMA,
        help="number of years at which sigma is matched",
    )
    p.add_argument(
        "--maxfev",
        type=options.whole(1),
        default=DEFAULT_MAXFEV,
        help="largest number of Nelder-Mead evaluations per step of the fit",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit the model to an observed panel (simulated moments)",
        description="Fit the model to the years START..END of an observed panel (MODEL.md section 9): "
        "steady states by the within estimator, regime hazards from a long record, and sigma, "
        "sigma_common, g, lambda0 and rho_a by simulated moments with common random numbers, "
        "starting from the observed START cross-section with the baseline mix. Incomes of the "
        "shipped panels are nominal, so g is a nominal trend.",
    )
    p.add_argument("data", metavar="DATA", help=DATA_HELP)
    p.add_argument("--start", type=int, required=True, help="first year Y0")
    p.add_argument("--end", type=int, required=True, help="last year Y1 (> Y0 + 2)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write a scenario TOML with base year Y1 and its regions CSV (with the steady_state column)",
    )
    p.add_argument(
        "--template",
        type=Path,
        default=None,
        help="scenario whose name, description, regions path, simulation settings, mechanism grid, "
        "fixed model keys and marginal [uncertainty] entries are kept (fixed keys are held fixed)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out TOML and regions CSV")
    p.add_argument(
        "--paths", type=options.whole(1), default=DEFAULT_PATHS, help="simulated paths per evaluation"
    )
    add_fit_arguments(p)
    p.set_defaults(func=main)


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this fit, every fitting option spelled out."""
    parts = ["mccoord", "calibrate", args.data, "--start", str(args.start), "--end", str(args.end)]
    parts += ["--model", args.model, "--paths", str(args.paths), "--seed", str(args.seed)]
    parts += ["--sigma-years", str(args.sigma_years), "--maxfev", str(args.maxfev)]
    if args.model == "v2":
        parts += ["--regimes", args.regimes]
    if args.template is not None:
        parts += ["--template", str(args.template)]
    if args.out is not None:
        parts += ["--out", str(args.out)]
    if args.overwrite:
        parts.append("--overwrite")
    return shlex.join(parts)


def stderr_progress(text: str) -> None:
    """Progress lines go to stderr, so stdout holds only the report."""
    print(text, file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    from ..calibration import calibrate, load_panel
    from ..calibration.regimes import parse_regime_source
    from ..calibration.scenario_file import (
        check_scenario_destination,
        fixed_model_keys,
        read_template,
        write_scenario,
    )

    regimes = parse_regime_source(args.regimes)
    template = read_template(args.template) if args.template is not None else None
    if args.out is not None:  # before the (long) calibration
        check_scenario_destination(args.out, args.end, template=template, overwrite=args.overwrite)
    panel = load_panel(args.data)
    fixed = fixed_model_keys(template)
    result = calibrate(
        panel,
        args.start,
        args.end,
        model=args.model,
        paths=args.paths,
        seed=args.seed,
        n_sigma=args.sigma_years,
        maxfev=args.maxfev,
        params=fixed,
        regimes=regimes,
        progress=stderr_progress,
    )
    print(result.summary())
    if args.out is not None:
        written = write_scenario(
            result, args.out, template=template, overwrite=args.overwrite, command=command_line(args)
        )
        print(f"scenario written to {written}")
    return 0
