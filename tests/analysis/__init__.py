"""Tests of mccoord."""
