"""The API reference builds from the docstrings with every warning an error (docs/build_api.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location("build_api", ROOT / "docs" / "build_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_api_reference_builds_without_warnings(tmp_path):
    builder = _builder()
    modules = builder.build(tmp_path)
    for name in modules:
        page = tmp_path / (name.replace(".", "/") + ".html")
        assert page.is_file(), name
    assert {"mccoord.mixes", "mccoord.ranking", "mccoord.compare", "mccoord.frontier"} <= set(modules)
    assert "mccoord.kernels.model" in modules
    text = (tmp_path / "mccoord" / "ranking.html").read_text(encoding="utf-8")
    assert "rank_order" in text and "Wilson" in text


def test_api_reference_covers_no_private_module():
    assert not [m for m in _builder().public_modules() if "._" in m]
