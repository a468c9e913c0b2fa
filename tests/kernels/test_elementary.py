"""Own exp, log, sin and cos: within 1 ulp of the correctly rounded value, edge cases, no branch."""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
from mccoord.kernels import elementary
from numba import njit

from .reference import correctly_rounded, mp_reference, ulp_distance


@njit(cache=True)
def _apply(name, x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        if name == 0:
            out[i] = elementary.exp(x[i])
        elif name == 1:
            out[i] = elementary.log(x[i])
        elif name == 2:
            out[i] = elementary.sin(x[i])
        else:
            out[i] = elementary.cos(x[i])
    return out


_CODE = {"exp": 0, "log": 1, "sin": 2, "cos": 3}


def own(name: str, x) -> np.ndarray:
    return _apply(_CODE[name], np.asarray(x, dtype=np.float64))


def _random_positive_doubles(rng, n):
    """Positive finite doubles with uniformly random bit patterns (all binades alike)."""
    bits = rng.integers(1, 0x7FF0000000000000, size=n, dtype=np.int64)
    return bits.view(np.float64)


def _assert_within_one_ulp(name, x):
    got = own(name, x)
    want = correctly_rounded(name, x)
    d = ulp_distance(got, want)
    worst = int(np.argmax(d))
    msg = f"{name}({x[worst]!r}) = {got[worst]!r}, correctly rounded {want[worst]!r}: {d.max()} ulp"
    assert d.max() <= 1, msg


RNG_SEED = 20261201


@pytest.mark.slow
@pytest.mark.parametrize(
    "low, high",
    [(-745.2, 709.8), (-50.0, 50.0), (-1.0, 1.0), (-745.2, -708.0)],
    ids=["whole-range", "model-range", "near-zero", "subnormal-results"],
)
def test_exp_is_within_one_ulp_of_correctly_rounded(low, high):
    x = np.random.default_rng(RNG_SEED).uniform(low, high, 2_000_000)
    _assert_within_one_ulp("exp", x)


@pytest.mark.slow
def test_log_is_within_one_ulp_over_every_binade():
    _assert_within_one_ulp("log", _random_positive_doubles(np.random.default_rng(RNG_SEED), 2_000_000))


@pytest.mark.slow
def test_log_is_within_one_ulp_near_one():
    x = np.random.default_rng(RNG_SEED).uniform(0.5, 2.0, 2_000_000)
    _assert_within_one_ulp("log", x)


def test_log_is_within_one_ulp_on_subnormals():
    bits = np.random.default_rng(RNG_SEED).integers(1, 1 << 52, size=200_000, dtype=np.int64)
    _assert_within_one_ulp("log", bits.view(np.float64))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sin", "cos"])
@pytest.mark.parametrize(
    "low, high", [(0.0, 2 * math.pi), (-(2.0**20), 2.0**20)], ids=["box-muller-range", "whole-range"]
)
def test_sin_cos_are_within_one_ulp_of_correctly_rounded(name, low, high):
    x = np.random.default_rng(RNG_SEED).uniform(low, high, 2_000_000)
    _assert_within_one_ulp(name, x)


def _near(v, n=3):
    """``v`` and its ``n`` neighbouring doubles on either side."""
    out = [v]
    lo = hi = v
    for _ in range(n):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        out += [lo, hi]
    return out


EXP_EDGES = [
    *_near(0.0),
    *_near(709.782712893384),  # log(DBL_MAX): the last finite result
    *_near(-745.1332191019411),  # the last argument that gives the smallest subnormal
    *_near(-708.3964185322641),  # log(DBL_MIN): normal / subnormal results
    *_near(math.log(2.0) * 512),
    *_near(-math.log(2.0) / 2),
    *_near(math.log(2.0) / 2),
    1e-300,
    -1e-300,
    5e-324,
    -5e-324,
    1.0,
    -1.0,
    -720.0,
    -744.0,
]


def test_exp_edge_arguments_are_within_one_ulp():
    _assert_within_one_ulp("exp", np.array(EXP_EDGES))


@pytest.mark.parametrize(
    "x, want",
    [
        (math.nan, math.nan),
        (math.inf, math.inf),
        (-math.inf, 0.0),
        (710.0, math.inf),
        (1e10, math.inf),
        (-746.0, 0.0),
        (-1e10, 0.0),
        (-0.0, 1.0),
    ],
)
def test_exp_special_values(x, want):
    got = own("exp", [x])[0]
    assert (math.isnan(got) and math.isnan(want)) or got == want


LOG_EDGES = [
    *_near(1.0),
    *_near(2.0),
    *_near(0.5),
    *_near(math.sqrt(0.5)),
    float(np.array(0x3FE6A09E00000000).view(np.float64)),  # where the reduction switches k
    *_near(2.0**-1022),  # smallest normal
    5e-324,
    1e-320,
    np.finfo(np.float64).max,
    math.e,
]


def test_log_edge_arguments_are_within_one_ulp():
    _assert_within_one_ulp("log", np.array(LOG_EDGES))


@pytest.mark.parametrize(
    "x, want",
    [
        (0.0, -math.inf),
        (-0.0, -math.inf),
        (-1.0, math.nan),
        (-5e-324, math.nan),
        (-math.inf, math.nan),
        (math.inf, math.inf),
        (math.nan, math.nan),
        (1.0, 0.0),
    ],
)
def test_log_special_values(x, want):
    got = own("log", [x])[0]
    same_sign = math.copysign(1, got) == math.copysign(1, want)
    assert (math.isnan(got) and math.isnan(want)) or (got == want and same_sign)


# the doubles nearest to multiples of pi/2, where sin or cos is tiny
TRIG_EDGES = [
    *_near(math.pi / 2),
    *_near(math.pi),
    *_near(3 * math.pi / 2),
    *_near(2 * math.pi),
    *_near(math.pi / 4),
    *_near(elementary.TWO_PI * (1 - 2.0**-53)),  # the largest Box-Muller angle
    *_near(2.0**20, 1),
    -(2.0**20),
    1e-300,
    5e-324,
    2.0**-30,
    1.0,
    355.0,  # close to a multiple of pi
    103993.0,
]


@pytest.mark.parametrize("name", ["sin", "cos"])
def test_sin_cos_edge_arguments_are_within_one_ulp(name):
    x = np.array([v for v in TRIG_EDGES if abs(v) <= elementary.TRIG_MAX])
    _assert_within_one_ulp(name, x)


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf, np.nextafter(2.0**20, 3e6), -1e30])
def test_sin_cos_are_nan_outside_their_range(x):
    assert math.isnan(own("sin", [x])[0]) and math.isnan(own("cos", [x])[0])


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_sin_keeps_the_sign_of_zero_and_cos_of_zero_is_one(zero):
    s = own("sin", [zero])[0]
    assert s == 0.0 and math.copysign(1, s) == math.copysign(1, zero)
    assert own("cos", [zero])[0] == 1.0


