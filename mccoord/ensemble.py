"""``mccoord.run``: an ensemble over mechanism mixes, across Dask workers, into a Zarr store.

The data path reads like the model: scenario -> mechanism design -> blocks of
(mixes x paths) -> kernel on each worker -> per-path metrics and per-granule sums in
``STORE/raw`` as blocks finish -> reduction -> results dataset at ``STORE``.

Before anything is written, the run checks its arguments, the destination and the
sizes (task count, memory per task, disk). The store records the exact command that
resumes it; an interruption (Ctrl-C) prints it.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import version as _version
from pathlib import Path

import numpy as np
import xarray as xr

from ._version import __version__
from .blocks import n_records
from .catalogue import GRANULE, RESULTS
from .checks import byte_size, is_whole, positive_int
from .cluster import execute, open_client, plan_execution, preflight
from .design import make_design, sobol_mix_count
from .errors import ConfigError, StoreError
from .inputs import model_inputs
from .kernels.layout import N_PATH_SCALARS, N_REC_SCALARS
from .lock import store_lock
from .progress import Progress
from .reduce import reduce_store
from .scenario import Scenario, load_scenario
from .store import (
    SCHEMA_VERSION,
    TaskGrid,
    check_destination,
    check_free_space,
    config_hash,
    create_store,
    done_flags,
    read_attrs,
    read_marker,
    remove_store,
    store_state,
    write_results,
)
from .tasks import compute_block

#: Default number of paths per task (rounded to whole granules).
DEFAULT_PATHS_PER_TASK = 1000
#: Default task size in paths x mixes: large enough that a task's Zarr writes and
#: in-task reduction are a small share of its time, small enough to balance the load.
TASK_PATHS = 8000
#: Tasks the default mixes per task aims at, at least (load balance over workers).
MIN_TASKS = 32
#: Most tasks a run may have (each writes one chunk per raw array and a done flag).
MAX_TASKS = 1_000_000


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("mccoord", "numba", "numpy", "xarray", "zarr", "dask", "distributed", "scipy"):
        try:
            out[pkg] = _version(pkg)
        except Exception:  # noqa: BLE001
            out[pkg] = "unknown"
    return out


def _paths_per_task(paths: int, requested: int | None) -> int:
    if requested is None:
        if paths <= DEFAULT_PATHS_PER_TASK:
            return paths
        return DEFAULT_PATHS_PER_TASK
    n = positive_int("paths_per_task", requested)
    if n >= paths:
        return paths
    if n % GRANULE:
        raise ConfigError(
            "paths_per_task",
            n,
            f"a multiple of {GRANULE} (the granule of the per-path sums), or at least the number of paths",
        )
    return n


def _mixes_per_task(n_mix: int, paths: int, ppt: int, requested: int | None) -> int:
    """Mixes per task: ``requested``, or a default from the run's size.

    The default groups mixes so that a task holds about :data:`TASK_PATHS` paths (over
    its mixes), while the run keeps at least :data:`MIN_TASKS` tasks when it has that
    many mixes x path blocks: the default china grid (243 mixes x 1000 paths) runs as 31
    tasks of 8 mixes. It changes only the task size and the chunks, never the results.
    """
    if requested is not None:
        return positive_int("mixes_per_task", requested)
    n_path_blocks = -(-paths // ppt)
    mix_blocks_wanted = -(-MIN_TASKS // n_path_blocks)
    return max(1, min(-(-n_mix // mix_blocks_wanted), TASK_PATHS // ppt))


def _sobol_count(mixes: object) -> int | None:
    """Number of mixes of a ``"sobol:N"`` design (:func:`mccoord.design.sobol_mix_count`).

    Known before the design is drawn, so an oversized design is refused before SALib
    allocates it.
    """
    if isinstance(mixes, str):
        kind, _, n = mixes.partition(":")
        if kind == "sobol" and n.isdigit():
            return sobol_mix_count(int(n))
    return None


def _check_task_count(n_mix: int, paths: int, ppt: int, mpt: int) -> None:
    n_tasks = -(-n_mix // mpt) * -(-paths // ppt)
    if n_tasks > MAX_TASKS:
        raise ConfigError(
            "mixes x paths",
            f"{n_mix} mixes x {paths} paths = {n_tasks} tasks",
            f"at most {MAX_TASKS} tasks: raise paths_per_task (--paths-per-task) or mixes_per_task, "
            "or run fewer mixes",
        )


def _task_bytes(grid: TaskGrid) -> int:
    """Memory one task needs at its peak, about [bytes]: kernel output and what it keeps."""
    R, T, P = grid.n_region, grid.n_time, grid.paths_per_task
    kernel = P * (T * (2 * R + N_REC_SCALARS) + N_PATH_SCALARS) * 8
    per_mix = grid.raw_bytes() // max(1, grid.n_mix * grid.n_path_blocks)
    return 3 * kernel + grid.mixes_per_task * per_mix


def _results_bytes(grid: TaskGrid, n_quantiles: int) -> int:
    sizes = {
        "time": grid.n_time,
        "quantile": n_quantiles,
        "region": grid.n_region,
        "component": 3,
        "driver": 3,
    }
    per_mix = sum(int(np.prod([sizes[d] for d in v.dims])) * 8 for v in RESULTS.values())
    return grid.n_mix * per_mix


def _check_memory(grid: TaskGrid) -> None:
    import psutil

    need = _task_bytes(grid)
    free = psutil.virtual_memory().available
    if need > free:
        raise ConfigError(
            "paths_per_task",
            grid.paths_per_task,
            f"fewer paths per task: one task would need about {need / 1e9:.1f} GB of memory "
            f"and {free / 1e9:.1f} GB are available",
        )


def _commands(store: Path, api_call: list[str]) -> tuple[str, str]:
    """The command that started this run and the one that resumes it.

    From the command line (``mccoord run ...`` or ``python -m mccoord.cli run ...``) the
    resume command is the argv as run, without ``--overwrite`` and with ``--resume``,
    prefixed by the working directory. From Python it is the equivalent
    :func:`mccoord.run` call.
    """
    argv = list(sys.argv)
    prog = Path(argv[0]).name if argv else ""
    if len(argv) > 1 and argv[1] == "run" and prog in ("mccoord", "cli.py"):
        if prog == "cli.py":
            base = [sys.executable, "-m", "mccoord.cli"]
        else:
            found = shutil.which("mccoord")
            same = found is not None and Path(found).resolve() == Path(argv[0]).resolve()
            base = ["mccoord"] if same else [argv[0]]
        args = [a for a in argv[1:] if a != "--overwrite"]
        if "--resume" not in args:
            args.append("--resume")
        where = f"cd {shlex.quote(os.getcwd())} && "
        return where + shlex.join(base + argv[1:]), where + shlex.join(base + args)
    return f"mccoord.run({', '.join(api_call)})", f"mccoord.run({', '.join([*api_call, 'resume=True'])})"


def _api_call(scenario_arg: object, store: Path, **kwargs: object) -> list[str]:
    """The arguments of the :func:`mccoord.run` call that names this run."""
    if isinstance(scenario_arg, str | Path) or scenario_arg is None:
        first = repr(str(scenario_arg or "china"))
    else:
        first = f"<the Scenario {getattr(scenario_arg, 'name', '?')!r} of the first call>"
    args = [first, f"store={str(store.resolve())!r}"]
    return args + [f"{k}={v!r}" for k, v in kwargs.items() if v is not None]


def _describe_config(config: dict) -> str:
    sc = config.get("scenario", {})
    sim = sc.get("simulation", {})
    design = config.get("design", {})
    n_mix = len(design.get("theta", []))
    return (
        f"scenario {sc.get('scenario', {}).get('name')!r}, {design.get('kind')} of {n_mix} mixes, "
        f"{config.get('paths')} paths, {sim.get('years')} years, seed {sim.get('seed')}, "
        f"paths_per_task {config.get('paths_per_task')}, mixes_per_task {config.get('mixes_per_task')}"
    )


def _differences(stored: dict, new: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(stored) | set(new)):
        a, b = stored.get(key), new.get(key)
        if a == b:
            continue
        name = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{name}.")
        elif isinstance(a, list | type(None)) and len(json.dumps(a, default=str)) > 60:
            out.append(f"{name} (differs)")
        else:
            out.append(f"{name}: store {a!r}, this run {b!r}")
    return out


def _check_same_run(store: Path, stored: dict, expected_hash: str, config: dict, resume_command: str) -> None:
    """Refuse to resume a store written by another configuration, naming the store's own."""
    version = stored.get("mccoord_schema_version", stored.get("schema_version"))
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"store {store}: written with schema version {version}, this mccoord reads "
            f"version {SCHEMA_VERSION}; rerun into a new store"
        )
    if stored.get("config_hash") == expected_hash:
        return
    try:
        old = json.loads(stored.get("config", "{}"))
    except ValueError:
        old = {}
    diffs = _differences(old, config) if old else ["its configuration (unreadable)"]
    raise StoreError(
        f"store {store}: holds another configuration or seed ({_describe_config(old) if old else '?'}); "
        f"this run differs in {'; '.join(diffs[:4])}. To finish the stored run: "
        f"{stored.get('resume_command') or resume_command}; otherwise write to another --out "
        "(or replace the stored run with --overwrite)"
    )


