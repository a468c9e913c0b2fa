"""Philox4x32-10 streams: known answers, documented addresses, lanes equal scalar, statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mccoord.kernels import elementary, philox, simd
from numba import njit, uint32
from scipy import stats

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF

# Random123 kat_vectors for philox4x32_10: counter, key -> output (ENGINEERING.md)
KATS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M32, M32, M32, M32), (M32, M32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


def philox_python(counter, key):
    """Philox4x32-10 in plain Python integers, written from the paper's definition."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1, p0 & M32
    return c0, c1, c2, c3


def splitmix64_python(x):
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


@njit
def _block(c, k):
    return philox.philox4x32(c[0], c[1], c[2], c[3], k[0], k[1])


def block(counter, key):
    return tuple(int(w) for w in _block(np.array(counter, np.uint32), np.array(key, np.uint32)))


@pytest.mark.parametrize("counter, key, want", KATS)
def test_known_answers_of_random123(counter, key, want):
    assert block(counter, key) == want


@pytest.mark.parametrize("counter, key, want", KATS)
def test_python_reference_gives_the_known_answers(counter, key, want):
    assert philox_python(counter, key) == want


def test_scalar_philox_equals_the_python_reference_on_random_inputs():
    rng = np.random.default_rng(11)
    for _ in range(300):
        c = tuple(int(v) for v in rng.integers(0, 2**32, 4))
        k = tuple(int(v) for v in rng.integers(0, 2**32, 2))
        assert block(c, k) == philox_python(c, k)


def _lane_blocks(n):
    @njit
    def lanes(counters, keys, out):
        c = [simd.load(counters[i], 0, n) for i in range(4)]
        k0 = simd.load(keys[0], 0, n)
        k1 = simd.load(keys[1], 0, n)
        w = philox.philox4x32(c[0], c[1], c[2], c[3], k0, k1)
        for i in range(4):
            simd.store(out[i], 0, w[i])

    return lanes


@pytest.mark.parametrize("n", [8, 16])
def test_known_answers_in_every_lane(n):
    counters = np.array([KATS[j % 3][0] for j in range(n)], np.uint32).T.copy()
    keys = np.array([KATS[j % 3][1] for j in range(n)], np.uint32).T.copy()
    out = np.empty((4, n), np.uint32)
    _lane_blocks(n)(counters, keys, out)
    for j in range(n):
        assert tuple(int(w) for w in out[:, j]) == KATS[j % 3][2]


@pytest.mark.parametrize("n", [8, 16])
def test_lanes_equal_scalar_philox_bit_for_bit(n):
    rng = np.random.default_rng(n)
    counters = rng.integers(0, 2**32, (4, n), dtype=np.uint32)
    keys = rng.integers(0, 2**32, (2, n), dtype=np.uint32)
    out = np.empty((4, n), np.uint32)
    _lane_blocks(n)(counters, keys, out)
    for j in range(n):
        assert tuple(int(w) for w in out[:, j]) == block(counters[:, j], keys[:, j])


def test_path_key_is_splitmix64_of_seed_and_path():
    for seed, path in [(0, 0), (7, 3), (2**64 - 1, 2**64 - 1), (123456789, 10**12)]:
        key64 = splitmix64_python((splitmix64_python(seed) + path) & M64)
        k0, k1 = philox.path_key(np.uint64(seed), np.uint64(path))
        assert (int(k0), int(k1)) == (key64 & M32, key64 >> 32)


def test_distinct_paths_get_distinct_keys():
    keys = np.empty((2, 200_000), np.uint32)
    philox.lane_keys(42, np.arange(200_000, dtype=np.uint64), keys)
    packed = keys[0].astype(np.uint64) | (keys[1].astype(np.uint64) << np.uint64(32))
    assert np.unique(packed).size == packed.size


@njit
def _pairs(k0, k1, c0, c1, c2, c3):
    w = philox.philox4x32(c0, c1, c2, c3, k0, k1)
    u = philox.uniform_pair(c0, c1, c2, c3, k0, k1)
    z = philox.normal_pair(c0, c1, c2, c3, k0, k1)
    # Box-Muller exactly as documented, from the documented uniforms
    rho = math.sqrt(-2.0 * elementary.log(1.0 - u[0]))
    s, c = elementary.sincos(elementary.TWO_PI * u[1])
    return w, u, z, (rho * c, rho * s)


