"""Tests of the model engine: kernels against the reference, closed forms, invariants."""
