"""Scenario discovery (PRIM) of the parameter boxes where a mix fails its target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mccoord.analysis import scenario_discovery
from mccoord.analysis.discovery import MASS_MIN, PEEL_ALPHA, find_boxes, peel
from mccoord.errors import ConfigError


def _planted(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(n, 3)), columns=["a", "b", "c"])
    fail = ((X["a"] > 0.6) & (X["b"] < 0.3)).to_numpy()
    return X, fail


def test_prim_recovers_a_planted_box():
    X, fail = _planted()
    (box,) = find_boxes(X, fail)
    assert box.coverage > 0.9 and box.density > 0.9
    assert set(box.limits.index) == {"a", "b"}
    assert box.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.03)
    assert box.limits.loc["b", "high"] == pytest.approx(0.3, abs=0.03)
    assert box.limits.loc["a", "qp"] < 1e-6 and box.limits.loc["b", "qp"] < 1e-6


def test_a_density_target_picks_the_most_covering_step_that_reaches_it():
    X, fail = _planted()
    (box,) = find_boxes(X, fail, density=0.5)
    traj = box.trajectory
    assert box.density >= 0.5
    assert box.coverage == traj.loc[traj["density"] >= 0.5, "coverage"].max()


def test_the_trajectory_trades_coverage_for_density():
    X, fail = _planted()
    (box,) = find_boxes(X, fail)
    traj = box.trajectory
    assert traj["coverage"].iloc[0] == 1.0
    assert traj["density"].iloc[0] == pytest.approx(fail.mean())
    assert traj["density"].max() > 0.9


def test_each_peel_removes_about_alpha_of_the_box_down_to_the_minimum_mass():
    X, fail = _planted()
    peeled = peel(X, fail)
    mass = peeled.trajectory["mass"].to_numpy()
    paths = np.rint(mass * len(X))
    removed = paths[:-1] - paths[1:]
    assert np.all(np.abs(removed - PEEL_ALPHA * paths[:-1]) <= 1)  # the alpha quantile, to a path
    assert mass[-1] >= MASS_MIN and mass[-1] * (1 - PEEL_ALPHA) < MASS_MIN
    # the box only shrinks, and res_dim counts the parameters it restricts
    assert (peeled.low.diff().iloc[1:] >= 0).all().all() and (peeled.high.diff().iloc[1:] <= 0).all().all()
    restricted = (peeled.low > X.min()) | (peeled.high < X.max())
    assert (restricted.sum(axis=1) == peeled.trajectory["res_dim"]).all()


def test_a_second_box_is_found_among_the_paths_outside_the_first():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(size=(4000, 3)), columns=["a", "b", "c"])
    fail = (((X["a"] > 0.7) & (X["b"] < 0.3)) | ((X["c"] > 0.75) & (X["a"] < 0.3))).to_numpy()
    first, second = find_boxes(X, fail, boxes=3)
    assert first.limits.loc["a", "low"] == pytest.approx(0.7, abs=0.03)
    assert first.limits.loc["b", "high"] == pytest.approx(0.3, abs=0.03)
    assert second.limits.loc["a", "high"] == pytest.approx(0.3, abs=0.03)
    assert second.limits.loc["c", "low"] == pytest.approx(0.75, abs=0.03)
    assert first.coverage + second.coverage > 0.9 and second.density > 0.9


def test_no_failing_path_gives_no_box():
    X, _ = _planted(n=200)
    assert find_boxes(X, np.zeros(len(X), dtype=bool)) == ()


def test_discovery_on_a_store(uncertain_store):
    result = scenario_discovery(uncertain_store, "on")
    assert result.label == "transfer 1, cooperation 1"
    assert result.n == 600 and 0 <= result.n_fail <= result.n
    table = result.table()
    assert list(table.columns) == ["box", "parameter", "low", "high", "qp", "coverage", "density", "mass"]
    assert set(table["parameter"]) <= {"lambda_c", "tau_max"}


def test_bad_arguments_are_refused(uncertain_store):
    with pytest.raises(ConfigError, match="boxes"):
        scenario_discovery(uncertain_store, boxes=0)
    with pytest.raises(ConfigError, match="density"):
        scenario_discovery(uncertain_store, density=1.5)
