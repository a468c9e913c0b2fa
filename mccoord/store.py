"""The Zarr store of an ensemble run: layout, done flags, lock, integrity.

Layout (Zarr v3, one directory)::

    STORE/                  the results dataset (``xarray.open_zarr(STORE)``), written
                            once every block is done; root attrs hold the provenance
    STORE/raw/              what tasks write as they finish, per flat mix index ``mix``:
        path_sigma          (mix, path, time)  sigma(t) of every path
        path_first_passage  (mix, path)        first year sigma <= (1 - r) sigma(0)
        path_beta, path_growth, path_valid     (mix, path)
        g_*                 (mix, granule, ...) sums over the valid paths of each granule
                            of GRANULE consecutive paths (Theil, ccd, defection,
                            relative income, population share, reviews and picks)
        done                (mix_block, path_block) 1 once the block's data is written
    STORE/.mccoord.lock     present while a run writes to the store

A block's data is written before its done flag, so a flag never claims data that is
not there; ``resume`` recomputes exactly the blocks without a flag. Per-granule sums
have a fixed grouping of paths, so the final statistics do not depend on how paths
were split into tasks.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
import zarr

from .errors import StoreError

#: Version of the store layout and dataset schema; bumped on any incompatible change.
SCHEMA_VERSION = 1
#: Paths per granule of the per-granule sums.
GRANULE = 100
LOCK_NAME = ".mccoord.lock"


@dataclass(frozen=True)
class Layout:
    """Shape of a run: how mixes and paths are split into blocks and granules."""

    n_mix: int
    paths: int
    n_time: int
    n_region: int
    n_group_components: int
    mixes_per_task: int
    paths_per_task: int

    @property
    def granule(self) -> int:
        """Paths per granule (all paths when fewer than GRANULE)."""
        return min(GRANULE, self.paths)

    @property
    def n_granule(self) -> int:
        return -(-self.paths // self.granule)

    @property
    def n_mix_blocks(self) -> int:
        return -(-self.n_mix // self.mixes_per_task)

    @property
    def n_path_blocks(self) -> int:
        return -(-self.paths // self.paths_per_task)

    def block(self, mb: int, pb: int) -> tuple[int, int, int, int]:
        """``(mix_lo, mix_hi, path_lo, path_hi)`` of block ``(mb, pb)``."""
        m0 = mb * self.mixes_per_task
        p0 = pb * self.paths_per_task
        return m0, min(m0 + self.mixes_per_task, self.n_mix), p0, min(p0 + self.paths_per_task, self.paths)

    def blocks(self) -> list[tuple[int, int]]:
        return [(mb, pb) for mb in range(self.n_mix_blocks) for pb in range(self.n_path_blocks)]


def config_hash(config: dict) -> str:
    """SHA-256 of the canonical JSON of ``config`` (what makes two runs the same run)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@contextmanager
