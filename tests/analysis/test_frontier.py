"""`frontier STORE` on real stores: non-dominated mixes in (cost, P(target)), unit costs."""

from __future__ import annotations

import numpy as np
import pytest

from mccoord.cli import main
from mccoord.errors import ConfigError
from mccoord.frontier import cheapest, dominated, frontier, parse_costs
from mccoord.scenario import COST_DEFAULTS, load_scenario
from mccoord.store import open_results


def test_dominated_matches_brute_force():
    rng = np.random.default_rng(1)
    cost = rng.integers(0, 5, 60).astype(float)
    p = rng.integers(0, 8, 60) / 8
    p[3] = np.nan
    expected = []
    for i in range(60):
        if np.isnan(p[i]):
            expected.append(True)
            continue
        expected.append(
            any(
                cost[j] <= cost[i] and p[j] >= p[i] and (cost[j] < cost[i] or p[j] > p[i])
                for j in range(60)
                if not np.isnan(p[j])
            )
        )
    np.testing.assert_array_equal(dominated(cost, p), expected)


def test_costs_come_from_the_scenario_table(base_store):
    table = frontier(open_results(base_store))
    assert table.attrs["costs"]["transfer"] == 4.0
    assert table.attrs["costs"]["cooperation"] == COST_DEFAULTS["cooperation"]
    row = table[(table["transfer"] == 1) & (table["cooperation"] == 1)].iloc[0]
    assert row["cost"] == pytest.approx(5.0)


def test_command_line_costs_override_the_scenario(base_store):
    table = frontier(open_results(base_store), {"transfer": 0.5})
    row = table[(table["transfer"] == 1) & (table["cooperation"] == 0)].iloc[0]
    assert row["cost"] == pytest.approx(0.5)


def test_frontier_mixes_are_not_dominated(base_store):
    table = frontier(open_results(base_store))
    front = table[table["on_frontier"]]
    for _, r in front.iterrows():
        better = table[
            (table["cost"] <= r["cost"])
            & (table["p_target"] >= r["p_target"])
            & ((table["cost"] < r["cost"]) | (table["p_target"] > r["p_target"]))
        ]
        assert better.empty
    assert table.iloc[0]["cost"] == 0 and table.iloc[0]["on_frontier"]


def test_cheapest_mix_reaching_a_probability(base_store):
    table = frontier(open_results(base_store))
    reach = float(table["p_target"].max())
    row = cheapest(table, reach)
    assert row["p_target"] >= reach
    assert (table[table["p_target"] >= reach]["cost"] >= row["cost"]).all()
    assert (
        cheapest(table, 1.0, confident=True) is None
        or cheapest(table, 1.0, confident=True)["p_target_lo"] >= 1
    )


def test_bad_costs_are_refused(base_store):
    with pytest.raises(ConfigError):
        parse_costs("transfer=-1")
    with pytest.raises(ConfigError):
        parse_costs("tax=1")
    with pytest.raises(ConfigError):
        frontier(open_results(base_store), {"transfer": float("inf")})


@pytest.mark.parametrize(
    "costs",
    ["transfer = -1", "tax = 1", 'transfer = "a lot"', 'units = ""'],
)
def test_bad_costs_table_is_refused(tmp_path, costs):
    from importlib import resources

    regions = resources.files("mccoord.configs") / "data" / "demo_regions.csv"
    (tmp_path / "r.csv").write_bytes(regions.read_bytes())
    (tmp_path / "s.toml").write_text(f'[scenario]\nregions = "r.csv"\n[costs]\n{costs}\n')
    with pytest.raises(ConfigError, match="costs"):
        load_scenario(tmp_path / "s.toml")


def test_costs_table_is_read(tmp_path):
    from importlib import resources

    regions = resources.files("mccoord.configs") / "data" / "demo_regions.csv"
    (tmp_path / "r.csv").write_bytes(regions.read_bytes())
    (tmp_path / "s.toml").write_text('[scenario]\nregions = "r.csv"\n[costs]\nmarket = 2.5\nunits = "bn"\n')
    costs = load_scenario(tmp_path / "s.toml").costs
    assert costs["market"] == 2.5 and costs["units"] == "bn" and costs["transfer"] == 1.0


def test_cli_frontier_prints_frontier_and_cheapest(base_store, capsys):
    assert main(["frontier", str(base_store), "--reach", "0", "--cost", "cooperation=2"]) == 0
    out = capsys.readouterr().out
    assert "not dominated" in out and "Cheapest mix with P(target) >= 0" in out and "cooperation 2" in out
