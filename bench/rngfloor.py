"""The RNG floor: draw exactly the variates the kernel draws, and nothing else.

Per path: seed the stream from ``(seed, path)`` and draw the initial uniform; per step:
``3R + 1`` normals and ``R + 1`` uniforms with the kernel's own generator
(:mod:`kernels.rng`). The checksum keeps the compiler from removing the draws.
"""

from __future__ import annotations

import numpy as np
from mccoord.kernels.rng import fill_normals, fill_uniforms, next_uniform, seed_stream
from numba import njit


@njit(cache=True, nogil=True)
def draw_only(seed, path0, n_paths, n_steps, R):
    """Draw every variate of ``n_paths`` paths of ``n_steps`` steps; return a checksum."""
    state = np.empty(4, dtype=np.uint64)
    buf = np.empty(4 * R + 2)
    total = 0.0
    for p in range(n_paths):
        seed_stream(seed, path0 + p, state)
        total += next_uniform(state)
        for _ in range(n_steps):
            fill_normals(state, buf[: 3 * R + 1])
            fill_uniforms(state, buf[3 * R + 1 :])
            total += buf[0] + buf[4 * R + 1]
    return total
