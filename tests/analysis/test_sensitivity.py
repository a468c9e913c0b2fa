"""Global sensitivity of per-path outcomes to the drawn parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mccoord
from mccoord.analysis import sensitivity
from mccoord.analysis.sensitivity import sensitivity_indices
from mccoord.errors import ConfigError


def _synthetic(n=1000, seed=1):
    """y depends strongly on x1, weakly on x2 and not at all on x3."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(n, 3)), columns=["x1", "x2", "x3"])
    y = 2.0 * X["x1"] + 0.4 * X["x2"] + 0.2 * rng.standard_normal(n)
    return X, y.to_numpy()


def _ranks(table, method):
    rows = table[table["method"] == method].set_index("parameter")
    return rows["rank"].astype(int).to_dict(), rows


@pytest.mark.parametrize("measure", ["pawn", "S1"])
@pytest.mark.slow
def test_pawn_and_first_order_rank_a_known_dependence(measure):
    X, y = _synthetic()
    ranks, rows = _ranks(sensitivity_indices(X, y, method="pawn", resamples=50), measure)
    assert ranks["x1"] == 1 and ranks["x2"] == 2
    # x3 has no influence: its interval overlaps the dummy's, x1's and x2's lie above it
    assert rows.loc["x3", "ci_low"] <= rows.loc["dummy", "ci_high"]
    assert rows.loc["x2", "ci_low"] > rows.loc["dummy", "ci_high"]
    assert rows.loc["x1", "ci_low"] > rows.loc["x2", "ci_high"]


@pytest.mark.parametrize("measure", ["pawn", "S1"])
def test_a_known_dependence_of_a_binary_outcome_is_ranked(measure):
    X, y = _synthetic()
    hit = (y > np.median(y)).astype(float)
    ranks, rows = _ranks(sensitivity_indices(X, hit, method="pawn", resamples=50), measure)
    assert ranks["x1"] == 1 and ranks["x2"] == 2
    assert rows.loc["x3", "ci_low"] <= rows.loc["dummy", "ci_high"]


@pytest.mark.slow
def test_delta_and_first_order_rank_a_known_dependence():
    X, y = _synthetic(n=500)
    table = sensitivity_indices(X, y, method="delta", resamples=20)
    for method in ("delta", "S1"):
        ranks, rows = _ranks(table, method)
        assert ranks["x1"] == 1 and ranks["x2"] == 2
    # first-order index of a linear model: a_i^2 var(x_i) / var(y)
    var = (2.0**2 + 0.4**2) / 12 + 0.2**2
    s1 = table[table["method"] == "S1"].set_index("parameter")
    assert s1.loc["x1", "index"] == pytest.approx(4 / 12 / var, abs=0.05)


def test_the_same_seed_gives_the_same_table():
    X, y = _synthetic(n=300)
    a = sensitivity_indices(X, y, resamples=20, seed=4)
    b = sensitivity_indices(X, y, resamples=20, seed=4)
    pd.testing.assert_frame_equal(a, b)


def test_salib_leaves_the_global_random_state_alone():
    X, y = _synthetic(n=300)
    np.random.seed(11)  # noqa: NPY002 - the state SALib would otherwise overwrite
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(11)  # noqa: NPY002
    sensitivity_indices(X, y, resamples=10, seed=3)
    assert np.random.random() == expected  # noqa: NPY002


def test_a_simulation_dataset_is_analysed_per_path():
    scenario = mccoord.load_scenario("demo").with_overrides(
        uncertainty={"lambda_c": {"dist": "uniform", "low": 0.0, "high": 0.1}}
    )
    ds = mccoord.simulate(scenario, {"cooperation": 1}, paths=120, seed=2, years=6)
    table = sensitivity(ds, "sigma", resamples=10)
    assert set(table["parameter"]) == {"lambda_c", "dummy"}
    assert set(table["method"]) == {"pawn", "S1"}
    assert (table["n"] == int(ds["valid"].sum())).all()
    assert table.attrs["horizon"] == 6


def test_bad_arguments_are_refused(uncertain_store):
    with pytest.raises(ConfigError, match="outcome"):
        sensitivity(uncertain_store, "growth")
    with pytest.raises(ConfigError, match="method"):
        sensitivity(uncertain_store, "target", method="delta")
    with pytest.raises(ConfigError, match="resamples"):
        sensitivity(uncertain_store, resamples=3)
    with pytest.raises(ConfigError, match="mix"):
        sensitivity(uncertain_store, mix={"transfer": 0.5})


def test_a_run_without_uncertainty_is_refused(grid_store):
    with pytest.raises(ConfigError, match="parameters"):
        sensitivity(grid_store)


def test_a_store_is_analysed_per_mix(uncertain_store):
    table = sensitivity(uncertain_store, "sigma", mix=["off", "on"], resamples=20)
    columns = ["mix", "outcome", "parameter", "method", "index", "ci_low", "ci_high", "rank", "n"]
    assert list(table.columns) == columns
    assert sorted(table["mix"].unique()) == [0, 3]
    assert set(table["parameter"]) == {"lambda_c", "tau_max", "dummy"}
    assert (table["ci_low"] <= table["index"] + 1e-12).all()
    assert (table["index"] <= table["ci_high"] + 1e-12).all()
    # with transfer on, sigma(T) depends on tau_max (the transfer strength) more than on chance
    on = table[(table["mix"] == 3) & (table["method"] == "S1")].set_index("parameter")
    assert on.loc["tau_max", "ci_low"] > on.loc["dummy", "ci_high"]


def test_a_store_gives_each_path_the_draws_of_a_simulation(uncertain_store):
    from uncertain_store import PATHS, SEED, UNCERTAINTY

    from mccoord.analysis.samples import path_sample

    scenario = mccoord.load_scenario("demo").with_overrides(uncertainty=UNCERTAINTY)
    sim = mccoord.simulate(scenario, {"transfer": 1, "cooperation": 1}, paths=PATHS, seed=SEED, years=8)
    stored = path_sample(uncertain_store, "on")
    mine = path_sample(sim)
    pd.testing.assert_frame_equal(stored.X, mine.X)
    assert np.array_equal(stored.target, mine.target)
    assert np.allclose(stored.sigma, mine.sigma, rtol=0, atol=1e-12)
