"""``mccoord run``: an ensemble over mechanism mixes into a Zarr store, then a ranking table."""

from __future__ import annotations

import argparse
import tomllib
from datetime import datetime
from pathlib import Path

from ..errors import ConfigError
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run an ensemble over mechanism mixes into a Zarr store",
        description="Run the scenario's grid of mechanism mixes (or a Sobol design) across Dask "
        "workers, write a Zarr store and print the mixes ranked by p_target.",
    )
    p.add_argument(
        "config",
        nargs="?",
        default="china",
        help="scenario: built-in name (china, us, demo) or TOML file (default: china)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="Zarr store to write (default: a new mccoord-SCENARIO-TIMESTAMP.zarr here)",
    )
    p.add_argument("--paths", type=int, default=None, help="paths per mix")
    p.add_argument("--years", type=int, default=None, help="horizon in years")
    p.add_argument("--seed", type=int, default=None, help="run seed")
    p.add_argument("--mixes", default=None, help="'sobol:N' for N sampled mixes (default: the grid)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a model key of docs/MODEL.md section 7 or a simulation setting, "
        "e.g. --set tau_max=0.2 (repeatable)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local Dask worker processes (default: one per core; 0 = threads of this process)",
    )
    p.add_argument("--threads", type=int, default=None, help="Numba threads per worker")
    p.add_argument("--scheduler", default=None, help="address or scheduler file of a Dask cluster")
    p.add_argument("--slurm", default=None, help="SLURM recipe TOML (see configs/slurm.toml)")
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=None,
        help="seconds to wait for a scheduler and its first worker (default 30)",
    )
    p.add_argument("--paths-per-task", type=int, default=None, help="paths per task (multiple of 100)")
    p.add_argument(
        "--mixes-per-task",
        type=int,
        default=None,
        help="mixes per task (default: about 8000 paths per task, at least 32 tasks)",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store")
    p.add_argument(
        "--max-store-size",
        default=None,
        help="refuse a run whose store could exceed this size (e.g. 20G; always refused beyond free disk)",
    )
    p.add_argument(
        "--shocks-only",
        action="store_true",
        help="ignore the scenario's [uncertainty] table: every path runs the central parameters, "
        "so the probabilities reflect shock noise only",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    p.add_argument("--top", type=options.top, default=10, help="rows of the ranking table (default 10)")
    p.set_defaults(func=main)


def parse_settings(pairs: list[str]) -> dict[str, object]:
    """``["tau_max=0.2", "review=4"]`` -> ``{"tau_max": 0.2, "review": 4}`` (values read as TOML)."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError("--set", pair, "KEY=VALUE, e.g. tau_max=0.2")
        try:
            out[key] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            raise ConfigError(f"--set {key}", value, "a number (or a TOML value)") from None
    return out


def main(args: argparse.Namespace) -> int:
    from ..cluster import default_local_workers
    from ..ensemble import run
    from ..ranking import format_ranking, ranking
    from ..scenario import load_scenario

    overrides = parse_settings(args.set)
    if "mechanisms" in overrides:
        raise ConfigError("--set mechanisms", overrides["mechanisms"], "a model key or a simulation setting")
    scenario = load_scenario(args.config)
    if args.shocks_only:
        scenario = scenario.without_uncertainty()
    scenario = scenario.with_overrides(**overrides)
    out = args.out or Path(f"mccoord-{scenario.name}-{datetime.now():%Y%m%d-%H%M%S}.zarr")
    # the command line runs on a local cluster of processes unless told otherwise
    workers = args.workers
    if workers is None and args.scheduler is None and args.slurm is None:
        workers = default_local_workers(args.threads)
    ds = run(
        scenario,
        mixes=args.mixes,
        paths=args.paths,
        years=args.years,
        seed=args.seed,
        store=out,
        workers=workers,
        threads=args.threads,
        scheduler=args.scheduler,
        slurm=args.slurm,
        connect_timeout=args.connect_timeout,
        paths_per_task=args.paths_per_task,
        mixes_per_task=args.mixes_per_task,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=not args.quiet,
        max_store_size=args.max_store_size,
    )
    if not args.quiet:
        secs = float(ds.attrs.get("wall_seconds", 0))
        steps = int(ds.attrs.get("region_steps", 0))
        print(
            f"wrote {out}: {ds.attrs['n_mix']} mixes x {ds.attrs['paths']} paths x "
            f"{ds.attrs['years']} years in {secs:.1f} s "
            f"({steps / max(secs, 1e-9) / 1e6:.1f}M region-steps/s)"
        )
        print(format_ranking(ranking(ds, args.top)))
        print(f"open it with: xarray.open_zarr({str(out)!r})")
    return 0
