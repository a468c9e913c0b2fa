"""Per-task costs of an ensemble run, the inputs of ``docs/scaling.md``.

``python -m bench --only tasks`` measures, on the code as it is:

* ``phases``: a real ``mccoord.run`` of the china scenario (default task size: one mix x
  1000 paths x 30 years) on ONE thread, one task at a time, with the three steps of
  each task timed where :func:`mccoord.tasks.compute_block` calls them: the kernel
  (``run_block``), the in-task reduction to what the store keeps (``reduce_block``)
  and the Zarr writes of the block and its done flag (``write_block``); then the final
  reduction of the whole store (``reduce_store``) and the set-up (plan check, kernel
  load, store creation) and final write as the rest of the wall time.
* ``store``: bytes on disk of every array of that store (Zarr's default compression),
  per path and mix, per record year, per granule: how the store grows.
* ``scheduling``: a Dask scheduler in its own process (``dask scheduler``) and one
  worker process; N tasks that return at once, as a block's task returns its small
  info dict. Wall time per task and the scheduler process's CPU time per task (read
  from ``/proc`` with psutil): the cost Dask adds to every task.

Nothing here asserts a timing; the numbers depend on the machine and its load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Sizes for a full run and for ``--quick``.
SIZES = {
    "full": dict(mixes=6, paths=2000, years=30, paths_per_task=1000, tasks=2000, wide_paths=8000),
    "quick": dict(mixes=2, paths=200, years=10, paths_per_task=100, tasks=200, wide_paths=800),
}


def _timed(record: list, fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            record.append(time.perf_counter() - t0)

    return wrapper


def _summary(seconds: list[float]) -> dict:
    return {"n": len(seconds), "median_s": statistics.median(seconds), "total_s": sum(seconds)}


def task_phases(
    *,
    mixes: int | None = 6,
    paths: int = 2000,
    years: int = 30,
    paths_per_task: int | None = 1000,
    store: Path,
    threads: int = 1,
) -> dict:
    """Time the phases of every task of a ``mccoord.run`` on threads (china).

    ``mixes`` mixes of transfer x cooperation, or ``None`` for the scenario's grid with
    the default task size (the quickstart's run when ``paths=1000, years=30``).
    """
    import numba

    import mccoord
    import mccoord.ensemble
    import mccoord.tasks

    scenario = mccoord.load_scenario("china")
    if mixes is None:
        mix_list = None
    else:
        mix_list = [
            {"transfer": t, "cooperation": 1.0} for t in [i / max(1, mixes - 1) for i in range(mixes)]
        ]
    rec = {"kernel": [], "reduce_block": [], "write_block": [], "task": [], "reduce_store": []}
    saved = {
        "run_block": mccoord.tasks.run_block,
        "reduce_block": mccoord.tasks.reduce_block,
        "write_block": mccoord.tasks.write_block,
        "compute_block": mccoord.ensemble.compute_block,
        "reduce_store": mccoord.ensemble.reduce_store,
    }
    mccoord.tasks.run_block = _timed(rec["kernel"], saved["run_block"])
    mccoord.tasks.reduce_block = _timed(rec["reduce_block"], saved["reduce_block"])
    mccoord.tasks.write_block = _timed(rec["write_block"], saved["write_block"])
    mccoord.ensemble.compute_block = _timed(rec["task"], saved["compute_block"])
    mccoord.ensemble.reduce_store = _timed(rec["reduce_store"], saved["reduce_store"])
    try:
        t0 = time.perf_counter()
        mccoord.run(
            scenario,
            mixes=mix_list,
            paths=paths,
            years=years,
            paths_per_task=paths_per_task,
            threads=threads,
            store=store,
            progress=False,
        )
        wall = time.perf_counter() - t0
        with mccoord.open_results(store) as ds:
            n_mix = int(ds.attrs["n_mix"])
            mixes_per_task = int(ds.attrs["mixes_per_task"])
            paths_per_task = int(ds.attrs["paths_per_task"])
    finally:
        mccoord.tasks.run_block = saved["run_block"]
        mccoord.tasks.reduce_block = saved["reduce_block"]
        mccoord.tasks.write_block = saved["write_block"]
        mccoord.ensemble.compute_block = saved["compute_block"]
        mccoord.ensemble.reduce_store = saved["reduce_store"]
    R = int(scenario.regions.shape[0])
    per_task = {k: _summary(v) for k, v in rec.items() if k not in ("reduce_store",)}
    in_task = sum(rec["kernel"]) + sum(rec["reduce_block"]) + sum(rec["write_block"])
    per_task["other_in_task"] = {"total_s": sum(rec["task"]) - in_task, "n": len(rec["task"])}
    mixes = n_mix
    path_years = mixes * paths * years
    return {
        "scenario": "china",
        "R": R,
        "mixes": mixes,
        "paths": paths,
        "years": years,
        "paths_per_task": paths_per_task,
        "mixes_per_task": mixes_per_task,
        "numba_threads": threads,
        "numba_threading_layer": numba.threading_layer(),
        "tasks": per_task,
        "us_per_path_year": {
            "kernel": sum(rec["kernel"]) / path_years * 1e6,
            "reduce_block": sum(rec["reduce_block"]) / path_years * 1e6,
            "write_block": sum(rec["write_block"]) / path_years * 1e6,
        },
        "reduce_store": {
            "seconds": sum(rec["reduce_store"]),
            "us_per_path_mix": sum(rec["reduce_store"]) / (mixes * paths) * 1e6,
        },
        "wall_s": wall,
        "setup_and_final_write_s": wall - sum(rec["task"]) - sum(rec["reduce_store"]),
    }


def default_breakdown(*, paths: int = 1000, years: int = 30, threads: int = 1) -> dict:
    """Where the time of the quickstart's run goes (china grid, default task size, threads).

    Shares of the wall time: kernel, in-task reduction, Zarr writes (block arrays and done
    flags), final reduction of the store, and the rest (set-up, scheduling on threads,
    the results write). Summed over tasks; with one thread they add up to the wall time.
    """
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-breakdown-") as tmp:
        ph = task_phases(
            mixes=None, paths=paths, years=years, paths_per_task=None, store=Path(tmp) / "run.zarr",
            threads=threads,
        )  # fmt: skip
    wall = ph["wall_s"]
    parts = {
        "kernel": ph["tasks"]["kernel"]["total_s"],
        "reduce_block": ph["tasks"]["reduce_block"]["total_s"],
        "write_block": ph["tasks"]["write_block"]["total_s"],
        "reduce_store": ph["reduce_store"]["seconds"],
    }
    parts["rest"] = wall * threads - sum(parts.values())
    return ph | {
        "shares": {k: v / (wall * threads) for k, v in parts.items()},
        "writes_and_reductions_share": (parts["reduce_block"] + parts["write_block"] + parts["reduce_store"])
        / (wall * threads),
    }


def reduction_fit(a: dict, b: dict) -> dict:
    """Final-reduction time per mix as ``fixed + per_path * paths``, from two runs."""
    pa, pb = a["paths"], b["paths"]
    ra = a["reduce_store"]["seconds"] / a["mixes"]
    rb = b["reduce_store"]["seconds"] / b["mixes"]
    per_path = (rb - ra) / (pb - pa)
    return {
        "paths": [pa, pb],
        "seconds_per_mix": [ra, rb],
        "fixed_s_per_mix": ra - per_path * pa,
        "us_per_path_mix": per_path * 1e6,
    }


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def store_growth(store: Path, *, mixes: int, paths: int, years: int, granule: int = 100) -> dict:
    """Bytes on disk of each array of a finished store, normalised by what it grows with."""
    raw = store / "raw"
    arrays = {p.name: _du(p) for p in sorted(raw.iterdir()) if p.is_dir()}
    n_rec = years + 1
    per_path = {k: v for k, v in arrays.items() if k.startswith("path_")}
    per_granule = {k: v for k, v in arrays.items() if k.startswith("g_")}
    results = {p.name: _du(p) for p in sorted(store.iterdir()) if p.is_dir() and p.name != "raw"}
    return {
        "raw_bytes": arrays,
        "results_bytes": results,
        "bytes_per_path_mix": {
            "path_sigma": per_path.get("path_sigma", 0) / (mixes * paths),
            "path_sigma_per_record": per_path.get("path_sigma", 0) / (mixes * paths * n_rec),
            "other_path_arrays": sum(v for k, v in per_path.items() if k != "path_sigma") / (mixes * paths),
            "granule_sums": sum(per_granule.values()) / (mixes * paths),
            "all_raw": sum(arrays.values()) / (mixes * paths),
        },
        "granule": granule,
        "results_bytes_per_mix": sum(results.values()) / mixes,
        "note": "on-disk bytes with Zarr's default codecs; per-path arrays grow with paths x mixes "
        "(path_sigma also x record years), granule sums with paths/granule x mixes x years (x R)",
    }


def _noop(i: int) -> dict:
    return {"block": i, "region_steps": 0}


def scheduling(n_tasks: int = 2000) -> dict:
    """Dask's cost per task: wall and scheduler CPU for ``n_tasks`` tasks on one worker."""
    import psutil
    from distributed import Client, wait

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-sched-") as tmp:
        file = Path(tmp) / "scheduler.json"
        common = dict(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        sched = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dashboard-address",
                "127.0.0.1:0",
                "--scheduler-file",
                str(file),
            ],
            **common,
        )
        worker = None
        try:
            for _ in range(600):
                if file.exists() and file.stat().st_size:
                    break
                time.sleep(0.1)
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    "--scheduler-file",
                    str(file),
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--host",
                    "127.0.0.1",
                ],
                **common,
            )
            with Client(scheduler_file=str(file), timeout=60) as client:
                client.wait_for_workers(1, timeout=120)
                wait([client.submit(_noop, i, pure=False) for i in range(50)])  # warm up
                proc = psutil.Process(sched.pid)
                cpu0 = sum(proc.cpu_times()[:2])
                rss0 = proc.memory_info().rss
                t0 = time.perf_counter()
                # as mccoord.cluster.execute submits blocks: one Client.map call
                futures = client.map(
                    _noop, range(n_tasks), key=[f"b-{i}" for i in range(n_tasks)], pure=False
                )
                submitted = time.perf_counter() - t0
                wait(futures)
                wall = time.perf_counter() - t0
                cpu = sum(proc.cpu_times()[:2]) - cpu0
                rss = proc.memory_info().rss - rss0  # results still held by the futures
                del futures
        finally:
            for p in (worker, sched):
                if p is not None:
                    p.terminate()
                    try:
                        p.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        p.kill()
    return {
        "tasks": n_tasks,
        "workers": 1,
        "submit_ms_per_task": submitted / n_tasks * 1e3,
        "wall_ms_per_task": wall / n_tasks * 1e3,
        "scheduler_cpu_ms_per_task": cpu / n_tasks * 1e3,
        "scheduler_rss_kb_per_task": rss / n_tasks / 1e3,
        "note": "tasks submitted with one Client.map and returning a small dict at once: "
        "pure scheduling and transfer cost",
    }


