"""Numba kernels of the regional coordination model: arrays in, arrays out."""
