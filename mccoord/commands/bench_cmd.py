"""``mccoord bench [--quick]``: the benchmark suite of ``bench/`` (same code as ``python -m bench``).

``bench/`` lives at the top of the source checkout and is not part of the installed
package. With an editable install (or when run from the checkout) it is found next to
the ``mccoord`` package directory; otherwise the command says so and exits with 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ..errors import MccoordError


def _load_bench():
    try:
        return importlib.import_module("bench.core")
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", "bench.core"):
            raise
    root = Path(__file__).resolve().parents[2]
    if (root / "bench" / "core.py").is_file():
        # only for the import: left on sys.path, the checkout's mccoord/ (without the
        # kernels, which live in kernels/) would shadow the installed package in every
        # process spawned later (Dask workers)
        sys.path.insert(0, str(root))
        try:
            return importlib.import_module("bench.core")
        finally:
            sys.path.remove(str(root))
    raise MccoordError(
        "the benchmarks live in bench/ of the mccoord source checkout, which this "
        "installation does not include; run `python -m bench` from a checkout "
        "(pip install -e .)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="measure kernel throughput, compile time, scaling and memory",
        description="Run the benchmarks of bench/ (as `python -m bench`): print a "
        "table and write JSON under bench/results/.",
    )
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or so")
    p.add_argument(
        "--only",
        nargs="+",
        default=None,
        help="run only these sections (kernel reference compile dask memory regions tasks)",
    )
    p.add_argument("--out", type=Path, default=None, help="directory for the JSON results")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    core = _load_bench()
    only = args.only or list(core.SECTIONS)
    bad = [s for s in only if s not in core.SECTIONS]
    if bad:
        raise MccoordError(f"unknown bench section(s) {bad}; choose from {list(core.SECTIONS)}")
    ns = argparse.Namespace(quick=args.quick, only=only, out=args.out or core.RESULTS)
    return core.run_cli(ns)
