"""Tests of the results: catalogue, statistics, intervals, mixes, ranking, CF conventions."""
