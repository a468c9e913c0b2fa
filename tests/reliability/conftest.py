"""Fixtures of the reliability tests (helpers live in tests/reliability_helpers.py)."""

from reliability_helpers import baseline, kill_baseline  # noqa: F401