def test_sincos_returns_sin_and_cos():
    @njit
    def both(x):
        return elementary.sincos(x)

    x = 2.5
    s, c = both(x)
    assert s == own("sin", [x])[0] and c == own("cos", [x])[0]


def _bits_of(v: float) -> int:
    return int(np.array(v).view(np.int64))


def test_reduction_constants_are_the_documented_splits():
    with mpmath.workprec(300):
        ln2 = mpmath.log(2)
        pio2 = mpmath.pi / 2
        # LN2_HI: 42 significant bits (11 trailing zero bits), LN2_LO: the rest rounded
        assert _bits_of(elementary.LN2_HI) & 0x7FF == 0
        assert elementary.LN2_LO == nearest(ln2 - elementary.LN2_HI)
        assert elementary.INV_LN2 == nearest(1 / ln2)
        # PIO2_1, PIO2_2: 33 significant bits each, PIO2_3: the rest rounded
        assert _bits_of(elementary.PIO2_1) & ((1 << 20) - 1) == 0
        assert _bits_of(elementary.PIO2_2) & ((1 << 20) - 1) == 0
        assert abs(pio2 - elementary.PIO2_1) < mpmath.mpf(2) ** -32
        assert elementary.PIO2_3 == nearest(pio2 - elementary.PIO2_1 - elementary.PIO2_2)
        assert elementary.TWO_OVER_PI == nearest(2 / mpmath.pi)
        assert elementary.TWO_PI == nearest(2 * mpmath.pi)


def nearest(v):
    from .reference import nearest_double

    return nearest_double(mpmath.mpf(v))


def test_reference_agrees_with_mpmath_on_random_arguments():
    """The long-double reference used above equals mpmath's correctly rounded value."""
    rng = np.random.default_rng(5)
    for name, x in [
        ("exp", rng.uniform(-745, 709, 300)),
        ("log", _random_positive_doubles(rng, 300)),
        ("sin", rng.uniform(0, 7, 300)),
        ("cos", rng.uniform(0, 7, 300)),
    ]:
        np.testing.assert_array_equal(correctly_rounded(name, x), mp_reference(name, x))


@pytest.mark.parametrize("fn", [elementary.exp, elementary.log, elementary.sin, elementary.cos])
def test_scalar_functions_compile_without_branches(fn):
    @njit
    def one(x):
        return fn(x)

    one(0.5)
    ir = one.inspect_llvm(one.signatures[0])
    # the compiled function itself (not its Python and C wrappers)
    start = re.search(r"^define [^\n]*@_ZN\d+\w*one", ir, re.MULTILINE).start()
    body = ir[start : ir.index("\n}\n", start)]
    assert "select" in body
    assert " br " not in body and " switch " not in body
