"""The benchmark tables of the README and docs/performance.md are the committed run's."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "bench" / "render.py").is_file():  # pragma: no cover - installed without checkout
    pytest.skip("bench/ is only in the source checkout", allow_module_level=True)
from bench import render  # noqa: E402

BASELINE = ROOT / "bench" / "results" / "baseline.json"


def test_the_docs_show_the_table_of_the_committed_run():
    assert BASELINE.is_file(), "bench/results/baseline.json is the run the docs cite"
    assert render.main([str(BASELINE), "--check"]) == 0


def test_a_changed_table_is_detected(tmp_path, monkeypatch):
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{render.BEGIN}\nold numbers\n{render.END}\nrest\n")
    monkeypatch.setattr(render, "DOCS", (doc,))
    assert render.main([str(BASELINE), "--check"]) == 1
    assert "old numbers" in doc.read_text()
    assert render.main([str(BASELINE)]) == 0
    text = doc.read_text()
    assert "old numbers" not in text and "| target |" in text and text.endswith("rest\n")
    assert render.main([str(BASELINE), "--check"]) == 0
