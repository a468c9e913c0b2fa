"""Where tasks run, checked before anything is written.

An ensemble runs under one of five plans (:func:`plan_execution`):

``threads``
    The Python API's default (``workers`` unset, or ``workers=0``): tasks run on threads
    of the calling process, no Dask cluster. The kernels are compiled with
    ``nogil=True``, so task threads run them in parallel. Nothing is spawned, so
    ``mccoord.run`` works from a plain script without ``if __name__ == "__main__"``, from
    a notebook and from an interactive session.
``local``
    ``workers=N`` (the command line's default, one per core): a Dask ``LocalCluster`` of
    N worker processes on 127.0.0.1. Processes isolate a crashing task, run the
    GIL-bound parts (reductions, Zarr writes) in parallel and give a dashboard. Worker
    processes are spawned and re-import the calling script, so a script that asks for
    workers needs the usual main guard.
``scheduler``, ``slurm``, ``client``
    An existing Dask scheduler (address or scheduler file), Dask workers submitted as
    SLURM jobs (:mod:`mccoord.slurm`), or a ``distributed.Client`` the caller owns.

Cores are never oversubscribed: a Dask worker runs one task at a time on
``numba_threads`` Numba threads, with ``workers * numba_threads <= cores`` locally. On
the ``threads`` plan, ``T`` threads are split between concurrent tasks and the Numba
threads of each (:func:`thread_split`). Numba's ``workqueue`` threading layer aborts the
process when ``parallel=True`` kernels run on several threads at once, so concurrent
tasks are used only under a thread-safe layer (``omp`` or ``tbb``, which Numba picks
by default when it can load one); under ``workqueue`` one task at a time runs on all
``T`` Numba threads. Results do not depend on the plan: a path's numbers depend only on
``(seed, path)`` and the mix.

:func:`preflight` checks a plan before the store is touched (unreachable schedulers,
missing scheduler files, SLURM recipes and partitions, dask-jobqueue, workers that
cannot import mccoord or compile its kernel): every refusal is one
:class:`~mccoord.errors.ConfigError` line.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed as threads_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

#: Seconds to wait for a Dask scheduler (and its first worker) before giving up.
DEFAULT_CONNECT_TIMEOUT = 30.0

#: Numba threading layers that allow ``parallel=True`` kernels on several threads at once.
THREADSAFE_LAYERS = ("omp", "tbb")

#: Seconds of warm-up after which a note says the kernel is being prepared.
_COMPILE_NOTE_AFTER = 5.0


def machine_cores() -> int:
    """Cores this process may use (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Plan:
    """How an ensemble is executed.

    Attributes
    ----------
    kind : str
        ``"threads"``, ``"local"``, ``"scheduler"``, ``"slurm"`` or ``"client"``.
    workers : int
        Local worker processes (``"local"``); 0 otherwise.
    numba_threads : int
        Numba threads per Dask worker; on ``"threads"``, all threads of this process.
    address : str, optional
        Scheduler address (``"scheduler"``) or recipe path (``"slurm"``).
    connect_timeout : float
        Seconds to wait for a scheduler [s].
    """

    kind: str
    workers: int
    numba_threads: int
    address: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT


def default_local_workers(threads: int | None = None) -> int:
    """Worker processes of the command line's default local cluster: one per core."""
    return max(1, machine_cores() // (threads or 1))


def plan_execution(
    *,
    workers: int | None,
    threads: int | None,
    scheduler: str | None,
    client: object | None,
    slurm: str | Path | None = None,
) -> Plan:
    """Decide the execution plan from the user's arguments (nothing is started).

    Parameters
    ----------
    workers : int, optional
        ``None`` or 0: threads of this process; N > 0: a local cluster of N processes.
    threads : int, optional
        Numba threads per worker process (default ``cores / workers``); on the threads
        plan, threads of this process (default: every core).
    scheduler : str, optional
        Address or scheduler file of an existing Dask cluster.
    client : distributed.Client, optional
        A client the caller owns.
    slurm : path, optional
        A SLURM recipe; it is read and checked here (its ``cores / processes`` gives the
        Numba threads per worker unless ``threads`` is given).
    """
    for name, value in (("workers", workers), ("threads", threads)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(name, value, "a non-negative whole number")
    if threads == 0:
        raise ConfigError("threads", threads, "a positive whole number of Numba threads per worker")
    chosen = [n for n, v in (("client", client), ("scheduler", scheduler), ("slurm", slurm)) if v is not None]
    if len(chosen) > 1:
        raise ConfigError(" and ".join(chosen), "both given", "at most one of client, scheduler and slurm")
    if client is not None:
        return Plan("client", 0, threads or 1)
    if slurm is not None:
        from .slurm import read_recipe

        recipe = read_recipe(slurm)
        return Plan("slurm", 0, threads or recipe.numba_threads, address=str(slurm))
    if scheduler is not None:
        if not isinstance(scheduler, str | Path) or not str(scheduler):
            raise ConfigError("scheduler", scheduler, "an address like tcp://host:8786 or a scheduler file")
        return Plan("scheduler", 0, threads or 1, address=str(scheduler))
    cores = machine_cores()
    if not workers:
        return Plan("threads", 0, threads or cores)
    return Plan("local", workers, threads or max(1, cores // workers))


def thread_split(threads: int, n_tasks: int, threadsafe: bool) -> tuple[int, int]:
    """Split ``threads`` of this process into ``(concurrent tasks, Numba threads each)``.

    As many tasks as there are threads run at once, each on one Numba thread; with
    fewer tasks than threads, the spare threads go to each task's Numba threads. Under
    a layer that is not thread-safe, one task runs at a time on every thread.
    """
    if not threadsafe or n_tasks <= 1:
        return 1, threads
    tasks = min(threads, n_tasks)
    return tasks, max(1, threads // tasks)


def threadsafe_layer() -> bool:
    """Whether Numba's active threading layer allows concurrent ``parallel=True`` calls.

    The layer is chosen at the first parallel launch (:func:`warm_up` makes one); before
    that this returns False.
    """
    import numba

    try:
        return numba.threading_layer() in THREADSAFE_LAYERS
    except ValueError:
        return False


def warm_up() -> None:
    """Compile the kernel, or load it from Numba's on-disk cache, in this process.

    A three-region synthetic country gives the kernel the same argument types as any
    scenario, so one call covers every later task in this process.
    """
    from .blocks import run_block
    from .inputs import mix_vector, model_inputs
    from .scenario import scenario_from_table
    from .synthetic import synthetic_regions

    inputs = model_inputs(scenario_from_table(synthetic_regions(3), name="warm-up"))
    run_block(
        inputs,
        mix_vector({}),
        seed=0,
        path0=0,
        n_paths=1,
        years=1,
        substeps=1,
        record_every=1,
        target_reduction=0.25,
    )


def worker_ready() -> str:
    """Run on a Dask worker before any store is written: warm up, return mccoord's version."""
    from ._version import __version__

    warm_up()
    return __version__


def preflight(
    plan: Plan,
    *,
    client: object | None = None,
    connect_timeout: float | None = None,
    verbose: bool = False,
) -> Plan:
    """Check that ``plan`` can run, before anything is written; return it ready to open.

    Parameters
    ----------
    plan : Plan
        From :func:`plan_execution`.
    client : distributed.Client, optional
        The caller's client (plan ``"client"``).
    connect_timeout : float, optional
        Seconds to wait for a scheduler and its first worker [s]; default
        :data:`DEFAULT_CONNECT_TIMEOUT`.
    verbose : bool
        Say on stderr when preparing the kernel takes long (compilation, once per
        installation).

    Returns
    -------
    Plan
        ``plan`` with the connect timeout and, for a scheduler file, the address the
        file holds.

    Raises
    ------
    ConfigError
        One line naming what is wrong: an address nobody answers on within the timeout,
        a missing or malformed scheduler file, a scheduler without workers, workers
        that cannot import mccoord (or run another version) or compile the kernel, a
        SLURM recipe that cannot be submitted (:func:`mccoord.slurm.check_recipe`).

    Notes
    -----
    On the threads, local and SLURM plans the kernel is compiled (or loaded from its
    cache) in this process, so a kernel that cannot compile stops the run here and
    worker processes sharing this installation load it from the cache. On a scheduler
    or a client, every connected worker runs :func:`worker_ready` as a task.
    """
    timeout = _connect_timeout(connect_timeout)
    plan = replace(plan, connect_timeout=timeout)
    if plan.kind in ("threads", "local", "slurm"):
        if plan.kind == "slurm":
            from .slurm import check_recipe, read_recipe

            check_recipe(read_recipe(plan.address))
        # Compile once here: workers of this machine (and SLURM jobs sharing this
        # installation) then load the kernel from the on-disk cache.
        _warm_up_here(verbose)
        return plan
    if plan.kind == "scheduler":
        plan = replace(plan, address=_resolve_scheduler(plan.address))
        with _connect(plan) as c:
            _check_workers(c, plan.address, timeout)
        return plan
    if plan.kind == "client":
        if getattr(client, "status", None) != "running":
            raise ConfigError("client", client, "a running distributed.Client")
        _check_workers(client, "client", timeout)
        return plan
    raise ConfigError("plan", plan.kind, "threads, local, scheduler, slurm or client")


@contextmanager
def open_client(plan: Plan, client: object | None = None, *, announce: Callable[[str], None] | None = None):
    """Yield a ``distributed.Client`` for the plan (``None`` on the threads plan).

    A cluster started here (local or SLURM) is closed on exit; ``announce`` receives a
    line with the dashboard address when one starts.
    """
    say = announce or (lambda text: None)
    if plan.kind == "threads":
        yield None
        return
    if plan.kind == "client":
        yield client
        return
    from distributed import Client

    if plan.kind == "scheduler":
        with _connect(plan) as c:
            yield c
        return
    if plan.kind == "slurm":
        from .slurm import read_recipe, start_cluster

        recipe = read_recipe(plan.address)
        cluster = start_cluster(recipe)
        try:
            # adaptive with a fixed size: a job lost to its walltime, preemption or
            # scancel is replaced (after distributed's lost-worker timeout, about 15 s)
            cluster.adapt(minimum_jobs=recipe.jobs, maximum_jobs=recipe.jobs)
            say(
                f"SLURM: {recipe.jobs} job(s) of {recipe.kwargs.get('processes', 1)} worker(s) submitted; "
                f"{_dashboard(cluster)}"
            )
            with Client(cluster) as c:
                yield c
        finally:
            cluster.close()
        return
    with _local_cluster(plan) as cluster:
        say(_dashboard(cluster))
        with Client(cluster) as c:
            yield c


def execute(
    client,
    plan: Plan,
    todo: list[tuple[int, int]],
    task: Callable[..., dict],
    *,
    shared: dict,
    send_once: tuple[str, ...] = (),
    on_done: Callable[[dict], None],
) -> int:
    """Run ``task(mb=, pb=, numba_threads=, **shared)`` for every block ``(mb, pb)`` in ``todo``.

    Parameters
    ----------
    client : distributed.Client or None
        ``None`` runs on threads of this process (:func:`thread_split`).
    plan : Plan
        The checked plan.
    todo : list of (int, int)
        Blocks to compute.
    task : callable
        Computes and stores one block; returns a dict with ``"region_steps"``
        (:func:`mccoord.tasks.compute_block`).
    shared : dict
        Keyword arguments common to every block.
    send_once : tuple of str
        Keys of ``shared`` sent to the Dask cluster once, not with each task.
    on_done : callable
        Receives each block's dict, in the order blocks finish, in the calling thread.

    Returns
    -------
    int
        Region-steps computed.
    """
    total = 0

    def finished(info: dict) -> None:
        nonlocal total
        total += info["region_steps"]
        on_done(info)

    if client is None:
        n_tasks, numba_threads = thread_split(plan.numba_threads, len(todo), threadsafe_layer())

        def one(block):
            return task(mb=block[0], pb=block[1], numba_threads=numba_threads, **shared)

        _run_on_threads(one, todo, n_tasks, finished)
        return total
    from distributed import as_completed

    args = dict(shared)
    for key in send_once:
        # a task that returns the value, not scattered data: a lost copy (a worker or
        # SLURM job that died) is recomputed from the graph, while scattered data is gone
        args[key] = client.submit(_value, shared[key], key=f"mccoord-{key}-{time.time_ns()}", pure=False)
    stamp = time.time_ns()
    futures = client.map(  # one message to the scheduler, whatever the number of blocks
        _call_block,
        [mb for mb, _ in todo],
        [pb for _, pb in todo],
        key=[f"mccoord-block-{mb}-{pb}-{stamp}" for mb, pb in todo],
        pure=False,
        task=task,
        numba_threads=plan.numba_threads,
        **args,
    )
    for fut in as_completed(futures):
        finished(fut.result())
        fut.release()
    return total


def _value(x):
    return x


def _call_block(mb: int, pb: int, *, task: Callable[..., dict], **kwargs) -> dict:
    """``task`` with the block given by keyword (``Client.map`` maps positional arguments)."""
    return task(mb=mb, pb=pb, **kwargs)


def _run_on_threads(one: Callable, todo: Iterable, n_tasks: int, finished: Callable) -> None:
    """Run ``one(block)`` for every block on ``n_tasks`` threads (the calling one if 1)."""
    if n_tasks <= 1:
        for block in todo:
            finished(one(block))
        return
    with ThreadPoolExecutor(n_tasks, thread_name_prefix="mccoord-task") as pool:
        futures = [pool.submit(one, block) for block in todo]
        try:
            for fut in threads_completed(futures):
                finished(fut.result())
        except BaseException:
            # let the running blocks finish their writes; start no new ones
            for fut in futures:
                fut.cancel()
            raise


def _connect_timeout(value: float | None) -> float:
    if value is None:
        return DEFAULT_CONNECT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ConfigError("connect_timeout", value, "a number of seconds in (0, 3600]")
    return float(value)


_ADDRESS = re.compile(r"^([a-z][a-z0-9+.-]*://\S+|[\w.-]+:\d+)$")


def _resolve_scheduler(value: str) -> str:
    """An address (``tcp://host:port``, ``host:port``) or an existing scheduler file."""
    path = Path(value)
    if path.is_file():
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            address = info["address"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                "scheduler", value, "a scheduler file written by `dask scheduler --scheduler-file`"
            ) from exc
        if not isinstance(address, str) or not address:
            raise ConfigError("scheduler", value, "a scheduler file with an address")
        return address
    if _ADDRESS.match(value):
        return value
    raise ConfigError(
        "scheduler", value, "an address like tcp://host:8786 or an existing scheduler file (no such file)"
    )


@contextmanager
def _connect(plan: Plan):
    """A client of the scheduler at ``plan.address``, or one ConfigError line."""
    from distributed import Client

    try:
        c = Client(plan.address, timeout=plan.connect_timeout)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            "scheduler",
            plan.address,
            f"a Dask scheduler that answers within {plan.connect_timeout:g} s (--connect-timeout)",
        ) from exc
    with c:
        yield c


def _check_workers(c, where: str, timeout: float) -> None:
    """Wait for a first worker, then warm up every worker and compare versions."""
    from distributed import wait

    from ._version import __version__

    try:
        c.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as exc:
        address = c.scheduler.address
        raise ConfigError(where, address, f"a scheduler with a worker within {timeout:g} s") from exc
    workers = list(c.scheduler_info(n_workers=-1)["workers"])
    stamp = time.time_ns()

    def ready(i: int, w: str):
        return c.submit(worker_ready, key=f"mccoord-ready-{i}-{stamp}", workers=[w], pure=False)

    # one worker first: workers sharing an installation then load the kernel from the
    # cache it wrote, instead of compiling into the same cache directory at once
    futures = [ready(0, workers[0])]
    wait(futures)
    if futures[0].status == "finished":
        futures += [ready(i, w) for i, w in enumerate(workers[1:], 1)]
        wait(futures)
    for w, fut in zip(workers, futures, strict=False):
        if fut.status == "error":
            why = _first_line(fut.exception())
            raise ConfigError(where, w, f"workers that can import mccoord and compile its kernel ({why})")
        if fut.status == "finished" and fut.result() != __version__:
            raise ConfigError(where, w, f"workers running mccoord {__version__} (worker has {fut.result()})")


def _warm_up_here(verbose: bool) -> None:
    """:func:`warm_up` in this process; a note on stderr if it takes a while."""
    note = threading.Timer(
        _COMPILE_NOTE_AFTER,
        lambda: print(
            "mccoord: preparing the kernel (compiled once per installation, then loaded from disk)...",
            file=sys.stderr,
            flush=True,
        ),
    )
    if verbose:
        note.start()
    try:
        warm_up()
    finally:
        note.cancel()


@contextmanager
def _local_cluster(plan: Plan):
    """A ``LocalCluster`` of ``plan.workers`` processes on 127.0.0.1, one task each."""
    import dask
    from distributed import LocalCluster

    env = {"NUMBA_NUM_THREADS": str(plan.numba_threads), "OMP_NUM_THREADS": "1"}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env, "distributed.worker.daemon": False}):
        try:
            cluster = LocalCluster(
                n_workers=plan.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=50,
            )
        except Exception as exc:  # noqa: BLE001 - the cause is chained; the user gets one line
            raise ConfigError(
                "workers",
                plan.workers,
                "worker processes that start: a script that asks for workers needs "
                "`if __name__ == '__main__':` around its code (or leave workers unset to run on threads)"
                f" [{_first_line(exc)}]",
            ) from exc
    try:
        yield cluster
    finally:
        cluster.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _dashboard(cluster) -> str:
    """One line with the cluster's dashboard address."""
    link = getattr(cluster, "dashboard_link", "") or ""
    if not link:
        return "Dask dashboard: none"
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return f"Dask dashboard: {link} (install bokeh to view it)"
    return f"Dask dashboard: {link}"
