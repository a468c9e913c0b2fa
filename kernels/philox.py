"""Counter-based random streams: Philox4x32-10 keyed by (seed, path), scalar and N lanes.

Philox4x32-10 (Salmon, Moraes, Dror and Shaw 2011, the Random123 library) is a bijection
of a 128-bit *counter* (four 32-bit words ``c0..c3``) under a 64-bit *key* (``k0, k1``):
ten rounds of two 32x32 -> 64-bit multiplies (``mulhilo``) and xors, with the key bumped
by the Weyl constants between rounds. Its output is a *block* of four 32-bit words.
Nothing is carried from one draw to the next: a variate is a pure function of its
address, so a path's variates do not depend on which paths share a vector, a thread or
a worker, and a GPU kernel reproduces any of them from the address alone.

Address of a variate
--------------------
* **Key** (one per path): ``key64 = SM(SM(seed) + path)`` with ``SM(x)`` the SplitMix64
  output function (Steele, Lea and Flood 2014) ``z = x + 0x9E3779B97F4A7C15``,
  ``z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9``, ``z = (z ^ (z >> 27)) *
  0x94D049BB133111EB``, ``SM(x) = z ^ (z >> 31)``, all modulo ``2**64``; ``seed`` and
  ``path`` are unsigned 64-bit integers. ``k0`` is the low 32 bits of ``key64``, ``k1``
  the high 32 bits. ``SM`` is a bijection, so for one seed distinct paths always get
  distinct keys.
* **Counter**: ``c0 = block``, ``c1 = index``, ``c2 = kind``, ``c3 = domain``, with
  ``domain`` ``SHOCKS`` (0, ``index`` = step number from 0), ``INITIAL`` (1,
  ``index`` = 0, draws made before the first step) or ``PARAMETERS`` (2, ``index`` =
  the attempt number of a per-path parameter draw); ``kind`` ``NORMAL`` (0) or
  ``UNIFORM`` (1). Variate ``m`` (from 0) of a (domain, index, kind) sequence comes
  from block ``m // 2``, half ``m % 2``. Shocks, initial draws and parameter draws
  therefore never share a counter, and normals never share one with uniforms.
  Indices and blocks are below ``2**32``.

From a block to variates
------------------------
* **Uniforms** on [0, 1): half 0 uses words (``x0`` low, ``x1`` high), half 1 uses
  (``x2``, ``x3``). The 53 most significant bits of the 64-bit word ``hi * 2**32 + lo``
  scaled by ``2**-53``: ``u = (hi * 2**21 + (lo >> 11)) * 2**-53``, computed exactly;
  the values are the multiples of ``2**-53`` in ``[0, 1)``.
* **Normals** by Box-Muller from the block's two uniforms ``u_a`` (half 0) and ``u_b``
  (half 1): ``rho = sqrt(-2 * log(1 - u_a))``, ``theta = TWO_PI * u_b``; half 0 is
  ``rho * cos(theta)``, half 1 is ``rho * sin(theta)``, with ``log``, ``sin`` and ``cos``
  of :mod:`kernels.elementary` (``1 - u_a`` is exact and in ``(0, 1]``, so ``|z| <=
  8.58``, a truncation of probability about ``1e-17``).

One model step draws ``4R + 2`` variates (MODEL.md section 3): ``3R + 1`` normals
(``eps_i``, ``eps_c``, ``eps^s_i``, ``eps^e_i``) are normals ``0..3R`` of
(SHOCKS, step, NORMAL) and ``R + 1`` uniforms (``u_i``, ``u_c``) are uniforms
``0..R`` of (SHOCKS, step, UNIFORM). The initial regime's uniform is uniform 0 of
(INITIAL, 0, UNIFORM).

Forms
-----
``philox4x32``, ``uniform_pair`` and ``normal_pair`` are intrinsics generic over scalars
(``uint32`` words, ``float64`` results) and ``simd.Vector(uint32, N)`` words (one path
per lane, ``Vector(float64, N)`` results); counter words may be scalars shared by all
lanes. Both forms compute the same integer words (the lane form takes the halves of the
products by a cheaper route, see ``_mulhilo``) and then emit the same floating-point
operations (:mod:`kernels.irbuild`), so each lane equals the scalar result bit for bit.
``draw_step`` / ``draw_step_lanes`` fill one step in the model's order; the lane form
writes ``out[position, lane]``.

References
----------
.. [1] J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel random numbers:
   as easy as 1, 2, 3", SC11, 2011.
.. [2] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014.
.. [3] G. E. P. Box and M. E. Muller, "A note on the generation of random normal
   deviates", Ann. Math. Statist. 29, 610-611, 1958.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import literally, njit, types, uint32, uint64
from numba.core.errors import TypingError
from numba.extending import intrinsic

from . import elementary, simd
from .irbuild import Emitter

# Philox4x32 multipliers and Weyl key increments (Random123).
M0 = 0xD2511F53
M1 = 0xCD9E8D57
W0 = 0x9E3779B9
W1 = 0xBB67AE85
ROUNDS = 10

# Counter word c3: what the variates are for.
SHOCKS = 0
INITIAL = 1
PARAMETERS = 2
# Counter word c2: normals or uniforms.
NORMAL = 0
UNIFORM = 1


def _mulhilo(e: Emitter, x, m: int):
    """``(hi, lo)``: the high and low 32-bit words of the 64-bit product ``x * m``.

    Scalars (and odd lane counts) widen to 64 bits and multiply. An even number of
    lanes is viewed as ``N/2`` 64-bit words instead: even lanes are the low halves, odd
    lanes the high halves, and each is multiplied as a zero-extended 32-bit value (one
    ``vpmuludq`` per register on x86) and the halves of the products are put back in
    place; the words are the same, only fewer shuffles are needed.
    """
    if e.lanes is None or e.lanes % 2:
        p = e.imul(e.zext64(x), e.i64(m))
        return e.trunc32(e.lshr(p, e.i64(32))), e.trunc32(p)
    b = e.builder
    wide = ir.VectorType(ir.IntType(64), e.lanes // 2)
    low32 = ir.Constant(wide, [0xFFFFFFFF] * (e.lanes // 2))
    high32 = ir.Constant(wide, [0xFFFFFFFF00000000] * (e.lanes // 2))
    c32 = ir.Constant(wide, [32] * (e.lanes // 2))
    mult = ir.Constant(wide, [m] * (e.lanes // 2))
    q = b.bitcast(x, wide)
    even = b.mul(b.and_(q, low32), mult)
    odd = b.mul(b.lshr(q, c32), mult)
    lo = b.or_(b.and_(even, low32), b.shl(odd, c32))
    hi = b.or_(b.lshr(even, c32), b.and_(odd, high32))
    narrow = e.type_of(ir.IntType(32))
    return b.bitcast(hi, narrow), b.bitcast(lo, narrow)


def emit_philox(e: Emitter, counter, key):
    """Emit Philox4x32-10 of four 32-bit counter words under two key words."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(ROUNDS):
        if r:
            k0 = e.iadd(k0, e.i32(W0))
            k1 = e.iadd(k1, e.i32(W1))
        hi0, lo0 = _mulhilo(e, c0, M0)
        hi1, lo1 = _mulhilo(e, c2, M1)
        c0, c1, c2, c3 = e.xor(e.xor(hi1, c1), k0), lo1, e.xor(e.xor(hi0, c3), k1), lo0
    return c0, c1, c2, c3


