"""Reading user-supplied files: only regular files, and only up to a bounded size.

A scenario, a regions table or a recipe named by the user may be anything on disk: a
device (``/dev/zero`` never ends), a FIFO, a directory, a huge file. Each is refused
with one line before it is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ConfigError

#: Largest TOML configuration file read [bytes].
MAX_CONFIG_BYTES = 1 * 2**20
#: Largest CSV table (regions, distance matrix) read [bytes].
MAX_TABLE_BYTES = 256 * 2**20


def regular_file(path: str | Path, field: str, max_bytes: int, shown: object = None) -> Path:
    """Check that ``path`` is a regular file of at most ``max_bytes`` and return it.

    Parameters
    ----------
    path : str or path
        The file (symbolic links are followed).
    field : str
        Name of the setting, for the error message.
    max_bytes : int
        Largest size accepted [bytes].
    shown : object, optional
        The value as the user gave it (default: ``path``).

    Raises
    ------
    ConfigError
        If the file does not exist, is not a regular file, or is too large.
    """
    path = Path(path)
    shown = str(path) if shown is None else shown
    try:
        info = os.stat(path)
    except OSError:
        raise ConfigError(field, shown, f"an existing file (looked for {path})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(field, shown, "a regular file (not a directory, device or pipe)")
    if info.st_size > max_bytes:
        raise ConfigError(
            field,
            shown,
            f"a file of at most {max_bytes // 2**20} MiB (it has {info.st_size / 2**20:.0f} MiB)",
        )
    return path


def writable_output(path: str | Path, field: str) -> Path:
    """Check, before any work, that a new output file can be written at ``path``.

    The parent directory must exist and accept a new file (a temporary probe file is
    created and removed); an existing file is not touched here.

    Raises
    ------
    ConfigError
        If the directory does not exist or cannot be written.
    """
    import tempfile

    path = Path(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ConfigError(field, str(path), f"a path in an existing directory ({parent} does not exist)")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".mccoord-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(
            field, str(path), f"a path in a writable directory ({parent}: {exc.strerror})"
        ) from None
    return path
