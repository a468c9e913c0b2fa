"""``mccoord plot STORE --kind KIND``: one figure of a store's results, as a PNG (headless)."""

from __future__ import annotations

import argparse
from pathlib import Path

KINDS = ("curves", "heatmap", "fan", "regions", "attribution", "drivers")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="draw one figure of a store's results",
        description="Draw a figure of a store's results into an image file (matplotlib, Agg "
        "backend). Kinds: curves (probability over time with 95% bands), heatmap "
        "(a metric over two mechanisms), fan (sigma quantiles over time), regions "
        "(relative income by region), attribution (Shapley values / Sobol indices), "
        "drivers (order-parameter shares).",
    )
    p.add_argument("store", type=Path, help="store written by mccoord run")
    p.add_argument("--kind", choices=KINDS, default="curves", help="figure to draw (default: curves)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="image file (.png, .svg, .pdf; default: STORE-NAME-KIND.png here)",
    )
    p.add_argument(
        "--x", default=None, help="heatmap x mechanism (default transfer); drivers: draw over this mechanism"
    )
    p.add_argument("--y", default=None, help="heatmap y mechanism (default market)")
    p.add_argument(
        "--metric", default=None, help="variable for curves, heatmap and attribution (default p_target)"
    )
    p.add_argument("--time", type=float, default=None, help="time for heatmap/attribution (default: horizon)")
    p.add_argument(
        "--mix",
        action="append",
        default=None,
        help="mix: best, off, on, an index, or transfer=1,market=0.5,... (repeat for curves)",
    )
    p.add_argument("--dpi", type=int, default=120, help="resolution of a PNG (default 120)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..errors import ConfigError
    from ..plots import parse_mix, plot_kind, save
    from ..store import open_results

    ds = open_results(args.store)
    out = args.out or Path(f"{args.store.name.removesuffix('.zarr')}-{args.kind}.png")
    if out.exists() and not args.overwrite:
        raise ConfigError("--out", str(out), "a file that does not exist yet (or add --overwrite)")
    if not out.resolve().parent.is_dir():
        raise ConfigError("--out", str(out), "a path in an existing directory")
    mixes = [parse_mix(m) for m in args.mix] if args.mix else None
    ax = plot_kind(ds, args.kind, x=args.x, y=args.y, metric=args.metric, time=args.time, mixes=mixes)
    save(ax, out, dpi=args.dpi)
    print(f"wrote {out}")
    return 0
