"""Tests of ensemble execution: mccoord.run, threads, local clusters, schedulers, SLURM, preflight."""