def run(quick: bool = False, log=print) -> dict:
    """All measures of this module (``SIZES['quick']`` with ``quick``)."""
    sz = SIZES["quick" if quick else "full"]
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-tasks-") as tmp:
        store = Path(tmp) / "tasks.zarr"
        # first calls (kernel load, imports of the reduction) are not what a task costs
        task_phases(mixes=1, paths=100, years=2, paths_per_task=100, store=Path(tmp) / "warm.zarr")
        log(f"per-task phases: china, {sz['mixes']} mixes x {sz['paths']} paths x {sz['years']} years ...")
        phases = task_phases(
            mixes=sz["mixes"],
            paths=sz["paths"],
            years=sz["years"],
            paths_per_task=sz["paths_per_task"],
            store=store,
        )
        growth = store_growth(store, mixes=sz["mixes"], paths=sz["paths"], years=sz["years"])
        log(f"final reduction with {sz['wide_paths']} paths per mix ...")
        wide = task_phases(
            mixes=2,
            paths=sz["wide_paths"],
            years=sz["years"],
            paths_per_task=sz["paths_per_task"],
            store=Path(tmp) / "wide.zarr",
        )
    phases["reduce_store"]["fit"] = reduction_fit(phases, wide)
    log("the quickstart's run on one thread, phase by phase ...")
    breakdown = default_breakdown(paths=100 if quick else 1000, years=10 if quick else 30)
    load_phases = os.getloadavg()
    log(f"scheduling cost: {sz['tasks']} tasks on a dask scheduler process ...")
    sched = scheduling(sz["tasks"])
    # the machine's 1-minute load average after each measure: a shared machine is slower
    load = {"phases": load_phases[0], "scheduling": os.getloadavg()[0], "cores": os.cpu_count()}
    return {
        "phases": phases,
        "default_breakdown": breakdown,
        "store": growth,
        "scheduling": sched,
        "load_average": load,
    }


