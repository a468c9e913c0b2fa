"""The Zarr store of an ensemble run: creation, done flags, lock, completion and integrity.

Layout (Zarr v3, one directory)::

    STORE/mccoord-store.json  marker written first: identifies a mccoord store (even one
                              whose creation was interrupted), its schema version, its
                              configuration hash and the command that resumes it
    STORE/raw/                what tasks write as they finish (names, dims and dtypes in
                              :data:`mccoord.catalogue.RAW_ARRAYS`), then
        done                  (mix_block, path_block) 1 once the block's data is written
    STORE/                    the results dataset (``xarray.open_zarr(STORE)``), written
                              once every block is done; root attrs hold the provenance
    STORE/.mccoord.lock       present while a run writes to the store

Guarantees:

* A block's data is written before its done flag, so a flag never claims data that is
  not there; a resume recomputes exactly the blocks without a flag.
* The store is marked complete (root attr ``complete = 1``) only after every array of
  the results is written; :func:`inspect_store` also checks that every catalogued array
  is present, so a store killed during its final write is never called complete.
* Every array carries a CRC-32C checksum codec and every chunk is stored (also chunks
  equal to the fill value), so :func:`verify_store` can read every chunk and tell
  damaged or missing data from data not yet computed.
* :func:`inspect_store` is the one check that ``mccoord info``, :func:`open_results`
  (plots, report, attribution) and resumes use.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr
import zarr

from .catalogue import GRANULE, RAW_ARRAYS, RESULTS, with_year_index
from .errors import StoreError
from .lock import LOCK_NAME, describe_holder, lock_holder
from .params import MECHANISMS

#: Version of the store layout and dataset schema; bumped on any incompatible change.
SCHEMA_VERSION = 2
#: The marker file that identifies a mccoord store.
MARKER_NAME = "mccoord-store.json"
MARKER_FORMAT = "mccoord store"
#: Files of a store directory that are mccoord's own bookkeeping (not results).
OWN_FILES = (MARKER_NAME, LOCK_NAME)


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskGrid:
    """How a run is split into tasks: blocks of mixes x blocks of paths, and granules.

    Task ``(mb, pb)`` computes mixes ``mb*mixes_per_task ...`` and paths
    ``pb*paths_per_task ...``; its data are exactly one chunk of every raw array.
    """

    n_mix: int
    paths: int
    n_time: int
    n_region: int
    mixes_per_task: int
    paths_per_task: int
    n_parameter: int = 0

    @property
    def granule(self) -> int:
        """Paths per granule (all paths when fewer than GRANULE)."""
        return min(GRANULE, self.paths)

    @property
    def n_granule(self) -> int:
        """Number of granules."""
        return -(-self.paths // self.granule)

    @property
    def granules_per_task(self) -> int:
        """Granules per path block (paths_per_task is whole granules, or all paths)."""
        return -(-self.paths_per_task // self.granule)

    @property
    def n_mix_blocks(self) -> int:
        return -(-self.n_mix // self.mixes_per_task)

    @property
    def n_path_blocks(self) -> int:
        return -(-self.paths // self.paths_per_task)

    @property
    def n_tasks(self) -> int:
        return self.n_mix_blocks * self.n_path_blocks

    def block(self, mb: int, pb: int) -> tuple[int, int, int, int]:
        """``(mix_lo, mix_hi, path_lo, path_hi)`` of block ``(mb, pb)``."""
        m0 = mb * self.mixes_per_task
        p0 = pb * self.paths_per_task
        return m0, min(m0 + self.mixes_per_task, self.n_mix), p0, min(p0 + self.paths_per_task, self.paths)

    def blocks(self) -> list[tuple[int, int]]:
        return [(mb, pb) for mb in range(self.n_mix_blocks) for pb in range(self.n_path_blocks)]

    def size(self, dim: str) -> int:
        """Length of a raw-array dimension."""
        sizes = {
            "mix": self.n_mix,
            "path": self.paths,
            "granule": self.n_granule,
            "time": self.n_time,
            "region": self.n_region,
            "component": 3,
            "driver": 3,
            "parameter": self.n_parameter,
        }
        return sizes[dim]

    def holds(self, name: str) -> bool:
        """Whether the store of this run has the raw array ``name`` (none of size 0)."""
        return all(self.size(d) > 0 for d in RAW_ARRAYS[name].dims)

    def chunk(self, dim: str) -> int:
        """Chunk length of a raw-array dimension (one task's share)."""
        return {
            "mix": self.mixes_per_task,
            "path": self.paths_per_task,
            "granule": self.granules_per_task,
        }.get(dim, self.size(dim))

    def raw_bytes(self) -> int:
        """Bytes of every raw array, uncompressed (an upper bound of their size on disk)."""
        total = 0
        for a in RAW_ARRAYS.values():
            if not self.holds(a.name):
                continue
            total += int(np.prod([self.size(d) for d in a.dims])) * np.dtype(a.dtype).itemsize
        return total


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
        warnings.filterwarnings("ignore", message=".*does not have a Zarr V3 specification.*")
        yield


def _codecs() -> dict:
    """Compression plus a CRC-32C checksum of every chunk."""
    from zarr.codecs import Crc32cCodec, ZstdCodec

    return {"compressors": (ZstdCodec(level=0), Crc32cCodec())}


# --------------------------------------------------------------------------- marker


def read_marker(path: Path) -> dict | None:
    """The marker of a mccoord store, or None if ``path`` has none."""
    try:
        data = json.loads((Path(path) / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == MARKER_FORMAT else None


def write_marker(path: Path, info: dict) -> None:
    """Write the marker atomically (a temporary file renamed into place)."""
    tmp = Path(path) / f".{MARKER_NAME}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({"format": MARKER_FORMAT} | info, indent=1, default=str))
    os.replace(tmp, Path(path) / MARKER_NAME)


def _own(name: str) -> bool:
    return name in OWN_FILES or name.startswith((f".{MARKER_NAME}.tmp-", f"{LOCK_NAME}.tmp-"))


def store_state(path: Path) -> str:
    """What is at ``path``.

    Returns
    -------
    str
        ``"absent"``; ``"empty"`` (a directory holding nothing but mccoord's own
        bookkeeping files: a creation stopped before it wrote anything); ``"partial"``
        (a marker, but creation did not finish); ``"created"`` (a mccoord store, of any
        schema version); ``"foreign"`` (anything else, including a file).
    """
    path = Path(path)
    if not path.exists():
        return "absent"
    if not path.is_dir():
        return "foreign"
    attrs = _root_attrs(path)
    if attrs is not None and "mccoord_schema_version" in attrs:
        return "created"
    if read_marker(path) is not None:
        return "partial"
    if all(_own(p.name) for p in path.iterdir()):
        return "empty"
    return "foreign"


def is_store(path: Path) -> bool:
    """True if ``path`` is a mccoord store, complete or not (also an interrupted creation)."""
    return store_state(path) in ("partial", "created")


def _root_attrs(path: Path) -> dict | None:
    if not (Path(path) / "zarr.json").is_file():
        return None
    try:
        with quiet_zarr():
            return dict(zarr.open_group(str(path), mode="r", use_consolidated=False).attrs)
    except Exception:  # noqa: BLE001 - unreadable metadata means "not a created store"
        return None


# --------------------------------------------------------------------------- destination


def check_destination(path: Path, *, resume: bool, overwrite: bool) -> None:
    """Refuse a destination that cannot be used, before any work starts.

    Refusals touch nothing; the writability probe (a temporary file created and
    removed) runs only where the run is about to write anyway.
    """
    path = Path(path)
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
            f"store {path}: in use by another run ({describe_holder(holder)}); wait for it to finish"
        )
    state = store_state(path)
    if resume:
        if state == "absent":
            raise StoreError(f"store {path}: nothing to resume (it does not exist); drop --resume")
        if state == "foreign":
            raise StoreError(f"store {path}: not a mccoord store, cannot resume it")
        _check_writable(path, parent)
        return
    if state != "absent":
        if not overwrite:
            raise StoreError(
                f"store {path}: already exists; use --resume to finish it or --overwrite to replace it"
            )
        if state == "foreign" and any(path.iterdir()):
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


def check_free_space(path: Path, needed: int, *, limit: int | None = None) -> None:
    """Refuse a run whose store would not fit: free disk space and an optional size limit.

    Parameters
    ----------
    needed : int
        Upper bound of the bytes the run will add [bytes].
    limit : int, optional
        Largest store the user allows (``--max-store-size``) [bytes].
    """
    where = Path(path) if Path(path).is_dir() else Path(path).resolve().parent
    if limit is not None and needed > limit:
        raise StoreError(
            f"store {path}: would need up to {_fmt_bytes(needed)}, over --max-store-size "
            f"{_fmt_bytes(limit)}; reduce paths, mixes or years, or raise the limit"
        )
    free = shutil.disk_usage(where).free
    if needed > free:
        raise StoreError(
            f"store {path}: would need up to {_fmt_bytes(needed)} but {where} has "
            f"{_fmt_bytes(free)} free; reduce paths, mixes or years, or choose another --out"
        )


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


# --------------------------------------------------------------------------- writing


def remove_store(path: Path) -> None:
    """Delete an existing store's content (for ``overwrite``), keeping the lock.

    The marker goes last, so a removal interrupted half-way still leaves a directory
    recognised as a mccoord store.
    """
    path = Path(path)
    for child in path.iterdir():
        if _own(child.name):
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    (path / MARKER_NAME).unlink(missing_ok=True)


def create_store(path: Path, grid: TaskGrid, attrs: dict, marker: dict) -> None:
    """Create a store: the marker first, then the ``raw`` arrays, then the root attrs.

    The creation is finished once the root attrs (with ``mccoord_schema_version``) are
    written; a store interrupted before is ``"partial"`` and is created anew by a
    resume or an overwrite.
    """
    path = Path(path)
    write_marker(path, marker)
    with quiet_zarr():
        root = zarr.open_group(str(path), mode="a")
        raw = root.create_group("raw", overwrite=True)
        for a in RAW_ARRAYS.values():
            if not grid.holds(a.name):
                continue
            raw.create_array(
                a.name,
                shape=tuple(grid.size(d) for d in a.dims),
                chunks=tuple(grid.chunk(d) for d in a.dims),
                dtype=a.dtype,
                fill_value=a.fill,
                dimension_names=a.dims,
                attributes={"long_name": a.long_name, "units": a.units, "description": a.description},
                **_codecs(),
            )
        raw.create_array(
            "done",
            shape=(grid.n_mix_blocks, grid.n_path_blocks),
            chunks=(1, 1),
            dtype="i1",
            fill_value=0,
            dimension_names=("mix_block", "path_block"),
            attributes={"long_name": "block is written", "units": "1"},
            **_codecs(),
        )
        root.attrs.update(attrs)
        zarr.consolidate_metadata(str(path))


def write_block(path: str, grid: TaskGrid, mb: int, pb: int, data: dict[str, np.ndarray]) -> None:
    """Write one block's arrays (one chunk each), then its done flag.

    ``data[name]`` has the block's slice of the raw array ``name``; arrays without a
    mix dimension are written by the first mix block only.
    """
    m0, m1, p0, p1 = grid.block(mb, pb)
    g0 = p0 // grid.granule
    g1 = -(-p1 // grid.granule)
    with quiet_zarr():
        raw = zarr.open_group(path, mode="r+", path="raw", use_consolidated=False)
        for name, value in data.items():
            spec = RAW_ARRAYS[name]
            if not spec.per_mix and mb != 0:
                continue
            span = {"mix": slice(m0, m1), "path": slice(p0, p1), "granule": slice(g0, g1)}
            index = tuple(span[d] for d in spec.dims if d in span)
            raw[name].with_config({"write_empty_chunks": True})[index] = value
        raw["done"].with_config({"write_empty_chunks": True})[mb, pb] = 1


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


def expected_results(attrs: dict) -> list[str]:
    """Names of every array the results dataset of a store must hold."""
    names = list(RESULTS) + ["time", "year", "quantile", "region", "group", "driver", "component"]
    names += list(MECHANISMS)
    if attrs.get("design") != "grid":
        names.append("mix")
    return names


def write_results(path: Path, ds: xr.Dataset) -> None:
    """Write the results dataset, then mark the store complete.

    Results left by an interrupted final write are removed first. Every variable gets
    the checksum codec and every chunk is stored. ``complete = 1`` is written last,
    after checking that every array of the schema is present.
    """
    path = Path(path)
    for name in expected_results({"design": "sampled"}):
        if (path / name / "zarr.json").exists():
            shutil.rmtree(path / name)
    ds = ds.drop_indexes([k for k in ds.xindexes if k not in ds.dims])
    encoding = {name: dict(_codecs()) for name in ds.variables}
    attrs = dict(ds.attrs)
    attrs.pop("complete", None)
    ds = ds.copy()
    ds.attrs = attrs
    with quiet_zarr():
        ds.to_zarr(str(path), mode="a", consolidated=True, encoding=encoding, write_empty_chunks=True)
    missing = [n for n in expected_results(read_attrs(path)) if not (path / n / "zarr.json").exists()]
    if missing:
        raise StoreError(
            f"store {path}: the final write left out {', '.join(missing)}; run again with --resume"
        )
    update_attrs(path, {"complete": 1})


# --------------------------------------------------------------------------- reading


@dataclass
class StoreStatus:
    """What :func:`inspect_store` found.

    Attributes
    ----------
    state : str
        ``"partial"`` (creation interrupted) or ``"created"``.
    complete : bool
        Marked complete, every block done, every array present and the configuration
        hash verified: the results can be trusted.
    """

    path: Path
    state: str
    attrs: dict
    marker: dict
    schema_version: object = None
    config_verified: bool = False
    blocks_done: int = 0
    blocks_total: int = 0
    missing: list[str] = field(default_factory=list)
    complete: bool = False

    @property
    def resume_command(self) -> str:
        """The command that finishes the store, as recorded when it was created."""
        return str(self.attrs.get("resume_command") or self.marker.get("resume_command") or "")

    def problem(self) -> str | None:
        """Why the results cannot be read (one line), or None."""
        where = f"store {self.path}"
        how = f"; finish it with: {self.resume_command}" if self.resume_command else ""
        if self.state == "partial":
            return f"{where}: its creation was interrupted{how}"
        if not self.config_verified:
            return f"{where}: its configuration does not match its hash (the attrs were altered); rerun it"
        if self.blocks_done < self.blocks_total:
            return f"{where}: incomplete ({self.blocks_done} of {self.blocks_total} blocks done){how}"
        if self.missing:
            return f"{where}: incomplete (missing {', '.join(self.missing[:4])}){how}"
        if not self.complete:
            return f"{where}: incomplete (the final write did not finish){how}"
        return None


def inspect_store(path: Path | str) -> StoreStatus:
    """The one check of a store: what it is, whether it is complete and verified.

    Raises
    ------
    StoreError
        If ``path`` does not exist, is not a mccoord store, or has another schema
        version than this mccoord reads.
    """
    path = Path(path)
    state = store_state(path)
    if state == "absent":
        raise StoreError(f"store {path}: does not exist")
    if state in ("foreign", "empty"):
        raise StoreError(f"store {path}: not a mccoord store")
    marker = read_marker(path) or {}
    attrs = _root_attrs(path) or {}
    version = attrs.get("mccoord_schema_version", marker.get("schema_version"))
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"store {path}: schema version {version}, this mccoord reads version {SCHEMA_VERSION}; "
            "open it with the mccoord version that wrote it, or rerun into a new store"
        )
    status = StoreStatus(path=path, state=state, attrs=attrs, marker=marker, schema_version=version)
    if state == "partial":
        return status
    try:
        status.config_verified = config_hash(json.loads(attrs.get("config", "{}"))) == attrs.get(
            "config_hash"
        )
    except ValueError:
        status.config_verified = False
    raw_dir = path / "raw"
    names = [n for n in RAW_ARRAYS if "parameter" not in RAW_ARRAYS[n].dims or attrs.get("n_parameter")]
    missing = [n for n in [*names, "done"] if not (raw_dir / n / "zarr.json").exists()]
    if "done" not in missing:
        flags = done_flags(path)
        status.blocks_done, status.blocks_total = int(flags.sum()), int(flags.size)
    if status.blocks_done == status.blocks_total and status.blocks_total:
        missing += [n for n in expected_results(attrs) if not (path / n / "zarr.json").exists()]
    status.missing = [f"raw/{n}" if n in RAW_ARRAYS or n == "done" else n for n in missing]
    status.complete = (
        bool(attrs.get("complete"))
        and status.config_verified
        and status.blocks_total > 0
        and status.blocks_done == status.blocks_total
        and not status.missing
    )
    return status


def verify_store(path: Path | str) -> list[str]:
    """Read every chunk of every array and check its checksum; return the damage found.

    Chunks of results, of done blocks and of the done flags must exist and decode;
    chunks of blocks not yet done may be absent. Each finding is one line.
    """
    status = inspect_store(path)
    path = Path(path)
    damage: list[str] = []
    if status.state != "created":
        return damage
    flags = done_flags(path) if (path / "raw" / "done" / "zarr.json").exists() else np.zeros((0, 0))
    with quiet_zarr():
        root = zarr.open_group(str(path), mode="r", use_consolidated=False)
        finished = status.blocks_done == status.blocks_total
        labels = (expected_results(status.attrs) if finished else []) + [
            f"raw/{n}" for n in [*RAW_ARRAYS, "done"]
        ]
        arrays = [(label, root[label]) for label in labels if (path / label / "zarr.json").exists()]
        for label, arr in arrays:
            spec = RAW_ARRAYS.get(label.removeprefix("raw/")) if label.startswith("raw/") else None
            for idx in np.ndindex(*arr.cdata_shape):
                key = path / arr.path / arr.metadata.encode_chunk_key(idx)
                required = True
                if spec is not None:
                    mb = idx[0] if spec.per_mix else 0
                    pb = idx[1] if spec.per_mix else idx[0]
                    required = bool(flags[mb, pb]) if flags.size else False
                elif label == "raw/done":
                    required = False
                if not key.exists():
                    if required:
                        damage.append(f"{label}: chunk {idx} is missing")
                    continue
                try:
                    arr.get_block_selection(idx)
                except Exception as exc:  # noqa: BLE001 - any failure to decode is damage
                    damage.append(f"{label}: chunk {idx} is damaged ({str(exc).splitlines()[0][:80]})")
    return damage


def open_results(ds_or_store: xr.Dataset | str | Path) -> xr.Dataset:
    """The results dataset of a complete store (a dataset is returned unchanged).

    Runs :func:`inspect_store`, the check ``mccoord info`` uses: schema version,
    configuration hash, every block done, every array present, marked complete.

    Raises
    ------
    StoreError
        If the path does not exist, is not a mccoord store, or fails the check.
    """
    if isinstance(ds_or_store, xr.Dataset):
        return ds_or_store
    status = inspect_store(ds_or_store)
    problem = status.problem()
    if problem:
        raise StoreError(problem)
    with quiet_zarr():
        return with_year_index(xr.open_zarr(str(status.path)))


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
