"""The RNG floor: draw exactly the variates the kernel draws, as it draws them, and nothing else.

Per batch of ``N`` paths (one per lane, as :mod:`kernels.batches` runs them): the Philox
keys of the paths and their initial uniforms; per step the ``3R + 1`` normals and
``R + 1`` uniforms of :func:`kernels.philox.draw_step_lanes`. The checksum keeps the
compiler from removing the draws.
"""

from __future__ import annotations

import numpy as np
from mccoord.kernels import philox, simd
from mccoord.kernels.layout import LANES
from numba import njit


def _floor(n):
    @njit(cache=True, nogil=True)
    def draw_only(seed, path0, n_paths, n_steps, R):
        keys = np.empty((2, n), np.uint32)
        paths = np.empty(n, np.uint64)
        buf = np.empty((4 * R + 2, n))
        total = 0.0
        for first in range(0, n_paths, n):
            for lane in range(n):
                paths[lane] = path0 + np.uint64(first + lane)
            philox.lane_keys(seed, paths, keys)
            k0 = simd.load(keys[0], 0, n)
            k1 = simd.load(keys[1], 0, n)
            total += simd.lane(philox.initial_uniform_lanes(k0, k1), 0)
            for step in range(n_steps):
                philox.draw_step_lanes(k0, k1, step, R, buf)
                total += buf[0, 0] + buf[4 * R + 1, n - 1]
        return total

    return draw_only


_FLOORS = {8: _floor(8), 16: _floor(16)}


def draw_only(seed, path0, n_paths, n_steps, R, lanes=LANES):
    """Draw every variate of ``n_paths`` paths of ``n_steps`` steps in batches of ``lanes``; a checksum."""
    return _FLOORS[lanes](np.uint64(seed), np.uint64(path0), int(n_paths), int(n_steps), int(R))
