"""Built-in scenarios load by name with their documented regions and data; bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.errors import ConfigError
from mccoord.inputs import model_inputs


def test_builtin_scenarios_are_listed():
    assert {"china", "us", "demo"} <= set(mccoord.builtin_scenarios())


def test_china_has_31_provinces_in_four_groups(china):
    assert china.n_regions == 31
    assert set(china.regions["group"]) == {"East", "Central", "West", "Northeast"}
    assert china.base_year == 2024
    s = china.regions["specialisation"]
    assert s.min() == 0.0 and s.max() == 1.0
    assert len(china.mixes()) == 3**5


def test_china_distances_are_great_circle_between_capitals(china):
    reg = china.regions.set_index("region")
    i, j = reg.index.get_loc("Beijing"), reg.index.get_loc("Shanghai")
    assert 1050 < china.distance_km[i, j] < 1100  # about 1,067 km


def test_us_has_48_states():
    us = mccoord.load_scenario("us")
    assert us.n_regions == 48 and us.base_year == 2009
    assert "Alaska" not in set(us.regions["region"])


def test_initial_income_is_relative_to_the_population_weighted_mean(china):
    inputs = model_inputs(china)
    assert abs(np.exp(inputs.lny0) @ inputs.L0 - 1.0) < 1e-12
    assert abs(inputs.L0.sum() - 1) < 1e-12
    assert inputs.G.sum(axis=1).max() == pytest.approx(1.0)
    assert (np.diag(inputs.G) == 0).all()


def test_overrides_apply_to_simulation_and_model_keys():
    sc = mccoord.load_scenario("demo", years=7, alpha=0.3, mechanisms={"transfer": [0, 0.5]})
    assert sc.simulation["years"] == 7 and sc.params["alpha"] == 0.3
    assert len(sc.mixes()) == 2 * 2**4


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"alpha": 1.5}, "model.alpha"),
        ({"nonsense": 1}, "nonsense"),
        ({"years": 0}, "simulation.years"),
        ({"mechanisms": {"transfer": [2.0]}}, "mechanisms.transfer"),
        ({"mu_k": 5.0}, "model.mu_k"),
    ],
)
def test_bad_overrides_name_the_field(kwargs, field):
    with pytest.raises(ConfigError) as err:
        mccoord.load_scenario("demo", **kwargs)
    assert err.value.field == field


def test_unknown_scenario_name_lists_the_builtins():
    with pytest.raises(ConfigError, match="china"):
        mccoord.load_scenario("atlantis")
