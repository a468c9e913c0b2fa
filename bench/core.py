"""What ``python -m bench`` measures, in one run.

* ``kernel``: kernel throughput (region-steps per second) on ONE Numba thread, ``china``
  scenario at its central parameters (no per-path draws, as the reference), every
  mechanism at 1, 50 years; compilation excluded; median of repeats. The production
  kernel (paths on 8 vector lanes) and the scalar kernel (one path at a time, the same
  bits) are timed with interleaved repeats.
* ``reference``: the same work done by the NumPy reference (:mod:`mccoord.reference`,
  vectorised over 1000 paths, one BLAS/OpenMP thread); ratio kernel/reference.
* ``rng``: the RNG floor, i.e. drawing only the kernel's variates (``3R+1`` normals and
  ``R+1`` uniforms per step, Philox4x32-10) inside Numba; ratio kernel/RNG time. Kernel
  and RNG repeats are interleaved so that they share the machine's noise.
* ``peak``: the fraction of the arithmetic peak the kernel reaches. The kernel's own
  operations per path-step are counted by running its code (:mod:`bench.opcount`, in a
  child process); the peak micro-kernel (:mod:`bench.micro`) runs that operation mix,
  scaled down to one exponential per iteration, on vectors of the kernel's lane width;
  the fraction is the micro-kernel's time for one path-step's operations over the
  kernel's time per path-step.
* ``compile``: a new process importing mccoord and completing its first step, with a
  fresh ``NUMBA_CACHE_DIR`` (cold) and again from that cache (cached).
* ``dask``: ``mccoord.run`` on the same grid with ``workers=1`` then ``workers=2``
  (``threads=1``): end to end (cluster start and reduction included) and the execution
  phase alone on an already started, warmed-up cluster.
* ``default_run``: the quickstart's ``mccoord run`` (china, its 243 mixes x 1000 paths x
  30 years, one worker per core) end to end in a new process, kernels loaded from the
  cache (one untimed warm-up run first). With ``--baseline DIR`` (a checkout of other
  code, e.g. before a kernel change) the same command runs on that code too, repeats
  interleaved, and the JSON keeps both figures and their ratio.
* ``memory``: peak RSS of a process running ``mccoord.run(..., workers=0)`` on one mix
  for growing numbers of paths.
* ``regions``: kernel throughput (one thread) as the number of regions R grows.
* ``tasks``: per-task costs (kernel, in-task reduction, Zarr writes, Dask scheduling),
  the final reduction and the store's bytes per path (:mod:`bench.tasks`).

Each entry records its sizes; the run records the machine (CPU model and flags read at
run time, load average), versions and the Numba threading layer. Nothing here asserts a
timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version as _version
from pathlib import Path

import numpy as np

#: Targets (see docs/performance.md).
TARGETS = {
    "kernel_vs_reference": 25.0,  # at least
    "kernel_vs_rng": 3.0,  # at most
    "peak_fraction": 0.35,  # at least
    "default_run_speedup": 2.0,  # at least, against the --baseline code
    "dask_speedup_2": 1.8,  # at least
    "cached_first_step_s": 2.0,  # at most
    "memory_growth": 1.5,  # at most: peak RSS at the largest / smallest paths
}

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

#: Sizes for a full run and for ``--quick``.
SIZES = {
    "full": dict(
        kernel_paths=400,
        years=50,
        repeats=7,
        ref_paths=1000,
        ref_repeats=3,
        opcount_years=20,
        default_repeats=2,
        dask_mixes=16,
        dask_paths=4000,
        memory_paths=(10_000, 100_000, 1_000_000),
        memory_years=30,
        regions=(8, 31, 100, 300),
        region_work=4e7,
    ),
    "quick": dict(
        kernel_paths=40,
        years=50,
        repeats=3,
        ref_paths=32,
        ref_repeats=1,
        opcount_years=3,
        default_repeats=1,
        dask_mixes=2,
        dask_paths=200,
        memory_paths=(1_000, 10_000),
        memory_years=10,
        regions=(8, 31, 100),
        region_work=2e6,
    ),
}


def all_on() -> dict:
    import mccoord

    return dict.fromkeys(mccoord.MECHANISMS, 1.0)


def china_inputs():
    """The china scenario at its central parameters (without its uncertainty table)."""
    import mccoord
    from mccoord.inputs import model_inputs

    return model_inputs(mccoord.load_scenario("china").without_uncertainty())


# ----------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> dict:
    """CPU model, vector flags from /proc/cpuinfo and LLVM's host CPU, read now."""
    flags = set()
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
            elif line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    import llvmlite.binding as ll

    return {
        "model": model,
        "llvm_host_cpu": ll.get_host_cpu_name(),
        "vector_flags": sorted(f for f in flags if f.startswith(("avx", "fma", "sse")) or f == "f16c"),
    }


