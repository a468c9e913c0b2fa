"""Correctly rounded references for the elementary-function tests, and ulp distances.

The reference I trust is mpmath at 200 bits rounded once to the nearest double (ties to
even, subnormals included) by exact integer arithmetic. mpmath is too slow for millions
of arguments, so the bulk is computed in x87 long double (64-bit significand, glibc's
``expl``/``logl``/``sinl``/``cosl``, accurate to a few long-double ulps) and rounded to
double; the arguments whose long-double value lies within ``2**-8`` double ulp (8
long-double ulps) of a rounding boundary, where that double rounding could be wrong,
are recomputed with mpmath. NumPy's own float64 functions are not used as the
reference: they are not correctly rounded.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

_MP = {"exp": mpmath.exp, "log": mpmath.log, "sin": mpmath.sin, "cos": mpmath.cos}
_LD = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}


def nearest_double(v: mpmath.mpf) -> float:
    """``v`` rounded to the nearest double (ties to even), with gradual underflow."""
    if mpmath.isnan(v):
        return math.nan
    if mpmath.isinf(v):
        return math.copysign(math.inf, v)
    sign, man, exp, bc = v._mpf_
    if man == 0:
        return -0.0 if sign else 0.0
    top = exp + bc - 1  # v = man * 2**exp with 2**top <= |v| < 2**(top + 1)
    q = max(top - 52, -1074)  # exponent of the last significand bit kept
    shift = exp - q
    if shift >= 0:
        m = man << shift
    else:
        m, rem = divmod(man, 1 << -shift)
        half = 1 << (-shift - 1)
        if rem > half or (rem == half and m % 2 == 1):
            m += 1
    try:
        out = math.ldexp(m, q)
    except OverflowError:
        out = math.inf
    return -out if sign else out


def mp_reference(name: str, x: np.ndarray) -> np.ndarray:
    """Correctly rounded ``name(x)`` by mpmath, element by element (slow)."""
    with mpmath.workprec(200):
        return np.array([nearest_double(_MP[name](mpmath.mpf(float(v)))) for v in x], dtype=np.float64)


def correctly_rounded(name: str, x: np.ndarray) -> np.ndarray:
    """Correctly rounded ``name(x)`` for finite ``x`` in the function's domain."""
    y = _LD[name](x.astype(np.longdouble))
    with np.errstate(invalid="ignore", over="ignore"):
        r = y.astype(np.float64)
        up = np.nextafter(r, np.inf).astype(np.longdouble) - r
        down = r - np.nextafter(r, -np.inf).astype(np.longdouble)
        gap = np.where(y >= r, up, down)
        frac = np.abs((y - r.astype(np.longdouble)) / gap)
    hard = ~np.isfinite(frac) | (frac > 0.5 - 2.0**-8) | ~np.isfinite(r) | (r == 0)
    if hard.any():
        r = r.copy()
        r[hard] = mp_reference(name, x[hard])
    return r


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of doubles from ``a`` to ``b`` (0 if equal; ``+0`` and ``-0`` are 1 apart).

    Computed on the integer views: the magnitude bits count the doubles from zero.
    """
    ia = np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)
    ib = np.ascontiguousarray(b, dtype=np.float64).view(np.uint64)
    sign = np.uint64(1 << 63)
    ma, mb = ia & ~sign, ib & ~sign
    same = (ia & sign) == (ib & sign)
    return np.where(same, np.maximum(ma, mb) - np.minimum(ma, mb), ma + mb + np.uint64(1))
