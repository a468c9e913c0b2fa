"""The vector layer: every operation equals the scalar operation lane by lane, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mccoord.kernels import elementary, simd
from numba import njit
from numba.core.errors import TypingError

LANES = [8, 16]
SIZE = 4096  # a multiple of every lane count
SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 5e-324, -2.2e-308, 1.7e308, 1e-300, 0.5]


def _doubles(seed: int) -> np.ndarray:
    """Doubles of all magnitudes and signs, with the special values at every lane position."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(SIZE) * 10.0 ** rng.uniform(-8, 8, SIZE)
    where = rng.choice(SIZE, size=8 * len(SPECIALS), replace=False)
    x[where] = np.tile(SPECIALS, 8)
    return x


def _pair() -> tuple[np.ndarray, np.ndarray]:
    a, b = _doubles(1), _doubles(2)
    same = np.random.default_rng(3).random(SIZE) < 0.1  # equal operands, for comparisons
    b[same] = a[same]
    return a, b


def _same_bits(x: np.ndarray, y: np.ndarray):
    np.testing.assert_array_equal(x.view(np.int64), y.view(np.int64))


def _binary(n, vector_op, scalar_op):
    @njit
    def vector(a, b, out):
        for s in range(0, a.shape[0], n):
            simd.store(out, s, vector_op(simd.load(a, s, n), simd.load(b, s, n)))

    @njit(error_model="numpy")
    def scalar(a, b, out):
        for i in range(a.shape[0]):
            out[i] = scalar_op(a[i], b[i])

    return vector, scalar


def _unary(n, vector_op, scalar_op):
    @njit
    def vector(a, out):
        for s in range(0, a.shape[0], n):
            simd.store(out, s, vector_op(simd.load(a, s, n)))

    @njit(error_model="numpy")
    def scalar(a, out):
        for i in range(a.shape[0]):
            out[i] = scalar_op(a[i])

    return vector, scalar


def ieee(fn):
    """Compile with IEEE division (x/0 = inf or nan) instead of Python's ZeroDivisionError."""
    return njit(error_model="numpy")(fn)


# one source for both forms where the Python operator is the same
_add = ieee(lambda a, b: a + b)
_sub = ieee(lambda a, b: a - b)
_mul = ieee(lambda a, b: a * b)
_div = ieee(lambda a, b: a / b)
_and = ieee(lambda a, b: a & b)
_or = ieee(lambda a, b: a | b)
_xor = ieee(lambda a, b: a ^ b)

