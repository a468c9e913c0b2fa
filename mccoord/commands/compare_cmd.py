"""``mccoord compare A B``: per-mix differences of a metric between two stores."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="differences of a metric between two stores, mix by mix",
        description="For every mix two stores share, print B - A of a metric with its 95%% interval: "
        "paired path by path (common random numbers) when both runs have the same seed and "
        "number of paths, unpaired otherwise.",
    )
    p.add_argument("a", type=Path, metavar="A", help="store written by mccoord run (the reference)")
    p.add_argument("b", type=Path, metavar="B", help="store written by mccoord run (compared with A)")
    p.add_argument(
        "--metric",
        default="p_target",
        choices=("p_target", "p_sigma", "p_beta", "sigma_mean"),
        help="metric to compare (default p_target)",
    )
    p.add_argument(
        "--time", type=options.time, default=None, help="years since the base year (default: last common)"
    )
    p.add_argument("--top", type=options.top, default=20, help="rows, largest |B - A| first (default 20)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..compare import compare, format_comparison

    print(format_comparison(compare(args.a, args.b, args.metric, time=args.time), top=args.top))
    return 0
