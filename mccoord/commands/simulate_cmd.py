"""``mccoord simulate``: the paths of one mix, printed as a summary or saved as NetCDF/Zarr."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError
from ..params import MECHANISMS


def parse_mix(text: str) -> dict[str, float]:
    """Parse ``transfer=1,market=0.5`` into a mix dict."""
    mix: dict[str, float] = {}
    if not text:
        return mix
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise ConfigError("--mix", part, "NAME=VALUE pairs separated by commas")
        try:
            mix[key] = float(value)
        except ValueError as exc:
            raise ConfigError(f"--mix {key}", value, "a number in [0, 1]") from exc
    return mix


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate the paths of one mechanism mix",
        description="Simulate every path of one mix and print a summary.",
    )
    p.add_argument("config", nargs="?", default="china", help="scenario name or TOML file")
    p.add_argument("--mix", default="", help=f"e.g. transfer=1,market=0.5 (names: {', '.join(MECHANISMS)})")
    p.add_argument("--paths", type=int, default=1000)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--years", type=int, default=None)
    p.add_argument("--out", type=Path, default=None, help="write the dataset to this NetCDF (.nc) file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..scenario import load_scenario
    from ..simulate import simulate

    sc = load_scenario(args.config)
    mix = parse_mix(args.mix)
    if args.out is not None and args.out.exists():
        raise ConfigError("--out", str(args.out), "a path that does not exist yet (nothing is overwritten)")
    if args.out is not None:
        from ..files import writable_output

        writable_output(args.out, "--out")
    seed = sc.simulation["seed"] if args.seed is None else args.seed
    ds = simulate(sc, mix, paths=args.paths, seed=seed, years=args.years)
    T = int(ds.time[-1])
    print(f"{sc.name}: {args.paths} paths x {T} years, mix {mix or 'all off'}")
    print(
        f"  sigma(0) = {float(ds.sigma.isel(time=0).mean()):.4f}, "
        f"mean sigma(T) = {float(ds.sigma.isel(time=-1).mean()):.4f}"
    )
    print(f"  P(sigma(T) < sigma(0)) = {float((ds.sigma.isel(time=-1) < ds.sigma.isel(time=0)).mean()):.3f}")
    print(
        f"  P(beta < 0) = {float((ds.beta_slope < 0).mean()):.3f}, "
        f"mean growth = {float(ds.growth.mean()):.4f}/year"
    )
    if args.out is not None:
        from ..catalogue import cf_dataset

        cf_dataset(ds).to_netcdf(args.out)
        print(f"  written to {args.out}")
    return 0
