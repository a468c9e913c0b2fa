"""``mccoord.run``: an ensemble over mechanism mixes, across Dask workers, into a Zarr store.

The data path reads like the model: scenario -> mechanism design -> blocks of
(mixes x paths) -> kernel on each worker -> per-path metrics and per-granule sums in
``STORE/raw`` as blocks finish -> reduction -> results dataset at ``STORE``.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import version as _version
from pathlib import Path

import numpy as np
import xarray as xr

from .blocks import n_records
from .cluster import execute, open_client, plan_execution, preflight
from .design import make_design
from .errors import ConfigError, StoreError
from .inputs import model_inputs
from .progress import Progress
from .reduce import reduce_store
from .scenario import Scenario, load_scenario
from .store import (
    GRANULE,
    SCHEMA_VERSION,
    Layout,
    check_compatible,
    check_destination,
    config_hash,
    create_raw,
    done_flags,
    quiet_zarr,
    remove_store,
    store_lock,
    update_attrs,
)
from .tasks import compute_block

#: Default number of paths per task (rounded to whole granules).
DEFAULT_PATHS_PER_TASK = 1000


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("mccoord", "numba", "numpy", "xarray", "zarr", "dask", "distributed", "scipy"):
        try:
            out[pkg] = _version(pkg)
        except Exception:  # noqa: BLE001
            out[pkg] = "unknown"
    return out


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ConfigError(name, value, "a positive whole number")
    return int(value)


def _paths_per_task(paths: int, requested: int | None) -> int:
    if requested is None:
        if paths <= DEFAULT_PATHS_PER_TASK:
            return paths
        return DEFAULT_PATHS_PER_TASK
    n = _positive("paths_per_task", requested)
    if n >= paths:
        return paths
    if n % GRANULE:
        raise ConfigError(
            "paths_per_task",
            n,
            f"a multiple of {GRANULE} (the granule of the per-path sums), or at least the number of paths",
        )
    return n


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
    mixes_per_task: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> xr.Dataset:
    """Run an ensemble over mechanism mixes and return the results dataset.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario, a built-in name or a TOML path; default ``"china"``.
    mixes : None, str, dict or list of dict
        ``None``: the scenario's ``[mechanisms]`` grid; ``"sobol:N"``: N scrambled
        Sobol mixes; a dict of levels: another grid; a list of mixes.
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
    mixes_per_task : int
        Mixes per task.
    resume : bool
        Finish an interrupted run in ``store`` (the configuration and seed must match).
    overwrite : bool
        Replace an existing store.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    xarray.Dataset
        The results (schema in the README, "Dataset schema"), lazily opened from the
        store.
    """
    if scenario is None or isinstance(scenario, str | Path):
        scenario = load_scenario(scenario or "china")
    overrides = {"paths": paths, "years": years, "seed": seed}
    scenario = scenario.with_overrides(**{k: v for k, v in overrides.items() if v is not None})
    sim = scenario.simulation
    design = make_design(scenario, mixes, seed=sim["seed"])
    ppt = _paths_per_task(sim["paths"], paths_per_task)
    mpt = _positive("mixes_per_task", mixes_per_task)
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
    n_time = n_records(sim["years"], sim["record_every"])
    layout = Layout(
        n_mix=design.n_mix,
        paths=sim["paths"],
        n_time=n_time,
        n_region=inputs.n_regions,
        n_group_components=3,
        mixes_per_task=mpt,
        paths_per_task=ppt,
    )
    config = {
        "scenario": scenario.config(),
        "design": design.describe(),
        "paths": sim["paths"],
        "paths_per_task": ppt,
        "mixes_per_task": mpt,
        "granule": layout.granule,
        "schema_version": SCHEMA_VERSION,
    }
    chash = config_hash(config)
    attrs = {
        "mccoord_schema_version": SCHEMA_VERSION,
        "config_hash": chash,
        "complete": 0,
        "scenario": scenario.name,
        "scenario_description": scenario.description,
        "base_year": scenario.base_year,
        "currency": scenario.currency,
        "seed": int(sim["seed"]),
        "paths": int(sim["paths"]),
        "years": int(sim["years"]),
        "substeps": int(sim["substeps"]),
        "target_reduction": float(sim["target_reduction"]),
        "design": design.kind,
        "n_mix": design.n_mix,
        "granule": layout.granule,
        "paths_per_task": ppt,
        "mixes_per_task": mpt,
        "config": json.dumps(config, default=str),
        "versions": json.dumps(_versions()),
        "command": " ".join(sys.argv) if sys.argv else "",
    }

    with store_lock(store):
        if resume:
            check_compatible(store, chash)
        else:
            if overwrite and store.exists():
                remove_store(store)
            create_raw(store, layout, attrs | {"created": datetime.now(UTC).isoformat(timespec="seconds")})
        flags = done_flags(store)
        todo = [b for b in layout.blocks() if not flags[b]]
        bar = Progress(
            total=len(layout.blocks()),
            done=len(layout.blocks()) - len(todo),
            enabled=progress,
            label=f"{scenario.name}: {design.n_mix} mixes x {sim['paths']} paths",
        )
        started = time.perf_counter()
        with open_client(plan, client, announce=bar.note) as c:
            try:
                shared = dict(
                    store=str(store), layout=layout, inputs=inputs, theta=design.theta, settings=settings
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
                    "space or fix the destination, then run again with --resume"
                ) from exc
            finally:
                bar.close()
            if not done_flags(store).all():
                raise StoreError(f"store {store}: some blocks did not finish; run again with --resume")
            ds = reduce_store(
                str(store),
                design,
                time=time_axis,
                years=sim["years"],
                quantiles=sim["quantiles"],
                regions=list(scenario.regions["region"]),
                groups=list(scenario.regions["group"]),
                client=c,
            )
        elapsed = time.perf_counter() - started
        n_invalid = int(ds["n_invalid"].sum())
        if n_invalid:
            warnings.warn(
                f"{n_invalid} paths produced a non-finite value; they are counted in "
                "n_invalid and left out of every statistic",
                RuntimeWarning,
                stacklevel=2,
            )
        final_attrs = attrs | {
            "complete": 1,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "wall_seconds": round(elapsed, 3),
            "region_steps": int(steps),
            "title": f"mccoord ensemble: {scenario.name}",
            "quantile_method": "exact, numpy linear interpolation over valid paths",
        }
        ds.attrs.update(final_attrs)
        with quiet_zarr():
            ds.to_zarr(str(store), mode="a", consolidated=True)
        update_attrs(store, final_attrs)
    with quiet_zarr():
        return xr.open_zarr(str(store))
