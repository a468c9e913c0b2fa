"""Own exp, log, sin and cos: branch-free, within 1 ulp, the same bits in every lane.

Each function is one IR emitter (``emit_exp``, ``emit_log``, ``emit_sincos``) written
against :class:`kernels.irbuild.Emitter`. This module instantiates them for scalars
(``exp``, ``log``, ``sin``, ``cos``, ``sincos``: Numba intrinsics callable from any
``@njit`` function); :mod:`kernels.simd` instantiates the same emitters for
``<N x double>``. Both forms therefore execute the same IEEE operations in the same
order, and every lane is bitwise equal to the scalar result. There is no branch:
special cases are resolved with selects, so all lanes of a vector run the same code.
Nothing depends on libm, the CPU's FMA or fast-math flags.

Accuracy (checked by ``tests/kernels/test_elementary.py`` on millions of arguments
against a correctly rounded reference): the result is at most 1 ulp from the correctly
rounded value,

* ``exp(x)`` for every double ``x``; results in the subnormal range are at most 1 ulp of
  the subnormal spacing away; ``exp(x) = inf`` for ``x > 709.782712893384`` and ``0``
  below about ``-745.13``; the model's arguments lie in about ``[-50, 50]``;
* ``log(x)`` for every positive double, subnormals included;
* ``sin(x)``, ``cos(x)`` for ``|x| <= 2**20`` (Box-Muller uses ``[0, 2*pi)``).

Special values: ``exp(nan) = nan``, ``exp(inf) = inf``, ``exp(-inf) = 0``;
``log(0) = log(-0) = -inf``, ``log(x < 0) = nan``, ``log(inf) = inf``,
``log(nan) = nan``; ``sin(+-0) = +-0``; sin and cos of ``nan``, ``+-inf`` and of
``|x| > 2**20`` (outside the range where the reduction below is exact) are ``nan``.

Algorithms (all polynomials are truncated Taylor series, evaluated by Horner's rule;
the hexadecimal constants are re-derived with mpmath by the tests):

* exp: ``x = n*ln2 + r`` with ``n = round(x/ln2)`` and ``|r| <= ln2/2`` (Cody and Waite
  1980: ``ln2 = LN2_HI + LN2_LO``, ``LN2_HI`` with 42 significant bits so that
  ``x - n*LN2_HI`` is exact). ``exp(r) - 1 = r + r**2 * (1/2! + r/3! + ... + r**11/13!)``
  (truncation below ``2**-57`` relative); ``1 + r + r**2*q`` is summed in double-double
  (Dekker's Fast2Sum), carrying the rounding error of ``r`` along. ``2**n`` is applied
  as ``2**(n>>1) * 2**(n - (n>>1))`` so that results near overflow and in the
  subnormal range are scaled without overflow in the factors; arguments are clamped to
  ``[-746, 710]`` first, which keeps ``n`` small without changing any result.
* log: ``x = 2**k * m`` with ``m`` in ``[sqrt(1/2), sqrt(2))`` (subnormals scaled by
  ``2**54`` first), ``f = m - 1``, ``s = f/(2 + f)`` so that
  ``log(1 + f) = 2*atanh(s) = f - f**2/2 + s*(f**2/2 + R)`` with
  ``R = sum_k 2*s**(2k)/(2k + 1)`` for ``k = 1..11`` (``|s| <= 0.1716``; truncation below
  ``2**-64`` relative), and ``log(x) = k*LN2_HI + (f - (f**2/2 - (s*(f**2/2 + R) +
  k*LN2_LO)))``, the order of fdlibm's ``e_log.c`` (Sun Microsystems 1993).
* sin, cos: ``x = n*pi/2 + y`` with ``pi/2 = PIO2_1 + PIO2_2 + PIO2_3`` (33, 33 and 53
  significant bits; ``n*PIO2_1`` and ``n*PIO2_2`` are exact for ``|n| < 2**20``),
  ``y = y_hi + y_lo`` kept in double-double; ``sin(y) = y + y**3*S(y**2)`` (terms to
  ``y**17``), ``cos(y) = 1 - y**2/2 + y**4*C(y**2)`` (terms to ``y**16``, with ``y**2``
  split exactly by Dekker's product so that ``1 - y**2/2`` loses nothing), corrected for
  ``y_lo`` to first order; the quadrant ``n mod 4`` picks and signs them by selects.

References
----------
.. [1] W. J. Cody and W. Waite, *Software Manual for the Elementary Functions*,
   Prentice-Hall, 1980.
.. [2] Sun Microsystems, fdlibm 5.3, ``e_exp.c``, ``e_log.c``, ``k_sin.c``, ``k_cos.c``,
   1993.
.. [3] T. J. Dekker, "A floating-point technique for extending the available
   precision", *Numerische Mathematik* 18, 224-242, 1971.
"""

