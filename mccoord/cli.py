"""The ``mccoord`` command line.

Each subcommand lives in its own module of :mod:`mccoord.commands` (the convention is
described there). Errors that mccoord raises on purpose, and malformed arguments, print
one line and exit with code 2; nothing is written first.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import MccoordError

#: Modules that register a subcommand, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "mccoord.commands.run_cmd",
    "mccoord.commands.info_cmd",
    "mccoord.commands.simulate_cmd",
    "mccoord.commands.calibrate_cmd",
    "mccoord.commands.backtest_cmd",
    "mccoord.commands.bench_cmd",
    "mccoord.commands.plot_cmd",
    "mccoord.commands.report_cmd",
    "mccoord.commands.compare_cmd",
    "mccoord.commands.frontier_cmd",
    "mccoord.commands.sensitivity_cmd",
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``mccoord run: error: ...``), exit 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    from ._version import __version__

    parser = OneLineParser(
        prog="mccoord",
        description="Monte Carlo engine for regional economic coordination.",
    )
    parser.add_argument("--version", action="version", version=f"mccoord {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except MccoordError as exc:
        print(f"mccoord: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mccoord: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
