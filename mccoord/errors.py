"""Exceptions that carry a one-line, user-facing message."""

from __future__ import annotations


class MccoordError(Exception):
    """Base class of every error mccoord raises on purpose (the CLI exits with code 2)."""


class ConfigError(MccoordError, ValueError):
    """A scenario, parameter or argument is invalid.

    Parameters
    ----------
    field : str
        Dotted name of the offending field (``model.alpha``, ``regions.csv: population``).
    value : object
        The value that was given.
    expected : str
        What would be accepted instead.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: got {value!r}, expected {expected}")


class StoreError(MccoordError):
    """A Zarr store cannot be used as asked (exists, locked, incompatible, incomplete)."""
