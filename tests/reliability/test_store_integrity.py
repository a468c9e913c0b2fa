"""A store is complete only when every array is there and intact; readers check it as info does."""

from __future__ import annotations

import errno
import json
import shutil

import numpy as np
import pytest
import xarray as xr
import zarr
from helpers import strip_provenance

import mccoord
from mccoord.analysis import attribution
from mccoord.cli import main
from mccoord.commands.info_cmd import EXIT_DAMAGED, describe_store
from mccoord.errors import StoreError
from mccoord.store import (
    check_destination,
    inspect_store,
    open_results,
    quiet_zarr,
    update_attrs,
    verify_store,
)

pytestmark = pytest.mark.slow

SMALL = dict(paths=200, years=5, workers=0, progress=False, mixes=[{}, {"transfer": 1}])


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A complete store, copied afresh for each test that damages it."""
    store = tmp_path_factory.mktemp("integrity") / "s.zarr"
    ds = mccoord.run("demo", store=store, **SMALL)
    return store, strip_provenance(ds)


@pytest.fixture
def store(made, tmp_path):
    copy = tmp_path / "s.zarr"
    shutil.copytree(made[0], copy)
    return copy


def _flip_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))


def test_every_array_carries_a_crc32c_checksum(store):
    from zarr.codecs import Crc32cCodec

    with quiet_zarr():
        root = zarr.open_group(str(store), mode="r", use_consolidated=False)
        arrays = list(root.arrays()) + list(root["raw"].arrays())
    assert len(arrays) > 40
    for name, arr in arrays:
        assert any(isinstance(c, Crc32cCodec) for c in arr.metadata.codecs), name


def test_verify_reads_every_chunk_and_exits_nonzero_on_a_flipped_byte(store, capsys):
    assert main(["info", str(store), "--verify"]) == 0
    assert "every checksum matches" in capsys.readouterr().out
    _flip_byte(store / "raw" / "path_sigma" / "c" / "1" / "0" / "0")
    assert main(["info", str(store), "--verify"]) == EXIT_DAMAGED
    out = capsys.readouterr().out
    assert "DAMAGED    raw/path_sigma: chunk (1, 0, 0)" in out


def test_verify_finds_damage_in_a_result_array_and_a_missing_chunk(store):
    _flip_byte(store / "p_target" / "c" / "0" / "0")
    (store / "raw" / "g_theil" / "c" / "0" / "0" / "0" / "0").unlink()
    damage = verify_store(store)
    assert any(d.startswith("p_target: chunk (0, 0) is damaged") for d in damage), damage
    assert "raw/g_theil: chunk (0, 0, 0, 0) is missing" in damage


def test_a_store_missing_a_result_array_is_not_complete(store, capsys):
    shutil.rmtree(store / "p_target")
    text, complete = describe_store(store)
    assert not complete and "missing    p_target" in text
    assert main(["info", str(store)]) == 1


@pytest.mark.parametrize("damage", ["missing array", "altered config", "old schema"])
def test_readers_refuse_what_info_refuses(store, damage, tmp_path, capsys):
    if damage == "missing array":
        shutil.rmtree(store / "sigma_mean")
        expected = "missing sigma_mean"
    elif damage == "altered config":
        config = json.loads(xr.open_zarr(store).attrs["config"])
        config["paths"] = 999
        update_attrs(store, {"config": json.dumps(config)})
        expected = "does not match its hash"
    else:
        update_attrs(store, {"mccoord_schema_version": 1})
        expected = "schema version 1"
    with pytest.raises(StoreError, match=expected):
        open_results(store)
    with pytest.raises(StoreError, match=expected):
        attribution(store)
    for argv in (
        ["plot", str(store), "--kind", "curves", "--out", str(tmp_path / "c.png")],
        ["report", str(store), "--out", str(tmp_path / "r.html")],
    ):
        assert main(argv) == 2
        assert expected in capsys.readouterr().err
    assert not (tmp_path / "c.png").exists() and not (tmp_path / "r.html").exists()


def test_a_failed_final_write_is_one_line_and_leaves_a_resumable_store(made, tmp_path, monkeypatch):
    real = xr.Dataset.to_zarr

    def disk_full(self, *args, **kwargs):
        part = self[["p_target", "p_sigma"]]  # part of the results lands
        kwargs["encoding"] = {k: v for k, v in kwargs["encoding"].items() if k in part.variables}
        real(part, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    store = tmp_path / "f.zarr"
    monkeypatch.setattr(xr.Dataset, "to_zarr", disk_full)
    with pytest.raises(
        StoreError, match="writing the results failed .No space left on device.*resume"
    ) as info:
        mccoord.run("demo", store=store, **SMALL)
    assert "\n" not in str(info.value)
    status = inspect_store(store)
    assert not status.complete and status.blocks_done == status.blocks_total
    assert "p_target" not in status.missing and "sigma_mean" in status.missing
    monkeypatch.setattr(xr.Dataset, "to_zarr", real)
    resumed = mccoord.run("demo", store=store, resume=True, **SMALL)
    xr.testing.assert_identical(made[1], strip_provenance(resumed))
    assert verify_store(store) == []


def test_a_store_whose_creation_stopped_early_is_recognised(tmp_path):
    store = tmp_path / "c.zarr"
    store.mkdir()
    (store / ".mccoord.lock").write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    (store / ".mccoord.lock").touch()
    import os
    import time

    os.utime(store / ".mccoord.lock", (time.time() - 3600, time.time() - 3600))
    check_destination(store, resume=True, overwrite=False)
    check_destination(store, resume=False, overwrite=True)
    foreign = tmp_path / "f.zarr"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a mccoord store"):
        check_destination(foreign, resume=True, overwrite=False)
    with pytest.raises(StoreError, match="refusing to overwrite"):
        check_destination(foreign, resume=False, overwrite=True)
    assert (foreign / "notes.txt").read_text() == "mine"
    np.testing.assert_equal(sorted(p.name for p in foreign.iterdir()), ["notes.txt"])
