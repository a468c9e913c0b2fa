"""The lock of a store: one writer at a time, and locks of runs that are gone recognised.

``STORE/.mccoord.lock`` holds the writer's pid, host, boot id, process start time and
command; it is created atomically with its content (a hard link of a complete
temporary file), so a lock is never seen half-written. A lock is stale, and is taken
over, when its holder cannot still be running (:func:`lock_is_stale`): on the same
host, no process with its pid started when the holder did (so a reused pid is not
mistaken for the holder) or the machine has rebooted since; from another host, its
heartbeat is older than :data:`LOCK_STALE_AFTER`. A malformed lock gets one line that
says how to break it: ``mccoord info STORE --break-lock``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreError

LOCK_NAME = ".mccoord.lock"
#: Seconds between refreshes of a held lock's modification time.
LOCK_HEARTBEAT = 30.0
#: A lock of another host whose heartbeat is older than this [s] is stale.
LOCK_STALE_AFTER = 300.0


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _process_start(pid: int) -> float | None:
    """Start time of process ``pid`` [s since the epoch], or None if there is none."""
    import psutil

    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.Error, ValueError, OverflowError):
        return None


def _me(command: str = "") -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "boot_id": _boot_id(),
        "started": _process_start(os.getpid()),
        "command": command,
    }


def describe_holder(info: dict) -> str:
    """``pid P on HOST`` of a lock's holder."""
    return f"pid {info.get('pid')} on {info.get('host')}"


def read_lock(path: Path) -> dict | None:
    """The content of ``STORE/.mccoord.lock``, or None if there is no lock.

    Raises
    ------
    StoreError
        If the lock file cannot be read or is not a lock mccoord wrote.
    """
    lock = Path(path) / LOCK_NAME
    try:
        text = lock.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"store {path}: cannot read its lock {lock} ({exc.strerror})") from None
    try:
        info = json.loads(text)
        ok = isinstance(info, dict) and isinstance(info.get("pid"), int) and isinstance(info.get("host"), str)
    except ValueError:
        ok = False
    if not ok:
        raise StoreError(
            f"store {path}: its lock {lock} is malformed; if no run is writing this store, "
            f"break the lock with: mccoord info {path} --break-lock"
        )
    try:
        info["age"] = time.time() - lock.stat().st_mtime
    except OSError:
        info["age"] = 0.0
    return info


def lock_is_stale(info: dict) -> bool:
    """True if the run that wrote the lock ``info`` cannot still be running.

    On the same host (and boot) the holder is alive only if a process with its pid
    exists and started when the holder did (a reused pid is not the holder). A lock from
    an earlier boot is stale. A lock from another host is stale once its heartbeat
    (the file's modification time, refreshed every :data:`LOCK_HEARTBEAT` seconds) is
    older than :data:`LOCK_STALE_AFTER`.
    """
    if info.get("host") == socket.gethostname():
        mine, theirs = _boot_id(), info.get("boot_id") or ""
        if mine and theirs and mine != theirs:
            return True
        start = _process_start(int(info["pid"]))
        if start is None:
            return True
        recorded = info.get("started")
        return isinstance(recorded, int | float) and abs(start - float(recorded)) > 1.0
    return float(info.get("age", 0.0)) > LOCK_STALE_AFTER


def lock_holder(path: Path) -> dict | None:
    """The lock info of a live run holding the store, or None."""
    info = read_lock(path)
    if info is None or lock_is_stale(info):
        return None
    return info


def break_lock(path: Path) -> str:
    """Remove the lock of a store whose run is gone; return what was done.

    A lock held by a live process on this host is not broken.
    """
    lock = Path(path) / LOCK_NAME
    if not lock.exists():
        return f"store {path}: not locked"
    try:
        info = read_lock(path)
    except StoreError:
        info = None
    if info is not None and info.get("host") == socket.gethostname() and not lock_is_stale(info):
        raise StoreError(f"store {path}: locked by a live run ({describe_holder(info)}); stop that run first")
    lock.unlink(missing_ok=True)
    who = describe_holder(info) if info else "malformed lock"
    return f"store {path}: lock removed ({who})"


@contextmanager
def store_lock(path: Path, command: str = ""):
    """Hold ``STORE/.mccoord.lock`` for the duration of a run.

    The lock is created atomically with its content (pid, host, boot id, process start
    time, command); a stale one (:func:`lock_is_stale`) is taken over; a live one makes
    the second run refuse at once. While held, a heartbeat refreshes its modification
    time.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    lock = path / LOCK_NAME
    me = _me(command)
    tmp = path / f"{LOCK_NAME}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(me))
    try:
        for _ in range(3):
            try:
                os.link(tmp, lock)
                break
            except FileExistsError:
                other = read_lock(path)
                if other is not None and not lock_is_stale(other):
                    raise StoreError(
                        f"store {path}: in use by another run ({describe_holder(other)}); wait for it "
                        f"to finish, or if it is gone, break the lock with: mccoord info {path} --break-lock"
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
        else:
            raise StoreError(f"store {path}: could not take its lock; try again")
    finally:
        tmp.unlink(missing_ok=True)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(LOCK_HEARTBEAT):
            with contextlib.suppress(OSError):
                os.utime(lock)

    thread = threading.Thread(target=beat, name="mccoord-lock-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        lock.unlink(missing_ok=True)
