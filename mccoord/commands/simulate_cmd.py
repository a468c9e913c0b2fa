"""``mccoord simulate``: the paths of one mix, summarised with standard errors, optionally saved."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..params import MECHANISMS
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate the paths of one mechanism mix",
        description="Simulate every path of one mix and print a summary: means and probabilities "
        "with Monte Carlo standard errors and 95%% intervals, including P(target).",
    )
    p.add_argument("config", nargs="?", default="china", help="scenario name or TOML file")
    p.add_argument(
        "--mix", default="", help=f"e.g. transfer=1,market=0.5; others are 0 (names: {', '.join(MECHANISMS)})"
    )
    p.add_argument("--paths", type=options.whole(1), default=1000, help="number of paths (default 1000)")
    p.add_argument("--seed", type=options.whole(0), default=None, help="run seed (default: the scenario's)")
    p.add_argument("--years", type=options.whole(1), default=None, help="horizon [years]")
    p.add_argument("--out", type=Path, default=None, help="write the dataset to this new NetCDF (.nc) file")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..mixes import describe, parse_mix
    from ..scenario import load_scenario
    from ..simulate import simulate
    from ..summary import format_summary, summarize

    sc = load_scenario(args.config)
    mix = parse_mix(args.mix, named=False)
    if args.out is not None and args.out.exists():
        raise ConfigError("--out", str(args.out), "a path that does not exist yet (nothing is overwritten)")
    if args.out is not None:
        from ..files import writable_output

        writable_output(args.out, "--out")
    seed = sc.simulation["seed"] if args.seed is None else args.seed
    ds = simulate(sc, mix, paths=args.paths, seed=seed, years=args.years)
    print(f"{sc.name}: {args.paths} paths x {int(ds.time[-1])} years, seed {seed}, mix: {describe(mix)}")
    print(format_summary(summarize(ds)))
    if args.out is not None:
        from ..catalogue import cf_dataset

        cf_dataset(ds).to_netcdf(args.out)
        print(f"  written to {args.out}")
    return 0
