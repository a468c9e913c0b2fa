"""Scenario discovery: the boxes of parameter space where a mix fails its target.

Under parameter uncertainty every path of a mix has its own draw of the uncertain keys.
The paths that fail the target (sigma has not fallen to ``(1 - target_reduction)
sigma(0)`` by the horizon) are the cases of interest; PRIM, the Patient Rule Induction
Method (Friedman and Fisher 1999, used for scenario discovery by Bryant and Lempert
2010), looks for a box, a set of intervals on a few parameters, in which failures are
concentrated:

* ``coverage``: the share of all failing paths that lie in the box;
* ``density``: the share of the paths in the box that fail;
* ``mass``: the share of all paths that lie in the box;
* ``res_dim``: the number of parameters the box restricts.

The algorithm (:func:`peel`, implemented here with NumPy)
    Start from the box that holds every path. At each step, for every parameter and
    each of its two sides, the candidate peel removes the paths of the box beyond that
    side's ``alpha`` quantile (``alpha`` = :data:`PEEL_ALPHA`, so about 5% of the paths
    in the box); the peel kept is the one whose remaining box has the largest density
    (ties: the one that removes the fewest paths, then parameter order). Peeling stops
    when every candidate would leave less than :data:`MASS_MIN` of all paths in the box
    or none removes a path. Every step is a candidate box: the *peeling trajectory*,
    along which coverage falls as density rises. The pasting phase of Friedman and
    Fisher (growing the final box back where that raises the density) is not done: with
    a small ``alpha`` it changes the boxes little, and the trajectory is what the
    analysis reads.

Which box to report
    A trade-off; mccoord picks, by default, the step with the largest harmonic mean of
    coverage and density (the box read as a classifier of failing paths: its F1 score),
    or, with ``density=d``, the most covering step whose density is at least ``d`` (the
    densest step if none reaches ``d``). Further boxes (``boxes > 1``) are searched among
    the paths outside the earlier ones (their coverage and mass still count all paths)
    and kept only while they reach ``density`` (or, by default, the share of failing
    paths in the whole sample).

Each restriction of the chosen box comes with its quasi-p-value (Bryant and Lempert
2010): the one-sided binomial probability of at least the box's number of failing paths
among its paths, if they failed at the density of the box with that restriction dropped;
a large value means the restriction is not needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import binom

from ..errors import ConfigError
from .samples import MixSpec, path_sample

__all__ = ["Box", "Discovery", "find_boxes", "format_discovery", "peel", "scenario_discovery"]

#: Share of the paths in the box peeled off at each step.
PEEL_ALPHA = 0.05
#: Smallest mass of a box (share of all paths).
MASS_MIN = 0.05


@dataclass(frozen=True)
class Peeling:
    """The peeling trajectory of :func:`peel`, one row per step (step 0: the whole sample).

    Attributes
    ----------
    trajectory : pandas.DataFrame
        ``coverage, density, mass`` (shares in [0, 1]) and ``res_dim`` (restricted
        parameters) of the box after each step.
    low, high : pandas.DataFrame
        The box's interval on every parameter (columns) after each step (rows); a
        parameter is restricted when its interval is narrower than the sample's range.
    """

    trajectory: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame


def peel(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    alpha: float = PEEL_ALPHA,
    mass_min: float = MASS_MIN,
    total: tuple[int, int] | None = None,
) -> Peeling:
    """PRIM's peeling of the box of the rows of ``X`` where ``y`` is true (module docstring).

    Parameters
    ----------
    X : pandas.DataFrame (n, k)
        Parameter draws, one column per parameter.
    y : array of bool (n,)
        Cases of interest.
    alpha : float
        Share of the paths in the box each peel removes.
    mass_min : float
        Smallest mass of a box (share of ``total[0]`` paths).
    total : (int, int), optional
        Paths and cases of interest that mass and coverage are shares of (default: those
        of ``X`` and ``y``).
    """
    x = X.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    n_total, hits_total = total if total is not None else (len(y), int(y.sum()))
    low, high = x.min(axis=0), x.max(axis=0)
    span_low, span_high = low.copy(), high.copy()
    inside = np.ones(len(y), dtype=bool)
    lows, highs, rows = [], [], []

    def record() -> None:
        restricted = (low > span_low) | (high < span_high)
        rows.append(
            (
                y[inside].sum() / hits_total,
                y[inside].mean(),
                inside.sum() / n_total,
                int(restricted.sum()),
            )
        )
        lows.append(low.copy())
        highs.append(high.copy())

    record()
    while True:
        xi, yi = x[inside], y[inside]
        lo = np.quantile(xi, alpha, axis=0)
        hi = np.quantile(xi, 1 - alpha, axis=0)
        # candidate peels: the low side of every parameter, then the high side
        keep = np.concatenate([xi >= lo, xi <= hi], axis=1)
        kept = keep.sum(axis=0)
        removed = len(yi) - kept
        allowed = (removed > 0) & (kept >= mass_min * n_total)
        if not allowed.any():
            break
        density = np.where(allowed, (yi.astype(float) @ keep) / np.maximum(kept, 1), -np.inf)
        best = int(np.lexsort((np.arange(density.size), removed, -density))[0])
        j, side = best % x.shape[1], best // x.shape[1]
        if side == 0:
            low[j] = lo[j]
        else:
            high[j] = hi[j]
        inside[np.flatnonzero(inside)[~keep[:, best]]] = False
        record()
    trajectory = pd.DataFrame(rows, columns=["coverage", "density", "mass", "res_dim"])
    trajectory.index.name = "step"
    return Peeling(
        trajectory,
        pd.DataFrame(lows, columns=X.columns).rename_axis("step"),
        pd.DataFrame(highs, columns=X.columns).rename_axis("step"),
    )


def _in_box(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return ((x >= low) & (x <= high)).all(axis=1)


def quasi_p_values(X: pd.DataFrame, y: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Quasi-p-value of every parameter's restriction of the box ``[low, high]`` (module
    docstring); NaN for a parameter the box does not restrict."""
    x = X.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    inside = _in_box(x, low, high)
    hits, n = int(y[inside].sum()), int(inside.sum())
    out = np.full(x.shape[1], np.nan)
    restricted = (low > x.min(axis=0)) | (high < x.max(axis=0))
    for j in np.flatnonzero(restricted):
        lo, hi = low.copy(), high.copy()
        lo[j], hi[j] = -np.inf, np.inf
        p = y[_in_box(x, lo, hi)].mean()
        out[j] = binom.sf(hits - 1, n, p)
    return out