def machine() -> dict:
    """CPU, cores, versions and the Numba threading layer (after a parallel kernel ran)."""
    import numba

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count()
    versions = {"python": platform.python_version()}
    for pkg in ("mccoord", "numba", "llvmlite", "numpy", "dask", "distributed", "xarray", "zarr", "psutil"):
        try:
            versions[pkg] = _version(pkg)
        except Exception:  # noqa: BLE001
            versions[pkg] = "unknown"
    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = f"not initialised (config: {numba.config.THREADING_LAYER})"
    try:
        import llvmlite.binding as ll

        host = ll.get_host_cpu_name()
    except Exception:  # noqa: BLE001
        host = "unknown"
    return {
        "cpu": _cpu_model(),
        "cpu_vector_flags": cpu_flags()["vector_flags"],
        "load_average_at_start": list(os.getloadavg()),
        "llvm_cpu": host,
        "cores": cores,
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "numba_threading_layer": layer,
        "numba_num_threads": numba.config.NUMBA_NUM_THREADS,
        "versions": versions,
        "hostname": platform.node(),
    }


# ----------------------------------------------------------------------------- kernel


def _run_kernel(inputs, theta, n_paths, years, seed=1, path0=0, lanes=None):
    from mccoord.kernels.layout import LANES

    from mccoord.blocks import run_block

    return run_block(
        inputs,
        theta,
        seed=seed,
        path0=path0,
        n_paths=n_paths,
        years=years,
        substeps=1,
        record_every=1,
        target_reduction=0.25,
        lanes=LANES if lanes is None else lanes,
    )


