"""Random streams in the kernel: common random numbers, and the same numbers whatever the layout.

The generator itself (Philox4x32-10 known answers, addresses and statistics) is tested in
``tests/kernels/test_philox.py``.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from helpers import ALL_ON, run_given
from mccoord.kernels.layout import PATH_SHOCK_SUM
from mccoord.kernels.philox import draw_shocks, initial_uniform, path_key

import mccoord
from mccoord.blocks import run_block
from mccoord.inputs import mix_vector, model_inputs

SETTINGS = dict(years=12, substeps=1, record_every=1, target_reduction=0.25)


def _block(inputs, mix, path0, n, seed=7):
    return run_block(inputs, mix_vector(mix), seed=seed, path0=path0, n_paths=n, **SETTINGS)


def test_path_draws_the_same_shocks_under_every_mix(demo):
    inputs = model_inputs(demo)
    sums = [
        _block(inputs, mix, 0, 30).path_scalar[:, PATH_SHOCK_SUM]
        for mix in ({}, {"transfer": 1}, {"market": 0.3, "supervision": 1}, ALL_ON)
    ]
    for other in sums[1:]:
        np.testing.assert_array_equal(sums[0], other)
    assert len(np.unique(sums[0])) == 30  # and different paths draw different shocks


@pytest.mark.parametrize("lanes", [1, 8])
def test_production_stream_equals_the_drawn_shocks(demo, lanes):
    """The kernel draws path p's initial uniform and steps at their Philox addresses."""
    inputs = model_inputs(demo)
    R = inputs.n_regions
    paths = range(3, 14)
    u0 = np.array([initial_uniform(*path_key(np.uint64(7), np.uint64(p))) for p in paths])
    shocks = np.stack([draw_shocks(np.uint64(7), np.uint64(p), 12, R) for p in paths])
    given = run_given(inputs, ALL_ON, shocks, years=12, u0=u0, lanes=lanes)
    res = run_block(inputs, mix_vector(ALL_ON), seed=7, path0=3, n_paths=11, lanes=lanes, **SETTINGS)
    np.testing.assert_array_equal(res.rec_lny, given["rec_lny"])
    np.testing.assert_array_equal(res.rec_scalar, given["rec_scalar"])


def test_blocks_give_the_same_paths_wherever_they_start(demo):
    inputs = model_inputs(demo)
    whole = _block(inputs, ALL_ON, 0, 40)
    parts = [_block(inputs, ALL_ON, lo, hi - lo) for lo, hi in ((0, 13), (13, 14), (14, 40))]
    np.testing.assert_array_equal(whole.rec_lny, np.concatenate([p.rec_lny for p in parts]))
    np.testing.assert_array_equal(whole.path_scalar, np.concatenate([p.path_scalar for p in parts]))


@pytest.mark.parametrize("threads", [1, 2])
def test_same_numbers_whatever_the_thread_count(demo, threads):
    inputs = model_inputs(demo)
    reference = _block(inputs, ALL_ON, 0, 25)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        again = _block(inputs, ALL_ON, 0, 25)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(reference.rec_lny, again.rec_lny)
    np.testing.assert_array_equal(reference.rec_scalar, again.rec_scalar)


def test_different_seeds_give_different_paths(demo):
    a = mccoord.simulate(demo, {}, paths=5, seed=1, years=3)
    b = mccoord.simulate(demo, {}, paths=5, seed=2, years=3)
    assert not np.allclose(a.ln_y.isel(time=-1), b.ln_y.isel(time=-1))
