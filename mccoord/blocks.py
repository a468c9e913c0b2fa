"""Run one block of paths of one mix through the kernel into plain NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .errors import ConfigError
from .inputs import ModelInputs
from .kernels.batches import simulate_batches
from .kernels.groups import GivenShocks, Outputs, Settings, no_given_shocks
from .kernels.layout import LANES, N_PATH_SCALARS, N_REC_SCALARS, N_STATE_REC, SUPPORTED_LANES
from .kernels.paths import simulate_paths


@dataclass
class BlockResult:
    """Raw kernel output for ``n`` paths.

    Attributes
    ----------
    rec_lny, rec_L : float64[n, n_rec, R]
        ``ln y`` and population shares at record times.
    rec_scalar : float64[n, n_rec, N_REC_SCALARS]
        Per-time metrics (:mod:`kernels.layout` ``REC_*`` positions).
    path_scalar : float64[n, N_PATH_SCALARS]
        Per-path metrics (``PATH_*`` positions).
    rec_state : float64[n, n_rec, 5, R] or None
        ``a, K, s, e, z`` at record times (``STATE_*`` positions) when requested.
    path_params : float64[n, n_uncertain]
        Each path's drawn values of the uncertain keys (``inputs.uncertainty.keys``);
        zero columns without parameter uncertainty.
    """

    rec_lny: np.ndarray
    rec_L: np.ndarray
    rec_scalar: np.ndarray
    path_scalar: np.ndarray
    rec_state: np.ndarray | None
    path_params: np.ndarray


def n_records(years: int, record_every: int) -> int:
    """Number of record times ``0, record_every, ..., years``."""
    return years // record_every + 1


def allocate_outputs(inputs: ModelInputs, n_paths: int, n_rec: int, full: bool) -> Outputs:
    """Empty output arrays for ``n_paths`` paths with ``n_rec`` record times."""
    R = inputs.n_regions
    return Outputs(
        rec_state=np.empty((n_paths if full else 1, n_rec, N_STATE_REC, R)),
        rec_lny=np.empty((n_paths, n_rec, R)),
        rec_L=np.empty((n_paths, n_rec, R)),
        rec_scalar=np.empty((n_paths, n_rec, N_REC_SCALARS)),
        path_scalar=np.empty((n_paths, N_PATH_SCALARS)),
        path_params=np.empty((n_paths, len(inputs.uncertainty.keys))),
    )


def run_kernel(
    inputs: ModelInputs,
    theta: np.ndarray,
    settings: Settings,
    out: Outputs,
    *,
    shocks: GivenShocks | None = None,
    lanes: int = LANES,
) -> Outputs:
    """Fill ``out`` with the kernel: the one place where the kernel entry points are called.

    ``lanes`` picks the kernel: 1 runs the scalar path loop (:mod:`kernels.paths`), 8 or
    16 the production loop with that many paths per vector (:mod:`kernels.batches`);
    every choice gives the same bits. ``shocks`` replaces the paths' random streams by
    given variates (tests against the NumPy reference).
    """
    if lanes not in SUPPORTED_LANES:
        raise ConfigError("lanes", lanes, f"one of {', '.join(map(str, SUPPORTED_LANES))}")
    scenario = inputs.scenario_arrays
    params = inputs.parameters(theta)
    shocks = no_given_shocks(inputs.n_regions) if shocks is None else shocks
    if lanes == 1:
        simulate_paths(scenario, params, settings, shocks, out)
    else:
        simulate_batches(scenario, params, settings, shocks, out, lanes)
    return out


def run_block(
    inputs: ModelInputs,
    theta: np.ndarray,
    *,
    seed: int,
    path0: int,
    n_paths: int,
    years: int,
    substeps: int,
    record_every: int,
    target_reduction: float,
    full: bool = False,
    lanes: int = LANES,
) -> BlockResult:
    """Simulate paths ``path0 .. path0 + n_paths - 1`` of one mix.

    Path ``p`` uses the random streams ``(seed, p)`` (shocks, and its parameter draw
    under parameter uncertainty) whatever the block and whatever ``lanes`` (see
    :func:`run_kernel`), so blocks can be computed anywhere and in any order.
    """
    settings = Settings(
        seed=np.uint64(seed),
        path0=np.uint64(path0),
        years=int(years),
        substeps=int(substeps),
        record_every=int(record_every),
        target_reduction=float(target_reduction),
        full=bool(full),
        chunks=4 * numba.get_num_threads(),
    )
    out = allocate_outputs(inputs, n_paths, n_records(years, record_every), full)
    run_kernel(inputs, theta, settings, out, lanes=lanes)
    return BlockResult(
        out.rec_lny,
        out.rec_L,
        out.rec_scalar,
        out.path_scalar,
        out.rec_state if full else None,
        out.path_params,
    )
