"""One task of an ensemble: a block of mixes by a block of paths, computed and stored.

Tasks run on Dask workers. Each runs the kernel, keeps what the catalogue's raw arrays
hold (:data:`mccoord.catalogue.RAW_ARRAYS`: per-path values, and per-granule sums over
the valid paths) and writes it, then the block's done flag. Nothing per path outlives
the task.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from .blocks import run_block
from .catalogue import RAW_ARRAYS, valid_paths
from .inputs import ModelInputs
from .store import TaskGrid, write_block


def granule_sums(x: np.ndarray, valid: np.ndarray, p0: int, granule: int) -> np.ndarray:
    """Sum ``x`` (leading path axis, paths ``p0..``) over the valid paths of each granule.

    Granules are fixed groups of ``granule`` consecutive path indices, so the same
    paths are always summed together, in the same order, whatever the task blocking.
    """
    if p0 % granule:
        raise ValueError(f"a block must start on a granule boundary (path {p0}, granule {granule})")
    mask = valid.reshape((-1,) + (1,) * (x.ndim - 1))
    x = np.where(mask, x, 0.0)
    n = x.shape[0]
    return np.stack(
        [np.add.reduce(np.ascontiguousarray(x[lo : lo + granule]), axis=0) for lo in range(0, n, granule)]
    )


def granule_deviations(x: np.ndarray, valid: np.ndarray, p0: int, granule: int) -> np.ndarray:
    """Per granule, the sum over its valid paths of squared deviations from their mean.

    Two passes over each granule (mean, then deviations), so the result is accurate
    however small the spread is next to the mean; 0 for a granule without valid paths.
    """
    if p0 % granule:
        raise ValueError(f"a block must start on a granule boundary (path {p0}, granule {granule})")
    out = []
    for lo in range(0, x.shape[0], granule):
        xs = x[lo : lo + granule][valid[lo : lo + granule]]
        if xs.shape[0] == 0:
            out.append(np.zeros(x.shape[1:]))
        else:
            out.append(np.add.reduce((xs - xs.mean(axis=0)) ** 2, axis=0))
    return np.stack(out)


def reduce_block(res, p0: int, granule: int) -> dict[str, np.ndarray]:
    """What the store keeps of one mix's block of paths, by raw-array name."""
    valid = valid_paths(res)
    out: dict[str, np.ndarray] = {}
    for name, spec in RAW_ARRAYS.items():
        if name == "path_valid":
            out[name] = valid.astype(np.int8)
            continue
        x = spec.per_path(res)
        if 0 in x.shape[1:]:  # e.g. the parameter draws of a run without uncertainty
            continue
        if spec.per_granule:
            with np.errstate(invalid="ignore", over="ignore"):
                sums = granule_deviations if spec.square else granule_sums
                out[name] = sums(x, valid, p0, granule)
        else:
            out[name] = x
    return out


def compute_block(
    store: str,
    grid: TaskGrid,
    mb: int,
    pb: int,
    inputs: ModelInputs,
    theta: np.ndarray,
    settings: dict,
    numba_threads: int,
) -> dict:
    """Compute and store block ``(mb, pb)``; return counts for progress reporting.

    ``numba.set_num_threads`` is thread-local, so it is set here, inside the task.
    """
    numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    start = time.perf_counter()
    m0, m1, p0, p1 = grid.block(mb, pb)
    parts = []
    n_invalid = 0
    for m in range(m0, m1):
        res = run_block(
            inputs,
            theta[m],
            seed=settings["seed"],
            path0=p0,
            n_paths=p1 - p0,
            years=settings["years"],
            substeps=settings["substeps"],
            record_every=settings["record_every"],
            target_reduction=settings["target_reduction"],
        )
        part = reduce_block(res, p0, grid.granule)
        n_invalid += int((part["path_valid"] == 0).sum())
        parts.append(part)
    data = {k: np.stack([p[k] for p in parts]) if RAW_ARRAYS[k].per_mix else parts[0][k] for k in parts[0]}
    write_block(store, grid, mb, pb, data)
    steps = (m1 - m0) * (p1 - p0) * settings["years"] * settings["substeps"] * inputs.n_regions
    return {
        "block": (mb, pb),
        "region_steps": steps,
        "seconds": time.perf_counter() - start,
        "n_invalid": n_invalid,
    }