FLOAT_BINARY = {
    "add": (_add, _add),
    "sub": (_sub, _sub),
    "mul": (_mul, _mul),
    "div": (_div, _div),
    "add-scalar": (ieee(lambda a, b: a + 0.1), ieee(lambda a, b: a + 0.1)),
    "scalar-div": (ieee(lambda a, b: 3.0 / b), ieee(lambda a, b: 3.0 / b)),
    "minimum": (ieee(lambda a, b: simd.minimum(a, b)), ieee(lambda a, b: min(a, b))),
    "maximum": (ieee(lambda a, b: simd.maximum(a, b)), ieee(lambda a, b: max(a, b))),
    "lt": (ieee(lambda a, b: simd.select(a < b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a < b else 0.0)),
    "le": (ieee(lambda a, b: simd.select(a <= b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a <= b else 0.0)),
    "gt": (ieee(lambda a, b: simd.select(a > b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a > b else 0.0)),
    "ge": (ieee(lambda a, b: simd.select(a >= b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a >= b else 0.0)),
    "eq": (ieee(lambda a, b: simd.select(a == b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a == b else 0.0)),
    "ne": (ieee(lambda a, b: simd.select(a != b, 1.0, 0.0)), ieee(lambda a, b: 1.0 if a != b else 0.0)),
    "select": (ieee(lambda a, b: simd.select(a < b, a, b)), ieee(lambda a, b: a if a < b else b)),
    "mask-and-or-xor-not": (
        ieee(lambda a, b: simd.select(((a < b) & (a > 0.0)) | ((a == b) ^ ~(b < 1.0)), a, b)),
        ieee(lambda a, b: a if ((a < b) and (a > 0.0)) or ((a == b) != (not (b < 1.0))) else b),
    ),
}

FLOAT_UNARY = {
    "neg": (ieee(lambda a: -a), ieee(lambda a: -a)),
    "absolute": (ieee(lambda a: simd.absolute(a)), ieee(lambda a: abs(a))),
    "sqrt": (ieee(lambda a: simd.sqrt(a)), ieee(lambda a: math.sqrt(a))),
    "exp": (ieee(lambda a: simd.exp(a)), ieee(lambda a: elementary.exp(a))),
    "exp-model-range": (ieee(lambda a: simd.exp(a * 1e-6)), ieee(lambda a: elementary.exp(a * 1e-6))),
    "log": (ieee(lambda a: simd.log(a)), ieee(lambda a: elementary.log(a))),
    "log-abs": (ieee(lambda a: simd.log(simd.absolute(a))), ieee(lambda a: elementary.log(abs(a)))),
    "sin": (ieee(lambda a: simd.sin(a * 1e-6)), ieee(lambda a: elementary.sin(a * 1e-6))),
    "cos": (ieee(lambda a: simd.cos(a * 1e-6)), ieee(lambda a: elementary.cos(a * 1e-6))),
    "sincos": (
        ieee(lambda a: simd.sincos(a * 1e-6)[0] - 2.0 * simd.sincos(a * 1e-6)[1]),
        ieee(lambda a: elementary.sincos(a * 1e-6)[0] - 2.0 * elementary.sincos(a * 1e-6)[1]),
    ),
}


@pytest.mark.parametrize("n", LANES)
@pytest.mark.parametrize("name", list(FLOAT_BINARY))
def test_float_binary_operation_equals_scalar_in_every_lane(name, n):
    vector, scalar = _binary(n, *FLOAT_BINARY[name])
    a, b = _pair()
    got, want = np.empty(SIZE), np.empty(SIZE)
    vector(a, b, got)
    scalar(a, b, want)
    _same_bits(got, want)


@pytest.mark.parametrize("n", LANES)
@pytest.mark.parametrize("name", list(FLOAT_UNARY))
def test_float_unary_operation_equals_scalar_in_every_lane(name, n):
    vector, scalar = _unary(n, *FLOAT_UNARY[name])
    a = _doubles(4)
    got, want = np.empty(SIZE), np.empty(SIZE)
    vector(a, got)
    scalar(a, want)
    _same_bits(got, want)


INT_BINARY = {
    "add": (_add, _add),
    "sub": (_sub, _sub),
    "mul": (_mul, _mul),
    "and": (_and, _and),
    "or": (_or, _or),
    "xor": (_xor, _xor),
    "lt": (ieee(lambda a, b: simd.select(a < b, a, b)), ieee(lambda a, b: a if a < b else b)),
    "ge": (ieee(lambda a, b: simd.select(a >= b, a, b)), ieee(lambda a, b: a if a >= b else b)),
    "eq": (ieee(lambda a, b: simd.select(a == b, a, b ^ a)), ieee(lambda a, b: a if a == b else b ^ a)),
    "minimum": (ieee(lambda a, b: simd.minimum(a, b)), ieee(lambda a, b: min(a, b))),
    "maximum": (ieee(lambda a, b: simd.maximum(a, b)), ieee(lambda a, b: max(a, b))),
}


@pytest.mark.parametrize("n", LANES)
@pytest.mark.parametrize("dtype", [np.int64, np.uint32])
@pytest.mark.parametrize("name", list(INT_BINARY))
def test_integer_operation_equals_scalar_in_every_lane(name, dtype, n):
    vector, scalar = _binary(n, *INT_BINARY[name])
    rng = np.random.default_rng(6)
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, SIZE, dtype=dtype, endpoint=True)
    b = rng.integers(info.min, info.max, SIZE, dtype=dtype, endpoint=True)
    b[::7] = a[::7]
    a[:16] = info.min
    b[16:32] = info.max
    got, want = np.empty(SIZE, dtype), np.empty(SIZE, dtype)
    vector(a, b, got)
    scalar(a, b, want)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n", LANES)
def test_load_and_store_at_any_offset_copy_the_lanes(n):
    @njit
    def copy(a, start, out):
        simd.store(out, start, simd.load(a, start, n))

    a = _doubles(7)
    for start in (0, 1, 3, SIZE - n):
        out = np.zeros(SIZE)
        copy(a, start, out)
        _same_bits(out[start : start + n], a[start : start + n])
        assert not out[:start].any() and not out[start + n :].any()


@pytest.mark.parametrize("n", LANES)
def test_rows_of_a_lane_last_array_load_as_vectors(n):
    @njit
    def double_rows(state):
        for f in range(state.shape[0]):
            for i in range(state.shape[1]):
                row = state[f, i]
                simd.store(row, 0, simd.load(row, 0, n) * 2.0)

    state = np.arange(3 * 5 * n, dtype=np.float64).reshape(3, 5, n)
    want = state * 2.0
    double_rows(state)
    np.testing.assert_array_equal(state, want)


@pytest.mark.parametrize("n", LANES)
@pytest.mark.parametrize("x", [2.5, -0.0, 7, np.uint32(4000000000)])
def test_broadcast_puts_the_value_in_every_lane(n, x):
    @njit
    def spread(x):
        v = simd.broadcast(x, n)
        return [simd.lane(v, i) for i in range(n)]

    got = spread(x)
    assert len(got) == n and all(g == x and math.copysign(1, g) == math.copysign(1, x) for g in got)


@pytest.mark.parametrize("n", LANES)
def test_lane_returns_each_lane(n):
    @njit
    def lanes(a):
        v = simd.load(a, 0, n)
        return np.array([simd.lane(v, i) for i in range(n)])

    a = _doubles(8)[:n]
    _same_bits(lanes(a), a)


@pytest.mark.parametrize("n", LANES)
def test_bit_views_are_the_ieee_patterns(n):
    @njit
    def view(a, bits, back):
        for s in range(0, a.shape[0], n):
            b = simd.as_bits(simd.load(a, s, n))
            simd.store(bits, s, b)
            simd.store(back, s, simd.from_bits(b))

    a = _doubles(9)
    bits, back = np.empty(SIZE, np.int64), np.empty(SIZE)
    view(a, bits, back)
    np.testing.assert_array_equal(bits, a.view(np.int64))
    _same_bits(back, a)


@pytest.mark.parametrize("n", LANES)
def test_any_and_all_lanes_reduce_a_mask(n):
    @njit
    def reduce(a):
        m = simd.load(a, 0, n) > 0.0
        return simd.any_lane(m), simd.all_lanes(m)

    for a in (np.zeros(n), np.ones(n), np.eye(n)[n - 1], -np.eye(n)[0] + 1.0):
        assert reduce(a) == (bool((a > 0).any()), bool((a > 0).all()))


@pytest.mark.parametrize("n", LANES)
def test_vectors_and_masks_survive_a_list(n):
    @njit
    def through_list(a):
        vs = [simd.load(a, 0, n), simd.load(a, n, n)]
        masks = [vs[0] < vs[1]]
        vs.append(simd.select(masks[0], vs[0], vs[1]))
        out = np.empty(3 * n)
        for i in range(3):
            simd.store(out, i * n, vs[i])
        return out

    a = _doubles(10)[: 2 * n]
    out = through_list(a)
    _same_bits(out[: 2 * n], a)
    _same_bits(out[2 * n :], np.where(a[:n] < a[n:], a[:n], a[n:]))


def test_lane_count_must_be_a_compile_time_constant():
    @njit
    def load_runtime(a, n):
        return simd.lane(simd.load(a, 0, n), 0)

    with pytest.raises(TypingError, match="compile-time constant"):
        load_runtime(np.zeros(8), 8)


def test_vectors_of_different_widths_do_not_mix():
    @njit
    def mix(a):
        return simd.lane(simd.load(a, 0, 8) + simd.load(a, 0, 16), 0)

    with pytest.raises(TypingError):
        mix(np.zeros(16))


@pytest.mark.parametrize("n", LANES)
def test_vector_code_has_no_fused_multiply_add(n):
    @njit
    def arithmetic(a, b, out):
        for s in range(0, a.shape[0], n):
            x = simd.load(a, s, n)
            y = simd.load(b, s, n)
            z = x * y + x - y * 3.0 + x / y
            z = simd.select(z < x, simd.sqrt(simd.absolute(z)), z * z - y)
            s_, c = simd.sincos(z)
            simd.store(out, s, simd.exp(x * y + 1.0) + simd.log(z) * s_ - c)

    a, b = _pair()
    arithmetic(a, b, np.empty(SIZE))
    asm = arithmetic.inspect_asm(arithmetic.signatures[0])
    assert "vmulpd" in asm and "vaddpd" in asm  # it is vector code
    assert not simd.has_fma(asm)


def test_fma_check_finds_fused_multiply_adds():
    with open("/proc/cpuinfo") as f:
        if " fma" not in f.read():
            pytest.skip("this CPU has no FMA")

    @njit(fastmath=True)
    def contracted(a, b, c):
        for i in range(a.shape[0]):
            a[i] = a[i] * b[i] + c[i]

    x = np.ones(64)
    contracted(x, x.copy(), x.copy())
    assert simd.has_fma(contracted.inspect_asm(contracted.signatures[0]))
