"""Scenario discovery: the boxes of parameter space where a mix fails its target.

Under parameter uncertainty every path of a mix has its own draw of the uncertain keys.
The paths that fail the target (sigma has not fallen to ``(1 - target_reduction)
sigma(0)`` by the horizon) are the cases of interest; PRIM, the Patient Rule Induction
Method (Friedman and Fisher 1999; Bryant and Lempert 2010, from the ``prim`` package),
looks for a box, a set of intervals on a few parameters, in which failures are
concentrated:

* ``coverage``: the share of all failing paths that lie in the box;
* ``density``: the share of the paths in the box that fail;
* ``mass``: the share of all paths that lie in the box;
* ``res_dim``: the number of parameters the box restricts.

PRIM peels a sliver (5% of the paths in the box) off the side that raises the density
most, again and again, then pastes back what raises it; every step is a candidate box
(the *peeling trajectory*: coverage falls as density rises). Which box to report is a
trade-off; mccoord picks, by default, the step with the largest harmonic mean of
coverage and density (the box read as a classifier of failing paths: its F1 score), or,
with ``density=d``, the most covering step whose density is at least ``d``. Further
boxes (``boxes > 1``) are searched among the paths outside the earlier ones and kept
only while they reach ``density`` (or, by default, the share of failing paths in the
whole sample).

Each restriction of the chosen box comes with its quasi-p-value (Bryant and Lempert
2010): the one-sided binomial probability of the box's density if the restriction were
dropped; a large value means the restriction is not needed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ConfigError
from .samples import MixSpec, path_sample

__all__ = ["Box", "Discovery", "find_boxes", "format_discovery", "scenario_discovery"]

#: Share of the paths in the box peeled off at each step, and the pasting step.
PEEL_ALPHA = 0.05
#: Smallest mass of a box.
MASS_MIN = 0.05


@dataclass(frozen=True)
class Box:
    """One PRIM box and its peeling trajectory.

    Attributes
    ----------
    trajectory : pandas.DataFrame
        One row per peeling or pasting step: ``coverage, density, mass, res_dim, f1``
        (shares in [0, 1]).
    step : int
        The chosen step (row of ``trajectory``).
    limits : pandas.DataFrame
        The chosen box's restrictions, one row per restricted parameter (index):
        ``low, high`` (the box's interval), ``min, max`` (the range of the sample),
        ``qp`` (quasi-p-value).
    """

    trajectory: pd.DataFrame
    step: int
    limits: pd.DataFrame

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
        The mix's intensities.
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


def _box(pbox, X: pd.DataFrame, density: float | None) -> Box:
    raw = pbox.peeling_trajectory
    traj = pd.DataFrame(
        {
            "coverage": raw["coverage"].to_numpy(dtype=float),
            "density": raw["density"].to_numpy(dtype=float),
            "mass": raw["mass"].to_numpy(dtype=float),
            "res_dim": raw["res dim"].to_numpy(dtype=int),
        }
    )
    c, d = traj["coverage"], traj["density"]
    traj["f1"] = (2 * c * d / (c + d)).where(c + d > 0, 0.0)
    traj.index.name = "step"
    step = _choose(traj, density)
    pbox.select(step)
    lim = pbox.limits
    limits = pd.DataFrame(
        {
            "low": lim["min"].astype(float),
            "high": lim["max"].astype(float),
            "min": [float(X[p].min()) for p in lim.index],
            "max": [float(X[p].max()) for p in lim.index],
            "qp": lim["qp values"].astype(float),
        },
        index=pd.Index([str(p) for p in lim.index], name="parameter"),
    )
    return Box(traj, step, limits)


def find_boxes(
    X: pd.DataFrame,
    fail: np.ndarray,
    *,
    boxes: int = 1,
    density: float | None = None,
) -> tuple[Box, ...]:
    """PRIM boxes of the rows of ``X`` where ``fail`` is true.

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
    import prim

    fail = np.asarray(fail, dtype=bool)
    if not fail.any():
        return ()
    X = X.reset_index(drop=True).astype(float)
    keep_min = density if density is not None else float(fail.mean())
    finder = prim.Prim(X, fail, peel_alpha=PEEL_ALPHA, paste_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
    out: list[Box] = []
    logger = logging.getLogger("prim.prim_alg")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        for _ in range(boxes):
            pbox = finder.find_box()
            if pbox is None:
                break
            box = _box(pbox, X, density)
            if out and (box.density < keep_min or box.coverage == 0):
                break
            out.append(box)
    finally:
        logger.setLevel(level)
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
            "method": "PRIM (prim package), peel and paste alpha 0.05, minimum mass 0.05",
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
