"""Build the API reference of mccoord from its docstrings (pdoc, numpydoc format).

Usage: ``python docs/build_api.py OUTDIR`` writes ``OUTDIR/index.html`` and one page per
public module. Every warning pdoc or the imported modules raise while the pages are
built is an error (exit code 1), so a docstring pdoc cannot read fails the build; the
test suite builds it (tests/cli/test_api_docs.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings
from pathlib import Path


def public_modules() -> list[str]:
    """``mccoord`` and every submodule (``mccoord.kernels`` included) whose dotted name has
    no part starting with ``_``."""
    names = set()
    # mccoord.kernels lives in kernels/ of a checkout (attached at import), so walk it too
    for top in ("mccoord", "mccoord.kernels"):
        package = importlib.import_module(top)
        names.add(top)
        names.update(info.name for info in pkgutil.walk_packages(package.__path__, f"{top}."))
    return sorted(n for n in names if not any(part.startswith("_") for part in n.split(".")))


def build(out: Path) -> list[str]:
    """Render the reference into ``out``; return the documented modules.

    Raises
    ------
    Warning
        Any warning raised while importing or rendering (they are errors here).
    """
    import pdoc
    import pdoc.extract
    import pdoc.render

    modules = public_modules()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # pdoc walks the submodules of each package it is given: name each module once
        specs: list[str] = []
        seen: set[str] = set()
        for name in modules:
            if name not in seen:
                specs.append(name)
                seen.update(pdoc.extract.walk_specs([name]))
        pdoc.render.configure(docformat="numpy", search=True, show_source=False)
        pdoc.pdoc(*specs, output_directory=Path(out))
    return modules


if __name__ == "__main__":  # pragma: no cover - command-line use
    if len(sys.argv) != 2:
        sys.exit("usage: python docs/build_api.py OUTDIR")
    done = build(Path(sys.argv[1]))
    print(f"API reference of {len(done)} modules written to {sys.argv[1]}/index.html")
