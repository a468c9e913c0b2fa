"""Mechanism designs: which mixes an ensemble runs.

Three kinds:

* ``grid``: the Cartesian product of each mechanism's levels (the scenario's
  ``[mechanisms]`` table by default); results get one dimension per mechanism.
* ``list``: an explicit list of mixes; results get a ``mix`` dimension.
* ``sobol``: a scrambled Sobol sequence of ``n`` continuous mixes in [0, 1]^5
  (``mixes="sobol:256"``, :mod:`scipy.stats.qmc`), seeded by the run seed; results get
  a ``mix`` dimension with the five intensities as coordinates.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .params import MECHANISMS, validate_mix
from .scenario import Scenario


@dataclass(frozen=True)
class MixDesign:
    """A set of mixes in a fixed order.

    Attributes
    ----------
    kind : str
        ``"grid"``, ``"list"`` or ``"sobol"``.
    theta : float64[n_mix, 5]
        Intensities, one row per mix, columns in mechanism order.
    levels : dict or None
        For a grid, the levels of each mechanism (row order is their product with the
        last mechanism varying fastest).
    """

    kind: str
    theta: np.ndarray
    levels: dict[str, tuple[float, ...]] | None = None

    @property
    def n_mix(self) -> int:
        """Number of mixes."""
        return self.theta.shape[0]

    def mix(self, i: int) -> dict[str, float]:
        """Mix ``i`` as a dict."""
        return dict(zip(MECHANISMS, self.theta[i].tolist(), strict=True))

    def describe(self) -> dict:
        """Plain-data description (for provenance and config hashes)."""
        out = {"kind": self.kind, "theta": self.theta.tolist()}
        if self.levels is not None:
            out["levels"] = {k: list(v) for k, v in self.levels.items()}
        return out


def grid_design(levels: dict[str, tuple[float, ...]]) -> MixDesign:
    """The Cartesian grid of ``levels`` (all five mechanisms)."""
    rows = list(itertools.product(*(levels[m] for m in MECHANISMS)))
    return MixDesign("grid", np.array(rows, dtype=float), {m: tuple(levels[m]) for m in MECHANISMS})


def sobol_design(n: int, seed: int) -> MixDesign:
    """``n`` scrambled Sobol points in [0, 1]^5."""
    from scipy.stats import qmc

    sampler = qmc.Sobol(d=len(MECHANISMS), scramble=True, seed=seed)
    m = int(np.log2(n))
    points = sampler.random_base2(m) if 2**m == n else sampler.random(n)
    return MixDesign("sobol", np.asarray(points, dtype=float))


def make_design(scenario: Scenario, mixes: object = None, *, seed: int = 0) -> MixDesign:
    """Resolve the ``mixes`` argument of :func:`mccoord.run`.

    Parameters
    ----------
    scenario : Scenario
    mixes : None, str, dict or list of dict
        ``None`` for the scenario's grid; ``"sobol:N"``; a dict of mechanism ->
        levels for another grid; or a list of mixes (dicts of intensities).
    seed : int
        Scrambling seed of a Sobol design.
    """
    if mixes is None:
        return grid_design(scenario.mechanisms)
    if isinstance(mixes, str):
        kind, _, n = mixes.partition(":")
        if kind != "sobol" or not n.isdigit() or int(n) < 1:
            raise ConfigError("mixes", mixes, "'sobol:N' with N a positive whole number")
        return sobol_design(int(n), seed)
    if isinstance(mixes, dict):
        sc = scenario.with_overrides(mechanisms={m: mixes.get(m, [0.0]) for m in MECHANISMS})
        for key in mixes:
            if key not in MECHANISMS:
                raise ConfigError(f"mixes.{key}", mixes[key], f"one of: {', '.join(MECHANISMS)}")
        return grid_design(sc.mechanisms)
    if isinstance(mixes, list | tuple) and mixes and all(isinstance(m, dict) for m in mixes):
        rows = [[validate_mix(m, where=f"mixes[{i}]")[k] for k in MECHANISMS] for i, m in enumerate(mixes)]
        return MixDesign("list", np.array(rows, dtype=float))
    raise ConfigError("mixes", mixes, "None, 'sobol:N', a dict of levels or a non-empty list of mixes")
