"""Independent per-path random streams inside Numba.

Each Monte Carlo path owns one stream, addressed by ``(seed, path)`` alone, so the
draws of path ``p`` never depend on the mechanism mix, the block of paths it is
computed in, the worker or the thread. The generator is xoshiro256** (Blackman and
Vigna 2018, "Scrambled linear pseudorandom number generators", passes BigCrush),
seeded by SplitMix64 (Steele, Lea and Flood 2014) applied to a hash of the seed and
the path index, which is the seeding procedure its authors recommend.

Uniforms are the top 53 bits scaled to [0, 1). Standard normals come in pairs from
Marsaglia's polar method (exact, no tables), so a vector of ``n`` normals always
consumes whole pairs.

The state of a stream is a ``uint64[4]`` array; functions here update it in place.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

_GOLDEN = uint64(0x9E3779B97F4A7C15)
_MIX1 = uint64(0xBF58476D1CE4E5B9)
_MIX2 = uint64(0x94D049BB133111EB)
_TWO_M53 = 1.0 / 9007199254740992.0


@njit(inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(inline="always")
def _splitmix64(x):
    """Return (next state, output) of SplitMix64."""
    x = x + _GOLDEN
    z = x
    z = (z ^ (z >> uint64(30))) * _MIX1
    z = (z ^ (z >> uint64(27))) * _MIX2
    return x, z ^ (z >> uint64(31))


@njit(cache=True, nogil=True)
def seed_stream(seed, path, state):
    """Seed ``state`` (``uint64[4]``) for stream ``path`` of run ``seed``.

    The 64-bit key is SplitMix64(SplitMix64(seed) + path); the four state words are
    the next four SplitMix64 outputs from that key (never all zero in practice).
    """
    _, k = _splitmix64(uint64(seed))
    _, k = _splitmix64(k + uint64(path))
    x = k
    for i in range(4):
        x, out = _splitmix64(x)
        state[i] = out


@njit(cache=True, nogil=True)
def seed_domain_stream(seed, path, domain, state):
    """Seed ``state`` for stream ``path`` of run ``seed`` in another ``domain`` (> 0).

    Domains separate the streams a path uses for different purposes (its parameter
    draws apart from its shocks): the key of :func:`seed_stream` is mixed once more with
    the domain, ``SplitMix64(key ^ domain)``, before the four state words are drawn.
    """
    _, k = _splitmix64(uint64(seed))
    _, k = _splitmix64(k + uint64(path))
    _, k = _splitmix64(k ^ uint64(domain))
    x = k
    for i in range(4):
        x, out = _splitmix64(x)
        state[i] = out


@njit(inline="always")
def next_u64(state):
    """Advance xoshiro256** and return the next 64-bit output."""
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    result = _rotl(s1 * uint64(5), 7) * uint64(9)
    t = s1 << uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return result


@njit(inline="always")
def next_uniform(state):
    """Return a uniform double in [0, 1) (53 random bits)."""
    return float(next_u64(state) >> uint64(11)) * _TWO_M53


@njit(cache=True, nogil=True)
def fill_uniforms(state, out):
    """Fill ``out`` with uniforms in [0, 1)."""
    for i in range(out.shape[0]):
        out[i] = next_uniform(state)


@njit(cache=True, nogil=True)
def fill_normals(state, out):
    """Fill ``out`` with standard normals (Marsaglia polar method, whole pairs)."""
    n = out.shape[0]
    i = 0
    while i < n:
        while True:
            x = 2.0 * next_uniform(state) - 1.0
            y = 2.0 * next_uniform(state) - 1.0
            r2 = x * x + y * y
            if 0.0 < r2 < 1.0:
                break
        f = np.sqrt(-2.0 * np.log(r2) / r2)
        out[i] = x * f
        if i + 1 < n:
            out[i + 1] = y * f
        i += 2
