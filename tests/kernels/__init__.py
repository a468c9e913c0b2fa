"""Tests of the Numba kernels: elementary functions, lanes, Philox, SIMD, reproducible bits."""
