"""Tests of the command line, plots, report, notebook, packaging, docs and the layer rule."""
