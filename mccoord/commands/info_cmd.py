"""``mccoord info STORE``: what a store holds, and whether it is complete and intact."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import StoreError


def describe_store(path: Path) -> tuple[str, bool]:
    """A human-readable description of a store and whether it is complete."""
    from ..store import SCHEMA_VERSION, config_hash, done_flags, is_store, read_attrs

    if not path.exists():
        raise StoreError(f"store {path}: does not exist")
    if not path.is_dir() or not is_store(path):
        raise StoreError(f"store {path}: not a mccoord store")
    attrs = read_attrs(path)
    lines = [f"store      {path}"]
    version = attrs.get("mccoord_schema_version")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"store {path}: schema version {version}, this mccoord reads {SCHEMA_VERSION}; "
            "open it with the mccoord version that wrote it"
        )
    config = json.loads(attrs.get("config", "{}"))
    intact = config_hash(config) == attrs.get("config_hash")
    flags = done_flags(path)
    n_done, n_all = int(flags.sum()), int(flags.size)
    complete = bool(attrs.get("complete")) and n_done == n_all and intact
    versions = json.loads(attrs.get("versions", "{}"))
    lines += [
        f"scenario   {attrs.get('scenario')} (base year {attrs.get('base_year')})",
        f"design     {attrs.get('design')}: {attrs.get('n_mix')} mixes x {attrs.get('paths')} paths x "
        f"{attrs.get('years')} years, seed {attrs.get('seed')}",
        f"blocks     {n_done} of {n_all} done",
        f"config     hash {str(attrs.get('config_hash'))[:16]}... {'verified' if intact else 'MISMATCH'}",
        f"written by mccoord {versions.get('mccoord', '?')}, numba {versions.get('numba', '?')}, "
        f"schema v{version}, {attrs.get('created', '?')}",
        "status     "
        + ("COMPLETE" if complete else "INCOMPLETE: finish it with mccoord run CONFIG --resume --out STORE"),
    ]
    return "\n".join(lines), complete


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "info",
        help="describe a store and check that it is complete",
        description="Say what a store holds; exit 0 if complete, 1 if not.",
    )
    p.add_argument("store", type=Path)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    text, complete = describe_store(args.store)
    print(text)
    return 0 if complete else 1
