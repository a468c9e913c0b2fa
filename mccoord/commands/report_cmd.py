"""``mccoord report STORE --out report.html``: a self-contained HTML report of a store."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a store",
        description="Write one HTML page (figures embedded as PNG) with the scenario, the ranking "
        "table of mixes, the cost-effective mixes, the attribution table and a figure of "
        "every plot kind. An existing --out file is never overwritten.",
    )
    p.add_argument("store", type=Path, help="store written by mccoord run")
    p.add_argument(
        "--out", type=Path, default=None, help="HTML file to create (default: STORE-NAME-report.html here)"
    )
    p.add_argument("--top", type=options.top, default=10, help="rows of the ranking table (default 10)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..errors import ConfigError
    from ..report import write_report
    from ..store import open_results

    out = args.out or Path(f"{args.store.name.removesuffix('.zarr')}-report.html")
    if out.exists():
        raise ConfigError("--out", str(out), "a file that does not exist yet (reports are never overwritten)")
    ds = open_results(args.store)
    write_report(ds, out, top=args.top)
    print(f"wrote {out}")
    return 0
