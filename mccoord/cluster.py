"""Where tasks run: a local Dask cluster, an existing scheduler, or this process.

Cores are never oversubscribed: each Dask worker runs one task at a time
(``threads_per_worker=1``) and each task runs the kernel on ``numba_threads`` Numba
threads, with ``workers * numba_threads <= cores`` for a local cluster. A local
cluster's scheduler, workers and dashboard listen on 127.0.0.1 only.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError


def machine_cores() -> int:
    """Cores this process may use (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Plan:
    """How an ensemble is executed."""

    kind: str  # "local", "scheduler", "slurm", "client" or "inprocess"
    workers: int
    numba_threads: int
    address: str | None = None


def plan_execution(
    *,
    workers: int | None,
    threads: int | None,
    scheduler: str | None,
    client: object | None,
    slurm: str | Path | None = None,
) -> Plan:
    """Decide the execution plan from the user's arguments.

    ``workers=0`` runs every task in this process (no Dask cluster), which is the
    quickest way for small runs and debugging.
    """
    cores = machine_cores()
    for name, value in (("workers", workers), ("threads", threads)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(name, value, "a non-negative whole number")
    if threads == 0:
        raise ConfigError("threads", threads, "a positive whole number of Numba threads per worker")
    if client is not None:
        return Plan("client", workers or 0, threads or 1)
    if slurm is not None:
        return Plan("slurm", 0, threads or 1, address=str(slurm))
    if scheduler is not None:
        return Plan("scheduler", workers or 0, threads or 1, address=scheduler)
    if workers == 0:
        return Plan("inprocess", 0, threads or cores)
    n = workers if workers is not None else max(1, cores // (threads or 1))
    t = threads if threads is not None else max(1, cores // n)
    return Plan("local", n, t)


@contextmanager
def open_client(plan: Plan, client: object | None = None):
    """Yield a ``distributed.Client`` for the plan (``None`` for in-process runs)."""
    if plan.kind == "inprocess":
        yield None
        return
    from distributed import Client, LocalCluster

    if plan.kind == "client":
        yield client
        return
    if plan.kind == "slurm":
        cluster, _, jobs = slurm_cluster(plan.address)
        try:
            cluster.scale(jobs=jobs)
            with Client(cluster) as c:
                yield c
        finally:
            cluster.close()
        return
    if plan.kind == "scheduler":
        address = plan.address
        if address and Path(address).is_file():
            with Client(scheduler_file=address) as c:
                yield c
        else:
            with Client(address) as c:
                yield c
        return
    env = {"NUMBA_NUM_THREADS": str(plan.numba_threads), "OMP_NUM_THREADS": "1"}
    import dask

    with dask.config.set({"distributed.nanny.pre-spawn-environ": env, "distributed.worker.daemon": False}):
        cluster = LocalCluster(
            n_workers=plan.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=50,
        )
        try:
            with Client(cluster) as c:
                yield c
        finally:
            cluster.close()


def read_slurm_recipe(config_path: str | Path) -> tuple[dict, int, int]:
    """Read and check a SLURM recipe (``configs/slurm.toml``).

    ``[slurm]`` holds ``dask_jobqueue.SLURMCluster`` keyword arguments and ``[scale]
    jobs`` the number of jobs. Each Dask worker runs one task at a time with
    ``cores / processes`` Numba threads, set through ``NUMBA_NUM_THREADS`` in the job
    prologue.

    Returns
    -------
    (kwargs, numba_threads, jobs)
    """
    import tomllib

    path = Path(config_path)
    if not path.is_file():
        raise ConfigError("--slurm", str(config_path), "an existing TOML file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("--slurm", str(config_path), f"valid TOML ({exc})") from exc
    kwargs = dict(raw.get("slurm", {}))
    jobs = raw.get("scale", {}).get("jobs", 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError("scale.jobs", jobs, "a positive whole number")
    for key in ("cores", "processes"):
        v = kwargs.get(key, 1)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"slurm.{key}", v, "a positive whole number")
    threads = max(1, int(kwargs.get("cores", 1)) // int(kwargs.get("processes", 1)))
    prologue = list(kwargs.pop("job_script_prologue", []))
    prologue.append(f"export NUMBA_NUM_THREADS={threads} OMP_NUM_THREADS=1")
    kwargs["job_script_prologue"] = prologue
    if not kwargs.get("interface"):
        kwargs.pop("interface", None)
    # one task per worker: SLURMCluster gives each worker cores/processes threads by
    # default, so the worker is asked for a single (last-given) --nthreads.
    kwargs["worker_extra_args"] = list(kwargs.get("worker_extra_args", [])) + ["--nthreads", "1"]
    return kwargs, threads, jobs


def slurm_cluster(config_path: str | Path):
    """A ``dask_jobqueue.SLURMCluster`` from a recipe; returns ``(cluster, threads, jobs)``."""
    kwargs, threads, jobs = read_slurm_recipe(config_path)
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ConfigError(
            "--slurm", str(config_path), "dask-jobqueue installed (pip install 'mccoord[cluster]')"
        ) from exc
    return SLURMCluster(**kwargs), threads, jobs
