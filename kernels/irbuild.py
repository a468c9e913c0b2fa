"""Straight-line LLVM IR on a scalar or on N lanes: one emitter for both forms.

The elementary functions (:mod:`kernels.elementary`) and the Philox generator
(:mod:`kernels.philox`) are written once, as Python functions that emit LLVM IR through
an :class:`Emitter`. The emitter is made for a scalar (``lanes=None``: ``double``,
``i64``, ``i32``) or for ``N`` lanes (``<N x double>``, ``<N x i64>``, ``<N x i32>``);
the same algorithm then emits the same sequence of operations in both forms, so every
lane of the vector form is bitwise equal to the scalar form by construction.

Only plain IEEE 754 operations are emitted: no fast-math flags and no ``fma`` or
``fmuladd`` intrinsics, so LLVM neither fuses a multiply and an add nor reassociates a
sum, and the result does not depend on the CPU, the vector width or whether the code
was compiled or loaded from Numba's cache. Branch-free code is written with
:meth:`Emitter.select`.
"""

from __future__ import annotations

import struct

from llvmlite import ir

DOUBLE = ir.DoubleType()
I1 = ir.IntType(1)
I32 = ir.IntType(32)
I64 = ir.IntType(64)


def double_bits(x: float) -> int:
    """Return the IEEE 754 bit pattern of the double ``x`` as an unsigned integer."""
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _suffix(ty: ir.Type) -> str:
    """LLVM's overload suffix of an intrinsic for ``ty`` (``f64``, ``v8f64``, ``v8i64``)."""
    if isinstance(ty, ir.VectorType):
        return f"v{ty.count}{_suffix(ty.element)}"
    if isinstance(ty, ir.DoubleType):
        return "f64"
    return f"i{ty.width}"


