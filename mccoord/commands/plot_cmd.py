"""``mccoord plot STORE --kind KIND``: one figure of a store's results, as an image (headless)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..plots.kinds import PLOT_KINDS
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    kinds = "; ".join(f"{k.name}: {k.shows}" for k in PLOT_KINDS)
    p = sub.add_parser(
        "plot",
        help="draw one figure of a store's results",
        description=f"Draw a figure of a store's results into an image file (matplotlib, Agg backend). "
        f"Kinds: {kinds}.",
    )
    p.add_argument("store", type=Path, help="store written by mccoord run")
    p.add_argument(
        "--kind",
        choices=[k.name for k in PLOT_KINDS],
        default="curves",
        help="figure to draw (default: curves)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="image file to create (.png, .svg, .pdf; default: STORE-NAME-KIND.png here)",
    )
    p.add_argument(
        "--x", default=None, help="heatmap x mechanism (default transfer); drivers: draw over this mechanism"
    )
    p.add_argument("--y", default=None, help="heatmap y mechanism (default market)")
    p.add_argument(
        "--metric", default=None, help="variable for curves, heatmap and attribution (default p_target)"
    )
    p.add_argument(
        "--time",
        type=options.time,
        default=None,
        help="years since the base year for heatmap, attribution and frontier (default: horizon)",
    )
    p.add_argument(
        "--mix",
        action="append",
        default=None,
        help="mix: best, off, on, an index, or transfer=1,market=0.5,... (others off; repeat for curves)",
    )
    p.add_argument(
        "--cost", default="", metavar="MECH=COST,...", help="frontier: unit costs (see mccoord frontier)"
    )
    p.add_argument("--reach", type=options.probability, default=0.9, help="frontier: probability to reach")
    p.add_argument(
        "--dpi", type=options.dpi, default=120, help="resolution of a PNG [dots per inch] (default 120)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..frontier import parse_costs
    from ..mixes import horizon, parse_mix
    from ..plots import plot_kind, save
    from ..store import open_results

    mixes = [parse_mix(m) for m in args.mix] if args.mix else None
    costs = parse_costs(args.cost)
    out = args.out or Path(f"{args.store.name.removesuffix('.zarr')}-{args.kind}.png")
    if out.exists() and not args.overwrite:
        raise ConfigError("--out", str(out), "a file that does not exist yet (or add --overwrite)")
    if not out.resolve().parent.is_dir():
        raise ConfigError("--out", str(out), "a path in an existing directory")
    ds = open_results(args.store)
    if args.time is not None:
        horizon(ds, args.time)
    ax = plot_kind(
        ds,
        args.kind,
        x=args.x,
        y=args.y,
        metric=args.metric,
        time=args.time,
        mixes=mixes,
        costs=costs,
        reach=args.reach,
    )
    save(ax, out, dpi=args.dpi)
    print(f"wrote {out}")
    return 0