def _stored_run(store: Path) -> dict:
    """What a store says about its run: root attrs once created, else its marker."""
    if store_state(store) == "created":
        return read_attrs(store)
    return read_marker(store) or {}


def run(
    scenario: Scenario | str | None = None,
    *,
    mixes: object = None,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    store: str | Path | None = None,
    client: object | None = None,
    workers: int | None = None,
    threads: int | None = None,
    scheduler: str | None = None,
    slurm: str | Path | None = None,
    connect_timeout: float | None = None,
    paths_per_task: int | None = None,
    mixes_per_task: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    max_store_size: int | str | None = None,
) -> xr.Dataset:
    """Run an ensemble over mechanism mixes and return the results dataset.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario, a built-in name or a TOML path; default ``"china"``.
    mixes : None, str, dict or list of dict
        ``None``: the scenario's ``[mechanisms]`` grid; ``"sobol:N"``: the Saltelli
        design of N base points, 12 N mixes (:mod:`mccoord.design`); a dict of levels:
        another grid; a list of mixes.
    paths, years, seed : int, optional
        Override the scenario's ``[simulation]`` settings.
    store : path, optional
        Zarr store to write (default: a temporary directory, removed at exit).
    client : distributed.Client, optional
        Use this client instead of starting a cluster.
    workers : int, optional
        Unset or ``0`` (default): run on threads of this process, no Dask cluster (works
        from a plain script, a notebook or a console). ``N``: a local Dask cluster of N
        worker processes (a script then needs ``if __name__ == "__main__":``).
    threads : int, optional
        Numba threads per worker process (default: cores / workers); without workers,
        threads of this process (default: every core).
    scheduler : str, optional
        Address (``tcp://host:8786``) or scheduler file of an existing Dask cluster.
    slurm : path, optional
        A SLURM recipe (``configs/slurm.toml``): submit Dask workers as SLURM jobs with
        dask-jobqueue.
    connect_timeout : float, optional
        Seconds to wait for a scheduler and its first worker before refusing [s]
        (default 30).
    paths_per_task : int, optional
        Paths per task (a multiple of 100, the granule); default 1000. It does not change
        the results, only the task size.
    mixes_per_task : int, optional
        Mixes per task; default about 8000 paths per task over at least 32 tasks (8
        for the default china grid). Like ``paths_per_task`` it does not change the
        results, only the task size and the chunks of the store.
    resume : bool
        Finish an interrupted run in ``store`` (the configuration and seed must match).
        A store whose creation was interrupted is created anew.
    overwrite : bool
        Replace an existing store.
    progress : bool
        Show a progress bar on stderr.
    max_store_size : int or str, optional
        Refuse a run whose store could exceed this size [bytes, or ``"20G"``]; a run is
        always refused when its store could exceed the free disk space.

    Returns
    -------
    xarray.Dataset
        The results (schema in the README, "Dataset schema"), lazily opened from the
        store, with ``year`` indexed beside ``time``.

    Raises
    ------
    ConfigError
        On a bad argument, or a run too large (tasks, memory per task), before any work.
    StoreError
        If the store cannot be used as asked, or would not fit on its disk.
    """
    scenario_arg = scenario
    if scenario is None or isinstance(scenario, str | Path):
        scenario = load_scenario(scenario or "china")
    elif not isinstance(scenario, Scenario):
        raise ConfigError("scenario", scenario, "a Scenario, a built-in scenario name or a TOML path")
    workers = int(workers) if is_whole(workers) else workers
    threads = int(threads) if is_whole(threads) else threads
    limit = byte_size("max_store_size", max_store_size)
    overrides = {"paths": paths, "years": years, "seed": seed}
    scenario = scenario.with_overrides(**{k: v for k, v in overrides.items() if v is not None})
    sim = scenario.simulation
    ppt = _paths_per_task(sim["paths"], paths_per_task)
    if mixes_per_task is not None:
        positive_int("mixes_per_task", mixes_per_task)
    n_sobol = _sobol_count(mixes)
    if n_sobol is not None:
        _check_task_count(
            n_sobol, sim["paths"], ppt, _mixes_per_task(n_sobol, sim["paths"], ppt, mixes_per_task)
        )
    design = make_design(scenario, mixes, seed=sim["seed"])
    mpt = _mixes_per_task(design.n_mix, sim["paths"], ppt, mixes_per_task)
    _check_task_count(design.n_mix, sim["paths"], ppt, mpt)
    plan = plan_execution(workers=workers, threads=threads, scheduler=scheduler, client=client, slurm=slurm)
    # execution set-up (scheduler, recipe, workers, kernel) is proven before the store is touched
    plan = preflight(plan, client=client, connect_timeout=connect_timeout, verbose=progress)
    if store is None:
        store = Path(tempfile.mkdtemp(prefix="mccoord-")) / "run.zarr"
    store = Path(store)
    check_destination(store, resume=resume, overwrite=overwrite)

    inputs = model_inputs(scenario)
    settings = {k: sim[k] for k in ("seed", "years", "substeps", "record_every", "target_reduction")}
    time_axis = np.arange(0, sim["years"] + 1, sim["record_every"])
    grid = TaskGrid(
        n_mix=design.n_mix,
        paths=sim["paths"],
        n_time=n_records(sim["years"], sim["record_every"]),
        n_region=inputs.n_regions,
        mixes_per_task=mpt,
        paths_per_task=ppt,
        n_parameter=len(inputs.uncertainty.keys),
    )
    _check_memory(grid)
    remaining = 1.0
    if resume and store_state(store) == "created":
        remaining = 1.0 - float(done_flags(store).mean())
    check_free_space(
        store, int(grid.raw_bytes() * remaining) + _results_bytes(grid, len(sim["quantiles"])), limit=limit
    )
    config = {
        "scenario": scenario.config(),
        "design": design.describe(),
        "paths": sim["paths"],
        "paths_per_task": ppt,
        "mixes_per_task": mpt,
        "granule": grid.granule,
        "schema_version": SCHEMA_VERSION,
    }
    chash = config_hash(config)
    command, resume_command = _commands(
        store,
        _api_call(
            scenario_arg,
            store,
            mixes=mixes,
            paths=paths,
            years=years,
            seed=seed,
            paths_per_task=paths_per_task,
            mixes_per_task=mixes_per_task,
        ),
    )
    attrs = {
        "Conventions": "CF-1.10",
        "title": f"mccoord ensemble: {scenario.name}",
        "source": f"mccoord {__version__}",
        "mccoord_schema_version": SCHEMA_VERSION,
        "config_hash": chash,
        "complete": 0,
        "scenario": scenario.name,
        "scenario_description": scenario.description,
        "base_year": int(scenario.base_year),
        "currency": scenario.currency,
        "seed": int(sim["seed"]),
        "paths": int(sim["paths"]),
        "years": int(sim["years"]),
        "substeps": int(sim["substeps"]),
        "record_every": int(sim["record_every"]),
        "target_reduction": float(sim["target_reduction"]),
        "design": design.kind,
        "n_mix": int(design.n_mix),
        "granule": int(grid.granule),
        "paths_per_task": int(ppt),
        "mixes_per_task": int(mpt),
        "n_parameter": int(grid.n_parameter),
        "uncertain_keys": json.dumps(list(inputs.uncertainty.keys)),
        "config": json.dumps(config, default=str),
        "versions": json.dumps(_versions()),
        "command": command,
        "resume_command": resume_command,
    }
    marker = {
        "schema_version": SCHEMA_VERSION,
        "config_hash": chash,
        "config": attrs["config"],
        "scenario": scenario.name,
        "command": command,
        "resume_command": resume_command,
    }

    with store_lock(store, command):
        try:
            state = store_state(store)
            if resume and state in ("created", "partial"):
                stored = _stored_run(store)
                _check_same_run(store, stored, chash, config, resume_command)
                resume_command = stored.get("resume_command") or resume_command
            if state != "created" or not resume:
                if state != "absent":
                    remove_store(store)
                created = datetime.now(UTC).isoformat(timespec="seconds")
                create_store(store, grid, attrs | {"created": created}, marker | {"created": created})
            flags = done_flags(store)
            todo = [b for b in grid.blocks() if not flags[b]]
            bar = Progress(
                total=len(grid.blocks()),
                done=len(grid.blocks()) - len(todo),
                enabled=progress,
                label=f"{scenario.name}: {design.n_mix} mixes x {sim['paths']} paths",
            )
            started = time.perf_counter()
            with open_client(plan, client, announce=bar.note) as c:
                try:
                    shared = dict(
                        store=str(store), grid=grid, inputs=inputs, theta=design.theta, settings=settings
                    )
                    steps = execute(
                        c,
                        plan,
                        todo,
                        compute_block,
                        shared=shared,
                        send_once=("inputs", "theta"),
                        on_done=bar.update,
                    )
                except OSError as exc:
                    raise StoreError(
                        f"store {store}: writing failed ({exc.strerror or exc}); the blocks "
                        "written so far are kept and the store stays marked incomplete: free "
                        f"space or fix the destination, then resume with: {resume_command}"
                    ) from exc
                finally:
                    bar.close()
                if not done_flags(store).all():
                    raise StoreError(
                        f"store {store}: some blocks did not finish; resume with: {resume_command}"
                    )
                ds = reduce_store(
                    str(store),
                    design,
                    time=time_axis,
                    years=sim["years"],
                    base_year=scenario.base_year,
                    quantiles=sim["quantiles"],
                    regions=list(scenario.regions["region"]),
                    groups=list(scenario.regions["group"]),
                    client=c,
                )
            elapsed = time.perf_counter() - started
            _warn_invalid(ds)
            finished = datetime.now(UTC).isoformat(timespec="seconds")
            ds.attrs.update(
                attrs
                | {
                    "created": finished,
                    "history": f"{finished} {command}",
                    "wall_seconds": round(elapsed, 3),
                    "region_steps": int(steps),
                    "quantile_method": "exact, numpy linear interpolation over valid paths",
                    "resume_command": resume_command,
                }
            )
            try:
                write_results(store, ds)
            except OSError as exc:
                raise StoreError(
                    f"store {store}: writing the results failed ({exc.strerror or exc}); every block is "
                    f"kept and the store stays incomplete: free space, then resume with: {resume_command}"
                ) from exc
        except KeyboardInterrupt:
            print(
                f"mccoord: interrupted; the finished blocks of {store} are kept. "
                f"Resume with:\n  {resume_command}",
                file=sys.stderr,
            )
            raise
    from .store import open_results

    return open_results(store)


def _warn_invalid(ds: xr.Dataset) -> None:
    n_invalid = int(ds["n_invalid"].sum())
    if n_invalid:
        warnings.warn(
            f"{n_invalid} paths produced a non-finite value; they are counted in "
            "n_invalid and left out of every statistic",
            RuntimeWarning,
            stacklevel=3,
        )
    empty = int((ds["n_paths"] == 0).sum())
    if empty:
        warnings.warn(
            f"{empty} mixes have no valid path: their statistics are NaN and n_invalid equals their paths",
            RuntimeWarning,
            stacklevel=3,
        )
