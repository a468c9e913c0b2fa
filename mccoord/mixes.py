"""Mechanism mixes of a results dataset: parsing, naming, ranking order and selection.

A results dataset of :func:`mccoord.run` holds its mixes either as a factorial grid (one
dimension per mechanism, holding its levels) or as a sampled design (one ``mix``
dimension with the five intensities as coordinates). Everything that picks or names a
mix goes through this module, so the command line, the plots, the report, ``compare``
and ``frontier`` agree on what "the best mix" or ``transfer=1,market=0.5`` means.

Rules
-----
- A mix given as intensities (``{"transfer": 1}``) leaves the mechanisms it does not
  name at their lowest level (on the usual grids: 0, off). On a sampled design it
  selects the nearest sampled mix (Euclidean distance over the five intensities).
- ``"off"`` is every mechanism at its lowest level, ``"on"`` at its highest.
- ``"best"`` is the first mix of :func:`rank_order`.
- A two-mechanism slice (heatmaps, driver shares over one mechanism) holds the *other*
  mechanisms at their highest level unless told otherwise (:func:`slice_point`): the
  question such a figure answers is "what does this mechanism add when everything else
  is already in place?", and the highest level is the one every grid has.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .errors import ConfigError
from .params import MECHANISMS, validate_mix

#: What a mix may be given as: ``"best"``, ``"off"``, ``"on"``, a flat mix index (design
#: order, last mechanism fastest) or a dict of intensities by mechanism name.
MixSpec = str | int | dict

NAMED = ("best", "off", "on")


def parse_mix(text: str, *, field: str = "--mix", named: bool = True) -> MixSpec:
    """Parse a mix from the command line.

    Parameters
    ----------
    text : str
        ``transfer=1,market=0.5`` (mechanisms not named are at 0), an empty string (all
        at 0), or, when ``named``, ``best``, ``off``, ``on`` or a flat mix index.
    field : str
        Name of the option, used in error messages.
    named : bool
        Accept ``best``/``off``/``on`` and indices (they need a results dataset);
        ``False`` where only intensities make sense (``simulate``, ``backtest``).

    Returns
    -------
    str, int or dict
        The named mix, the index, or a dict of intensities in [0, 1].

    Raises
    ------
    ConfigError
        On an unknown mechanism, a value that is not a number in [0, 1] or a malformed
        pair.
    """
    text = str(text).strip()
    if named and text in NAMED:
        return text
    if named and text.isdigit():
        return int(text)
    if not text:
        return {}
    pairs = "MECH=VALUE pairs separated by commas, MECH one of " + ", ".join(MECHANISMS)
    expected = ("best, off, on, a mix index or " if named else "") + pairs
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise ConfigError(field, text, expected)
        if key not in MECHANISMS:
            raise ConfigError(
                f"{field}.{key}", value.strip(), f"one of the mechanisms: {', '.join(MECHANISMS)}"
            )
        if key in out:
            raise ConfigError(field, text, f"each mechanism at most once ({key} is repeated)")
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{field} {key}", value.strip(), "a number in [0, 1]") from None
        out[key] = number
    validate_mix(out, where=field)
    return out


def is_grid(ds: xr.Dataset) -> bool:
    """True for a factorial grid (mechanism dims), False for a sampled ``mix`` dimension."""
    return "mix" not in ds.dims


def grid_mechs(ds: xr.Dataset) -> list[str]:
    """The mechanisms that are dimensions of a grid dataset, in mechanism order."""
    return [m for m in MECHANISMS if m in ds.dims]


def flat(ds: xr.Dataset) -> xr.Dataset:
    """The dataset with one ``mix`` dimension in design order (last mechanism fastest).

    A sampled design is returned unchanged; a grid is stacked over its mechanism
    dimensions, so position ``k`` along ``mix`` is the flat mix index ``k`` of the
    store's per-path data when every mechanism is a dimension.
    """
    if not is_grid(ds):
        return ds
    mechs = grid_mechs(ds)
    if not mechs:
        raise ConfigError("dataset", "no mechanism dimension", "a grid (mechanism dims) or a mix dimension")
    return ds.stack(mix=mechs).reset_index("mix")


def intensities(ds: xr.Dataset) -> np.ndarray:
    """``(n_mix, 5)`` intensities of every mix in design order (mechanism columns).

    A mechanism that is not a coordinate of ``ds`` counts as 0 (off).
    """
    one = flat(ds)
    n = one.sizes["mix"]
    cols = [
        np.broadcast_to(np.asarray(one[m].values, dtype=float), (n,)) if m in one.coords else np.zeros(n)
        for m in MECHANISMS
    ]
    return np.column_stack(cols)


def horizon(ds: xr.Dataset, time: float | None = None) -> tuple[int, float]:
    """``(position, value)`` of ``time`` on the time axis (default the horizon).

    Raises
    ------
    ConfigError
        If ``time`` is not a recorded time.
    """
    times = np.asarray(ds["time"].values, dtype=float)
    if time is None:
        return len(times) - 1, float(times[-1])
    hit = np.flatnonzero(np.isclose(times, float(time)))
    if not hit.size:
        raise ConfigError("--time", time, f"a recorded time from {times[0]:g} to {times[-1]:g} (years)")
    return int(hit[0]), float(times[hit[0]])


def rank_order(ds: xr.Dataset, time: float | None = None) -> np.ndarray:
    """Flat mix indices, best first: the order of the ranking table and of ``"best"``.

    Mixes are ordered by ``p_target`` at ``time`` (default the horizon), largest first.
    Ties are broken, in this order, by

    1. the larger mean of ``p_target`` over the recorded times up to ``time`` (the mix
       that reaches the target earlier on more paths: the mean is the area under the
       probability curve);
    2. the smaller sum of intensities (the less demanding mix);
    3. design order (flat index).

    Mixes without a value (no valid path) come last.
    """
    pos, _ = horizon(ds, time)
    one = flat(ds)
    p = one["p_target"].isel(time=pos).values.astype(float)
    area = one["p_target"].isel(time=slice(0, pos + 1)).mean("time").values.astype(float)
    total = intensities(ds).sum(axis=1)
    index = np.arange(p.size)
    worst = -np.inf
    keys = (index, total, -np.nan_to_num(area, nan=worst), -np.nan_to_num(p, nan=worst))
    return np.lexsort(keys)


def _unflatten(ds: xr.Dataset, k: int) -> dict[str, int]:
    mechs = grid_mechs(ds)
    shape = tuple(ds.sizes[m] for m in mechs)
    return dict(zip(mechs, (int(i) for i in np.unravel_index(int(k), shape)), strict=True))


def mix_point(ds: xr.Dataset, mix: MixSpec) -> dict[str, int]:
    """Indexers (for ``ds.isel``) that select one mix.

    Parameters
    ----------
    ds : xarray.Dataset
        Results of :func:`mccoord.run`.
    mix : str, int or dict
        ``"best"``, ``"off"``, ``"on"``, a flat mix index, or intensities (see the
        module docstring for the rules).

    Raises
    ------
    ConfigError
        If the mix is not in the dataset (a grid level that does not exist, an index
        out of range) or is of an unknown kind.
    """
    n = int(flat(ds).sizes["mix"])
    if isinstance(mix, bool):
        raise ConfigError("mix", mix, "'best', 'off', 'on', a flat mix index or a dict of intensities")
    if isinstance(mix, int | np.integer):
        if not 0 <= int(mix) < n:
            raise ConfigError("mix", mix, f"a flat mix index in 0..{n - 1}")
        return _unflatten(ds, int(mix)) if is_grid(ds) else {"mix": int(mix)}
    if mix == "best":
        k = int(rank_order(ds)[0])
        return _unflatten(ds, k) if is_grid(ds) else {"mix": k}
    if mix in ("off", "on") and is_grid(ds):
        pick = np.argmin if mix == "off" else np.argmax
        return {m: int(pick(ds[m].values)) for m in grid_mechs(ds)}
    if isinstance(mix, dict):
        validate_mix(mix)
        if is_grid(ds):
            out = {}
            for m in grid_mechs(ds):
                levels = np.asarray(ds[m].values, dtype=float)
                out[m] = int(np.argmin(levels)) if m not in mix else _level(levels, mix[m], f"mix.{m}")
            return out
    if mix in ("off", "on") or isinstance(mix, dict):
        theta = intensities(ds)
        if isinstance(mix, dict):
            target = np.array([float(mix.get(m, 0.0)) for m in MECHANISMS])
        else:
            target = theta.min(axis=0) if mix == "off" else theta.max(axis=0)
        return {"mix": int(np.argmin(((theta - target) ** 2).sum(axis=1)))}
    raise ConfigError("mix", mix, "'best', 'off', 'on', a flat mix index or a dict of intensities")


def _level(levels: np.ndarray, value: object, field: str) -> int:
    hit = np.flatnonzero(np.isclose(levels, float(value)))
    if not hit.size:
        raise ConfigError(field, value, f"a level of the grid ({', '.join(f'{v:g}' for v in levels)})")
    return int(hit[0])


def slice_point(ds: xr.Dataset, free: tuple[str, ...], fixed: dict | None = None) -> dict[str, int]:
    """Indexers holding every grid mechanism except ``free`` at one level.

    The mechanisms in ``fixed`` (intensities) are held at those levels, all others at
    their **highest** level (see the module docstring for why).

    Raises
    ------
    ConfigError
        If a ``free`` mechanism is not a grid dimension or a ``fixed`` value is not a
        level of the grid.
    """
    fixed = dict(fixed or {})
    mechs = grid_mechs(ds)
    for m in free:
        if m not in mechs:
            raise ConfigError(m, "single level", "a mechanism with a grid dimension")
    unknown = sorted(set(fixed) - set(MECHANISMS))
    if unknown:
        raise ConfigError("fixed", unknown, f"mechanisms among: {', '.join(MECHANISMS)}")
    point = {}
    for m in mechs:
        if m in free:
            continue
        levels = np.asarray(ds[m].values, dtype=float)
        point[m] = _level(levels, fixed[m], f"fixed.{m}") if m in fixed else int(np.argmax(levels))
    return point


def select_mix(ds: xr.Dataset, mix: MixSpec) -> xr.Dataset:
    """The dataset of one mix (its intensities left as scalar coordinates)."""
    return ds.isel(mix_point(ds, mix))


def describe(levels: dict[str, float]) -> str:
    """A mix in words with full mechanism names: ``transfer 1, cooperation 0.5``.

    Mechanisms at 0 are left out (``all off`` when every one is 0); a mix with every
    mechanism at the same positive level reads ``all five at 1``.
    """
    values = [float(levels.get(m, 0.0)) for m in MECHANISMS]
    if all(v == 0 for v in values):
        return "all off"
    if all(v == values[0] for v in values):
        return f"all five at {values[0]:g}"
    return ", ".join(f"{m.replace('_', ' ')} {v:g}" for m, v in zip(MECHANISMS, values, strict=True) if v)


def mix_label(one: xr.Dataset) -> str:
    """:func:`describe` of a one-mix dataset (e.g. from :func:`select_mix`)."""
    return describe({m: float(one[m].values) for m in MECHANISMS if m in one.coords})


def default_mixes(ds: xr.Dataset) -> list[MixSpec]:
    """All off, all on and the best mix, without repeats."""
    seen, out = set(), []
    for spec in ("off", "on", "best"):
        key = tuple(sorted(mix_point(ds, spec).items()))
        if key not in seen:
            seen.add(key)
            out.append(spec)
    return out