@dataclass(frozen=True)
class Box:
    """One PRIM box and its peeling trajectory.

    Attributes
    ----------
    trajectory : pandas.DataFrame
        One row per peeling step: ``coverage, density, mass, res_dim, f1`` (shares in
        [0, 1]; ``f1`` the harmonic mean of coverage and density).
    step : int
        The chosen step (row of ``trajectory``).
    limits : pandas.DataFrame
        The chosen box's restrictions, one row per restricted parameter (index):
        ``low, high`` (the box's interval), ``min, max`` (the range of the sample),
        ``qp`` (quasi-p-value).
    low, high : pandas.DataFrame
        The interval of every parameter (columns) at every step (rows).
    """

    trajectory: pd.DataFrame
    step: int
    limits: pd.DataFrame
    low: pd.DataFrame | None = None
    high: pd.DataFrame | None = None

    @property
    def coverage(self) -> float:
        """Share of all failing paths inside the box."""
        return float(self.trajectory["coverage"].iloc[self.step])

    @property
    def density(self) -> float:
        """Share of the paths inside the box that fail."""
        return float(self.trajectory["density"].iloc[self.step])

    @property
    def mass(self) -> float:
        """Share of all paths inside the box."""
        return float(self.trajectory["mass"].iloc[self.step])


@dataclass(frozen=True)
class Discovery:
    """Result of :func:`scenario_discovery`.

    Attributes
    ----------
    boxes : tuple of Box
        The boxes found, best first (empty when no path fails).
    n : int
        Valid paths analysed.
    n_fail : int
        Of which fail the target.
    mix : int
        Flat mix index.
    label : str
        The mix in words.
    horizon : float
        ``T`` [years since the base year].
    """

    boxes: tuple[Box, ...]
    n: int
    n_fail: int
    mix: int = 0
    label: str = ""
    horizon: float = float("nan")
    attrs: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per box and restricted parameter: ``box, parameter, low, high, qp,
        coverage, density, mass`` (box numbers from 1)."""
        rows = []
        for b, box in enumerate(self.boxes, start=1):
            for name, r in box.limits.iterrows():
                rows.append(
                    {
                        "box": b,
                        "parameter": name,
                        "low": r["low"],
                        "high": r["high"],
                        "qp": r["qp"],
                        "coverage": box.coverage,
                        "density": box.density,
                        "mass": box.mass,
                    }
                )
        cols = ["box", "parameter", "low", "high", "qp", "coverage", "density", "mass"]
        return pd.DataFrame(rows, columns=cols)


def _choose(traj: pd.DataFrame, density: float | None) -> int:
    if density is None:
        return int(np.nanargmax(traj["f1"].to_numpy()))
    ok = np.flatnonzero(traj["density"].to_numpy() >= density)
    if ok.size:
        return int(ok[np.argmax(traj["coverage"].to_numpy()[ok])])
    return int(np.nanargmax(traj["density"].to_numpy()))


def _box(X: pd.DataFrame, y: np.ndarray, total: tuple[int, int], density: float | None) -> Box:
    peeled = peel(X, y, total=total)
    traj = peeled.trajectory
    c, d = traj["coverage"], traj["density"]
    traj["f1"] = (2 * c * d / (c + d)).where(c + d > 0, 0.0)
    step = _choose(traj, density)
    low, high = peeled.low.iloc[step].to_numpy(), peeled.high.iloc[step].to_numpy()
    qp = quasi_p_values(X, y, low, high)
    lo_all, hi_all = X.min().to_numpy(), X.max().to_numpy()
    restricted = (low > lo_all) | (high < hi_all)
    limits = pd.DataFrame(
        {"low": low, "high": high, "min": lo_all, "max": hi_all, "qp": qp},
        index=pd.Index([str(p) for p in X.columns], name="parameter"),
    )[restricted]
    return Box(traj, step, limits, peeled.low, peeled.high)


def find_boxes(
    X: pd.DataFrame,
    fail: np.ndarray,
    *,
    boxes: int = 1,
    density: float | None = None,
) -> tuple[Box, ...]:
    """PRIM boxes of the rows of ``X`` where ``fail`` is true (module docstring).

    Parameters
    ----------
    X : pandas.DataFrame (n, k)
        Parameter draws, one column per parameter.
    fail : array of bool (n,)
        Cases of interest.
    boxes : int
        Most boxes to find.
    density : float, optional
        Choose the most covering step with at least this density (default: the step
        with the largest F1 score, module docstring).

    Returns
    -------
    tuple of Box
        Empty if no row fails.
    """
    fail = np.asarray(fail, dtype=bool)
    if not fail.any():
        return ()
    X = X.reset_index(drop=True).astype(float)
    total = (len(fail), int(fail.sum()))
    keep_min = density if density is not None else float(fail.mean())
    left = np.ones(len(fail), dtype=bool)
    out: list[Box] = []
    for _ in range(boxes):
        if not fail[left].any() or left.sum() < MASS_MIN * total[0]:
            break
        box = _box(X[left], fail[left], total, density)
        if out and (box.density < keep_min or box.coverage == 0):
            break
        out.append(box)
        bounds = X.columns.map(lambda name, b=box: name in b.limits.index)
        low = np.where(bounds, box.low.iloc[box.step].to_numpy(), -np.inf)
        high = np.where(bounds, box.high.iloc[box.step].to_numpy(), np.inf)
        left &= ~_in_box(X.to_numpy(), low, high)
    return tuple(out)


def scenario_discovery(
    source: str | Path | xr.Dataset,
    mix: MixSpec = None,
    *,
    boxes: int = 1,
    density: float | None = None,
) -> Discovery:
    """Where in parameter space does a mix fail its target? PRIM boxes of failing paths.

    Parameters
    ----------
    source : path or xarray.Dataset
        A store of :func:`mccoord.run` (or its results dataset) of a scenario with an
        ``[uncertainty]`` table, or the dataset of :func:`mccoord.simulate`.
    mix : str, int or dict, optional
        Store only: ``"best"`` (default), ``"off"``, ``"on"``, a flat mix index or a dict
        of intensities.
    boxes : int
        Most boxes to report (each found among the paths outside the earlier ones).
    density : float in (0, 1], optional
        Report the most covering step of each box with at least this density (default:
        the step with the best F1 score of coverage and density).

    Returns
    -------
    Discovery
        The boxes with their peeling trajectories, restrictions, coverage and density;
        :meth:`Discovery.table` gives them as one table.

    Raises
    ------
    ConfigError
        Before any work: bad ``boxes`` or ``density``, a mix not in the store, or a run
        without parameter uncertainty.
    """
    if isinstance(boxes, bool) or not isinstance(boxes, int | np.integer) or boxes < 1:
        raise ConfigError("boxes", boxes, "a whole number >= 1")
    if density is not None:
        if isinstance(density, bool) or not isinstance(density, int | float) or not 0 < density <= 1:
            raise ConfigError("density", density, "a share in (0, 1]")
        density = float(density)
    sample = path_sample(source, mix)
    fail = ~sample.target
    found = find_boxes(sample.X, fail, boxes=int(boxes), density=density)
    return Discovery(
        found,
        n=len(sample.X),
        n_fail=int(fail.sum()),
        mix=sample.mix,
        label=sample.label,
        horizon=sample.horizon,
        attrs={
            "n_invalid": sample.n_invalid,
            "parameters": list(sample.X.columns),
            "choice": "largest F1 score of coverage and density"
            if density is None
            else f"most covering step with density >= {density:g}",
            "method": f"PRIM peeling (alpha {PEEL_ALPHA:g}, minimum mass {MASS_MIN:g}; no pasting)",
        },
    )


def format_discovery(result: Discovery) -> str:
    """A :class:`Discovery` as text: the boxes, their restrictions and the trade-off."""
    lines = [
        f"scenario discovery, mix {result.mix}: {result.label}",
        f"{result.n_fail} of {result.n} valid paths fail the target by T = {result.horizon:g} "
        f"({result.n_fail / result.n:.1%})"
        if result.n
        else "no valid paths",
    ]
    if not result.boxes:
        lines.append("no failing path: nothing to discover")
        return "\n".join(lines)
    lines.append(f"PRIM boxes (chosen step: {result.attrs.get('choice', '')})")
    for b, box in enumerate(result.boxes, start=1):
        lines.append("")
        lines.append(
            f"box {b}: coverage {box.coverage:.3f}, density {box.density:.3f}, mass {box.mass:.3f}, "
            f"{len(box.limits)} restricted parameter(s), step {box.step} of {len(box.trajectory) - 1}"
        )
        for name, r in box.limits.iterrows():
            lines.append(
                f"  {name:<16} {r['low']:.4g} .. {r['high']:.4g}   "
                f"(sample range {r['min']:.4g} .. {r['max']:.4g}; qp {r['qp']:.2g})"
            )
        traj = box.trajectory
        picks = sorted({0, box.step, len(traj) - 1, *np.linspace(0, len(traj) - 1, 6).astype(int)})
        lines.append("  trade-off:  step  coverage  density  mass  restricted")
        for i in picks:
            t = traj.iloc[i]
            mark = " <" if i == box.step else ""
            lines.append(
                f"              {i:>4}  {t['coverage']:8.3f}  {t['density']:7.3f}  {t['mass']:.3f}  "
                f"{int(t['res_dim']):>10}{mark}"
            )
    return "\n".join(lines)