def emit_uniform(e: Emitter, lo, hi):
    """Emit the uniform ``(hi * 2**21 + (lo >> 11)) * 2**-53`` of two 32-bit words (exact)."""
    a = e.u32_to_double(hi)
    b = e.u32_to_double(e.lshr(lo, e.i32(11)))
    return e.add(e.mul(a, e.f(2.0**-32)), e.mul(b, e.f(2.0**-53)))


def emit_normals(e: Emitter, words):
    """Emit the Box-Muller pair ``(rho cos theta, rho sin theta)`` of one block."""
    u_a = emit_uniform(e, words[0], words[1])
    u_b = emit_uniform(e, words[2], words[3])
    rho = e.sqrt(e.mul(e.f(-2.0), elementary.emit_log(e, e.sub(e.f(1.0), u_a))))
    sin_t, cos_t = elementary.emit_sincos(e, e.mul(e.f(elementary.TWO_PI), u_b))
    return e.mul(rho, cos_t), e.mul(rho, sin_t)


def _word_lanes(args) -> int | None:
    """Lane count of the vector words among ``args`` (None: all scalar); checks types."""
    lanes = None
    for a in args:
        if isinstance(a, simd.Vector):
            if a.dtype != types.uint32 or (lanes is not None and a.lanes != lanes):
                raise TypingError(
                    f"Philox words must be uint32 scalars or Vector(uint32, N) of one N, got {args}"
                )
            lanes = a.lanes
        elif not isinstance(a, types.Integer):
            raise TypingError(f"Philox words must be integers or Vector(uint32, N), got {a}")
    return lanes


