"""docs/architecture.md matches the code: its layer table holds, and every module it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
#: Folders whose Python files the layer table must place.
SOURCES = ("mccoord", "kernels", "bench")


def layer_table() -> dict[str, int]:
    """``path -> layer`` from the table of the doc (a path ending in ``/`` is a folder)."""
    layers = {}
    for line in DOC.read_text().splitlines():
        row = re.match(r"\|\s*(\d+)\s[^|]*\|(.*)\|\s*$", line)
        if row:
            for path in re.findall(r"`([^`]+)`", row.group(2)):
                layers[path] = int(row.group(1))
    return layers


def layer_of(path: str, layers: dict[str, int]) -> int | None:
    if path in layers:
        return layers[path]
    folders = [p for p in layers if p.endswith("/") and path.startswith(p)]
    return layers[max(folders, key=len)] if folders else None


def source_files() -> list[str]:
    return sorted(
        p.relative_to(ROOT).as_posix()
        for top in SOURCES
        for p in (ROOT / top).rglob("*.py")
        if "data" not in p.relative_to(ROOT).parts
    )


def module_file(name: str) -> str | None:
    """The file of an importable module name of this checkout, or None."""
    parts = name.split(".")
    if parts[:2] == ["mccoord", "kernels"]:
        parts = ["kernels", *parts[2:]]
    if parts[0] not in SOURCES:
        return None
    base = "/".join(parts)
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if (ROOT / candidate).is_file():
            return candidate
    return None


def imports(path: str) -> set[str]:
    """Files of this checkout that ``path`` imports (also inside functions)."""
    package = path.removesuffix(".py").split("/")[:-1]
    if path.startswith("kernels/"):
        package = ["mccoord", *package]
    found = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [
                f"{module}.{a.name}" if module_file(f"{module}.{a.name}") else module for a in node.names
            ]
        else:
            continue
        found.update(f for f in map(module_file, names) if f is not None and f != path)
    return found


def test_every_module_named_on_the_page_exists():
    named = set(re.findall(r"`((?:mccoord|kernels|bench|configs|tests|docs)/[^`]*)`", DOC.read_text()))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert named and not missing


def test_every_module_has_a_layer():
    layers = layer_table()
    assert [f for f in source_files() if layer_of(f, layers) is None] == []


def test_no_module_imports_a_higher_layer():
    layers = layer_table()
    upward = [
        f"{f} (layer {layer_of(f, layers)}) imports {g} (layer {layer_of(g, layers)})"
        for f in source_files()
        for g in sorted(imports(f))
        if layer_of(g, layers) > layer_of(f, layers)
    ]
    assert upward == []


@pytest.mark.parametrize("top", ["mccoord", "kernels"])
def test_no_two_modules_import_each_other(top):
    files = [f for f in source_files() if f.startswith(f"{top}/")]
    edges = {f: imports(f) for f in files}
    mutual = sorted(f"{a} <-> {b}" for a in files for b in edges[a] if b in edges and a in edges[b] and a < b)
    assert mutual == []