def test_uniforms_are_the_top_53_bits_of_word_pairs():
    rng = np.random.default_rng(12)
    for _ in range(200):
        k0, k1, c0, c1 = (uint32(v) for v in rng.integers(0, 2**32, 4))
        w, u, _, _ = _pairs(k0, k1, c0, c1, uint32(1), uint32(0))
        w = [int(v) for v in w]
        assert u[0] == (w[1] * 2**21 + (w[0] >> 11)) * 2.0**-53
        assert u[1] == (w[3] * 2**21 + (w[2] >> 11)) * 2.0**-53
        assert 0.0 <= min(u) and max(u) < 1.0


def test_normals_are_box_muller_of_the_block_uniforms():
    rng = np.random.default_rng(13)
    for _ in range(200):
        k0, k1, c0, c1 = (uint32(v) for v in rng.integers(0, 2**32, 4))
        _, u, z, documented = _pairs(k0, k1, c0, c1, uint32(0), uint32(0))
        assert z == documented  # bit for bit, with the own log and sin/cos
        rho, theta = np.sqrt(-2.0 * np.log1p(-u[0])), 2 * np.pi * u[1]
        np.testing.assert_allclose(z, (rho * np.cos(theta), rho * np.sin(theta)), rtol=1e-12)


R = 31


def test_a_step_draws_normals_then_uniforms_at_their_addresses():
    k0, k1 = philox.path_key(9, 4)
    step = 17
    out = np.empty(4 * R + 2)
    philox.draw_step(k0, k1, step, R, out)
    n_normal = 3 * R + 1
    for m in range(n_normal):
        assert out[m] == philox.normal_at(k0, k1, philox.SHOCKS, step, m)
    for m in range(R + 1):
        assert out[n_normal + m] == philox.uniform_at(k0, k1, philox.SHOCKS, step, m)


def test_draw_shocks_stacks_the_steps_of_one_path():
    k0, k1 = philox.path_key(9, 4)
    shocks = philox.draw_shocks(9, 4, 5, R)
    assert shocks.shape == (5, 4 * R + 2)
    out = np.empty(4 * R + 2)
    for k in range(5):
        philox.draw_step(k0, k1, k, R, out)
        np.testing.assert_array_equal(shocks[k], out)


def test_initial_uniform_has_its_own_counter_domain():
    k0, k1 = philox.path_key(9, 4)
    u0 = philox.initial_uniform(k0, k1)
    assert u0 == philox.uniform_at(k0, k1, philox.INITIAL, 0, 0)
    assert 0.0 <= u0 < 1.0
    step0 = philox.draw_shocks(9, 4, 1, R)[0]
    assert u0 not in step0


def test_parameter_draws_live_apart_from_shocks_and_differ_by_attempt():
    k0, k1 = philox.path_key(9, 4)
    shocks = philox.draw_shocks(9, 4, 3, R)
    draws = {}
    for attempt in range(3):
        z, u = np.empty(50), np.empty(50)
        philox.fill_normals(k0, k1, philox.PARAMETERS, attempt, z)
        philox.fill_uniforms(k0, k1, philox.PARAMETERS, attempt, u)
        draws[attempt] = (z, u)
        assert not np.isin(z, shocks).any() and not np.isin(u, shocks).any()
    assert not np.isin(draws[0][0], draws[1][0]).any()
    assert not np.isin(draws[0][1], draws[2][1]).any()


def test_odd_lengths_drop_the_second_half_of_the_last_block():
    k0, k1 = philox.path_key(3, 3)
    long_, short = np.empty(8), np.empty(7)
    philox.fill_normals(k0, k1, philox.PARAMETERS, 0, long_)
    philox.fill_normals(k0, k1, philox.PARAMETERS, 0, short)
    np.testing.assert_array_equal(short, long_[:7])


SEED = 20261201


def _lane_shocks(paths, n_steps):
    keys = np.empty((2, paths.size), np.uint32)
    philox.lane_keys(SEED, paths.astype(np.uint64), keys)
    return philox.draw_shocks_lanes(keys, n_steps, R, paths.size)


