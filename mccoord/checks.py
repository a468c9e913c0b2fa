"""Argument checks of the Python API: one answer (a ``ConfigError``) for a wrong type.

Python and NumPy numbers are accepted alike (``np.int64(100)`` is a whole number,
``np.float32(0.5)`` a number); booleans are not numbers here.
"""

from __future__ import annotations

import numbers

from .errors import ConfigError


def is_whole(value: object) -> bool:
    """True for a Python or NumPy integer (not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value: object) -> int:
    """``value`` as an ``int`` >= 1, or a ``ConfigError`` naming ``name``."""
    if not is_whole(value) or int(value) < 1:
        raise ConfigError(name, value, "a positive whole number")
    return int(value)


def seed_value(name: str, value: object) -> int:
    """A run seed: a whole number in [0, 2**63)."""
    if not is_whole(value) or not 0 <= int(value) < 2**63:
        raise ConfigError(name, value, "a whole number in [0, 2**63)")
    return int(value)


def byte_size(name: str, value: object) -> int | None:
    """A size in bytes from a number or a string such as ``"500M"``, ``"20G"``, ``"1.5T"``.

    Suffixes are decimal (k = 1000, M = 10**6, G = 10**9, T = 10**12); None passes.
    """
    if value is None:
        return None
    if is_whole(value) and int(value) > 0:
        return int(value)
    if isinstance(value, str):
        text = value.strip().upper().removesuffix("B")
        scale = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}.get(text[-1:], 1)
        number = text[:-1] if scale != 1 else text
        try:
            size = float(number) * scale
        except ValueError:
            size = -1.0
        if size >= 1:
            return int(size)
    raise ConfigError(name, value, "a size in bytes such as 500M, 20G or 1.5T")
