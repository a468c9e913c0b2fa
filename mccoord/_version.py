"""The installed version of mccoord, read once from the package metadata.

Modules that record the version (provenance attrs, file headers, the worker check) import
it from here rather than from the package ``__init__``, which imports everything else.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mccoord")
except PackageNotFoundError:  # pragma: no cover - imported from a source tree never installed
    __version__ = "0.0.0+unknown"
