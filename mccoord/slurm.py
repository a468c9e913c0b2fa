"""Dask workers as SLURM jobs (dask-jobqueue): the recipe, its checks and the cluster.

A recipe is a TOML file (``configs/slurm.toml``): ``[slurm]`` holds keyword arguments of
``dask_jobqueue.SLURMCluster`` and ``[scale] jobs`` the number of jobs to submit. Each job
starts ``processes`` Dask workers; each worker runs one task at a time with
``cores / processes`` Numba threads (``NUMBA_NUM_THREADS`` is exported in the job
prologue), so a job never runs more kernel threads than it has cores.

:func:`check_recipe` proves, before anything is written, that the recipe can be
submitted from this machine: dask-jobqueue imports, ``sinfo`` lists the partition, and
``sbatch --test-only`` accepts the job script the recipe renders (resources, time limit,
account), without submitting it.
"""

from __future__ import annotations

import inspect
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

#: Keyword arguments of ``SLURMCluster`` that configure the scheduler, not the job.
CLUSTER_ONLY_KEYS = frozenset(
    {
        "n_workers",
        "job_cls",
        "loop",
        "security",
        "shared_temp_directory",
        "silence_logs",
        "name",
        "asynchronous",
        "dashboard_address",
        "host",
        "scheduler_options",
        "scheduler_cls",
    }
)

#: Seconds allowed for one ``sinfo`` or ``sbatch --test-only`` call.
COMMAND_TIMEOUT = 30.0


@dataclass(frozen=True)
class Recipe:
    """A checked SLURM recipe.

    Attributes
    ----------
    path : str
        The TOML file it came from.
    kwargs : dict
        Keyword arguments for ``dask_jobqueue.SLURMCluster``.
    numba_threads : int
        Numba threads per worker (``cores // processes``).
    jobs : int
        SLURM jobs to submit.
    """

    path: str
    kwargs: dict
    numba_threads: int
    jobs: int


def read_slurm_recipe(config_path: str | Path) -> tuple[dict, int, int]:
    """Read and check a SLURM recipe; return ``(kwargs, numba_threads, jobs)``.

    The keyword arguments get the job prologue line that exports ``NUMBA_NUM_THREADS``
    and ``--nthreads 1`` for the workers (one task at a time per worker); the dashboard
    listens on 127.0.0.1 (any free port) unless ``scheduler_options`` says otherwise.
    """
    recipe = read_recipe(config_path)
    return recipe.kwargs, recipe.numba_threads, recipe.jobs


