"""``mccoord bench [--quick]``: the benchmark suite of ``bench/``, run as ``python -m bench``.

``bench/`` lives at the top of the source checkout and is not part of the installed
package. The command finds the checkout beside the ``mccoord`` package directory (an
editable install, or a run from the checkout) and runs ``python -m bench`` there in a
child process with the same interpreter; the options are passed on unchanged and
``bench`` checks them. Without a checkout it says so and exits with 2.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ..errors import MccoordError

#: The checkout root when ``mccoord/`` is a folder of a source checkout.
CHECKOUT = Path(__file__).resolve().parents[2]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="measure kernel throughput, compile time, scaling and memory",
        description="Run the benchmarks of bench/ (as `python -m bench` in the source "
        "checkout): print a table and write JSON under bench/results/.",
    )
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or so")
    p.add_argument(
        "--only",
        nargs="+",
        default=None,
        help="run only these sections (`python -m bench --help` lists them)",
    )
    p.add_argument("--out", type=Path, default=None, help="directory for the JSON results")
    p.set_defaults(func=main)


def bench_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m bench`` command line for the parsed options."""
    cmd = [sys.executable, "-m", "bench"]
    if args.quick:
        cmd.append("--quick")
    if args.only:
        cmd += ["--only", *args.only]
    if args.out is not None:
        cmd += ["--out", str(args.out.resolve())]
    return cmd


def main(args: argparse.Namespace) -> int:
    if not (CHECKOUT / "bench" / "__main__.py").is_file():
        raise MccoordError(
            "the benchmarks live in bench/ of the mccoord source checkout, which this "
            "installation does not include; run `python -m bench` from a checkout (pip install -e .)"
        )
    return subprocess.run(bench_command(args), cwd=CHECKOUT).returncode
