"""Mechanism designs: which mixes an ensemble runs.

Three kinds:

* ``grid``: the Cartesian product of each mechanism's levels (the scenario's
  ``[mechanisms]`` table by default); results get one dimension per mechanism.
* ``list``: an explicit list of mixes; results get a ``mix`` dimension.
* ``sobol``: a Saltelli design for Sobol indices over the five intensities, each
  independent and uniform on [0, 1] (``mixes="sobol:N"``, SALib's
  :func:`SALib.sample.sobol.sample` with second-order cross-sampling): ``N`` base
  points of a scrambled Sobol sequence in [0, 1]^10 (seeded by the run seed) give
  matrices ``A`` (first five columns) and ``B`` (last five), and every base point
  contributes ``2*5 + 2 = 12`` mixes in this order: ``A``, ``AB_1..AB_5`` (``A`` with
  column ``j`` from ``B``), ``BA_1..BA_5`` (``B`` with column ``j`` from ``A``), ``B``.
  So ``sobol:N`` runs ``12 N`` mixes (:func:`sobol_mix_count`); ``N`` must be a power of
  two (the balance properties of Sobol points hold only then). Results get a ``mix``
  dimension with the five intensities as coordinates, and
  :func:`mccoord.analysis.attribution` reads first, total and second-order indices off it
  (SALib's :func:`SALib.analyze.sobol.analyze`).
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


#: Mixes per base point of a Saltelli design with second-order indices (``2 d + 2``).
SALTELLI_BLOCK = 2 * len(MECHANISMS) + 2


def sobol_problem() -> dict:
    """The SALib problem of a sampled mix design: five intensities, each uniform on [0, 1]."""
    return {"num_vars": len(MECHANISMS), "names": list(MECHANISMS), "bounds": [[0.0, 1.0]] * len(MECHANISMS)}


def sobol_mix_count(n: int) -> int:
    """Number of mixes of ``mixes="sobol:N"``: ``N * (2*5 + 2)``."""
    return int(n) * SALTELLI_BLOCK


def _check_base(n: int) -> int:
    if n < 2 or n & (n - 1):
        below = 1 << max(1, n.bit_length() - 1)
        raise ConfigError(
            "mixes",
            f"sobol:{n}",
            f"'sobol:N' with N a power of two, at least 2 (e.g. sobol:{below} or sobol:{2 * below}); "
            f"the design runs {SALTELLI_BLOCK} N mixes",
        )
    return n


def sobol_design(n: int, seed: int) -> MixDesign:
    """The Saltelli design of ``n`` base points (``12 n`` mixes; see the module docstring).

    Parameters
    ----------
    n : int
        Base points, a power of two.
    seed : int
        Scrambling seed of the Sobol sequence (the run seed): the same seed gives the
        same mixes.
    """
    from SALib.sample import sobol as saltelli

    n = _check_base(int(n))
    theta = saltelli.sample(sobol_problem(), n, calc_second_order=True, scramble=True, seed=int(seed))
    return MixDesign("sobol", np.asarray(theta, dtype=float))


def make_design(scenario: Scenario, mixes: object = None, *, seed: int = 0) -> MixDesign:
    """Resolve the ``mixes`` argument of :func:`mccoord.run`.

    Parameters
    ----------
    scenario : Scenario
    mixes : None, str, dict or list of dict
        ``None`` for the scenario's grid; ``"sobol:N"`` for the Saltelli design of
        ``N`` base points (``12 N`` mixes, ``N`` a power of two); a dict of mechanism ->
        levels for another grid; or a list of mixes (dicts of intensities).
    seed : int
        Scrambling seed of a Sobol design.
    """
    if mixes is None:
        return grid_design(scenario.mechanisms)
    if isinstance(mixes, str):
        kind, _, n = mixes.partition(":")
        if kind != "sobol" or not n.isdigit() or int(n) < 1:
            raise ConfigError("mixes", mixes, "'sobol:N' with N a power of two (the design runs 12 N mixes)")
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
