"""Tests of failure handling: bad input, faults, guards, locks, store integrity."""
