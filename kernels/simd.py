"""The vector layer: N lanes of doubles or integers as explicit LLVM vector values in Numba.

Numba does not vectorise a loop over independent paths by itself. This module gives
``@njit`` code values that *are* LLVM vectors, one lane per path, with the operations
a path kernel needs; every operation is the lane-by-lane IEEE operation of the scalar
code it replaces, so each lane is bitwise equal to the scalar computation.

Types (Numba types, only inside ``@njit`` code; they are never boxed to Python):

* ``Vector(float64, N)`` = ``<N x double>``, ``Vector(int64, N)`` = ``<N x i64>``,
  ``Vector(uint32, N)`` = ``<N x i32>``;
* ``Mask(N)`` = ``<N x i1>``, the result of a comparison.

``N`` is a compile-time constant: a literal, a module-level constant or a closure
variable of a factory (``N = 8`` or ``16``; any positive count compiles). On a CPU with
AVX2 a ``<16 x double>`` is four ``ymm`` registers; LLVM splits it.

Operations (``v``, ``w`` vectors of the same type and width, ``x`` a scalar, ``m`` a mask):

===========================  ==============================================================
``load(a, start, N)``        lanes ``a[start:start + N]`` of a 1-D C-contiguous array
                             (float64, int64 or uint32); unchecked, like Numba indexing
``store(a, start, v)``       write ``v`` to ``a[start:start + N]``
``broadcast(x, N)``          ``x`` in every lane (float -> float64, int -> int64, uint32)
``lane(v, i)``               lane ``i`` as a scalar (``0 <= i < N``, unchecked)
``v + w, v - w, v * w``      IEEE add, subtract, multiply (ints: wrap-around);
``v / w, -v``                divide (floats, IEEE: ``x/0`` is inf or nan, as Numba's
                             scalar division with ``error_model="numpy"``); a scalar
                             operand is broadcast
``v & w, v | w, v ^ w``      bitwise (ints, masks); ``~m`` negates a mask
``v < w`` ... ``v != w``     comparisons -> ``Mask``; ``!=`` is true for NaN, the others
                             false, as in Python
``select(m, v, w)``          ``v`` where ``m``, else ``w`` (scalars are broadcast)
``minimum(v, w)``            Python's and Numba's ``min(v, w)`` lane by lane:
                             ``w if w < v else v`` (so ``min(nan, 1) = nan``,
                             ``min(1, nan) = 1``); ``maximum`` likewise
``absolute(v), sqrt(v)``     ``abs`` (clears the sign bit) and correctly rounded sqrt
``exp(v), log(v)``           :mod:`kernels.elementary` in every lane (same bits as the
``sin(v), cos(v)``           scalar functions there)
``sincos(v)``
``as_bits(v), from_bits(w)`` doubles <-> their IEEE bit patterns as int64
``any_lane(m), all_lanes(m)`` reductions of a mask to a bool
===========================  ==============================================================

Example: one update of field 0 of a state laid out ``(field, region, lane)``::

    N = 8

    @njit
    def grow(state, h):
        for i in range(state.shape[1]):
            a = simd.load(state[0, i], 0, N)
            simd.store(state[0, i], 0, a + h * simd.exp(-a))

Only IEEE operations are emitted: no fast-math flags, no FMA. ``has_fma`` checks a
compiled function's assembly for fused multiply-adds (``vfmadd``, ``vfmsub``,
``vfnmadd``, ``vfnmsub``); the tests run it on every operation.
"""

from __future__ import annotations

import operator
import re

from llvmlite import ir
from numba import types
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, overload, register_model

from . import elementary
from .irbuild import Emitter

_ELEMENTS = (types.float64, types.int64, types.uint32)


class Vector(types.Type):
    """``lanes`` values of the scalar Numba type ``dtype`` held in one LLVM vector."""

    def __init__(self, dtype: types.Type, lanes: int):
        if dtype not in _ELEMENTS:
            raise TypeError(f"Vector of {dtype} is not supported; use one of {_ELEMENTS}")
        self.dtype = dtype
        self.lanes = int(lanes)
        super().__init__(name=f"Vector({dtype}, {lanes})")