def kernel_throughput(
    inputs=None,
    *,
    paths: int = 400,
    years: int = 50,
    repeats: int = 5,
    threads: int = 1,
    mix: dict | None = None,
    rng_floor: bool = True,
    scalar: bool = False,
) -> dict:
    """Kernel region-steps per second on ``threads`` Numba threads (median of repeats).

    The production kernel runs its default lane width. With ``rng_floor`` the RNG-only
    kernel runs on the same paths and steps, with ``scalar`` the scalar kernel (one path
    at a time) too, their repeats interleaved with the kernel's; the result holds each
    and its ratio to the kernel.
    """
    import numba

    from mccoord.inputs import mix_vector

    from .rngfloor import draw_only

    inputs = china_inputs() if inputs is None else inputs
    theta = mix_vector(all_on() if mix is None else mix)
    R = inputs.n_regions
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        _run_kernel(inputs, theta, 2, 2)  # compile / load, excluded
        if scalar:
            _run_kernel(inputs, theta, 2, 2, lanes=1)
        if rng_floor:
            draw_only(np.uint64(1), np.uint64(0), 2, 2, R)
        t_kernel, t_rng, t_scalar = [], [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            _run_kernel(inputs, theta, paths, years)
            t_kernel.append(time.perf_counter() - t0)
            if scalar:
                t0 = time.perf_counter()
                _run_kernel(inputs, theta, paths, years, lanes=1)
                t_scalar.append(time.perf_counter() - t0)
            if rng_floor:
                t0 = time.perf_counter()
                draw_only(np.uint64(1), np.uint64(0), paths, years, R)
                t_rng.append(time.perf_counter() - t0)
    finally:
        numba.set_num_threads(before)
    from mccoord.kernels.layout import LANES

    work = paths * years * R
    tk = statistics.median(t_kernel)
    out = {
        "lanes": LANES,
        "R": R,
        "paths": paths,
        "years": years,
        "substeps": 1,
        "threads": threads,
        "repeats": repeats,
        "region_steps": work,
        "seconds": tk,
        "all_seconds": t_kernel,
        "region_steps_per_s": work / tk,
        "ns_per_region_step": tk / work * 1e9,
        "us_per_path_step": tk / (paths * years) * 1e6,
    }
    if rng_floor:
        tr = statistics.median(t_rng)
        out["rng"] = {
            "seconds": tr,
            "all_seconds": t_rng,
            "variates_per_step": 4 * R + 2,
            "region_steps_per_s": work / tr,
            "ns_per_variate": tr / (paths * years * (4 * R + 2)) * 1e9,
        }
        out["kernel_over_rng"] = tk / tr
    if scalar:
        ts = statistics.median(t_scalar)
        out["scalar"] = {
            "seconds": ts,
            "all_seconds": t_scalar,
            "region_steps_per_s": work / ts,
            "us_per_path_step": ts / (paths * years) * 1e6,
        }
        out["lanes_over_scalar_speed"] = ts / tk
    return out


def uncertainty_cost(*, paths: int = 400, years: int = 50, repeats: int = 5) -> dict:
    """One-thread kernel time on china with its ``[uncertainty]`` table over the time without.

    The two runs alternate, repeat by repeat, so that they share the machine's load.
    """
    import numba

    import mccoord
    from mccoord.inputs import mix_vector, model_inputs

    scenario = mccoord.load_scenario("china")
    plain, drawn = model_inputs(scenario.without_uncertainty()), model_inputs(scenario)
    theta = mix_vector(all_on())
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    times: dict[str, list[float]] = {"plain": [], "drawn": []}
    try:
        for inputs in (plain, drawn):
            _run_kernel(inputs, theta, 8, 2)
        for _ in range(repeats):
            for name, inputs in (("plain", plain), ("drawn", drawn)):
                t0 = time.perf_counter()
                _run_kernel(inputs, theta, paths, years)
                times[name].append(time.perf_counter() - t0)
    finally:
        numba.set_num_threads(before)
    t_plain, t_drawn = statistics.median(times["plain"]), statistics.median(times["drawn"])
    work = paths * years * plain.n_regions
    return {
        "uncertain_keys": len(scenario.uncertainty.keys),
        "seconds": t_drawn,
        "seconds_without": t_plain,
        "region_steps_per_s": work / t_drawn,
        "cost_ratio": t_drawn / t_plain,
    }


def reference_throughput(
    inputs=None, *, paths: int = 128, years: int = 50, repeats: int = 3, mix: dict | None = None
) -> dict:
    """The NumPy reference on ``paths`` paths (shock generation excluded; one thread)."""
    from mccoord.inputs import mix_vector
    from mccoord.reference import simulate_reference

    inputs = china_inputs() if inputs is None else inputs
    theta = mix_vector(all_on() if mix is None else mix)
    R = inputs.n_regions
    rng = np.random.default_rng(0)
    shocks = rng.standard_normal((paths, years, 4 * R + 2))
    shocks[:, :, 3 * R + 1 :] = rng.uniform(size=(paths, years, R + 1))
    try:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(1)
    except ImportError:  # pragma: no cover
        limit = None
    try:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            simulate_reference(inputs, theta, shocks, years=years)
            times.append(time.perf_counter() - t0)
    finally:
        if limit is not None:
            limit.restore_original_limits()
    t = statistics.median(times)
    work = paths * years * R
    return {
        "R": R,
        "paths": paths,
        "years": years,
        "repeats": repeats,
        "seconds": t,
        "all_seconds": times,
        "region_steps_per_s": work / t,
        "ns_per_region_step": t / work * 1e9,
    }


# ----------------------------------------------------------------------------- subprocesses


def _child_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _child(args: list[str], **env) -> tuple[dict, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench._child", *args],
        capture_output=True,
        text=True,
        cwd=str(REPO),
        env=_child_env(**env),
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def compile_times() -> dict:
    """A new process: import mccoord and complete the first step, cold then from cache."""
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-cache-") as cache:
        cold, cold_wall = _child(["first_step"], NUMBA_CACHE_DIR=cache)
        warm, warm_wall = _child(["first_step"], NUMBA_CACHE_DIR=cache)
    return {
        "cold": cold | {"process_wall_s": cold_wall},
        "cached": warm | {"process_wall_s": warm_wall},
        "note": "import_s: import mccoord (pandas, xarray, dask, numba); kernel_first_step_s: "
        "load or compile the kernels and run one step of one path; process_wall_s: "
        "the whole child process, interpreter start included",
    }


def peak_memory(paths=(10_000, 100_000, 1_000_000), years: int = 30) -> dict:
    """Peak RSS of ``mccoord.run(china, one mix, paths=N, years, workers=0)`` per N."""
    rows = []
    for n in paths:
        res, wall = _child(["memory", str(n), str(years)])
        rows.append(res | {"process_wall_s": wall})
    peaks = [r["peak_rss_mb"] for r in rows]
    return {
        "years": years,
        "runs": rows,
        "growth": peaks[-1] / peaks[0],
        "note": "peak RSS of a fresh process; includes the interpreter and libraries",
    }


# ----------------------------------------------------------------------------- peak


def peak_fraction(kernel: dict, *, years: int = 20, repeats: int = 5) -> dict:
    """The kernel's fraction of the arithmetic peak for its own operation mix.

    ``kernel`` is the result of :func:`kernel_throughput` (its ``us_per_path_step`` and
    lane width). The operation counts per path-step come from :mod:`bench.opcount` in a
    child process; the mix, scaled so that one iteration holds one exponential, runs in
    the peak micro-kernel at the kernel's lane width. Divisions include square roots;
    comparisons, selects and integer work are not counted, so the fraction errs low.
    """
    from . import micro

    counts, _ = _child(["opcount", str(years)])
    total = counts["total"]
    scale = max(total["exp"], 1e-9)
    mix = {op: max(0, round(total[op] / scale)) for op in micro.OPERATIONS}
    mix["exp"] = max(mix["exp"], 1)
    lanes = kernel["lanes"]
    timing = micro.peak_section([lanes], {"kernel": mix}, seconds=0.5, repeats=repeats)
    row = timing[f"kernel_{lanes}_lanes"]
    # one path-step performs `scale` copies of the mix
    peak_ns_per_path_step = row["ns_per_lane_iteration"] * scale
    kernel_ns_per_path_step = kernel["us_per_path_step"] * 1e3
    return {
        "opcount": counts,
        "mix_per_iteration": mix,
        "copies_per_path_step": scale,
        "micro": row,
        "peak_ns_per_path_step": peak_ns_per_path_step,
        "kernel_ns_per_path_step": kernel_ns_per_path_step,
        "fraction": peak_ns_per_path_step / kernel_ns_per_path_step,
        "gflops_kernel": counts["flops_add_mul_div"] / kernel_ns_per_path_step,
    }


# ----------------------------------------------------------------------------- default run


def _default_run_once(checkout: Path, store: Path, *, paths: int | None, quiet_env: dict) -> float:
    """Wall seconds of ``mccoord run --out STORE --quiet`` on ``checkout``'s code."""
    import site

    # -S: no .pth files, so an editable install of other code cannot take precedence over
    # the checkout; the installed dependencies come from site-packages on PYTHONPATH.
    entry = "import sys; from mccoord.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-S", "-c", entry, "run", "--out", str(store), "--quiet"]
    if paths is not None:
        cmd += ["--paths", str(paths)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), *site.getsitepackages()])
    env.update(quiet_env)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(checkout), env=env, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} in {checkout} failed:\n{proc.stderr[-3000:]}")
    return wall


