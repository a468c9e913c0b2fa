"""``mccoord frontier STORE``: the mixes not dominated in (cost, probability of the target)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "frontier",
        help="cost-effective mixes: not dominated in (cost, P(target))",
        description="List the mixes that no other mix beats in both cost and probability of the "
        "target, and the cheapest mix that reaches a given probability. A mix costs the sum "
        "over mechanisms of unit cost x intensity; unit costs come from the scenario's "
        "[costs] table (default 1 per mechanism), --cost overrides them.",
    )
    p.add_argument("store", type=Path, help="store written by mccoord run")
    p.add_argument(
        "--reach",
        type=options.probability,
        default=0.9,
        help="probability of the target the cheapest mix must reach (default 0.9)",
    )
    p.add_argument(
        "--cost",
        default="",
        metavar="MECH=COST,...",
        help="unit costs (cost at full intensity), e.g. transfer=3,supervision=0.5",
    )
    p.add_argument(
        "--time", type=options.time, default=None, help="years since the base year (default: horizon)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..frontier import format_frontier, frontier, parse_costs
    from ..store import open_results

    costs = parse_costs(args.cost)
    table = frontier(open_results(args.store), costs, time=args.time)
    print(format_frontier(table, args.reach))
    return 0
