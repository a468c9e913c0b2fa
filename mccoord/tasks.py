"""One task of an ensemble: a block of mixes by a block of paths, computed and stored.

Tasks run on Dask workers. Each runs the kernel, reduces its paths to what the store
keeps (per-path sigma, first passage, beta, growth; per-granule sums of the rest) and
writes it, then the block's done flag. Nothing per path outlives the task.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from .blocks import run_block
from .inputs import ModelInputs
from .kernels.layout import (
    PATH_BETA,
    PATH_FIRST_PASSAGE,
    PATH_GROWTH,
    PATH_PICK_CA,
    PATH_REVIEWS,
    PATH_VALID,
    REC_CCD,
    REC_DEFECTION,
    REC_SIGMA,
    REC_THEIL,
)
from .store import Layout, write_block


def granule_sums(x: np.ndarray, valid: np.ndarray, p0: int, granule: int) -> np.ndarray:
    """Sum ``x`` (leading path axis, paths ``p0..``) over the valid paths of each granule.

    Granules are fixed groups of ``granule`` consecutive path indices, so the same
    paths are always summed together, in the same order, whatever the task blocking.
    """
    mask = valid.reshape((-1,) + (1,) * (x.ndim - 1))
    x = np.where(mask, x, 0.0)
    n = x.shape[0]
    assert p0 % granule == 0, "blocks start on a granule boundary"
    return np.stack(
        [np.add.reduce(np.ascontiguousarray(x[lo : lo + granule]), axis=0) for lo in range(0, n, granule)]
    )


def reduce_block(res, p0: int, granule: int) -> dict[str, np.ndarray]:
    """What the store keeps of one mix's block of paths."""
    ps = res.path_scalar
    valid = ps[:, PATH_VALID] == 1.0
    lny, L = res.rec_lny, res.rec_L
    with np.errstate(invalid="ignore", over="ignore"):
        log_mean = np.log(np.sum(np.exp(lny) * L, axis=-1, keepdims=True))
    rec = res.rec_scalar
    return {
        "path_sigma": rec[:, :, REC_SIGMA],
        "path_first_passage": ps[:, PATH_FIRST_PASSAGE],
        "path_beta": ps[:, PATH_BETA],
        "path_growth": ps[:, PATH_GROWTH],
        "path_valid": valid.astype(np.int8),
        "g_n_valid": granule_sums(valid.astype(float), valid, p0, granule),
        "g_theil": granule_sums(rec[:, :, REC_THEIL : REC_THEIL + 3], valid, p0, granule),
        "g_ccd": granule_sums(rec[:, :, REC_CCD], valid, p0, granule),
        "g_defection": granule_sums(rec[:, :, REC_DEFECTION], valid, p0, granule),
        "g_rel_income": granule_sums(lny - log_mean, valid, p0, granule),
        "g_pop_share": granule_sums(L, valid, p0, granule),
        "g_reviews": granule_sums(ps[:, PATH_REVIEWS], valid, p0, granule),
        "g_picks": granule_sums(ps[:, PATH_PICK_CA : PATH_PICK_CA + 3], valid, p0, granule),
    }


def compute_block(
    store: str,
    layout: Layout,
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
    m0, m1, p0, p1 = layout.block(mb, pb)
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
        part = reduce_block(res, p0, layout.granule)
        n_invalid += int((part["path_valid"] == 0).sum())
        parts.append(part)
    data = {k: np.stack([p[k] for p in parts]) for k in parts[0]}
    write_block(store, layout, mb, pb, data)
    steps = (m1 - m0) * (p1 - p0) * settings["years"] * settings["substeps"] * inputs.n_regions
    return {
        "block": (mb, pb),
        "region_steps": steps,
        "seconds": time.perf_counter() - start,
        "n_invalid": n_invalid,
    }
