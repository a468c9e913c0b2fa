"""``mccoord run``: an ensemble over mechanism mixes into a Zarr store, then a ranking table."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from ..params import MECHANISMS


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
        "--workers",
        type=int,
        default=None,
        help="local Dask worker processes (default: one per core; 0 = in this process)",
    )
    p.add_argument("--threads", type=int, default=None, help="Numba threads per worker")
    p.add_argument("--scheduler", default=None, help="address or scheduler file of a Dask cluster")
    p.add_argument("--slurm", default=None, help="SLURM recipe TOML (see configs/slurm.toml)")
    p.add_argument("--paths-per-task", type=int, default=None, help="paths per task (multiple of 100)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store")
    p.add_argument(
        "--max-store-size",
        default=None,
        help="refuse a run whose store could exceed this size (e.g. 20G; always refused beyond free disk)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    p.add_argument("--top", type=int, default=10, help="rows of the ranking table")
    p.set_defaults(func=main)


def ranking_table(ds: xr.Dataset, top: int = 10) -> str:
    """The mixes ranked by ``p_target`` at the horizon, with standard errors."""
    end = ds.sel(time=ds.time[-1])
    if "mix" in ds.dims:
        flat = end
    else:
        flat = end.stack(mix=list(MECHANISMS))
    cols = ["p_target", "p_target_se", "p_sigma", "p_sigma_se", "p_beta", "p_beta_se"]
    table = {c: np.asarray(flat[c].values).ravel() for c in cols}
    levels = {m: np.asarray(flat[m].values).ravel() for m in MECHANISMS}
    order = np.argsort(-table["p_target"], kind="stable")[:top]
    head = " ".join(f"{m[:5]:>5}" for m in MECHANISMS)
    T = int(ds.time[-1])
    lines = [
        f"Mixes ranked by P(sigma falls by {100 * float(ds.attrs.get('target_reduction', 0.25)):.0f}% "
        f"within {T} years), +/- one Monte Carlo SE",
        f"{'rank':>4} {head} {'p_target':>16} {'p_sigma':>16} {'p_beta':>16}",
    ]
    for rank, i in enumerate(order, 1):
        mix = " ".join(f"{levels[m][i]:5.2f}" for m in MECHANISMS)
        cells = " ".join(
            f"{table[c][i]:7.3f} +/- {table[c + '_se'][i]:.3f}" for c in ("p_target", "p_sigma", "p_beta")
        )
        lines.append(f"{rank:>4} {mix} {cells}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from ..ensemble import run
    from ..scenario import load_scenario

    scenario = load_scenario(args.config)
    out = args.out or Path(f"mccoord-{scenario.name}-{datetime.now():%Y%m%d-%H%M%S}.zarr")
    ds = run(
        scenario,
        mixes=args.mixes,
        paths=args.paths,
        years=args.years,
        seed=args.seed,
        store=out,
        workers=args.workers,
        threads=args.threads,
        scheduler=args.scheduler,
        slurm=args.slurm,
        paths_per_task=args.paths_per_task,
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
        print(ranking_table(ds, args.top))
        print(f"open it with: xarray.open_zarr({str(out)!r})")
    return 0
