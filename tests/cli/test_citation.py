"""CITATION.cff and LICENSE agree with pyproject.toml, and cite the paper the model implements."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
#: Top-level keys of the Citation File Format 1.2.0 schema.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
    "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
    "repository-artifact", "repository-code", "title", "type", "url", "version",
}  # fmt: skip


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_citation_has_the_keys_cff_requires_and_no_others():
    cff = _cff()
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert set(cff) <= CFF_KEYS
    assert cff["cff-version"] == "1.2.0"


def test_citation_version_and_licence_match_pyproject():
    cff, project = _cff(), _project()
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]["text"] == "MIT"


def test_licence_file_is_the_mit_licence():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "MIT License"
    assert "Permission is hereby granted, free of charge" in text
    assert "mccoord developers" in text and " ".join(a["name"] for a in _project()["authors"]) in text


def test_citation_references_the_paper():
    papers = [r for r in _cff()["references"] if r["type"] == "article"]
    assert [p["title"] for p in papers] == [
        "Explore the Mechanism of Regional Economic Coordinated Development"
    ]
    assert papers[0]["authors"][0]["family-names"] == "Wang"
    assert papers[0]["authors"][0]["given-names"] == "Huijun"
