"""Run one block of paths of one mix through the kernel into plain NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .inputs import ModelInputs
from .kernels.layout import N_PATH_SCALARS, N_REC_SCALARS
from .kernels.paths import N_STATE_REC, simulate_block


@dataclass
class BlockResult:
    """Raw kernel output for ``n`` paths.

    Attributes
    ----------
    rec_lny, rec_L : float64[n, n_rec, R]
        ``ln y`` and population shares at record times.
    rec_scalar : float64[n, n_rec, N_REC_SCALARS]
        Per-time metrics (:mod:`kernels.layout` ``R_*`` positions).
    path_scalar : float64[n, N_PATH_SCALARS]
        Per-path metrics (``P_*`` positions).
    rec_state : float64[n, n_rec, 5, R] or None
        ``a, K, s, e, z`` at record times when requested.
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
) -> BlockResult:
    """Simulate paths ``path0 .. path0 + n_paths - 1`` of one mix.

    Path ``p`` uses the random streams ``(seed, p)`` (shocks, and its parameter draw
    under parameter uncertainty) whatever the block, so blocks can be computed anywhere
    and in any order.
    """
    R = inputs.n_regions
    n_rec = n_records(years, record_every)
    rec_lny = np.empty((n_paths, n_rec, R))
    rec_L = np.empty((n_paths, n_rec, R))
    rec_scalar = np.empty((n_paths, n_rec, N_REC_SCALARS))
    path_scalar = np.empty((n_paths, N_PATH_SCALARS))
    rec_state = np.empty((n_paths if full else 1, n_rec, N_STATE_REC, R))
    settings = (int(years), int(substeps), int(record_every), float(target_reduction))
    path_params = np.empty((n_paths, len(inputs.uncertainty.keys)))
    simulate_block(
        np.uint64(seed),
        np.uint64(path0),
        settings,
        inputs.kernel_data,
        inputs.par,
        np.ascontiguousarray(theta, dtype=float),
        inputs.kernel_uncertainty,
        inputs.kernel_ranges,
        full,
        4 * numba.get_num_threads(),
        (rec_state, rec_lny, rec_L, rec_scalar),
        path_scalar,
        path_params,
    )
    return BlockResult(rec_lny, rec_L, rec_scalar, path_scalar, rec_state if full else None, path_params)
