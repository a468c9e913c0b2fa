"""Tests of where tasks run: threads, local clusters, schedulers and SLURM."""