class Mask(types.Type):
    """``lanes`` booleans held in one LLVM ``<lanes x i1>`` vector."""

    def __init__(self, lanes: int):
        self.lanes = int(lanes)
        super().__init__(name=f"Mask({lanes})")


class _LanesModel(models.DataModel):
    """``<N x T>`` in registers; ``[N x T]`` in memory (lists, structs, tuples in memory).

    In memory a vector only needs the alignment of its elements: Numba's containers are
    not aligned to a vector's size, and an aligned vector load from them would fault.
    Masks are ``[N x i8]`` in memory, as Numba stores booleans.
    """

    def __init__(self, dmm, fe_type, element: ir.Type, stored: ir.Type):
        super().__init__(dmm, fe_type)
        self._value = ir.VectorType(element, fe_type.lanes)
        self._data = ir.ArrayType(stored, fe_type.lanes)
        self._widen = stored != element

    def get_value_type(self):
        return self._value

    def get_data_type(self):
        return self._data

    def as_data(self, builder, value):
        out = ir.Constant(self._data, ir.Undefined)
        for i in range(self._data.count):
            x = builder.extract_element(value, ir.Constant(ir.IntType(32), i))
            if self._widen:
                x = builder.zext(x, self._data.element)
            out = builder.insert_value(out, x, i)
        return out

    def from_data(self, builder, value):
        out = ir.Constant(self._value, ir.Undefined)
        for i in range(self._data.count):
            x = builder.extract_value(value, i)
            if self._widen:
                x = builder.icmp_unsigned("!=", x, ir.Constant(x.type, 0))
            out = builder.insert_element(out, x, ir.Constant(ir.IntType(32), i))
        return out

    def as_argument(self, builder, value):
        return value

    def from_argument(self, builder, value):
        return value

    def as_return(self, builder, value):
        return value

    def from_return(self, builder, value):
        return value


@register_model(Vector)
class _VectorModel(_LanesModel):
    def __init__(self, dmm, fe_type):
        elem = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, elem, elem)


@register_model(Mask)
class _MaskModel(_LanesModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.IntType(1), ir.IntType(8))


def _is_float_vector(t) -> bool:
    return isinstance(t, Vector) and t.dtype == types.float64


def _is_int_vector(t) -> bool:
    return isinstance(t, Vector) and t.dtype != types.float64


