"""The store lock: stale locks after pid reuse, a reboot or a host change; malformed locks; breaking one."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from mccoord.cli import main
from mccoord.errors import StoreError
from mccoord.lock import LOCK_NAME, LOCK_STALE_AFTER, _boot_id, _process_start, lock_holder, store_lock
from mccoord.store import check_destination


def _lock(store, *, age: float = 0.0, **fields):
    store.mkdir(exist_ok=True)
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "boot_id": _boot_id(),
        "started": _process_start(os.getpid()),
        "command": "mccoord run demo",
    } | fields
    path = store / LOCK_NAME
    path.write_text(json.dumps(info))
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_a_live_holder_on_this_host_keeps_its_lock(tmp_path):
    store = tmp_path / "s.zarr"
    _lock(store)
    assert lock_holder(store)["pid"] == os.getpid()
    with pytest.raises(StoreError, match=r"in use by another run \(pid \d+ on .*--break-lock"):
        with store_lock(store):
            pass


def test_a_reused_pid_does_not_keep_a_dead_runs_lock(tmp_path):
    store = tmp_path / "s.zarr"
    # the pid is alive (this process), but it started long after the lock's holder
    lock = _lock(store, started=_process_start(os.getpid()) - 3600.0)
    assert lock_holder(store) is None
    with store_lock(store, "mccoord run demo --resume"):
        assert json.loads(lock.read_text())["started"] == _process_start(os.getpid())
    assert not lock.exists()


def test_a_lock_from_before_a_reboot_is_stale(tmp_path):
    store = tmp_path / "s.zarr"
    _lock(store, boot_id="another-boot")
    assert lock_holder(store) is None


def test_a_lock_from_another_host_is_stale_once_its_heartbeat_stops(tmp_path):
    store = tmp_path / "s.zarr"
    _lock(store, host="node-17", pid=4242, age=10.0)
    assert lock_holder(store)["host"] == "node-17"
    with pytest.raises(StoreError, match="pid 4242 on node-17"):
        check_destination(store, resume=True, overwrite=False)
    _lock(store, host="node-17", pid=4242, age=LOCK_STALE_AFTER + 60)
    assert lock_holder(store) is None


def test_a_held_lock_has_a_heartbeat(tmp_path, monkeypatch):
    import mccoord.lock as lock_mod

    monkeypatch.setattr(lock_mod, "LOCK_HEARTBEAT", 0.05)
    store = tmp_path / "s.zarr"
    with store_lock(store):
        path = store / LOCK_NAME
        os.utime(path, (time.time() - 1000, time.time() - 1000))
        time.sleep(0.5)
        assert time.time() - path.stat().st_mtime < 5


@pytest.mark.parametrize("content", ["", "{not json", '{"pid": "x"}', "[1, 2]"])
def test_a_malformed_lock_gets_one_line_that_says_how_to_break_it(tmp_path, capsys, content):
    store = tmp_path / "s.zarr"
    store.mkdir()
    (store / LOCK_NAME).write_text(content)
    rc = main(["run", "demo", "--out", str(store), "--resume", "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "is malformed" in err and f"mccoord info {store} --break-lock" in err


def test_break_lock_removes_a_dead_runs_lock_but_not_a_live_one(tmp_path, capsys):
    store = tmp_path / "s.zarr"
    _lock(store)
    with pytest.raises(StoreError, match="locked by a live run"):
        from mccoord.lock import break_lock

        break_lock(store)
    assert (store / LOCK_NAME).exists()
    (store / LOCK_NAME).write_text("garbage")
    main(["info", str(store), "--break-lock"])
    assert "lock removed (malformed lock)" in capsys.readouterr().out
    assert not (store / LOCK_NAME).exists()
