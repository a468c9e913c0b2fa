"""Write the benchmark tables of the docs from one results file.

``python -m bench.render [RESULTS.json] [--check]``: the table of ``bench.core.table``
for the results (default ``bench/results/baseline.json``, the one run the docs cite)
replaces the text between the markers ``<!-- bench-table: begin -->`` and
``<!-- bench-table: end -->`` in ``README.md`` and ``docs/performance.md``. With
``--check`` nothing is written; the exit code is 1 when a file's table differs from the
results (the test suite runs this), so the numbers in the docs are never copied by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core import REPO, RESULTS, table

BEGIN = "<!-- bench-table: begin -->"
END = "<!-- bench-table: end -->"
DOCS = (REPO / "README.md", REPO / "docs" / "performance.md")


def rendered(results: Path) -> str:
    """The Markdown table of a results file, with the file it comes from."""
    doc = json.loads(results.read_text())
    rel = results.resolve().relative_to(REPO) if results.resolve().is_relative_to(REPO) else results
    head = f"Run `{doc['command']}` at {doc['timestamp']} (`{rel}`):"
    return f"{head}\n\n{table(doc['results'], doc['machine'])}"


def replace_table(text: str, body: str, name: str) -> str:
    """``text`` with the block between the markers replaced by ``body``."""
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{name}: no {BEGIN} ... {END} block")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", type=Path, default=RESULTS / "baseline.json")
    parser.add_argument("--check", action="store_true", help="only check that the docs match")
    args = parser.parse_args(argv)
    body = rendered(args.results)
    stale = []
    for path in DOCS:
        text = path.read_text()
        new = replace_table(text, body, path.name)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        names = ", ".join(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in stale)
        print(
            f"benchmark tables differ from {args.results}: {names}; run python -m bench.render",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
