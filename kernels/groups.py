"""The named groups of arrays the kernel entry points take.

A kernel call (:func:`kernels.paths.simulate_paths`, :func:`kernels.batches.simulate_batches`)
takes five groups instead of a long positional list:

* :class:`ScenarioArrays`: what the scenario fixes (gravity, initial state, groups);
* :class:`Parameters`: the model parameters, the mechanism mix and the per-path
  parameter uncertainty;
* :class:`Settings`: the run's seed, first path, horizon, steps and records;
* :class:`GivenShocks`: variates supplied by the caller instead of the path's random
  streams (empty arrays: draw from the streams);
* :class:`Outputs`: the arrays the kernel fills, with a leading path axis.

They are ``typing.NamedTuple`` classes, which Numba passes into ``@njit`` code as typed
tuples with named fields; ``mccoord.inputs`` and ``mccoord.blocks`` build them. Every
array must be C-contiguous and of the dtype stated (Numba compiles one version per
combination of types).
"""

from typing import NamedTuple

import numpy as np


class ScenarioArrays(NamedTuple):
    """The scenario's data under the base parameters (MODEL.md section 2).

    Attributes
    ----------
    G : float64[R, R]
        Normalised gravity matrix (exactly symmetric, zero diagonal).
    distance : float64[R, R]
        Distances between regions [km]; the kernel rebuilds ``G`` from them for a path
        that draws ``d0``.
    s_target : float64[R]
        Target specialisation (0 or 1).
    lny0, y0 : float64[R]
        Initial log income per capita and income per capita, relative to the
        population-weighted national mean.
    K0, L0, s0, e0 : float64[R]
        Initial capital [initial national output], population shares, specialisation
        and integration.
    saving : float64[R]
        Investment rate per region.
    groups : int64[R]
        Macro-region index of each region, ``0 .. n_groups - 1``.
    n_groups : int
        Number of macro-regions.
    ln_gap : float64[R]
        ``ln y*_i - ln y_i(0)`` (zeros without steady states).
    has_steady_state : bool
        Whether the scenario gives steady states.
    """

    G: np.ndarray
    distance: np.ndarray
    s_target: np.ndarray
    lny0: np.ndarray
    y0: np.ndarray
    K0: np.ndarray
    L0: np.ndarray
    s0: np.ndarray
    e0: np.ndarray
    saving: np.ndarray
    groups: np.ndarray
    n_groups: int
    ln_gap: np.ndarray
    has_steady_state: bool


class Parameters(NamedTuple):
    """Model parameters, the mechanism mix and the per-path parameter uncertainty.

    Attributes
    ----------
    par : float64[N_PARAMS]
        The scenario's parameters (positions of :mod:`kernels.layout`).
    theta : float64[5]
        Mechanism intensities of the mix, in mechanism order.
    low, high : float64[N_PARAMS]
        Natural range of every parameter (a drawn vector must lie inside).
    max_attempts : int
        Draws of a path's parameter vector before the path is invalid.
    marginal_pos, marginal_kind : int64[m]
        Parameter position and distribution code (:mod:`kernels.parameters`) of each
        uncertain key with its own distribution.
    marginal_args : float64[m, 4]
        Their distribution arguments.
    mvn_pos : int64[k]
        Positions of the keys of the calibrated multivariate normal.
    mvn_mean : float64[k]
    mvn_chol : float64[k, k]
        Mean and lower Cholesky factor of its covariance.
    """

    par: np.ndarray
    theta: np.ndarray
    low: np.ndarray
    high: np.ndarray
    max_attempts: int
    marginal_pos: np.ndarray
    marginal_kind: np.ndarray
    marginal_args: np.ndarray
    mvn_pos: np.ndarray
    mvn_mean: np.ndarray
    mvn_chol: np.ndarray


class Settings(NamedTuple):
    """What to run.

    Attributes
    ----------
    seed : uint64
        Run seed; path ``p`` draws from the streams keyed by ``(seed, p)``.
    path0 : uint64
        Index of the first path; output row ``k`` is path ``path0 + k``.
    years, substeps, record_every : int
        Horizon [years], Euler steps per year and years between records.
    target_reduction : float
        Share by which sigma must fall for the first passage.
    full : bool
        Also record ``a, K, s, e, z`` (``Outputs.rec_state``).
    chunks : int
        Paths are split into this many contiguous chunks run in parallel (any value
        gives the same numbers).
    """

    seed: np.uint64
    path0: np.uint64
    years: int
    substeps: int
    record_every: int
    target_reduction: float
    full: bool
    chunks: int


class GivenShocks(NamedTuple):
    """Variates supplied by the caller (for tests against the NumPy reference).

    Attributes
    ----------
    u0 : float64[P]
        Each path's uniform before its first step (initial regime).
    steps : float64[P, n_steps, 4R + 2]
        Each step's variates in MODEL.md order. With 0 paths the kernel draws every
        variate from the path's own streams instead.
    """

    u0: np.ndarray
    steps: np.ndarray


class Outputs(NamedTuple):
    """The arrays a kernel fills; row ``k`` of each is path ``path0 + k``.

    Attributes
    ----------
    rec_state : float64[n or 1, n_rec, N_STATE_REC, R]
        ``a, K, s, e, z`` at record times (leading axis 1 and untouched unless
        ``Settings.full``).
    rec_lny, rec_L : float64[n, n_rec, R]
        ``ln y`` and population shares at record times.
    rec_scalar : float64[n, n_rec, N_REC_SCALARS]
        Metrics per record time (``REC_*``).
    path_scalar : float64[n, N_PATH_SCALARS]
        Metrics per path (``PATH_*``).
    path_params : float64[n, n_uncertain]
        Each path's drawn values of the uncertain keys (marginals, then calibrated).
    """

    rec_state: np.ndarray
    rec_lny: np.ndarray
    rec_L: np.ndarray
    rec_scalar: np.ndarray
    path_scalar: np.ndarray
    path_params: np.ndarray


def no_given_shocks(n_regions: int) -> GivenShocks:
    """The empty :class:`GivenShocks`: every variate comes from the paths' streams."""
    return GivenShocks(np.empty(0), np.empty((0, 0, 4 * n_regions + 2)))