def _words(context, builder, sig, args, lanes):
    """The arguments as uint32 scalars or as ``<lanes x i32>`` vectors."""
    out = []
    for value, ty in zip(args, sig.args, strict=True):
        if lanes is None:
            out.append(context.cast(builder, value, ty, types.uint32))
        else:
            out.append(simd._operand(context, builder, value, ty, simd.Vector(types.uint32, lanes)))
    return out


@intrinsic
def philox4x32(typingctx, c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 block of counter ``(c0, c1, c2, c3)`` under key ``(k0, k1)``.

    Scalar words give a ``UniTuple(uint32, 4)``; any ``Vector(uint32, N)`` word gives a
    tuple of four ``Vector(uint32, N)`` (scalar words are shared by every lane).
    """
    lanes = _word_lanes((c0, c1, c2, c3, k0, k1))
    word = types.uint32 if lanes is None else simd.Vector(types.uint32, lanes)
    ret = types.UniTuple(word, 4)

    def codegen(context, builder, sig, args):
        w = _words(context, builder, sig, args, lanes)
        out = emit_philox(Emitter(builder, lanes), w[:4], w[4:])
        return context.make_tuple(builder, ret, out)

    return ret(c0, c1, c2, c3, k0, k1), codegen


def _pair_intrinsic(convert, doc):
    def typer(typingctx, c0, c1, c2, c3, k0, k1):
        lanes = _word_lanes((c0, c1, c2, c3, k0, k1))
        value = types.float64 if lanes is None else simd.Vector(types.float64, lanes)
        ret = types.UniTuple(value, 2)

        def codegen(context, builder, sig, args):
            w = _words(context, builder, sig, args, lanes)
            e = Emitter(builder, lanes)
            return context.make_tuple(builder, ret, convert(e, emit_philox(e, w[:4], w[4:])))

        return ret(c0, c1, c2, c3, k0, k1), codegen

    typer.__doc__ = doc
    return intrinsic(typer)


uniform_pair = _pair_intrinsic(
    lambda e, w: (emit_uniform(e, w[0], w[1]), emit_uniform(e, w[2], w[3])),
    "The two uniforms (halves 0 and 1) of the block at counter ``c`` under key ``k``.",
)
normal_pair = _pair_intrinsic(
    emit_normals,
    "The two Box-Muller normals (halves 0 and 1) of the block at counter ``c`` under key ``k``.",
)


# --- keys ------------------------------------------------------------------------------

_GOLDEN = uint64(0x9E3779B97F4A7C15)
_MIX1 = uint64(0xBF58476D1CE4E5B9)
_MIX2 = uint64(0x94D049BB133111EB)


@njit(inline="always")
def _splitmix64(x):
    z = x + _GOLDEN
    z = (z ^ (z >> uint64(30))) * _MIX1
    z = (z ^ (z >> uint64(27))) * _MIX2
    return z ^ (z >> uint64(31))


@njit(cache=True, nogil=True)
def path_key(seed, path):
    """The Philox key ``(k0, k1)`` (uint32) of path ``path`` of run ``seed``."""
    x = _splitmix64(_splitmix64(uint64(seed)) + uint64(path))
    return uint32(x & uint64(0xFFFFFFFF)), uint32(x >> uint64(32))


@njit(cache=True, nogil=True)
def lane_keys(seed, paths, keys):
    """Fill ``keys`` (``(2, n)`` uint32) with the keys of ``paths`` (one path per lane)."""
    for j in range(paths.shape[0]):
        k0, k1 = path_key(seed, paths[j])
        keys[0, j] = k0
        keys[1, j] = k1


# --- scalar sequences ------------------------------------------------------------------


@njit(cache=True, nogil=True)
def uniform_at(k0, k1, domain, index, m):
    """Uniform ``m`` of (``domain``, ``index``) under key ``(k0, k1)`` (random access)."""
    pair = uniform_pair(uint32(m // 2), uint32(index), UNIFORM, uint32(domain), k0, k1)
    return pair[0] if m % 2 == 0 else pair[1]


@njit(cache=True, nogil=True)
def normal_at(k0, k1, domain, index, m):
    """Normal ``m`` of (``domain``, ``index``) under key ``(k0, k1)`` (random access)."""
    pair = normal_pair(uint32(m // 2), uint32(index), NORMAL, uint32(domain), k0, k1)
    return pair[0] if m % 2 == 0 else pair[1]


@njit(cache=True, nogil=True)
def fill_uniforms(k0, k1, domain, index, out):
    """Uniforms ``0 .. len(out) - 1`` of (``domain``, ``index``) into ``out``."""
    n = out.shape[0]
    for j in range((n + 1) // 2):
        a, b = uniform_pair(uint32(j), uint32(index), UNIFORM, uint32(domain), k0, k1)
        out[2 * j] = a
        if 2 * j + 1 < n:
            out[2 * j + 1] = b


@njit(cache=True, nogil=True)
def fill_normals(k0, k1, domain, index, out):
    """Normals ``0 .. len(out) - 1`` of (``domain``, ``index``) into ``out``."""
    n = out.shape[0]
    for j in range((n + 1) // 2):
        a, b = normal_pair(uint32(j), uint32(index), NORMAL, uint32(domain), k0, k1)
        out[2 * j] = a
        if 2 * j + 1 < n:
            out[2 * j + 1] = b


@njit(cache=True, nogil=True)
def draw_step(k0, k1, step, n_regions, out):
    """One step's ``4R + 2`` variates of a path, in the model's order, into ``out``.

    ``out[:3R + 1]`` are the normals ``eps_i``, ``eps_c``, ``eps^s_i``, ``eps^e_i`` and
    ``out[3R + 1:4R + 2]`` the uniforms ``u_i``, ``u_c`` (``R = n_regions``).
    """
    n_normal = 3 * n_regions + 1
    fill_normals(k0, k1, SHOCKS, step, out[:n_normal])
    fill_uniforms(k0, k1, SHOCKS, step, out[n_normal : n_normal + n_regions + 1])


@njit(cache=True, nogil=True)
def initial_uniform(k0, k1):
    """The uniform a path draws before its first step (initial regime)."""
    return uniform_at(k0, k1, INITIAL, 0, 0)


@njit(cache=True, nogil=True)
def draw_shocks(seed, path, n_steps, n_regions):
    """The ``(n_steps, 4R + 2)`` step variates of path ``path`` of run ``seed``."""
    k0, k1 = path_key(seed, path)
    out = np.empty((n_steps, 4 * n_regions + 2))
    for k in range(n_steps):
        draw_step(k0, k1, k, n_regions, out[k])
    return out


# --- N lanes ---------------------------------------------------------------------------


@njit(nogil=True)
def fill_uniforms_lanes(k0, k1, domain, index, out):
    """Lane form of :func:`fill_uniforms`: ``out[m, lane]``, keys ``Vector(uint32, N)``."""
    n = out.shape[0]
    for j in range((n + 1) // 2):
        a, b = uniform_pair(uint32(j), uint32(index), UNIFORM, uint32(domain), k0, k1)
        simd.store(out[2 * j], 0, a)
        if 2 * j + 1 < n:
            simd.store(out[2 * j + 1], 0, b)


@njit(nogil=True)
def fill_normals_lanes(k0, k1, domain, index, out):
    """Lane form of :func:`fill_normals`: ``out[m, lane]``, keys ``Vector(uint32, N)``."""
    n = out.shape[0]
    for j in range((n + 1) // 2):
        a, b = normal_pair(uint32(j), uint32(index), NORMAL, uint32(domain), k0, k1)
        simd.store(out[2 * j], 0, a)
        if 2 * j + 1 < n:
            simd.store(out[2 * j + 1], 0, b)


@njit(nogil=True)
def draw_step_lanes(k0, k1, step, n_regions, out):
    """Lane form of :func:`draw_step`: ``out`` is ``(4R + 2, N)``, one path per lane.

    ``k0``, ``k1`` are ``Vector(uint32, N)`` (for example ``simd.load(keys[0], 0, N)``
    of a :func:`lane_keys` array).
    """
    n_normal = 3 * n_regions + 1
    fill_normals_lanes(k0, k1, SHOCKS, step, out[:n_normal])
    fill_uniforms_lanes(k0, k1, SHOCKS, step, out[n_normal : n_normal + n_regions + 1])


@njit(nogil=True)
def initial_uniform_lanes(k0, k1):
    """Lane form of :func:`initial_uniform`: a ``Vector(float64, N)``."""
    a, _ = uniform_pair(uint32(0), uint32(0), UNIFORM, uint32(INITIAL), k0, k1)
    return a


@njit(cache=True, nogil=True)
def draw_shocks_lanes(keys, n_steps, n_regions, n_lanes):
    """The ``(n_steps, 4R + 2, N)`` step variates of the ``N`` paths whose keys are the
    columns of ``keys`` (``(2, N)`` uint32, see :func:`lane_keys`); ``N = n_lanes``
    must be a compile-time constant (8 or 16)."""
    n = literally(n_lanes)
    k0 = simd.load(keys[0], 0, n)
    k1 = simd.load(keys[1], 0, n)
    out = np.empty((n_steps, 4 * n_regions + 2, n))
    for k in range(n_steps):
        draw_step_lanes(k0, k1, k, n_regions, out[k])
    return out
