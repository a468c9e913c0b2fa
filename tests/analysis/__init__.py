"""Tests of mccoord.analysis, attribution, sensitivity, discovery, compare and frontier."""
