"""Floating-point operations per path-step of the kernel, counted by running its own code.

The peak micro-kernel (:mod:`bench.micro`) needs the kernel's operation mix: how many
additions (subtractions included), multiplications, divisions (square roots counted as
divisions: they use the same unit at a similar cost), exponentials and logarithms one
path-step performs. Rather than reading them off the source by hand, this module runs
the scalar path loop's Python source (``kernels.paths._simulate_path`` and everything
it calls, via each ``@njit`` function's ``py_func``) on numbers that count the
operations applied to them, on a real path (scenario, mix and horizon as given). The
random numbers come from the real generator; the operations that turn Philox words into
uniforms and Box-Muller normals are counted once by emitting them through a counting
:class:`kernels.irbuild.Emitter` (``log`` as one logarithm, ``sin``/``cos`` as the
additions and multiplications of their polynomials).

What is counted is what the scalar kernel executes. The lane kernel executes the same
operations plus those of branches it evaluates and discards (selects): the counts are a
lower bound of the lane kernel's work, so a fraction of the peak computed from them
errs low. Comparisons, selects, ``abs``, ``min``/``max`` and integer work (Philox
rounds, indexing) are not floating-point operations of the mix and are not counted.

Counting replaces module globals of the kernel modules, so it runs in a child process
(``python -m bench._child opcount``) and never in a process that also runs the kernels.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

OPS = ("add", "mul", "div", "exp", "log")
_COUNT: Counter = Counter()


class Num(float):
    """A float that counts the arithmetic applied to it (results are ``Num`` again)."""

    def __add__(self, other):
        _COUNT["add"] += 1
        return Num(float(self) + float(other))

    __radd__ = __add__

    def __sub__(self, other):
        _COUNT["add"] += 1
        return Num(float(self) - float(other))

    def __rsub__(self, other):
        _COUNT["add"] += 1
        return Num(float(other) - float(self))

    def __mul__(self, other):
        _COUNT["mul"] += 1
        return Num(float(self) * float(other))

    __rmul__ = __mul__

    def __truediv__(self, other):
        _COUNT["div"] += 1
        other = float(other)
        return Num(float(self) / other if other != 0.0 else math.copysign(math.inf, float(self)) * math.inf)

    def __rtruediv__(self, other):
        _COUNT["div"] += 1
        return Num(float(other) / float(self)) if float(self) != 0.0 else Num(math.nan)

    def __neg__(self):
        return Num(-float(self))

    def __abs__(self):
        return Num(abs(float(self)))


def _exp(x):
    _COUNT["exp"] += 1
    return Num(math.exp(min(float(x), 709.0)))


def _log(x):
    _COUNT["log"] += 1
    x = float(x)
    return Num(math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan))


def _sqrt(x):
    _COUNT["div"] += 1
    x = float(x)
    return Num(math.sqrt(x) if x >= 0 else math.nan)


class _NumpyProxy:
    """``numpy`` with ``sqrt`` counted (the kernel modules' ``np``)."""

    sqrt = staticmethod(_sqrt)

    def __getattr__(self, name):
        return getattr(np, name)


def emitted_counts(emit, n_args: int, n_results: int = 1) -> dict:
    """Operations emitted by ``emit(emitter, args)`` on scalars (``log``/``exp`` counted once)."""
    from llvmlite import ir
    from mccoord.kernels import elementary
    from mccoord.kernels.irbuild import Emitter

    counts: Counter = Counter()

    class Counting(Emitter):
        def add(self, a, b):
            counts["add"] += 1
            return super().add(a, b)

        def sub(self, a, b):
            counts["add"] += 1
            return super().sub(a, b)

        def mul(self, a, b):
            counts["mul"] += 1
            return super().mul(a, b)

        def div(self, a, b):
            counts["div"] += 1
            return super().div(a, b)

        def sqrt(self, a):
            counts["div"] += 1
            return super().sqrt(a)

    module = ir.Module()
    fn = ir.Function(module, ir.FunctionType(ir.DoubleType(), [ir.IntType(32)] * n_args), name="probe")
    builder = ir.IRBuilder(fn.append_basic_block())
    saved = elementary.emit_log, elementary.emit_exp

    def counted(name):
        def emit(e, x):
            counts[name] += 1
            return x

        return emit

    elementary.emit_log, elementary.emit_exp = counted("log"), counted("exp")
    try:
        emit(Counting(builder), list(fn.args))
    finally:
        elementary.emit_log, elementary.emit_exp = saved
    return {op: counts[op] for op in OPS}


def rng_counts_per_step(n_regions: int) -> dict:
    """Operations that turn one step's Philox blocks into ``3R + 1`` normals and ``R + 1`` uniforms."""
    from mccoord.kernels import philox

    normal = emitted_counts(lambda e, w: philox.emit_normals(e, w), 4)
    uniform = emitted_counts(
        lambda e, w: (philox.emit_uniform(e, w[0], w[1]), philox.emit_uniform(e, w[2], w[3])), 4
    )
    n_normal_blocks = (3 * n_regions + 2) // 2
    n_uniform_blocks = (n_regions + 2) // 2
    return {op: n_normal_blocks * normal[op] + n_uniform_blocks * uniform[op] for op in OPS}


def _patch_kernels(draw_step):
    """Point the kernel modules at pure-Python, counting versions of their callees."""
    from mccoord.kernels import haken, metrics, model, paths, records
    from numba.core.dispatcher import Dispatcher

    proxy = _NumpyProxy()
    for mod in (paths, model, metrics, records, haken):
        for name, obj in list(vars(mod).items()):
            if isinstance(obj, Dispatcher):
                setattr(mod, name, obj.py_func)
        if hasattr(mod, "exp"):
            mod.exp = _exp
        if hasattr(mod, "log"):
            mod.log = _log
        mod.np = proxy
    records.all_finite = lambda x: all(math.isfinite(float(v)) for v in x)
    paths.all_finite = records.all_finite
    paths.draw_step = draw_step


def _objects(a):
    """``a`` as an object array of Python floats (so no NumPy scalar bypasses the count)."""
    out = np.empty(np.shape(a), dtype=object)
    out.ravel()[:] = [float(v) for v in np.ravel(a)]
    return out


def count_path(
    scenario: str = "china", mix: dict | None = None, *, years: int = 30, substeps: int = 1
) -> dict:
    """Operations per path-step of one path (path 0, seed 1) of ``scenario`` under ``mix``.

    Returns the counts per path-step of the model (``model``), of the random numbers
    (``rng``) and their sum (``total``), with the sizes.
    """
    from mccoord.kernels import paths, philox
    from mccoord.kernels.groups import Settings, no_given_shocks
    from mccoord.kernels.layout import WINDOW
    from mccoord.kernels.model import N_FIELDS, N_ROWS
    from mccoord.kernels.path_setup import initial_state
    from mccoord.kernels.records import start_path

    import mccoord
    from mccoord.blocks import allocate_outputs, n_records
    from mccoord.inputs import mix_vector, model_inputs

    mix = dict.fromkeys(mccoord.MECHANISMS, 1.0) if mix is None else mix
    inputs = model_inputs(mccoord.load_scenario(scenario))
    R = inputs.n_regions
    theta = mix_vector(mix)
    sa = inputs.scenario_arrays
    params = inputs.parameters(theta)
    settings = Settings(np.uint64(1), np.uint64(0), years, substeps, 1, 0.25, False, 1)
    out = allocate_outputs(inputs, 1, n_records(years, 1), full=False)
    a0, dev = np.empty(R), np.empty(R)
    initial_state(sa, sa.G, sa.K0, params.par, theta, a0, dev)
    start_path(out, 0)
    real = np.empty(4 * R + 2)

    def draw_step(k0, k1, step, n_regions, buf):
        philox.draw_step(k0, k1, step, n_regions, real)
        for m in range(real.shape[0]):
            buf[m] = float(real[m])

    window = int(inputs.par[WINDOW])
    scratch = (
        np.empty((N_FIELDS, R), dtype=object),
        np.empty((N_ROWS, R), dtype=object),
        np.empty(4 * R + 2, dtype=object),
        np.empty(3, dtype=object),
        np.empty(3, dtype=object),
        np.empty((window, 3), dtype=object),
        np.empty((window, 3), dtype=object),
        np.zeros((2, max(sa.n_groups, 1)), dtype=object),
    )
    scen = sa._replace(
        **{f: _objects(getattr(sa, f)) for f in ("G", "s_target", "lny0", "y0", "L0", "s0", "e0")}
    )
    _patch_kernels(draw_step)
    _COUNT.clear()
    paths._simulate_path(
        0, scen, list(map(float, theta)), settings, no_given_shocks(R), out,
        _objects(sa.G), _objects(sa.K0), _objects(sa.saving), _objects(params.par),
        _objects(a0), _objects(dev), scratch,
    )  # fmt: skip
    steps = years * substeps
    model_ops = {op: _COUNT[op] / steps for op in OPS}
    rng = rng_counts_per_step(R)
    return {
        "scenario": scenario,
        "R": R,
        "years": years,
        "substeps": substeps,
        "model": model_ops,
        "rng": rng,
        "total": {op: model_ops[op] + rng[op] for op in OPS},
        "flops_add_mul_div": sum(model_ops[op] + rng[op] for op in ("add", "mul", "div")),
        "valid": bool(out.path_scalar[0, 3] == 1.0),
    }
