"""``mccoord sensitivity STORE``: which uncertain parameters matter, and where a mix fails."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="which uncertain parameters matter for a store's per-path outcomes",
        description="For a run of a scenario with an [uncertainty] table, rank the uncertain "
        "parameters by their influence on each path's outcome (target reached by the horizon, "
        "or sigma at the horizon), per mix, with 95% bootstrap intervals (PAWN and the "
        "first-order index S1 by default; delta for sigma). With --discover, find the boxes "
        "of parameter space where the mix fails its target (PRIM), with their coverage and density.",
    )
    p.add_argument("store", type=Path, help="store written by mccoord run")
    p.add_argument(
        "--mix",
        action="append",
        default=None,
        help="mix: best, off, on, all, an index, or transfer=1,market=0.5,... (repeatable; "
        "default off, on and best; --discover uses the first, default best)",
    )
    p.add_argument(
        "--outcome",
        choices=("target", "sigma"),
        default="target",
        help="target: reached by the horizon (default); sigma: sigma at the horizon",
    )
    p.add_argument(
        "--method",
        choices=("pawn", "delta"),
        default=None,
        help="pawn (default; PAWN and S1) or delta (delta and S1; sigma only, slower)",
    )
    p.add_argument("--resamples", type=int, default=100, help="bootstrap resamples (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--discover", action="store_true", help="scenario discovery (PRIM) instead")
    p.add_argument("--boxes", type=int, default=1, help="--discover: most boxes (default 1)")
    p.add_argument(
        "--density",
        type=float,
        default=None,
        help="--discover: report the most covering step with at least this density "
        "(default: the best F1 score of coverage and density)",
    )
    p.add_argument("--plot", type=Path, default=None, help="also draw the figure into this image file")
    p.set_defaults(func=main)


def _mixes(texts: list[str] | None) -> list | str | None:
    from ..mixes import parse_mix

    if not texts:
        return None
    if texts == ["all"]:
        return "all"
    return [parse_mix(t) for t in texts]


def main(args: argparse.Namespace) -> int:
    from ..analysis.discovery import format_discovery, scenario_discovery
    from ..analysis.sensitivity import format_sensitivity, sensitivity
    from ..errors import ConfigError

    if args.plot is not None:
        if args.plot.exists():
            raise ConfigError("--plot", str(args.plot), "a file that does not exist yet")
        if not args.plot.resolve().parent.is_dir():
            raise ConfigError("--plot", str(args.plot), "a path in an existing directory")
    mixes = _mixes(args.mix)
    if args.discover:
        if mixes == "all" or (isinstance(mixes, list) and len(mixes) > 1):
            raise ConfigError("--mix", args.mix, "one mix with --discover")
        result = scenario_discovery(
            args.store, mixes[0] if mixes else None, boxes=args.boxes, density=args.density
        )
        print(format_discovery(result))
    else:
        result = sensitivity(
            args.store,
            args.outcome,
            mixes,
            method=args.method,
            resamples=args.resamples,
            seed=args.seed,
        )
        print(format_sensitivity(result))
    if args.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ..plots.sensitivity import plot_discovery, plot_sensitivity

        ax = plot_discovery(result) if args.discover else plot_sensitivity(result)
        ax.figure.savefig(args.plot, dpi=120)
        print(f"wrote {args.plot}")
    return 0
