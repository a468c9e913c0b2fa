"""Micro-benchmarks of the kernel's building blocks, on one thread.

``python -m bench.micro [--quick] [--lanes 8 16] [--mix add=16,mul=16,div=1,exp=1,log=1]``
prints a table and writes ``bench/results/micro-<UTC time>.json``. Nothing here asserts a
timing; every figure is the minimum over many short repeats (a few milliseconds each:
the least disturbed run on a shared machine), compilation excluded.

* ``rng``: nanoseconds per variate drawing the model's variates (``4R + 2`` per step,
  ``3R + 1`` normals then ``R + 1`` uniforms, ``R = 31``) with Philox4x32-10 scalar
  (:func:`kernels.philox.draw_step`), Philox in ``N`` lanes
  (:func:`kernels.philox.draw_step_lanes`), and NumPy's default ``Generator`` (PCG64)
  in bulk (``standard_normal`` and ``random`` filling one preallocated array each, as
  many variates as the others draw).
* ``elementary``: nanoseconds per element of exp (arguments uniform on [-50, 50]) and log
  (``exp`` of those) over an array of 4096 that stays in cache: own scalar
  (:mod:`kernels.elementary`), own in ``N`` lanes (:mod:`kernels.simd`), libm through
  Numba (``np.exp`` in a loop) and NumPy (``np.exp(x, out=y)``).
* ``peak``: the arithmetic peak for an operation mix at ``N`` lanes. One iteration of
  the micro-kernel performs ``add`` additions, ``mul`` multiplications, ``div``
  divisions, ``exp`` exponentials and ``log`` logarithms on ``N``-lane vectors, all
  operands in registers, spread evenly and dealt round-robin to independent dependency
  chains (:func:`default_chains`: enough to be bound by throughput, not latency,
  without spilling registers), so every chain carries the mix. Additions alternate
  ``+c`` and ``-c``, multiplications ``*c`` and ``*(1/c)``, divisions likewise
  (``c = 1 + 2**-30``, no overflow or subnormals); each exp and log result is put back
  into [1, 2) by two bitwise operations on its bit pattern (not counted); the loop
  body repeats the mix until every chain has work. Reported: nanoseconds per iteration
  (one mix on ``N`` lanes) and per lane-iteration, and GFLOP/s counting add, mul and
  div. To measure a kernel's fraction of the peak, pass its own operation counts
  per path-step as the mix (or their proportions, then scale): the fraction is
  ``(peak ns per lane-iteration) / (kernel ns per path-step)``; ``python -m bench``
  does this with the counts of :mod:`bench.opcount`.
* ``accuracy``: the largest error of own exp, log, sin and cos (and of NumPy's, for
  comparison) on a million arguments against long double, in ulps, and the fraction
  equal to the long-double value rounded to double (``tests/kernels`` checks correct
  rounding rigorously).

The JSON records the CPU model and flags read at run time from ``/proc/cpuinfo``, LLVM's
host CPU name, and the load average before and after the run (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from mccoord.kernels import elementary, philox, simd
from numba import njit

from bench.core import cpu_flags, machine

RESULTS = Path(__file__).resolve().parent / "results"
R = 31
DEFAULT_MIX = {"add": 16, "mul": 16, "div": 1, "exp": 1, "log": 1}
OPERATIONS = ("add", "mul", "div", "exp", "log")


# --- random numbers --------------------------------------------------------------------


@njit(nogil=True)
def _philox_scalar(seed, n_paths, n_steps, n_regions):
    out = np.empty(4 * n_regions + 2)
    check = 0.0
    for p in range(n_paths):
        k0, k1 = philox.path_key(seed, p)
        for k in range(n_steps):
            philox.draw_step(k0, k1, k, n_regions, out)
            check += out[0] + out[-1]
    return check


def _philox_lanes(lanes: int):
    @njit(nogil=True)
    def draw(seed, n_paths, n_steps, n_regions):
        keys = np.empty((2, lanes), np.uint32)
        paths = np.empty(lanes, np.uint64)
        out = np.empty((4 * n_regions + 2, lanes))
        check = 0.0
        for b in range(n_paths // lanes):
            for j in range(lanes):
                paths[j] = b * lanes + j
            philox.lane_keys(seed, paths, keys)
            k0 = simd.load(keys[0], 0, lanes)
            k1 = simd.load(keys[1], 0, lanes)
            for k in range(n_steps):
                philox.draw_step_lanes(k0, k1, k, n_regions, out)
                check += out[0, 0] + out[-1, lanes - 1]
        return check

    return draw


def _numpy_bulk(gen, normals, uniforms):
    gen.standard_normal(out=normals)
    gen.random(out=uniforms)
    return normals[0] + uniforms[0]


def _best(fn, args, repeats: int) -> float:
    fn(*args)  # compile and warm up
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def rng_section(lanes: list[int], *, paths: int, steps: int, repeats: int) -> dict:
    """Nanoseconds per variate of each generator, drawing the model's step variates."""
    paths = max(paths // 16, 1) * 16
    n_var = paths * steps * (4 * R + 2)
    args = (7, paths, steps, R)
    out = {"R": R, "paths": paths, "steps": steps, "variates": n_var}
    out["philox_scalar_ns"] = _best(_philox_scalar, args, repeats) / n_var * 1e9
    for n in lanes:
        out[f"philox_{n}_lanes_ns"] = _best(_philox_lanes(n), args, repeats) / n_var * 1e9
    normals = np.empty(paths * steps * (3 * R + 1))
    uniforms = np.empty(paths * steps * (R + 1))
    bulk = (np.random.default_rng(7), normals, uniforms)
    out["numpy_generator_bulk_ns"] = _best(_numpy_bulk, bulk, repeats) / n_var * 1e9
    return out


# --- exp and log -----------------------------------------------------------------------


@njit(nogil=True)
def _own_scalar(x, out, rounds, which_log):
    for _ in range(rounds):
        if which_log:
            for i in range(x.shape[0]):
                out[i] = elementary.log(x[i])
        else:
            for i in range(x.shape[0]):
                out[i] = elementary.exp(x[i])


def _own_vector(lanes: int):
    @njit(nogil=True)
    def apply(x, out, rounds, which_log):
        for _ in range(rounds):
            if which_log:
                for i in range(0, x.shape[0], lanes):
                    simd.store(out, i, simd.log(simd.load(x, i, lanes)))
            else:
                for i in range(0, x.shape[0], lanes):
                    simd.store(out, i, simd.exp(simd.load(x, i, lanes)))

    return apply


@njit(nogil=True)
def _libm_scalar(x, out, rounds, which_log):
    for _ in range(rounds):
        if which_log:
            for i in range(x.shape[0]):
                out[i] = np.log(x[i])
        else:
            for i in range(x.shape[0]):
                out[i] = np.exp(x[i])


def _numpy(x, out, rounds, which_log):
    f = np.log if which_log else np.exp
    for _ in range(rounds):
        f(x, out=out)


def elementary_section(lanes: list[int], *, rounds: int, repeats: int, size: int = 4096) -> dict:
    """Nanoseconds per element of exp and log: own scalar, own lanes, libm, NumPy."""
    x_exp = np.random.default_rng(3).uniform(-50.0, 50.0, size)
    x_log = np.exp(x_exp)
    out = np.empty(size)
    res = {"size": size, "rounds": rounds}
    impls = {"own_scalar": _own_scalar, "libm_numba": _libm_scalar, "numpy": _numpy}
    impls.update({f"own_{n}_lanes": _own_vector(n) for n in lanes})
    for name, fn in impls.items():
        for fname, x, flag in (("exp", x_exp, False), ("log", x_log, True)):
            t = _best(fn, (x, out, rounds, flag), repeats)
            res[f"{fname}_{name}_ns"] = t / (size * rounds) * 1e9
    return res


# --- the peak micro-kernel -------------------------------------------------------------

_C = 1.0 + 2.0**-30
_MANTISSA = 0x000FFFFFFFFFFFFF
_ONE = 0x3FF0000000000000


def _vector_registers() -> tuple[int, int]:
    """(doubles per vector register, number of vector registers) of this CPU."""
    flags = set(cpu_flags()["vector_flags"])
    if "avx512f" in flags:
        return 8, 32
    if "avx" in flags:
        return 4, 16
    return 2, 16


def default_chains(lanes: int) -> int:
    """Independent dependency chains of ``lanes``-lane vectors the peak kernel runs.

    As many vectors as fit in the CPU's vector registers with four registers left for
    the constants and temporaries: on AVX2 (16 registers of 4 doubles) 6 chains of 8
    lanes or 3 of 16, i.e. 12 registers' worth of independent operations in flight,
    enough to keep two adders and two multipliers busy through a latency of 3 cycles.
    More chains would spill registers and measure loads and stores instead.
    """
    width, n_registers = _vector_registers()
    regs = max(1, math.ceil(lanes / width))
    return max(1, (n_registers - 4) // regs)


def _sequence(mix: dict[str, int]) -> list[str]:
    """The mix's operations in one order that spreads each kind evenly over the iteration."""
    total = sum(mix.values())
    slots = [((k + 0.5) * total / count, op) for op, count in mix.items() for k in range(count)]
    return [op for _, op in sorted(slots, key=lambda s: (s[0], OPERATIONS.index(s[1])))]


def peak_kernel(mix: dict[str, int], lanes: int, chains: int | None = None):
    """Compile the peak micro-kernel for ``mix`` (operation -> count per iteration).

    One iteration performs the mix on ``lanes``-lane vectors: the operations, spread
    evenly (:func:`_sequence`), are dealt round-robin to ``chains`` independent
    dependency chains (default :func:`default_chains`), so each chain carries the mix's
    proportions and the chains together keep every pipe busy. The loop body holds
    ``kernel.copies`` copies of the mix (enough for every chain to have work). Returns an
    ``@njit`` function ``kernel(n_iter, seeds, out)``; ``seeds`` holds ``lanes`` starting
    values in [1, 2); ``out`` (``lanes``) receives a checksum.
    """
    bad = set(mix) - set(OPERATIONS)
    if bad or any(int(v) < 0 for v in mix.values()) or not any(mix.values()):
        raise ValueError(f"mix must give non-negative counts of {OPERATIONS}, not all zero; got {mix}")
    mix = {op: int(mix[op]) for op in OPERATIONS if mix.get(op)}
    chains = chains or default_chains(lanes)
    step = {
        "add": ("{v} = {v} + C", "{v} = {v} - C"),
        "mul": ("{v} = {v} * C", "{v} = {v} * C_INV"),
        "div": ("{v} = {v} / C", "{v} = {v} / C_INV"),
        "exp": ("{v} = unit(simd.exp({v}))",) * 2,
        "log": ("{v} = unit(simd.log({v}))",) * 2,
    }
    copies = max(1, math.ceil(chains / sum(mix.values())))
    names = [f"c{k}" for k in range(chains)]
    src = ["def kernel(n_iter, seeds, out):", "    s = simd.load(seeds, 0, N)"]
    src += [f"    {name} = s + {0.001 * i!r}" for i, name in enumerate(names)]
    src.append("    for _ in range(n_iter):")
    parity = {(name, op): 0 for name in names for op in OPERATIONS}
    for m, op in enumerate(_sequence(mix) * copies):
        name = names[m % chains]
        src.append("        " + step[op][parity[name, op] % 2].format(v=name))
        parity[name, op] += 1
    src.append("    total = " + " + ".join(names))
    src.append("    simd.store(out, 0, total)")
    namespace = {"simd": simd, "N": lanes, "C": _C, "C_INV": 1.0 / _C, "unit": _unit}
    exec("\n".join(src), namespace)  # generated from the fixed table above
    kernel = njit(nogil=True)(namespace["kernel"])
    kernel.chains = chains
    kernel.copies = copies
    return kernel


@njit(inline="always")
def _unit(v):
    """``v`` with its exponent and sign replaced by those of 1.0: a value in [1, 2)."""
    return simd.from_bits((simd.as_bits(v) & _MANTISSA) | _ONE)


def peak_section(lanes: list[int], mixes: dict[str, dict], *, seconds: float, repeats: int) -> dict:
    """Time per iteration of the peak micro-kernel for each mix and lane count."""
    res = {}
    for label, mix in mixes.items():
        for n in lanes:
            kernel = peak_kernel(mix, n)
            seeds = 1.0 + np.arange(n) / n
            out = np.empty(n)
            kernel(1000, seeds, out)
            t0 = time.perf_counter()
            kernel(20_000, seeds, out)
            n_iter = max(int(seconds / max(time.perf_counter() - t0, 1e-9) * 20_000), 1000)
            t = _best(kernel, (n_iter, seeds, out), repeats)
            per_iter = t / (n_iter * kernel.copies) * 1e9  # per copy of the mix
            flops = n * sum(mix.get(op, 0) for op in ("add", "mul", "div"))
            res[f"{label}_{n}_lanes"] = {
                "mix": {op: int(mix.get(op, 0)) for op in OPERATIONS},
                "chains": kernel.chains,
                "copies_per_loop_iteration": kernel.copies,
                "lanes": n,
                "iterations": n_iter,
                "ns_per_iteration": per_iter,
                "ns_per_lane_iteration": per_iter / n,
                "gflops_add_mul_div": flops / per_iter if flops else None,
            }
    return res


# --- accuracy --------------------------------------------------------------------------


@njit(nogil=True)
def _apply_all(x_exp, x_log, x_trig, out):
    for i in range(x_exp.shape[0]):
        out[0, i] = elementary.exp(x_exp[i])
        out[1, i] = elementary.log(x_log[i])
        out[2, i] = elementary.sin(x_trig[i])
        out[3, i] = elementary.cos(x_trig[i])


def accuracy_section(n: int) -> dict:
    """Largest error in ulps against long double: exp on [-50, 50], log of its results,
    sin and cos on [0, 2 pi)."""
    rng = np.random.default_rng(11)
    x_exp = rng.uniform(-50.0, 50.0, n)
    x_log = np.exp(x_exp)
    x_trig = rng.uniform(0.0, 2 * math.pi, n)
    out = np.empty((4, n))
    _apply_all(x_exp, x_log, x_trig, out)
    refs = [np.exp(x_exp.astype(np.longdouble)), np.log(x_log.astype(np.longdouble))]
    refs += [np.sin(x_trig.astype(np.longdouble)), np.cos(x_trig.astype(np.longdouble))]
    with np.errstate(all="ignore"):
        theirs = [np.exp(x_exp), np.log(x_log), np.sin(x_trig), np.cos(x_trig)]
    res = {"arguments": n}
    for name, got, numpy_, ref in zip(("exp", "log", "sin", "cos"), out, theirs, refs, strict=True):
        spacing = np.spacing(np.abs(ref.astype(np.float64))).astype(np.longdouble)
        for who, values in (("own", got), ("numpy", numpy_)):
            err = np.abs((values.astype(np.longdouble) - ref) / spacing)
            res[f"{name}_{who}_max_ulp"] = float(err.max())
            res[f"{name}_{who}_rounded_as_long_double"] = float(np.mean(values == ref.astype(np.float64)))
    return res


# --- command line ----------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, int]:
    """``"add=16,mul=16,div=1"`` -> ``{"add": 16, "mul": 16, "div": 1}``."""
    mix = {}
    for part in text.split(","):
        name, _, count = part.partition("=")
        if name.strip() not in OPERATIONS or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(f"mix items are op=count with op in {OPERATIONS}; got {part!r}")
        mix[name.strip()] = int(count)
    return mix


def table(doc: dict) -> str:
    """The results as aligned text."""
    lines = [f"CPU: {doc['cpu']['model']} (LLVM: {doc['cpu']['llvm_host_cpu']})"]
    lines.append(
        f"load average (1 min) before / after: {doc['load_average'][0]:.2f} / {doc['load_average'][1]:.2f}"
    )
    lines.append("flags: " + " ".join(doc["cpu"]["vector_flags"]))
    for section, values in doc["results"].items():
        lines.append(f"\n[{section}]")
        for key, value in values.items():
            if isinstance(value, dict):
                g = value["gflops_add_mul_div"]
                lines.append(
                    f"  {key:34s} {value['ns_per_iteration']:10.2f} ns/iteration "
                    f"{value['ns_per_lane_iteration']:8.3f} ns/lane"
                    + (f" {g:7.2f} GFLOP/s" if g else "")
                    + f"  mix {value['mix']}"
                )
            elif isinstance(value, float):
                lines.append(f"  {key:34s} {value:10.3f}")
            else:
                lines.append(f"  {key:34s} {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--lanes", type=int, nargs="+", default=[8, 16], choices=[8, 16])
    parser.add_argument(
        "--mix", type=parse_mix, default=DEFAULT_MIX, help="peak mix, e.g. add=16,mul=16,div=1"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON results")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = 3 if quick else 31
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sections = {
        "rng": lambda: rng_section(
            args.lanes, paths=16 if quick else 32, steps=10 if quick else 50, repeats=repeats
        ),
        "elementary": lambda: elementary_section(args.lanes, rounds=5 if quick else 50, repeats=repeats),
        "peak": lambda: peak_section(
            args.lanes,
            {"mix": args.mix, "add_mul": {"add": 8, "mul": 8}, "exp": {"exp": 1}, "log": {"log": 1}},
            seconds=0.002 if quick else 0.005,
            repeats=repeats,
        ),
        "accuracy": lambda: accuracy_section(10_000 if quick else 1_000_000),
    }
    results = {}
    for i, (name, run) in enumerate(sections.items(), 1):
        print(f"[{i}/{len(sections)}] {name} ...", file=sys.stderr, flush=True)
        results[name] = run()
    doc = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "command": " ".join(["python -m bench.micro", *(argv if argv is not None else sys.argv[1:])]),
        "cpu": cpu_flags(),
        "load_average": [load_before, os.getloadavg()[0]],
        "machine": machine(),
        "results": results,
        "bench_seconds": time.perf_counter() - started,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"micro-{stamp}{'-quick' if quick else ''}.json"
    path.write_text(json.dumps(doc, indent=2, default=float))
    print(table(doc))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