from __future__ import annotations

import math

from numba import types
from numba.core.errors import TypingError
from numba.extending import intrinsic

from .irbuild import Emitter

# ln 2 split for Cody-Waite reduction: LN2_HI has 42 significant bits, LN2_LO is
# ln 2 - LN2_HI rounded to double.
INV_LN2 = float.fromhex("0x1.71547652b82fep+0")
LN2_HI = float.fromhex("0x1.62e42fefa3800p-1")
LN2_LO = float.fromhex("0x1.ef35793c76730p-45")
# pi/2 split in three: 33 + 33 significant bits and the rest rounded to double.
TWO_OVER_PI = float.fromhex("0x1.45f306dc9c883p-1")
PIO2_1 = float.fromhex("0x1.921fb54400000p+0")
PIO2_2 = float.fromhex("0x1.0b4611a600000p-34")
PIO2_3 = float.fromhex("0x1.3198a2e037073p-69")
TWO_PI = float.fromhex("0x1.921fb54442d18p+2")

# exp(r) - 1 - r = r**2 * EXP_Q(r): 1/k! for k = 2..13
EXP_Q = tuple(1.0 / math.factorial(k) for k in range(2, 14))
# log: R = z * LOG_R(z), z = s**2: 2/(2k+1) for k = 1..11
LOG_R = tuple(2.0 / (2 * k + 1) for k in range(1, 12))
# sin(y) = y + y * z * SIN_S(z), z = y**2: (-1)**k/(2k+1)! for k = 1..8
SIN_S = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(1, 9))
# cos(y) = 1 - z/2 + z**2 * COS_C(z): (-1)**k/(2k)! for k = 2..8
COS_C = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(2, 9))

#: Largest |x| for which sin and cos are computed; beyond it they return nan.
TRIG_MAX = 2.0**20


def emit_exp(e: Emitter, x):
    """Emit ``exp(x)`` for doubles (scalar or lanes); see the module docstring."""
    xc = e.select(e.lt(x, e.f(-746.0)), e.f(-746.0), x)
    xc = e.select(e.gt(xc, e.f(710.0)), e.f(710.0), xc)
    n, k = e.round_to_int(e.mul(xc, e.f(INV_LN2)))
    hi = e.sub(xc, e.mul(n, e.f(LN2_HI)))  # exact
    lo = e.mul(n, e.f(LN2_LO))
    # r + r_err = hi - lo exactly whenever r_err matters (|r| > 2**-10 >> |lo|)
    r = e.sub(hi, lo)
    r_err = e.sub(e.sub(hi, r), lo)
    t = e.mul(e.mul(r, r), e.horner(r, EXP_Q))
    s, s_err = e.fast_two_sum(r, t)  # |t| < |r|
    y, y_err = e.fast_two_sum(e.f(1.0), s)  # |s| < 1
    tail = e.add(y_err, e.add(s_err, e.add(r_err, e.mul(r_err, s))))
    y = e.add(y, tail)
    k1 = e.ashr(k, e.i64(1))
    res = e.mul(e.mul(y, e.pow2(k1)), e.pow2(e.isub(k, k1)))
    return e.select(e.is_nan(x), x, res)


def emit_log(e: Emitter, x):
    """Emit ``log(x)`` for doubles (scalar or lanes); see the module docstring."""
    subnormal = e.lt(x, e.f(2.0**-1022))
    xs = e.select(subnormal, e.mul(x, e.f(2.0**54)), x)
    ix = e.bits(xs)
    k = e.ashr(e.isub(ix, e.i64(0x3FE6A09E00000000)), e.i64(52))
    m = e.from_bits(e.isub(ix, e.shl(k, e.i64(52))))
    k = e.isub(k, e.select(subnormal, e.i64(54), e.i64(0)))
    kd = e.small_int_to_double(k)
    f = e.sub(m, e.f(1.0))  # exact
    s = e.div(f, e.add(e.f(2.0), f))
    z = e.mul(s, s)
    big_r = e.mul(z, e.horner(z, LOG_R))
    hfsq = e.mul(e.mul(e.f(0.5), f), f)
    inner = e.add(e.mul(s, e.add(hfsq, big_r)), e.mul(kd, e.f(LN2_LO)))
    res = e.sub(e.mul(kd, e.f(LN2_HI)), e.sub(e.sub(hfsq, inner), f))
    res = e.select(e.eq(x, e.f(0.0)), e.f(-math.inf), res)
    res = e.select(e.lt(x, e.f(0.0)), e.f(math.nan), res)
    res = e.select(e.eq(x, e.f(math.inf)), x, res)
    return e.select(e.is_nan(x), x, res)


