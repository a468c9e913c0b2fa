"""``mccoord info STORE``: what a store holds, and whether it is complete and intact.

Exit codes: 0 complete (and, with ``--verify``, every chunk intact), 1 incomplete,
3 damaged (``--verify`` found a missing or corrupt chunk). ``--break-lock`` removes the
lock of a run that is gone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

#: Exit code of a store whose data are damaged.
EXIT_DAMAGED = 3


def describe_store(path: Path) -> tuple[str, bool]:
    """A human-readable description of a store and whether it is complete.

    Uses :func:`mccoord.store.inspect_store`, the check every reader of a store runs.
    """
    from ..lock import lock_holder
    from ..store import inspect_store

    status = inspect_store(path)
    attrs = status.attrs
    lines = [f"store      {path}"]
    if status.state == "partial":
        lines += [
            f"scenario   {status.marker.get('scenario')}",
            "status     INCOMPLETE: its creation was interrupted (no block computed)",
        ]
    else:
        versions = json.loads(attrs.get("versions", "{}"))
        lines += [
            f"scenario   {attrs.get('scenario')} (base year {attrs.get('base_year')})",
            f"design     {attrs.get('design')}: {attrs.get('n_mix')} mixes x {attrs.get('paths')} paths x "
            f"{attrs.get('years')} years, seed {attrs.get('seed')}",
            f"blocks     {status.blocks_done} of {status.blocks_total} done",
            f"config     hash {str(attrs.get('config_hash'))[:16]}... "
            f"{'verified' if status.config_verified else 'MISMATCH'}",
            f"written by mccoord {versions.get('mccoord', '?')}, numba {versions.get('numba', '?')}, "
            f"schema v{status.schema_version}, {attrs.get('created', '?')}",
        ]
        if status.missing:
            lines.append(f"missing    {', '.join(status.missing)}")
        state = "COMPLETE" if status.complete else f"INCOMPLETE: {status.problem()}"
        lines.append(f"status     {state}")
    holder = lock_holder(path)
    if holder is not None:
        lines.append(f"lock       held by pid {holder.get('pid')} on {holder.get('host')}")
    if not status.complete and status.resume_command:
        lines.append(f"resume     {status.resume_command}")
    return "\n".join(lines), status.complete


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "info",
        help="describe a store and check that it is complete",
        description="Say what a store holds and how to resume it if it is incomplete; exit 0 if "
        "complete, 1 if not, 3 if --verify finds damaged data.",
    )
    p.add_argument("store", type=Path)
    p.add_argument(
        "--verify",
        action="store_true",
        help="read every chunk and check its CRC-32C checksum (exit 3 on damage)",
    )
    p.add_argument(
        "--break-lock",
        action="store_true",
        help="remove the lock left by a run that is gone (refused while that run is alive on this host)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..lock import break_lock
    from ..store import verify_store

    if args.break_lock:
        print(break_lock(args.store))
    text, complete = describe_store(args.store)
    print(text)
    if args.verify:
        damage = verify_store(args.store)
        for line in damage:
            print(f"DAMAGED    {line}")
        if damage:
            print(f"verify     {len(damage)} damaged or missing chunks")
            return EXIT_DAMAGED
        print("verify     every chunk read, every checksum matches")
    return 0 if complete else 1