def read_recipe(config_path: str | Path) -> Recipe:
    """Read and check a SLURM recipe (see :func:`read_slurm_recipe`)."""
    path = Path(config_path)
    if not path.is_file():
        raise ConfigError("--slurm", str(config_path), "an existing TOML file (see configs/slurm.toml)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("--slurm", str(config_path), f"valid TOML ({exc})") from exc
    unknown = set(raw) - {"slurm", "scale"}
    if unknown:
        raise ConfigError("--slurm", sorted(unknown), "only the tables [slurm] and [scale]")
    kwargs = dict(raw.get("slurm", {}))
    jobs = raw.get("scale", {}).get("jobs", 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError("scale.jobs", jobs, "a positive whole number")
    for key in ("cores", "processes"):
        v = kwargs.get(key, 1)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"slurm.{key}", v, "a positive whole number")
    if kwargs.get("processes", 1) > kwargs.get("cores", 1):
        raise ConfigError("slurm.processes", kwargs["processes"], f"at most slurm.cores = {kwargs['cores']}")
    threads = max(1, int(kwargs.get("cores", 1)) // int(kwargs.get("processes", 1)))
    prologue = kwargs.pop("job_script_prologue", [])
    if not isinstance(prologue, list) or not all(isinstance(line, str) for line in prologue):
        raise ConfigError("slurm.job_script_prologue", prologue, "a list of shell lines")
    kwargs["job_script_prologue"] = [*prologue, f"export NUMBA_NUM_THREADS={threads} OMP_NUM_THREADS=1"]
    if not kwargs.get("interface"):
        kwargs.pop("interface", None)
    # SLURMCluster gives each worker cores/processes threads; the last --nthreads wins.
    kwargs["worker_extra_args"] = [*kwargs.get("worker_extra_args", []), "--nthreads", "1"]
    for key in ("host", "dashboard_address"):
        if key in kwargs:
            raise ConfigError(f"slurm.{key}", kwargs[key], f"scheduler_options = {{ {key} = ... }} instead")
    options = kwargs.get("scheduler_options", {})
    if not isinstance(options, dict):
        raise ConfigError("slurm.scheduler_options", options, "a table of distributed.Scheduler arguments")
    # the dashboard listens on loopback (reach it through an SSH tunnel) unless told otherwise
    kwargs["scheduler_options"] = {"dashboard_address": "127.0.0.1:0", **options}
    return Recipe(str(path), kwargs, threads, jobs)


def check_recipe(recipe: Recipe) -> None:
    """Prove the recipe can be submitted here, without submitting anything.

    Raises
    ------
    ConfigError
        dask-jobqueue is missing, a key is not a ``SLURMCluster`` argument, SLURM's
        commands are not on PATH, the partition does not exist, or ``sbatch
        --test-only`` refuses the job.
    """
    try:
        from dask_jobqueue.slurm import SLURMJob
        from distributed import Scheduler
    except ImportError as exc:
        raise ConfigError(
            "--slurm", recipe.path, "dask-jobqueue installed (pip install 'mccoord[cluster]')"
        ) from exc
    for tool in ("sinfo", "sbatch"):
        if shutil.which(tool) is None:
            raise ConfigError("--slurm", recipe.path, f"a SLURM submit host (`{tool}` is not on PATH)")
    job_kwargs = {k: v for k, v in recipe.kwargs.items() if k not in CLUSTER_ONLY_KEYS}
    job_kwargs.pop("log_directory", None)  # rendering must not create it
    try:
        script = SLURMJob(scheduler="tcp://127.0.0.1:8786", name="mccoord-check", **job_kwargs).job_script()
    except TypeError as exc:
        raise ConfigError("--slurm", recipe.path, f"[slurm] keys that SLURMCluster accepts ({exc})") from exc
    try:
        inspect.signature(Scheduler).bind_partial(**recipe.kwargs["scheduler_options"])
    except TypeError as exc:
        raise ConfigError(
            "slurm.scheduler_options", recipe.kwargs["scheduler_options"], f"Scheduler arguments ({exc})"
        ) from exc
    partition = _directive(script, "-p")
    partitions = _partitions(recipe.path)
    if partition is None:
        if not any(p.endswith("*") for p in partitions):
            raise ConfigError(
                "slurm.queue", None, f"a partition name: this cluster has no default (one of {partitions})"
            )
    elif partition not in {p.rstrip("*") for p in partitions}:
        names = ", ".join(p.rstrip("*") for p in partitions) or "none"
        raise ConfigError("slurm.queue", partition, f"a partition that exists (sinfo lists: {names})")
    out = _slurm_command(["sbatch", "--test-only"], recipe.path, stdin=script)
    if out.returncode != 0:
        reason = " ".join(out.stderr.split()) or f"exit {out.returncode}"
        raise ConfigError("--slurm", recipe.path, f"a job that sbatch accepts (sbatch --test-only: {reason})")


def start_cluster(recipe: Recipe):
    """Start a ``dask_jobqueue.SLURMCluster`` for the recipe (jobs are not yet submitted)."""
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(**recipe.kwargs)


def _directive(script: str, flag: str) -> str | None:
    """The value of ``#SBATCH FLAG VALUE`` in a job script, if present."""
    for line in script.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "#SBATCH" and parts[1] == flag:
            return parts[2]
    return None


def _partitions(recipe_path: str) -> list[str]:
    """Partition names ``sinfo`` lists (the default one ends with ``*``)."""
    out = _slurm_command(["sinfo", "--noheader", "--format=%P"], recipe_path)
    if out.returncode != 0:
        reason = " ".join(out.stderr.split()) or f"exit {out.returncode}"
        raise ConfigError("--slurm", recipe_path, f"a SLURM controller that answers (sinfo: {reason})")
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def _slurm_command(argv: list[str], recipe_path: str, stdin: str | None = None):
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        why = f"{argv[0]} took over {COMMAND_TIMEOUT:g} s"
        raise ConfigError("--slurm", recipe_path, f"a SLURM controller that answers ({why})") from exc