def emit_sincos(e: Emitter, x):
    """Emit ``(sin(x), cos(x))`` for doubles (scalar or lanes); see the module docstring."""
    n, k = e.round_to_int(e.mul(x, e.f(TWO_OVER_PI)))
    a = e.sub(x, e.mul(n, e.f(PIO2_1)))  # exact
    y1, err1 = e.two_sum(a, e.neg(e.mul(n, e.f(PIO2_2))))  # n*PIO2_2 exact
    y_hi, y_lo = e.fast_two_sum(y1, e.sub(err1, e.mul(n, e.f(PIO2_3))))
    z, z_lo = e.two_square(y_hi)
    hz = e.mul(e.f(0.5), z)  # exact
    # sin(y_hi + y_lo) = sin(y_hi) + y_lo * cos(y_hi) to first order in y_lo
    odd = e.mul(e.mul(y_hi, z), e.horner(z, SIN_S))
    sin_y = e.add(y_hi, e.add(odd, e.mul(y_lo, e.sub(e.f(1.0), hz))))
    # cos(y_hi + y_lo) = 1 - (z + z_lo)/2 + z**2 C(z) - y_hi * y_lo
    w, w_err = e.fast_two_sum(e.f(1.0), e.neg(hz))
    even = e.mul(e.mul(z, z), e.horner(z, COS_C))
    cos_tail = e.sub(e.add(e.sub(w_err, e.mul(e.f(0.5), z_lo)), even), e.mul(y_hi, y_lo))
    cos_y = e.add(w, cos_tail)
    # quadrant n mod 4: sin = (s, c, -s, -c), cos = (c, -s, -c, s)
    q = e.and_(k, e.i64(3))
    swap = e.ine(e.and_(q, e.i64(1)), e.i64(0))
    sin_x = e.select(swap, cos_y, sin_y)
    cos_x = e.select(swap, sin_y, cos_y)
    sin_x = e.select(e.ine(e.and_(q, e.i64(2)), e.i64(0)), e.neg(sin_x), sin_x)
    cos_x = e.select(e.ine(e.and_(e.iadd(q, e.i64(1)), e.i64(2)), e.i64(0)), e.neg(cos_x), cos_x)
    sin_x = e.select(e.eq(x, e.f(0.0)), x, sin_x)  # keeps the sign of zero
    outside = e.builder.not_(e.le(e.fabs(x), e.f(TRIG_MAX)))  # also nan
    nan = e.f(math.nan)
    return e.select(outside, nan, sin_x), e.select(outside, nan, cos_x)


def _check_real(x):
    if not isinstance(x, (types.Float, types.Integer)):
        raise TypingError(f"expected a real scalar, got {x}")


@intrinsic
def exp(typingctx, x):
    """``exp(x)`` of a float64 (within 1 ulp, branch-free); callable from ``@njit`` code."""
    _check_real(x)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return emit_exp(Emitter(builder), v)

    return types.float64(x), codegen


@intrinsic
def log(typingctx, x):
    """``log(x)`` of a float64 (within 1 ulp, branch-free); callable from ``@njit`` code."""
    _check_real(x)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return emit_log(Emitter(builder), v)

    return types.float64(x), codegen


@intrinsic
def sincos(typingctx, x):
    """``(sin(x), cos(x))`` of a float64 (within 1 ulp for ``|x| <= 2**20``)."""
    _check_real(x)
    ret = types.UniTuple(types.float64, 2)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return context.make_tuple(builder, ret, emit_sincos(Emitter(builder), v))

    return ret(x), codegen


@intrinsic
def sin(typingctx, x):
    """``sin(x)`` of a float64 (within 1 ulp for ``|x| <= 2**20``)."""
    _check_real(x)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return emit_sincos(Emitter(builder), v)[0]

    return types.float64(x), codegen


@intrinsic
def cos(typingctx, x):
    """``cos(x)`` of a float64 (within 1 ulp for ``|x| <= 2**20``)."""
    _check_real(x)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        return emit_sincos(Emitter(builder), v)[1]

    return types.float64(x), codegen
