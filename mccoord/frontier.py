"""Cost-effectiveness of mixes: the frontier of (cost, probability of the target).

A mix's cost is ``sum_m cost_m * theta_m``: the cost of each mechanism at full
intensity times its intensity. Unit costs come from the scenario's ``[costs]`` table
(stored with the run's configuration), with defaults
:data:`mccoord.scenario.COST_DEFAULTS` (1 per mechanism) for what the table leaves out
or for stores written without one; ``costs=`` (``mccoord frontier --cost``) overrides
them.

A mix is on the frontier when no other mix is at most as expensive and at least as
likely to reach the target, and strictly better in one of the two (Pareto, on the point
estimates of ``p_target``). Each probability carries its 95% Wilson interval, so a
frontier step smaller than the intervals is not a real improvement.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from .errors import ConfigError
from .intervals import wilson_interval
from .mixes import flat, horizon, intensities
from .params import MECHANISMS
from .scenario import COST_DEFAULTS, COST_UNITS_DEFAULT


def stored_costs(ds: xr.Dataset) -> dict:
    """Unit costs recorded with a run (its scenario's ``[costs]``), defaults otherwise."""
    out: dict = dict(COST_DEFAULTS) | {"units": COST_UNITS_DEFAULT}
    try:
        config = json.loads(ds.attrs.get("config", "{}"))
    except (TypeError, ValueError):
        config = {}
    out.update((config.get("scenario") or {}).get("costs") or {})
    return out


def resolve_costs(ds: xr.Dataset, costs: dict | None = None) -> dict:
    """The stored costs of ``ds`` with ``costs`` (mechanism -> cost, or ``units``) on top.

    Raises
    ------
    ConfigError
        On an unknown mechanism or a cost that is not a finite number >= 0.
    """
    out = stored_costs(ds)
    for key, value in (costs or {}).items():
        if key == "units":
            out["units"] = str(value)
            continue
        if key not in MECHANISMS:
            raise ConfigError(f"costs.{key}", value, f"one of the mechanisms ({', '.join(MECHANISMS)})")
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ConfigError(f"costs.{key}", value, "a finite number >= 0")
        if not 0 <= float(value) < np.inf:
            raise ConfigError(f"costs.{key}", value, "a finite number >= 0")
        out[key] = float(value)
    return out


def dominated(cost: np.ndarray, p: np.ndarray) -> np.ndarray:
    """True where another point is no dearer and no less likely, and better in one.

    Points with a NaN probability are dominated (they have no valid path).
    """
    cost = np.asarray(cost, dtype=float)
    p = np.asarray(p, dtype=float)
    ok = np.isfinite(p)
    c, q = cost[:, None], p[:, None]
    better = (cost[None, :] <= c) & (p[None, :] >= q) & ((cost[None, :] < c) | (p[None, :] > q))
    better &= ok[None, :]
    return ~ok | better.any(axis=1)


def frontier(ds: xr.Dataset, costs: dict | None = None, *, time: float | None = None) -> pd.DataFrame:
    """Every mix with its cost and target probability, and whether it is on the frontier.

    Parameters
    ----------
    ds : xarray.Dataset
        Results of :func:`mccoord.run`.
    costs : dict, optional
        Unit costs overriding the stored ones (see :func:`resolve_costs`).
    time : float, optional
        Time [years since the base year] of ``p_target``; default the horizon.

    Returns
    -------
    pandas.DataFrame
        One row per mix, sorted by cost then ``p_target`` (largest first): ``mix`` (flat
        index), the five intensities, ``cost``, ``p_target``, ``p_target_lo``,
        ``p_target_hi`` (95% Wilson), ``n_paths`` and ``on_frontier``. ``attrs`` holds
        ``costs``, ``units``, ``time`` and ``target_reduction``.
    """
    unit = resolve_costs(ds, costs)
    pos, t = horizon(ds, time)
    one = flat(ds)
    theta = intensities(ds)
    n_mix = theta.shape[0]
    price = np.array([unit[m] for m in MECHANISMS])
    cost = theta @ price
    p = np.asarray(one["p_target"].isel(time=pos).values, dtype=float)
    n = np.broadcast_to(np.asarray(one["n_paths"].values, dtype=float), (n_mix,))
    lo, hi = wilson_interval(p, n)
    frame = pd.DataFrame({"mix": np.arange(n_mix)} | {m: theta[:, j] for j, m in enumerate(MECHANISMS)})
    frame["cost"] = cost
    frame["p_target"], frame["p_target_lo"], frame["p_target_hi"] = p, lo, hi
    frame["n_paths"] = n.astype(int)
    frame["on_frontier"] = ~dominated(cost, p)
    frame = frame.sort_values(["cost", "p_target", "mix"], ascending=[True, False, True], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.attrs.update(
        costs={m: unit[m] for m in MECHANISMS},
        units=unit["units"],
        time=t,
        target_reduction=float(ds.attrs.get("target_reduction", 0.25)),
    )
    return frame


def cheapest(table: pd.DataFrame, reach: float, *, confident: bool = False) -> pd.Series | None:
    """The cheapest mix whose target probability reaches ``reach``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`frontier`.
    reach : float
        Probability in [0, 1] the mix must reach.
    confident : bool
        Require the lower end of the 95% Wilson interval, not the estimate, to reach it.

    Returns
    -------
    pandas.Series or None
        The row (ties in cost: the larger ``p_target``), or None if no mix reaches it.
    """
    if isinstance(reach, bool) or not 0.0 <= float(reach) <= 1.0:
        raise ConfigError("reach", reach, "a probability in [0, 1]")
    column = "p_target_lo" if confident else "p_target"
    hits = table[table[column] >= float(reach)]
    if hits.empty:
        return None
    return hits.sort_values(["cost", "p_target"], ascending=[True, False], kind="stable").iloc[0]


def parse_costs(text: str) -> dict[str, float]:
    """Unit costs from the command line: ``transfer=3,market=0.5`` -> ``{"transfer": 3.0, ...}``.

    Raises
    ------
    ConfigError
        On an unknown mechanism or a value that is not a finite number >= 0.
    """
    out: dict[str, float] = {}
    for part in filter(None, (s.strip() for s in str(text).split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in MECHANISMS:
            raise ConfigError("--cost", text, f"MECH=COST pairs, MECH one of {', '.join(MECHANISMS)}")
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"--cost {key}", value.strip(), "a finite number >= 0") from None
        if not 0 <= number < np.inf:
            raise ConfigError(f"--cost {key}", value.strip(), "a finite number >= 0")
        out[key] = number
    return out


def _mix_text(row: pd.Series) -> str:
    from .mixes import describe

    return describe({m: row[m] for m in MECHANISMS})


def format_frontier(table: pd.DataFrame, reach: float = 0.9) -> str:
    """The frontier of :func:`frontier` as text, with the cheapest mix reaching ``reach``."""
    a = table.attrs
    r = 100 * a["target_reduction"]
    front = table[table["on_frontier"]]
    unit = ", ".join(f"{m} {c:g}" for m, c in a["costs"].items())
    lines = [
        f"Cost-effective mixes: P(target) = P(dispersion of log income per capita down {r:.0f}% "
        f"within {a['time']:g} years) against cost",
        f"unit costs at full intensity [{a['units']}]: {unit}",
        f"{'cost':>8}  {'P(target) [95% interval]':<24}  mix",
    ]
    for _, row in front.iterrows():
        lines.append(
            f"{row['cost']:>8.3g}  {row['p_target']:.3f} [{row['p_target_lo']:.3f}, {row['p_target_hi']:.3f}]"
            f"    {_mix_text(row)}"
        )
    lines.append(
        f"{len(front)} of {len(table)} mixes are not dominated (no other mix is at most as costly "
        "and at least as likely to reach the target)."
    )
    for confident, what in ((False, "its estimate"), (True, "the lower end of its 95% interval")):
        row = cheapest(table, reach, confident=confident)
        if row is None:
            lines.append(f"No mix reaches P(target) >= {reach:g} (by {what}).")
        else:
            lines.append(
                f"Cheapest mix with P(target) >= {reach:g} by {what}: {_mix_text(row)} "
                f"(cost {row['cost']:.3g}, P(target) {row['p_target']:.3f} "
                f"[{row['p_target_lo']:.3f}, {row['p_target_hi']:.3f}])."
            )
    return "\n".join(lines)