@pytest.mark.parametrize("n", [8, 16])
def test_lanes_draw_each_path_as_the_scalar_form_does(n):
    paths = np.arange(100, 100 + n)
    lanes = _lane_shocks(paths, 4)
    assert lanes.shape == (4, 4 * R + 2, n)
    for j, p in enumerate(paths):
        np.testing.assert_array_equal(lanes[:, :, j], philox.draw_shocks(SEED, p, 4, R))


@pytest.mark.parametrize("n", [8, 16])
def test_a_path_draws_the_same_variates_at_any_lane_position(n):
    rng = np.random.default_rng(n)
    alone = philox.draw_shocks(SEED, 5, 3, R)
    for position in range(n):
        others = rng.choice(np.arange(1000, 2000), size=n, replace=False)
        others[position] = 5
        np.testing.assert_array_equal(_lane_shocks(others, 3)[:, :, position], alone)


@pytest.mark.parametrize("n", [8, 16])
def test_initial_uniform_in_lanes_equals_scalar(n):
    @njit
    def initial(keys):
        v = philox.initial_uniform_lanes(simd.load(keys[0], 0, n), simd.load(keys[1], 0, n))
        return np.array([simd.lane(v, j) for j in range(n)])

    keys = np.empty((2, n), np.uint32)
    philox.lane_keys(SEED, np.arange(n, dtype=np.uint64), keys)
    got = initial(keys)
    for j in range(n):
        assert got[j] == philox.initial_uniform(keys[0, j], keys[1, j])


# --- distribution and independence -----------------------------------------------------


@pytest.fixture(scope="module")
def shocks():
    """``(paths, steps, 4R + 2)`` variates: about 1.1e6 normals and 3.6e5 uniforms."""
    return np.stack([philox.draw_shocks(SEED, p, 96, R) for p in range(120)])


def _normals(s):
    return s[..., : 3 * R + 1]


def _uniforms(s):
    return s[..., 3 * R + 1 :]


def test_uniforms_pass_kolmogorov_smirnov(shocks):
    u = _uniforms(shocks).ravel()
    extra = np.empty(700_000)
    k0, k1 = philox.path_key(SEED, 10**6)
    philox.fill_uniforms(k0, k1, philox.PARAMETERS, 0, extra)
    u = np.concatenate([u, extra])
    assert u.size > 1_000_000
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_uniform_mean_and_variance(shocks):
    u = _uniforms(shocks).ravel()
    n = u.size
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 5 * math.sqrt(1 / 180 / n)  # var of (U - 1/2)**2 is 1/180


def test_normals_pass_kolmogorov_smirnov(shocks):
    z = _normals(shocks).ravel()
    assert z.size > 1_000_000
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_normal_mean_and_variance(shocks):
    z = _normals(shocks).ravel()
    n = z.size
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(z.var() - 1.0) < 5 * math.sqrt(2.0 / n)


def _assert_uncorrelated(x, y):
    r = np.corrcoef(x.ravel(), y.ravel())[0, 1]
    assert abs(r) < 5 / math.sqrt(x.size), r


def _centred(s):
    """Normals as they are and uniforms minus 1/2: every variate has mean 0."""
    out = s.copy()
    out[..., 3 * R + 1 :] -= 0.5
    return out


def test_neighbouring_paths_are_uncorrelated(shocks):
    c = _centred(shocks)
    _assert_uncorrelated(c[:-1], c[1:])


def test_neighbouring_steps_are_uncorrelated(shocks):
    c = _centred(shocks)
    _assert_uncorrelated(c[:, :-1], c[:, 1:])


def test_box_muller_partners_are_uncorrelated(shocks):
    z = _normals(shocks)  # 3R + 1 = 94 normals: whole pairs
    _assert_uncorrelated(z[..., 0::2], z[..., 1::2])
    _assert_uncorrelated(z[..., 0::2] ** 2, z[..., 1::2] ** 2)


def test_neighbouring_uniforms_are_uncorrelated(shocks):
    u = _uniforms(shocks)
    _assert_uncorrelated(u[..., :-1], u[..., 1:])
