"""Shared fixtures and the Hypothesis profiles (``ci`` under CI=true, ``dev`` otherwise)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import mccoord

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def demo():
    return mccoord.load_scenario("demo")


@pytest.fixture(scope="session")
def china():
    return mccoord.load_scenario("china")