class Emitter:
    """Emit IEEE arithmetic on a scalar (``lanes=None``) or on ``lanes`` lanes.

    Parameters
    ----------
    builder : llvmlite.ir.IRBuilder
        Where the instructions go.
    lanes : int or None
        Number of lanes of every value, or None for scalars.

    Notes
    -----
    Floating-point comparisons are ordered (false when either operand is NaN) except
    :meth:`ne`, which is unordered (true when either is NaN), as in Python.
    """

    def __init__(self, builder: ir.IRBuilder, lanes: int | None = None):
        self.builder = builder
        self.lanes = lanes

    # types and constants
    def type_of(self, scalar: ir.Type) -> ir.Type:
        """The scalar type ``scalar`` or a vector of ``lanes`` of it."""
        return scalar if self.lanes is None else ir.VectorType(scalar, self.lanes)

    def _const(self, scalar: ir.Type, value) -> ir.Constant:
        if self.lanes is None:
            return ir.Constant(scalar, value)
        return ir.Constant(ir.VectorType(scalar, self.lanes), [value] * self.lanes)

    def f(self, value: float) -> ir.Constant:
        """A double constant (in every lane)."""
        return self._const(DOUBLE, float(value))

    def i64(self, value: int) -> ir.Constant:
        """A 64-bit integer constant (two's complement; in every lane)."""
        return self._const(I64, value & 0xFFFFFFFFFFFFFFFF)

    def i32(self, value: int) -> ir.Constant:
        """A 32-bit integer constant (in every lane)."""
        return self._const(I32, value & 0xFFFFFFFF)

    # floating point
    def add(self, a, b):
        return self.builder.fadd(a, b)

    def sub(self, a, b):
        return self.builder.fsub(a, b)

    def mul(self, a, b):
        return self.builder.fmul(a, b)

    def div(self, a, b):
        return self.builder.fdiv(a, b)

    def neg(self, a):
        """``-a``: flips the sign bit only (also of zeros and NaNs)."""
        return self.builder.fneg(a)

    def lt(self, a, b):
        return self.builder.fcmp_ordered("<", a, b)

    def le(self, a, b):
        return self.builder.fcmp_ordered("<=", a, b)

    def gt(self, a, b):
        return self.builder.fcmp_ordered(">", a, b)

    def ge(self, a, b):
        return self.builder.fcmp_ordered(">=", a, b)

    def eq(self, a, b):
        return self.builder.fcmp_ordered("==", a, b)

    def ne(self, a, b):
        return self.builder.fcmp_unordered("!=", a, b)

    def is_nan(self, a):
        """True where ``a`` is NaN."""
        return self.builder.fcmp_unordered("uno", a, a)

    def select(self, mask, a, b):
        """``a`` where ``mask`` is true, else ``b`` (lane by lane)."""
        return self.builder.select(mask, a, b)

    def call(self, name: str, *args):
        """Call the overloaded LLVM intrinsic ``name`` (``llvm.sqrt``, ``llvm.fabs``)."""
        ty = args[0].type
        fnty = ir.FunctionType(ty, [a.type for a in args])
        module = self.builder.module
        full = f"{name}.{_suffix(ty)}"
        fn = module.globals.get(full)
        if fn is None:
            fn = ir.Function(module, fnty, name=full)
        return self.builder.call(fn, args)

    def sqrt(self, a):
        """Correctly rounded square root (``llvm.sqrt``)."""
        return self.call("llvm.sqrt", a)

    def fabs(self, a):
        """``|a|``: clears the sign bit only."""
        return self.call("llvm.fabs", a)

    # bit views and integers
    def bits(self, a):
        """The bit pattern of doubles as 64-bit integers."""
        return self.builder.bitcast(a, self.type_of(I64))

    def from_bits(self, a):
        """Doubles with the bit pattern of 64-bit integers."""
        return self.builder.bitcast(a, self.type_of(DOUBLE))

    def iadd(self, a, b):
        return self.builder.add(a, b)

    def isub(self, a, b):
        return self.builder.sub(a, b)

    def imul(self, a, b):
        return self.builder.mul(a, b)

    def and_(self, a, b):
        return self.builder.and_(a, b)

    def or_(self, a, b):
        return self.builder.or_(a, b)

    def xor(self, a, b):
        return self.builder.xor(a, b)

    def shl(self, a, b):
        return self.builder.shl(a, b)

    def lshr(self, a, b):
        return self.builder.lshr(a, b)

    def ashr(self, a, b):
        return self.builder.ashr(a, b)

    def ine(self, a, b):
        return self.builder.icmp_unsigned("!=", a, b)

    def zext64(self, a):
        """Zero-extend 32-bit integers to 64 bits."""
        return self.builder.zext(a, self.type_of(I64))

    def trunc32(self, a):
        """The low 32 bits of 64-bit integers."""
        return self.builder.trunc(a, self.type_of(I32))

    # exact conversions between small integers and doubles, with IEEE and integer
    # operations only (AVX2 has no packed int64 <-> double conversion)
    def small_int_to_double(self, k):
        """Exact ``double(k)`` for 64-bit integers with ``|k| < 2**51``.

        ``1.5 * 2**52 + k`` has the same exponent as ``1.5 * 2**52`` and ``k`` in its low
        mantissa bits, so it is built by an integer add on the bit pattern; subtracting
        ``1.5 * 2**52`` is then exact.
        """
        shift = 1.5 * 2.0**52
        return self.sub(self.from_bits(self.iadd(k, self.i64(double_bits(shift)))), self.f(shift))

    def u32_to_double(self, x):
        """Exact ``double(x)`` for unsigned 32-bit integers."""
        two52 = 2.0**52
        return self.sub(self.from_bits(self.or_(self.zext64(x), self.i64(double_bits(two52)))), self.f(two52))

    def round_to_int(self, x):
        """``(n, k)``: ``x`` rounded to the nearest integer (ties to even) as a double ``n``
        and as a 64-bit integer ``k``, for ``|x| < 2**50``.

        Adding ``1.5 * 2**52`` rounds ``x`` to an integer held in the low mantissa bits;
        subtracting it again is exact, and the bit pattern minus that of ``1.5 * 2**52``
        is the same integer.
        """
        shift = 1.5 * 2.0**52
        t = self.add(x, self.f(shift))
        n = self.sub(t, self.f(shift))
        k = self.isub(self.bits(t), self.i64(double_bits(shift)))
        return n, k

    def pow2(self, k):
        """Exact ``2.0**k`` for 64-bit integers ``-1022 <= k <= 1023``."""
        return self.from_bits(self.shl(self.iadd(k, self.i64(1023)), self.i64(52)))

    # error-free transformations (Knuth, Dekker)
    def two_sum(self, a, b):
        """``(s, e)`` with ``s = fl(a + b)`` and ``s + e == a + b`` exactly (6 operations)."""
        s = self.add(a, b)
        bb = self.sub(s, a)
        e = self.add(self.sub(a, self.sub(s, bb)), self.sub(b, bb))
        return s, e

    def fast_two_sum(self, a, b):
        """``(s, e)`` with ``s + e == a + b`` exactly when ``|a| >= |b|`` (3 operations)."""
        s = self.add(a, b)
        return s, self.sub(b, self.sub(s, a))

    def two_square(self, a):
        """``(p, e)`` with ``p = fl(a * a)`` and ``p + e == a * a`` exactly (Dekker, no FMA).

        Valid for ``|a| < 2**996`` (the splitting constant ``2**27 + 1`` must not overflow).
        """
        c = self.mul(a, self.f(134217729.0))
        hi = self.sub(c, self.sub(c, a))
        lo = self.sub(a, hi)
        p = self.mul(a, a)
        e = self.add(
            self.add(self.sub(self.mul(hi, hi), p), self.mul(self.add(hi, hi), lo)), self.mul(lo, lo)
        )
        return p, e

    def horner(self, x, coefficients):
        """``c0 + x*(c1 + x*(c2 + ...))`` for the given coefficients, lowest first."""
        acc = self.f(coefficients[-1])
        for c in reversed(coefficients[:-1]):
            acc = self.add(self.mul(acc, x), self.f(c))
        return acc
