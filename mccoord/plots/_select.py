"""Choosing mixes in a results dataset (grid or sampled) and naming them."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import ConfigError
from ..params import MECHANISMS

#: One-letter abbreviations used in mix labels.
ABBREV = {"transfer": "T", "market": "M", "cooperation": "C", "supervision": "S", "order_parameter": "O"}

MixSpec = str | int | dict


def is_grid(ds: xr.Dataset) -> bool:
    """True for a factorial grid (mechanism dims), False for a ``mix`` dimension."""
    return "mix" not in ds.dims


def grid_mechs(ds: xr.Dataset) -> list[str]:
    return [m for m in MECHANISMS if m in ds.dims]


def horizon_values(ds: xr.Dataset, metric: str = "p_target") -> xr.DataArray:
    da = ds[metric]
    if "time" in da.dims:
        da = da.isel(time=-1)
    return da


def _best(ds: xr.Dataset, lead: list[str]) -> int:
    """Flat index of the largest p_target at the horizon; ties broken by its mean over time."""
    end = np.asarray(horizon_values(ds).transpose(*lead).values, dtype=float).ravel()
    mean = np.asarray(ds["p_target"].mean("time").transpose(*lead).values, dtype=float).ravel()
    order = np.lexsort((-np.nan_to_num(mean, nan=-np.inf), -np.nan_to_num(end, nan=-np.inf)))
    return int(order[0])


def mix_point(ds: xr.Dataset, mix: MixSpec) -> dict:
    """Indexers (``isel``) selecting one mix.

    ``mix``: ``"best"`` (largest p_target at the horizon, ties broken by the largest
    mean over time), ``"off"`` (lowest levels),
    ``"on"`` (highest levels), a flat mix index, or a dict of intensities (mechanisms
    left out are at their lowest level; a sampled design takes the nearest mix).
    """
    if is_grid(ds):
        mechs = grid_mechs(ds)
        shape = tuple(ds.sizes[m] for m in mechs)
        if mix == "best":
            flat = _best(ds, mechs)
            return dict(zip(mechs, (int(i) for i in np.unravel_index(flat, shape)), strict=True))
        if mix == "off":
            return {m: int(np.argmin(ds[m].values)) for m in mechs}
        if mix == "on":
            return {m: int(np.argmax(ds[m].values)) for m in mechs}
        if isinstance(mix, int | np.integer) and not isinstance(mix, bool):
            if not 0 <= int(mix) < int(np.prod(shape)):
                raise ConfigError("mix", mix, f"a flat mix index in 0..{int(np.prod(shape)) - 1}")
            return dict(zip(mechs, (int(i) for i in np.unravel_index(int(mix), shape)), strict=True))
        if isinstance(mix, dict):
            out = {}
            for m in mechs:
                levels = np.asarray(ds[m].values, dtype=float)
                if m not in mix:
                    out[m] = int(np.argmin(levels))
                    continue
                hit = np.flatnonzero(np.isclose(levels, float(mix[m])))
                if not hit.size:
                    shown = ", ".join(f"{v:g}" for v in levels)
                    raise ConfigError(f"mix.{m}", mix[m], f"a grid level ({shown})")
                out[m] = int(hit[0])
            return out
        raise ConfigError("mix", mix, "'best', 'off', 'on', a flat mix index or a dict of intensities")
    n = ds.sizes["mix"]
    theta = np.column_stack([np.asarray(ds[m].values, dtype=float) for m in MECHANISMS])
    if mix == "best":
        return {"mix": _best(ds, ["mix"])}
    if mix in ("off", "on") or isinstance(mix, dict):
        if isinstance(mix, dict):
            target = np.array([float(mix.get(m, 0.0)) for m in MECHANISMS])
        else:
            target = np.full(len(MECHANISMS), 0.0 if mix == "off" else 1.0)
        return {"mix": int(np.argmin(((theta - target) ** 2).sum(axis=1)))}
    if isinstance(mix, int | np.integer) and not isinstance(mix, bool):
        if not 0 <= int(mix) < n:
            raise ConfigError("mix", mix, f"a mix index in 0..{n - 1}")
        return {"mix": int(mix)}
    raise ConfigError("mix", mix, "'best', 'off', 'on', a mix index or a dict of intensities")


def select_mix(ds: xr.Dataset, mix: MixSpec) -> xr.Dataset:
    """The dataset of one mix (mechanism intensities left as scalar coordinates)."""
    return ds.isel(mix_point(ds, mix))


def mix_label(one: xr.Dataset) -> str:
    """``T=1 M=0.5 C=0 S=1 O=0`` for a one-mix dataset."""
    return " ".join(f"{ABBREV[m]}={float(one[m].values):g}" for m in MECHANISMS if m in one.coords)


def parse_mix(text: str) -> MixSpec:
    """A mix from the command line: best|off|on, an index, or ``transfer=1,market=0.5``."""
    text = text.strip()
    if text in ("best", "off", "on"):
        return text
    if text.isdigit():
        return int(text)
    out = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in MECHANISMS:
            raise ConfigError(
                "--mix",
                text,
                "best, off, on, an index, or MECH=VALUE,... with MECH in " + ", ".join(MECHANISMS),
            )
        try:
            out[key] = float(value)
        except ValueError:
            raise ConfigError(f"--mix {key}", value, "a number") from None
    return out


def default_mixes(ds: xr.Dataset) -> list[MixSpec]:
    """All off, all on and the best mix, without repeats."""
    seen, out = set(), []
    for spec in ("off", "on", "best"):
        key = tuple(sorted(mix_point(ds, spec).items()))
        if key not in seen:
            seen.add(key)
            out.append(spec)
    return out