def _git_commit(checkout: Path) -> str:
    proc = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or "unknown"


def default_run(*, baseline: Path | None = None, repeats: int = 2, paths: int | None = None) -> dict:
    """End-to-end wall time of the quickstart's ``mccoord run`` (default scenario and grid).

    Each code (this checkout, and ``baseline`` if given) first runs once untimed with 10
    paths (kernels compiled into its Numba cache, workers' imports warm in the page
    cache); then the timed repeats alternate between the codes. ``paths`` overrides the
    scenario's paths per mix (``--quick``).
    """
    codes = {"current": REPO}
    if baseline is not None:
        codes["baseline"] = Path(baseline).resolve()
    out: dict = {"command": "mccoord run --out STORE --quiet", "paths": paths, "repeats": repeats}
    times: dict[str, list[float]] = {k: [] for k in codes}
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-default-") as tmp:
        for name, checkout in codes.items():
            _default_run_once(checkout, Path(tmp) / f"warm-{name}.zarr", paths=10, quiet_env={})
        for r in range(repeats):
            for name, checkout in codes.items():
                store = Path(tmp) / f"{name}-{r}.zarr"
                times[name].append(_default_run_once(checkout, store, paths=paths, quiet_env={}))
    for name, checkout in codes.items():
        out[name] = {
            "checkout": str(checkout),
            "commit": _git_commit(checkout),
            "seconds": statistics.median(times[name]),
            "all_seconds": times[name],
        }
    if baseline is not None:
        out["speedup"] = out["baseline"]["seconds"] / out["current"]["seconds"]
    return out


