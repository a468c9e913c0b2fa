"""The wheel ships every subpackage, the kernels as mccoord.kernels, and the scenarios."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import mccoord

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        "mccoord." + ".".join(p.parent.relative_to(ROOT / "mccoord").parts)
        for p in (ROOT / "mccoord").rglob("__init__.py")
        if p.parent != ROOT / "mccoord"
    }
    assert found | {"mccoord", "mccoord.kernels", "mccoord.configs"} <= listed


def test_kernels_and_scenarios_are_inside_the_package():
    import mccoord.kernels.paths as paths

    assert "mccoord" in paths.__name__
    for name in ("china", "us", "demo"):
        assert (resources.files("mccoord.configs") / f"{name}.toml").is_file()
    assert (resources.files("mccoord.configs") / "SOURCES.md").is_file()
    assert mccoord.load_scenario("china").n_regions == 31