def quiet_zarr():
    """Silence zarr's warning that consolidated metadata is not in the v3 spec."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
        warnings.filterwarnings("ignore", message=".*is currently not part in the Zarr format 3.*")
        warnings.filterwarnings("ignore", message=".*is not recognized as a component of a Zarr hierarchy.*")
        yield


def is_store(path: Path) -> bool:
    """True if ``path`` is a directory holding a mccoord store."""
    try:
        with quiet_zarr():
            g = zarr.open_group(str(path), mode="r")
        return "mccoord_schema_version" in g.attrs
    except Exception:  # noqa: BLE001 - any failure means "not a mccoord store"
        return False


def check_destination(path: Path, *, resume: bool, overwrite: bool) -> None:
    """Refuse a destination that cannot be used, before any work starts.

    Refusals touch nothing; the writability probe (a temporary file created and
    removed) runs only where the run is about to write anyway.
    """
    if path.exists() and not path.is_dir():
        raise StoreError(f"store {path}: is a file, not a Zarr store directory; choose another --out")
    if resume and overwrite:
        raise StoreError("choose either --resume or --overwrite, not both")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise StoreError(f"store {path}: the parent directory {parent} does not exist")
    holder = lock_holder(path)
    if holder is not None:
        raise StoreError(
            f"store {path}: in use by another run (pid {holder.get('pid')} on "
            f"{holder.get('host')}); wait for it to finish"
        )
    if resume:
        if not path.exists():
            raise StoreError(f"store {path}: nothing to resume (it does not exist); drop --resume")
        if not is_store(path):
            raise StoreError(f"store {path}: not a mccoord store, cannot resume it")
        _check_writable(path, parent)
        return
    if path.exists():
        if not overwrite:
            raise StoreError(
                f"store {path}: already exists; use --resume to finish it or --overwrite to replace it"
            )
        if any(path.iterdir()) and not is_store(path):
            raise StoreError(
                f"store {path}: exists and is not a mccoord store; "
                "refusing to overwrite it even with --overwrite"
            )
    _check_writable(path, parent)


def _check_writable(path: Path, parent: Path) -> None:
    """Prove the destination is writable by creating and removing a probe file."""
    import tempfile

    where = path if path.is_dir() else parent
    try:
        with tempfile.NamedTemporaryFile(dir=where, prefix=".mccoord-probe-"):
            pass
    except OSError as exc:
        raise StoreError(
            f"store {path}: cannot write in {where} ({exc.strerror}); choose a writable --out"
        ) from None


def lock_holder(path: Path) -> dict | None:
    """The ``{pid, host}`` of a live run holding the store's lock, or None."""
    lock = path / LOCK_NAME
    if not lock.exists():
        return None
    try:
        other = json.loads(lock.read_text() or "{}")
    except (OSError, ValueError):
        return {"pid": "?", "host": "?"}
    if other.get("host") == socket.gethostname() and not _alive(int(other.get("pid", -1))):
        return None
    return other