def _splat(builder, value, lanes: int):
    """A vector with ``value`` in each of ``lanes`` lanes."""
    vty = ir.VectorType(value.type, lanes)
    first = builder.insert_element(ir.Constant(vty, ir.Undefined), value, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(
        first, ir.Constant(vty, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
    )


def _operand(context, builder, value, fromty, vecty: Vector):
    """``value`` as a vector of type ``vecty`` (scalars are cast and broadcast)."""
    if isinstance(fromty, Vector):
        return value
    scalar = context.cast(builder, value, fromty, vecty.dtype)
    return _splat(builder, scalar, vecty.lanes)


def _vector_of_pair(a, b) -> Vector | None:
    """The vector type of a binary operation on ``a`` and ``b``, or None if not one."""
    if isinstance(a, Vector) and isinstance(b, Vector):
        return a if a == b else None
    vec, other = (a, b) if isinstance(a, Vector) else (b, a)
    if not isinstance(vec, Vector):
        return None
    if isinstance(other, (types.Float, types.Integer, types.Boolean)):
        if isinstance(other, types.Float) and vec.dtype != types.float64:
            return None
        return vec
    return None


# --- memory -----------------------------------------------------------------------------


def _lane_count(n) -> int:
    if not isinstance(n, types.IntegerLiteral):
        raise TypingError(
            "the lane count must be a compile-time constant integer (a literal, global or closure value)"
        )
    if n.literal_value < 1:
        raise TypingError(f"the lane count must be positive, got {n.literal_value}")
    return n.literal_value


def _check_row(a):
    if not (isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C" and a.dtype in _ELEMENTS):
        raise TypingError(f"expected a 1-D C-contiguous array of one of {_ELEMENTS}, got {a}")


@intrinsic(prefer_literal=True)
def load(typingctx, a, start, n):
    """``N`` consecutive elements ``a[start:start + N]`` of a 1-D C-contiguous array."""
    _check_row(a)
    vt = Vector(a.dtype, _lane_count(n))

    def codegen(context, builder, sig, args):
        arr = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = builder.gep(arr.data, [args[1]])
        ptr = builder.bitcast(ptr, context.get_value_type(vt).as_pointer())
        return builder.load(ptr, align=context.get_abi_sizeof(context.get_value_type(a.dtype)))

    return vt(a, start, n), codegen


@intrinsic
def store(typingctx, a, start, v):
    """Write the lanes of ``v`` to ``a[start:start + N]`` (1-D C-contiguous array)."""
    _check_row(a)
    if not (isinstance(v, Vector) and v.dtype == a.dtype):
        raise TypingError(f"cannot store {v} into {a}")

    def codegen(context, builder, sig, args):
        arr = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = builder.gep(arr.data, [args[1]])
        ptr = builder.bitcast(ptr, args[2].type.as_pointer())
        builder.store(args[2], ptr, align=context.get_abi_sizeof(context.get_value_type(a.dtype)))
        return context.get_dummy_value()

    return types.void(a, start, v), codegen


@intrinsic(prefer_literal=True)
def broadcast(typingctx, x, n):
    """``x`` in each of ``N`` lanes: floats -> float64, uint32 -> uint32, other ints -> int64."""
    if isinstance(x, types.Float):
        dtype = types.float64
    elif x == types.uint32:
        dtype = types.uint32
    elif isinstance(x, (types.Integer, types.Boolean)):
        dtype = types.int64
    else:
        raise TypingError(f"cannot broadcast {x}")
    vt = Vector(dtype, _lane_count(n))

    def codegen(context, builder, sig, args):
        return _operand(context, builder, args[0], sig.args[0], vt)

    return vt(x, n), codegen


@intrinsic
def lane(typingctx, v, i):
    """Lane ``i`` of ``v`` as a scalar."""
    if not isinstance(v, Vector) or not isinstance(i, types.Integer):
        raise TypingError(f"lane() takes a Vector and an integer, got {v}, {i}")

    def codegen(context, builder, sig, args):
        return builder.extract_element(args[0], args[1])

    return v.dtype(v, i), codegen


# --- arithmetic and comparisons ------------------------------------------------------------

_FLOAT_OPS = {"add": "fadd", "sub": "fsub", "mul": "fmul", "truediv": "fdiv"}
_INT_OPS = {"add": "add", "sub": "sub", "mul": "mul", "and_": "and_", "or_": "or_", "xor": "xor"}


def _binary_intrinsic(name: str):
    def typer(typingctx, a, b):
        vt = _vector_of_pair(a, b)
        if vt is None:
            return None
        table = _FLOAT_OPS if vt.dtype == types.float64 else _INT_OPS
        if name not in table:
            return None
        op = table[name]

        def codegen(context, builder, sig, args):
            x = _operand(context, builder, args[0], sig.args[0], vt)
            y = _operand(context, builder, args[1], sig.args[1], vt)
            return getattr(builder, op)(x, y)

        return vt(a, b), codegen

    typer.__name__ = f"_vector_{name}"
    return intrinsic(typer)


_CMP_OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


def _compare_intrinsic(name: str):
    symbol = _CMP_OPS[name]

    def typer(typingctx, a, b):
        vt = _vector_of_pair(a, b)
        if vt is None:
            return None

        def codegen(context, builder, sig, args):
            x = _operand(context, builder, args[0], sig.args[0], vt)
            y = _operand(context, builder, args[1], sig.args[1], vt)
            if vt.dtype == types.float64:
                if symbol == "!=":
                    return builder.fcmp_unordered(symbol, x, y)
                return builder.fcmp_ordered(symbol, x, y)
            if vt.dtype.signed:
                return builder.icmp_signed(symbol, x, y)
            return builder.icmp_unsigned(symbol, x, y)

        return Mask(vt.lanes)(a, b), codegen

    typer.__name__ = f"_vector_{name}"
    return intrinsic(typer)


def _mask_intrinsic(name: str):
    def typer(typingctx, a, b):
        if not (isinstance(a, Mask) and a == b):
            return None

        def codegen(context, builder, sig, args):
            return getattr(builder, name)(args[0], args[1])

        return a(a, b), codegen

    typer.__name__ = f"_mask_{name}"
    return intrinsic(typer)


_binary = {name: _binary_intrinsic(name) for name in ("add", "sub", "mul", "truediv", "and_", "or_", "xor")}
_compare = {name: _compare_intrinsic(name) for name in _CMP_OPS}
_mask_ops = {name: _mask_intrinsic(name) for name in ("and_", "or_", "xor")}


def _register_operator(name: str, impl):
    @overload(getattr(operator, name))
    def _ov(a, b):
        if _vector_of_pair(a, b) is not None:
            return lambda a, b: impl(a, b)
        return None


for _name, _impl in {**_binary, **_compare}.items():
    _register_operator(_name, _impl)


def _register_mask_operator(name: str, impl):
    @overload(getattr(operator, name))
    def _ov(a, b):
        if isinstance(a, Mask) and a == b:
            return lambda a, b: impl(a, b)
        return None


for _name, _impl in _mask_ops.items():
    _register_mask_operator(_name, _impl)


@intrinsic
def _negate(typingctx, v):
    if not isinstance(v, Vector):
        return None

    def codegen(context, builder, sig, args):
        if v.dtype == types.float64:
            # the same instruction as Numba's scalar negation: -0.0 - v
            return builder.fsub(ir.Constant(args[0].type, [-0.0] * v.lanes), args[0])
        return builder.neg(args[0])

    return v(v), codegen


@overload(operator.neg)
def _neg_ov(v):
    if isinstance(v, Vector):
        return lambda v: _negate(v)
    return None


@intrinsic
def _invert_mask(typingctx, m):
    if not isinstance(m, Mask):
        return None

    def codegen(context, builder, sig, args):
        return builder.not_(args[0])

    return m(m), codegen


@overload(operator.invert)
def _invert_ov(m):
    if isinstance(m, Mask):
        return lambda m: _invert_mask(m)
    return None


@intrinsic
def select(typingctx, m, a, b):
    """``a`` where the mask ``m`` is true, else ``b``, lane by lane (scalars broadcast)."""
    vt = _vector_of_pair(a, b)
    if vt is None and isinstance(m, Mask):
        kind = types.float64 if isinstance(a, types.Float) or isinstance(b, types.Float) else types.int64
        vt = Vector(kind, m.lanes)
    if not (isinstance(m, Mask) and vt is not None and vt.lanes == m.lanes):
        raise TypingError(f"select() takes a Mask and two values of one vector type, got {m}, {a}, {b}")

    def codegen(context, builder, sig, args):
        x = _operand(context, builder, args[1], sig.args[1], vt)
        y = _operand(context, builder, args[2], sig.args[2], vt)
        return builder.select(args[0], x, y)

    return vt(m, a, b), codegen


def _minmax(less: bool):
    def typer(typingctx, a, b):
        vt = _vector_of_pair(a, b)
        if vt is None:
            raise TypingError(f"expected vectors of one type, got {a}, {b}")

        def codegen(context, builder, sig, args):
            x = _operand(context, builder, args[0], sig.args[0], vt)
            y = _operand(context, builder, args[1], sig.args[1], vt)
            symbol = "<" if less else ">"
            if vt.dtype == types.float64:
                pick_y = builder.fcmp_ordered(symbol, y, x)
            elif vt.dtype.signed:
                pick_y = builder.icmp_signed(symbol, y, x)
            else:
                pick_y = builder.icmp_unsigned(symbol, y, x)
            return builder.select(pick_y, y, x)

        return vt(a, b), codegen

    return typer


def _doc(doc: str):
    def wrap(fn):
        fn.__doc__ = doc
        return fn

    return wrap


minimum = intrinsic(_doc("``min(a, b)`` lane by lane: ``b if b < a else a`` (Python's rule).")(_minmax(True)))
maximum = intrinsic(
    _doc("``max(a, b)`` lane by lane: ``b if b > a else a`` (Python's rule).")(_minmax(False))
)


def _float_unary(emit, doc: str):
    def typer(typingctx, v):
        if not _is_float_vector(v):
            raise TypingError(f"expected a Vector(float64, N), got {v}")

        def codegen(context, builder, sig, args):
            return emit(Emitter(builder, v.lanes), args[0])

        return v(v), codegen

    typer.__doc__ = doc
    return intrinsic(typer)


absolute = _float_unary(lambda e, x: e.fabs(x), "``|v|`` lane by lane (clears the sign bit).")
sqrt = _float_unary(lambda e, x: e.sqrt(x), "Correctly rounded square root, lane by lane.")
exp = _float_unary(elementary.emit_exp, "``exp`` of :mod:`kernels.elementary`, lane by lane.")
log = _float_unary(elementary.emit_log, "``log`` of :mod:`kernels.elementary`, lane by lane.")
sin = _float_unary(
    lambda e, x: elementary.emit_sincos(e, x)[0], "``sin`` of :mod:`kernels.elementary`, lane by lane."
)
cos = _float_unary(
    lambda e, x: elementary.emit_sincos(e, x)[1], "``cos`` of :mod:`kernels.elementary`, lane by lane."
)


@intrinsic
def sincos(typingctx, v):
    """``(sin(v), cos(v))`` of :mod:`kernels.elementary`, lane by lane."""
    if not _is_float_vector(v):
        raise TypingError(f"expected a Vector(float64, N), got {v}")
    ret = types.UniTuple(v, 2)

    def codegen(context, builder, sig, args):
        return context.make_tuple(builder, ret, elementary.emit_sincos(Emitter(builder, v.lanes), args[0]))

    return ret(v), codegen


@intrinsic
def as_bits(typingctx, v):
    """The IEEE bit patterns of a ``Vector(float64, N)`` as ``Vector(int64, N)``."""
    if not _is_float_vector(v):
        raise TypingError(f"expected a Vector(float64, N), got {v}")
    out = Vector(types.int64, v.lanes)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(out))

    return out(v), codegen


@intrinsic
def from_bits(typingctx, v):
    """Doubles with the bit patterns of a ``Vector(int64, N)``."""
    if not (isinstance(v, Vector) and v.dtype == types.int64):
        raise TypingError(f"expected a Vector(int64, N), got {v}")
    out = Vector(types.float64, v.lanes)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(out))

    return out(v), codegen


def _reduce_mask(all_: bool):
    def typer(typingctx, m):
        if not isinstance(m, Mask):
            raise TypingError(f"expected a Mask, got {m}")

        def codegen(context, builder, sig, args):
            word = builder.bitcast(args[0], ir.IntType(m.lanes))
            if all_:
                return builder.icmp_unsigned("==", word, ir.Constant(word.type, (1 << m.lanes) - 1))
            return builder.icmp_unsigned("!=", word, ir.Constant(word.type, 0))

        return types.boolean(m), codegen

    return typer


any_lane = intrinsic(_doc("True if any lane of the mask is true.")(_reduce_mask(False)))
all_lanes = intrinsic(_doc("True if every lane of the mask is true.")(_reduce_mask(True)))


_FMA = re.compile(r"\bv?f(n)?m(add|sub)\w*", re.IGNORECASE)


def has_fma(assembly: str) -> bool:
    """True if x86 assembly contains a fused multiply-add or multiply-subtract.

    Use with a compiled dispatcher: ``has_fma(fn.inspect_asm(fn.signatures[0]))``.
    """
    return _FMA.search(assembly) is not None