def rows(res: dict) -> list[tuple[str, str, str]]:
    """``(measure, value, detail)`` rows for the bench table."""
    p, s, g = res["phases"], res["scheduling"], res["store"]
    t, fit = p["tasks"], p["reduce_store"]["fit"]
    size = f"{p['paths_per_task']} paths x {p['years']} years, R={p['R']}, 1 thread"
    b = res.get("default_breakdown")
    out = []
    if b:
        shares = ", ".join(f"{k} {100 * v:.1f} %" for k, v in b["shares"].items())
        out.append(
            (
                "default run, writes and reductions",
                f"{100 * b['writes_and_reductions_share']:.1f} % of the time",
                f"{b['mixes']} mixes x {b['paths']} paths x {b['years']} years, {b['mixes_per_task']} mixes "
                f"per task, 1 thread, {b['wall_s']:.1f} s: {shares}",
            )
        )
    out += [
        ("task: kernel", f"{t['kernel']['median_s'] * 1e3:.0f} ms", f"median per task of {size}"),
        ("task: reduction to the stored form", f"{t['reduce_block']['median_s'] * 1e3:.1f} ms", size),
        ("task: Zarr writes + done flag", f"{t['write_block']['median_s'] * 1e3:.1f} ms", size),
        (
            "final reduction (reduce_store)",
            f"{fit['us_per_path_mix']:.2f} us per path and mix "
            f"+ {fit['fixed_s_per_mix'] * 1e3:.0f} ms per mix",
            f"fit of {fit['seconds_per_mix'][0]:.3f} and {fit['seconds_per_mix'][1]:.3f} s per mix "
            f"at {fit['paths'][0]} and {fit['paths'][1]} paths",
        ),
        (
            "Dask cost per task",
            f"{s['wall_ms_per_task']:.2f} ms wall",
            f"scheduler CPU {s['scheduler_cpu_ms_per_task']:.2f} ms/task, memory "
            f"{s['scheduler_rss_kb_per_task']:.1f} kB/task held; {s['tasks']} tasks, 1 worker",
        ),
        (
            "store bytes per path and mix",
            f"{g['bytes_per_path_mix']['all_raw']:.0f} B",
            f"path_sigma {g['bytes_per_path_mix']['path_sigma']:.0f} B "
            f"({g['bytes_per_path_mix']['path_sigma_per_record']:.1f} B/record), "
            f"other per-path {g['bytes_per_path_mix']['other_path_arrays']:.1f} B, "
            f"granule sums {g['bytes_per_path_mix']['granule_sums']:.1f} B",
        ),
        (
            "load average during the task measures",
            f"{res['load_average']['phases']:.1f}",
            f"{res['load_average']['scheduling']:.1f} after the scheduling measure; "
            f"{res['load_average']['cores']} cores (figures slow down with load)",
        ),
    ]
    return out


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(quick="--quick" in sys.argv, log=lambda s: print(s, file=sys.stderr)), indent=2))