# ----------------------------------------------------------------------------- dask


def dask_speedup(*, n_mixes: int = 8, paths: int = 4000, years: int = 50) -> dict:
    """``mccoord.run`` with 1 then 2 local workers (threads=1) on the same grid."""
    import mccoord

    mixes = [
        {
            "transfer": (k % 4) / 3,
            "market": ((k // 4) % 2) * 1.0,
            "cooperation": 1.0,
            "supervision": 0.5,
            "order_parameter": 1.0,
        }
        for k in range(n_mixes)
    ]
    R = len(mccoord.load_scenario("china").regions)
    work = n_mixes * paths * years * R
    ppt = paths if paths <= 1000 else 1000
    out = {
        "scenario": "china",
        "mixes": n_mixes,
        "paths": paths,
        "years": years,
        "paths_per_task": ppt,
        "region_steps": work,
        "end_to_end": {},
        "execution": {},
    }
    # End to end: mccoord.run starts and stops its own LocalCluster.
    for nw in (1, 2):
        with tempfile.TemporaryDirectory(prefix="mccoord-bench-") as tmp:
            t0 = time.perf_counter()
            ds = mccoord.run(
                "china",
                mixes=mixes,
                paths=paths,
                years=years,
                workers=nw,
                threads=1,
                store=Path(tmp) / "run.zarr",
                progress=False,
                paths_per_task=ppt,
            )
            wall = time.perf_counter() - t0
            out["end_to_end"][str(nw)] = {"seconds": wall, "execute_seconds": float(ds.attrs["wall_seconds"])}
            ds.close()
    # Execution phase: the same call on an already started and warmed-up cluster.
    import dask
    from distributed import Client, LocalCluster

    env = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for nw in (1, 2):
        with dask.config.set(
            {"distributed.nanny.pre-spawn-environ": env, "distributed.worker.daemon": False}
        ):
            cluster = LocalCluster(
                n_workers=nw,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=50,
            )
        try:
            with Client(cluster) as c:
                c.run(_warm_worker)
                with tempfile.TemporaryDirectory(prefix="mccoord-bench-") as tmp:
                    t0 = time.perf_counter()
                    ds = mccoord.run(
                        "china",
                        mixes=mixes,
                        paths=paths,
                        years=years,
                        client=c,
                        threads=1,
                        store=Path(tmp) / "run.zarr",
                        progress=False,
                        paths_per_task=ppt,
                    )
                    wall = time.perf_counter() - t0
                    out["execution"][str(nw)] = {
                        "seconds": wall,
                        "execute_seconds": float(ds.attrs["wall_seconds"]),
                    }
                    ds.close()
        finally:
            cluster.close()
    for key in ("end_to_end", "execution"):
        d = out[key]
        d["speedup"] = d["1"]["seconds"] / d["2"]["seconds"]
        d["execute_speedup"] = d["1"]["execute_seconds"] / d["2"]["execute_seconds"]
    return out


def _warm_worker():
    """Load the kernels in a worker (from the Numba cache) before timing."""
    import mccoord
    from mccoord.inputs import mix_vector

    _run_kernel(china_inputs(), mix_vector(dict.fromkeys(mccoord.MECHANISMS, 1.0)), 1, 1)
    return True


# ----------------------------------------------------------------------------- regions


def region_scaling(
    sizes=(8, 31, 100, 300), *, years: int = 50, work: float = 4e7, repeats: int = 3
) -> list[dict]:
    """One-thread kernel throughput for synthetic scenarios of ``R`` regions."""
    import mccoord
    from mccoord.inputs import model_inputs
    from mccoord.synthetic import synthetic_regions

    rows = []
    for R in sizes:
        inputs = model_inputs(mccoord.scenario_from_table(synthetic_regions(R), name=f"synthetic{R}"))
        paths = int(max(4, min(2000, work / (R * R * years))))
        r = kernel_throughput(inputs, paths=paths, years=years, repeats=repeats, rng_floor=True)
        rows.append(
            {
                "R": R,
                "paths": paths,
                "years": years,
                "region_steps_per_s": r["region_steps_per_s"],
                "us_per_path_step": r["us_per_path_step"],
                "ns_per_region_pair_step": r["seconds"] / (paths * years * R * R) * 1e9,
                "kernel_over_rng": r["kernel_over_rng"],
            }
        )
    return rows


# ----------------------------------------------------------------------------- report

SECTIONS = ("kernel", "reference", "peak", "compile", "dask", "default_run", "memory", "regions", "tasks")


def run_all(
    quick: bool = False, only: tuple[str, ...] = SECTIONS, log=print, baseline: Path | None = None
) -> dict:
    """Run the selected sections; return the result dictionary (also the JSON)."""
    sz = SIZES["quick" if quick else "full"]
    res: dict = {}
    inputs = china_inputs()
    if "kernel" in only or "reference" in only or "peak" in only:
        log("kernel throughput (1 thread, china, all mechanisms at 1; lanes and scalar) ...")
        res["kernel"] = kernel_throughput(
            inputs, paths=sz["kernel_paths"], years=sz["years"], repeats=sz["repeats"], scalar=True
        )
    if "reference" in only:
        log("NumPy reference ...")
        res["reference"] = reference_throughput(
            inputs, paths=sz["ref_paths"], years=sz["years"], repeats=sz["ref_repeats"]
        )
        res["reference"]["kernel_speedup"] = (
            res["kernel"]["region_steps_per_s"] / res["reference"]["region_steps_per_s"]
        )
    if "kernel" in only:
        log("kernel cost of the scenario's parameter uncertainty (per-path draws) ...")
        res["kernel"]["with_uncertainty"] = uncertainty_cost(
            paths=sz["kernel_paths"], years=sz["years"], repeats=sz["repeats"]
        )
    if "peak" in only:
        log("operation counts and the peak micro-kernel ...")
        res["peak"] = peak_fraction(res["kernel"], years=sz["opcount_years"], repeats=sz["repeats"])
    if "default_run" in only:
        log("the default mccoord run, end to end" + (" (and the baseline code)" if baseline else "") + " ...")
        res["default_run"] = default_run(
            baseline=baseline, repeats=sz["default_repeats"], paths=100 if quick else None
        )
    if "compile" in only:
        log("compile time (cold and cached, in subprocesses) ...")
        res["compile"] = compile_times()
    if "dask" in only:
        log("mccoord.run with 1 and 2 workers ...")
        res["dask"] = dask_speedup(n_mixes=sz["dask_mixes"], paths=sz["dask_paths"], years=sz["years"])
    if "memory" in only:
        log("peak memory (subprocesses) ...")
        res["memory"] = peak_memory(sz["memory_paths"], sz["memory_years"])
    if "regions" in only:
        log("throughput as R grows ...")
        res["regions"] = region_scaling(
            sz["regions"], years=sz["years"], work=sz["region_work"], repeats=max(1, sz["repeats"] // 2)
        )
    if "tasks" in only:
        from . import tasks

        res["tasks"] = tasks.run(quick=quick, log=log)
    return res


def targets(res: dict) -> list[dict]:
    """Each target with its measured value and whether it is met."""
    rows = []

    def add(name, value, op, target):
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        rows.append({"target": name, "value": value, "op": op, "threshold": target, "met": met})

    if "reference" in res:
        add(
            "kernel / NumPy reference (per core)",
            res["reference"]["kernel_speedup"],
            ">=",
            TARGETS["kernel_vs_reference"],
        )
    if "kernel" in res and "kernel_over_rng" in res["kernel"]:
        add("kernel time / RNG floor", res["kernel"]["kernel_over_rng"], "<=", TARGETS["kernel_vs_rng"])
    if "peak" in res:
        add("fraction of the arithmetic peak", res["peak"]["fraction"], ">=", TARGETS["peak_fraction"])
    if "default_run" in res and "speedup" in res["default_run"]:
        add(
            "default mccoord run, baseline time / current time",
            res["default_run"]["speedup"],
            ">=",
            TARGETS["default_run_speedup"],
        )
    if "dask" in res:
        add(
            "mccoord.run speed-up 1 -> 2 workers (warm cluster)",
            res["dask"]["execution"]["speedup"],
            ">=",
            TARGETS["dask_speedup_2"],
        )
        add(
            "mccoord.run speed-up 1 -> 2 workers (end to end)",
            res["dask"]["end_to_end"]["speedup"],
            ">=",
            TARGETS["dask_speedup_2"],
        )
    if "memory" in res:
        add("peak RSS largest / smallest paths", res["memory"]["growth"], "<=", TARGETS["memory_growth"])
    if "compile" in res:
        c = res["compile"]["cached"]
        add(
            "cached: new process to first step [s], import excluded",
            c["kernel_first_step_s"],
            "<=",
            TARGETS["cached_first_step_s"],
        )
        add(
            "cached: new process to first step [s], whole process",
            c["process_wall_s"],
            "<=",
            TARGETS["cached_first_step_s"],
        )
    return rows


def _fmt(x, unit=""):
    if x is None:
        return "-"
    if isinstance(x, float):
        if abs(x) >= 1e6:
            return f"{x / 1e6:.2f} M{unit}"
        if abs(x) >= 100:
            return f"{x:.0f}{unit}"
        return f"{x:.3g}{unit}"
    return f"{x}{unit}"


def table(res: dict, meta: dict) -> str:
    """A plain-text (Markdown) table of the results."""
    lines = ["| measure | value | detail |", "|---|---|---|"]

    def row(a, b, c=""):
        lines.append(f"| {a} | {b} | {c} |")

    k = res.get("kernel")
    if k:
        row(
            f"kernel throughput, 1 thread, china (R={k['R']})",
            _fmt(k["region_steps_per_s"], " region-steps/s"),
            f"{k['paths']} paths x {k['years']} years, median of {k['repeats']}; "
            f"{k['us_per_path_step']:.2f} us per path-step",
        )
        if "rng" in k:
            row(
                "RNG floor (same variates, same generator)",
                _fmt(k["rng"]["region_steps_per_s"], " region-steps/s"),
                f"{k['rng']['ns_per_variate']:.2f} ns per variate",
            )
            row("kernel time / RNG time", f"{k['kernel_over_rng']:.2f}", "target <= 3")
        if "with_uncertainty" in k:
            u = k["with_uncertainty"]
            row(
                "kernel with the scenario's parameter uncertainty",
                _fmt(u["region_steps_per_s"], " region-steps/s"),
                f"{u['uncertain_keys']} keys drawn per path; time x{u['cost_ratio']:.2f} of the run without",
            )
        if "scalar" in k:
            row(
                "scalar kernel (one path at a time), 1 thread",
                _fmt(k["scalar"]["region_steps_per_s"], " region-steps/s"),
                f"{k['scalar']['us_per_path_step']:.2f} us per path-step; "
                f"{k['lanes']} lanes are {k['lanes_over_scalar_speed']:.2f}x faster",
            )
    r = res.get("reference")
    if r:
        row(
            "NumPy reference, 1 thread",
            _fmt(r["region_steps_per_s"], " region-steps/s"),
            f"{r['paths']} paths vectorised x {r['years']} years",
        )
        row("kernel / reference", f"{r['kernel_speedup']:.1f}x", "target >= 25x")
    p = res.get("peak")
    if p:
        mix = ", ".join(f"{v} {op}" for op, v in p["mix_per_iteration"].items() if v)
        row(
            "fraction of the arithmetic peak",
            f"{100 * p['fraction']:.0f} %",
            f"micro-kernel {p['peak_ns_per_path_step']:.0f} ns vs kernel "
            f"{p['kernel_ns_per_path_step']:.0f} ns per path-step; "
            f"{p['opcount']['flops_add_mul_div']:.0f} add/mul/div per path-step; mix {mix} "
            f"x {p['copies_per_path_step']:.1f}; kernel {p['gflops_kernel']:.2f} GFLOP/s",
        )
    dr = res.get("default_run")
    if dr:
        detail = f"median of {dr['repeats']}, commit {dr['current']['commit'][:9]}"
        if "baseline" in dr:
            detail += (
                f"; baseline {dr['baseline']['seconds']:.1f} s (commit {dr['baseline']['commit'][:9]}), "
                f"{dr['speedup']:.2f}x faster"
            )
        paths = "" if dr["paths"] is None else f", {dr['paths']} paths per mix"
        row(f"default mccoord run end to end{paths}", f"{dr['current']['seconds']:.1f} s", detail)
    c = res.get("compile")
    if c:
        for key in ("cold", "cached"):
            d = c[key]
            row(
                f"new process to first step, {key}",
                f"{d['process_wall_s']:.2f} s",
                f"import {d['import_s']:.2f} s + kernels and first step {d['kernel_first_step_s']:.2f} s",
            )
    d = res.get("dask")
    if d:
        for key, label in (("execution", "warm cluster"), ("end_to_end", "end to end")):
            e = d[key]
            row(
                f"mccoord.run 1 -> 2 workers, {label}",
                f"{e['speedup']:.2f}x",
                f"{e['1']['seconds']:.1f} s -> {e['2']['seconds']:.1f} s; {d['mixes']} mixes x {d['paths']} "
                f"paths x {d['years']} years",
            )
    m = res.get("memory")
    if m:
        for run in m["runs"]:
            row(
                f"peak RSS, {run['paths']} paths x {m['years']} years, one mix",
                f"{run['peak_rss_mb']:.0f} MB",
                f"{run['run_s']:.1f} s run",
            )
    for g in res.get("regions", []):
        row(
            f"throughput R = {g['R']}",
            _fmt(g["region_steps_per_s"], " region-steps/s"),
            f"{g['us_per_path_step']:.2f} us/path-step, {g['ns_per_region_pair_step']:.2f} ns per R^2, "
            f"kernel/RNG {g['kernel_over_rng']:.2f}",
        )
    if res.get("tasks"):
        from . import tasks

        for measure, value, detail in tasks.rows(res["tasks"]):
            row(measure, value, detail)
    lines.append("")
    lines.append("| target | value | met |")
    lines.append("|---|---|---|")
    for t in targets(res):
        v = t["value"]
        lines.append(
            f"| {t['target']} {t['op']} {t['threshold']:g} | "
            f"{'-' if v is None else f'{v:.2f}'} | {'yes' if t['met'] else 'NO'} |"
        )
    lines.append("")
    lines.append(
        f"machine: {meta['cpu']} ({meta['cores']} cores, LLVM cpu {meta['llvm_cpu']}, "
        f"{' '.join(meta.get('cpu_vector_flags', []))}); load average at start "
        f"{meta.get('load_average_at_start', ['-'])[0]}, at end {meta.get('load_average_at_end', ['-'])[0]}; "
        f"numba {meta['versions']['numba']} threading layer {meta['numba_threading_layer']}; "
        f"numpy {meta['versions']['numpy']}; python {meta['versions']['python']}"
    )
    return "\n".join(lines)


def write_results(doc: dict, directory: Path = RESULTS) -> Path:
    """Write ``doc`` to a timestamped JSON file and to ``latest.json``; return the first."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"bench-{stamp}{'-quick' if doc.get('quick') else ''}.json"
    text = json.dumps(doc, indent=2, default=float)
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_cli(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or so")
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="run only these sections"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON results")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="a checkout of other code: the default run is timed on it too (e.g. before a kernel change)",
    )


def run_cli(args) -> int:
    started = time.perf_counter()
    load_start = list(os.getloadavg())
    res = run_all(
        quick=args.quick,
        only=tuple(args.only),
        log=lambda s: print(s, file=sys.stderr, flush=True),
        baseline=args.baseline,
    )
    meta = machine() | {"load_average_at_start": load_start, "load_average_at_end": list(os.getloadavg())}
    doc = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": bool(args.quick),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": meta,
        "targets": targets(res),
        "results": res,
        "bench_seconds": time.perf_counter() - started,
    }
    path = write_results(doc, args.out)
    print(table(res, meta))
    print(f"\nresults: {path}")
    return 0