@contextmanager
def store_lock(path: Path):
    """Hold ``STORE/.mccoord.lock`` for the duration of a run.

    A lock whose process is gone (same host, pid no longer alive) is stale and taken
    over; a live one makes the second run refuse at once.
    """
    path.mkdir(parents=True, exist_ok=True)
    lock = path / LOCK_NAME
    me = {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                other = json.loads(lock.read_text() or "{}")
            except (OSError, ValueError):
                other = {}
            if other.get("host") == me["host"] and not _alive(int(other.get("pid", -1))):
                lock.unlink(missing_ok=True)
                continue
            raise StoreError(
                f"store {path}: in use by another run (pid {other.get('pid')} on {other.get('host')}); "
                f"wait for it to finish, or remove {lock} if that process is gone"
            ) from None
        with os.fdopen(fd, "w") as fh:
            json.dump(me, fh)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_store(path: Path) -> None:
    """Delete an existing store directory (only called for ``overwrite``)."""
    lock = path / LOCK_NAME
    keep_lock = lock.exists()
    for child in path.iterdir():
        if child.name == LOCK_NAME and keep_lock:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def create_raw(path: Path, layout: Layout, attrs: dict) -> None:
    """Create the ``raw`` group (metadata only) and the root attrs."""
    with quiet_zarr():
        root = zarr.open_group(str(path), mode="a")
        raw = root.create_group("raw", overwrite=True)
        mb, pb, G = layout.mixes_per_task, layout.paths_per_task, layout.granule
        gpb = max(1, pb // G)
        T, R = layout.n_time, layout.n_region
        n_mix, P, NG = layout.n_mix, layout.paths, layout.n_granule

        def arr(name, shape, chunks, dims, dtype="f8", fill=np.nan):
            raw.create_array(
                name, shape=shape, chunks=chunks, dtype=dtype, fill_value=fill, dimension_names=dims
            )

        arr("path_sigma", (n_mix, P, T), (mb, pb, T), ("mix", "path", "time"))
        for name in ("path_first_passage", "path_beta", "path_growth"):
            arr(name, (n_mix, P), (mb, pb), ("mix", "path"))
        arr("path_valid", (n_mix, P), (mb, pb), ("mix", "path"), dtype="i1", fill=-1)
        arr("g_n_valid", (n_mix, NG), (mb, gpb), ("mix", "granule"))
        arr("g_theil", (n_mix, NG, T, 3), (mb, gpb, T, 3), ("mix", "granule", "time", "component"))
        arr("g_ccd", (n_mix, NG, T), (mb, gpb, T), ("mix", "granule", "time"))
        arr("g_defection", (n_mix, NG, T), (mb, gpb, T), ("mix", "granule", "time"))
        arr("g_rel_income", (n_mix, NG, T, R), (mb, gpb, T, R), ("mix", "granule", "time", "region"))
        arr("g_pop_share", (n_mix, NG, T, R), (mb, gpb, T, R), ("mix", "granule", "time", "region"))
        arr("g_reviews", (n_mix, NG), (mb, gpb), ("mix", "granule"))
        arr("g_picks", (n_mix, NG, 3), (mb, gpb, 3), ("mix", "granule", "driver"))
        raw.create_array(
            "done",
            shape=(layout.n_mix_blocks, layout.n_path_blocks),
            chunks=(1, 1),
            dtype="i1",
            fill_value=0,
            dimension_names=("mix_block", "path_block"),
        )
        root.attrs.update(attrs)
        zarr.consolidate_metadata(str(path))


def write_block(path: str, layout: Layout, mb: int, pb: int, data: dict[str, np.ndarray]) -> None:
    """Write one block's arrays, then its done flag."""
    m0, m1, p0, p1 = layout.block(mb, pb)
    g0 = p0 // layout.granule
    g1 = -(-p1 // layout.granule)
    with quiet_zarr():
        raw = zarr.open_group(path, mode="r+", path="raw", use_consolidated=False)
        for name, value in data.items():
            if name.startswith("path_"):
                raw[name][m0:m1, p0:p1] = value
            else:
                raw[name][m0:m1, g0:g1] = value
        raw["done"][mb, pb] = 1


def done_flags(path: Path) -> np.ndarray:
    """The ``(mix_block, path_block)`` done flags of a store."""
    with quiet_zarr():
        return zarr.open_group(str(path), mode="r", path="raw", use_consolidated=False)["done"][...]


def read_attrs(path: Path) -> dict:
    """Root attrs of a store."""
    with quiet_zarr():
        return dict(zarr.open_group(str(path), mode="r", use_consolidated=False).attrs)


def update_attrs(path: Path, attrs: dict) -> None:
    """Update root attrs and re-consolidate metadata."""
    with quiet_zarr():
        root = zarr.open_group(str(path), mode="r+", use_consolidated=False)
        root.attrs.update(attrs)
        zarr.consolidate_metadata(str(path))


def check_compatible(path: Path, expected_hash: str) -> dict:
    """Refuse a store from another schema version or another configuration."""
    attrs = read_attrs(path)
    version = attrs.get("mccoord_schema_version")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"store {path}: written with schema version {version}, this mccoord reads "
            f"version {SCHEMA_VERSION}; rerun into a new store"
        )
    if attrs.get("config_hash") != expected_hash:
        raise StoreError(
            f"store {path}: was written with a different configuration or seed "
            f"(config hash {str(attrs.get('config_hash'))[:12]} != {expected_hash[:12]}); "
            "resume with the same scenario, mixes, paths, years, seed and paths_per_task, "
            "or use --overwrite"
        )
    return attrs


def open_results(ds_or_store: xr.Dataset | str | Path) -> xr.Dataset:
    """The results dataset of a complete store (a dataset is returned unchanged).

    Raises
    ------
    StoreError
        If the path does not exist, is not a mccoord store or is incomplete.
    """
    if isinstance(ds_or_store, xr.Dataset):
        return ds_or_store
    path = Path(ds_or_store)
    if not path.exists():
        raise StoreError(f"store {path}: does not exist")
    if not path.is_dir() or not is_store(path):
        raise StoreError(f"store {path}: not a mccoord store")
    if not read_attrs(path).get("complete"):
        raise StoreError(f"store {path}: incomplete; finish it with mccoord run CONFIG --resume --out STORE")
    with quiet_zarr():
        return xr.open_zarr(str(path))


def raw_group(ds: xr.Dataset) -> zarr.Group | None:
    """The ``raw`` zarr group of the store ``ds`` was opened from, or ``None``."""
    source = ds.encoding.get("source")
    if not source:
        return None
    try:
        with quiet_zarr():
            return zarr.open_group(str(source), mode="r", path="raw", use_consolidated=False)
    except Exception:  # noqa: BLE001 - no raw data means "fall back"
        return None
