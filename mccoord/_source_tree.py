"""Make ``mccoord.kernels`` and ``mccoord.configs`` importable from a source checkout.

In the repository the Numba kernels and the scenarios live beside the package, in
``kernels/`` and ``configs/``; an installed wheel (or an editable install) maps them to
``mccoord.kernels`` and ``mccoord.configs``. When Python imports ``mccoord`` straight
from the checkout (a script or ``python -m pytest`` run in the repository root puts the
root first on ``sys.path``, so the folder ``mccoord/`` shadows the installed package),
those two subpackages are not inside the folder. :func:`attach` then loads them from
the sibling folders under their package names, so the checkout behaves like the
installed package. It does nothing when the subpackages are found the normal way.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

#: Subpackage name -> folder beside ``mccoord/`` in a source checkout.
SIBLINGS = {"kernels": "kernels", "configs": "configs"}


def attach(package: str, package_dir: Path) -> None:
    """Load each sibling folder as ``package.<name>`` unless it is importable already."""
    root = package_dir.parent
    for name, folder in SIBLINGS.items():
        full = f"{package}.{name}"
        init = root / folder / "__init__.py"
        if full in sys.modules or (package_dir / name).is_dir() or not init.is_file():
            continue
        if importlib.util.find_spec(full) is not None:  # an editable install maps it
            continue
        spec = importlib.util.spec_from_file_location(
            full, init, submodule_search_locations=[str(root / folder)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
