"""Thin commands: one entry-point convention; simulate's summary, run's table, report sections."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

import mccoord
from mccoord.cli import COMMAND_MODULES, build_parser, main
from mccoord.intervals import wilson_interval
from mccoord.summary import summarize


@pytest.mark.parametrize("name", COMMAND_MODULES)
def test_every_command_registers_its_main(name):
    module = importlib.import_module(name)
    command = name.rsplit(".", 1)[1].removesuffix("_cmd")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    assert sub.get_default("func") is module.main


@pytest.fixture(scope="module")
def one_mix():
    return mccoord.simulate(mccoord.load_scenario("demo"), {"cooperation": 1}, paths=300, seed=2, years=8)


def test_summary_gives_p_target_with_binomial_se_and_wilson_interval(one_mix):
    table = summarize(one_mix)
    row = table.loc[[q for q in table.index if q.startswith("P(target")][0]]
    valid = one_mix["valid"].values
    hit = one_mix["first_passage"].values[valid] <= 8
    p, n = hit.mean(), valid.sum()
    assert row["estimate"] == pytest.approx(p)
    assert row["se"] == pytest.approx(np.sqrt(p * (1 - p) / n))
    lo, hi = wilson_interval(p, n)
    assert (row["lo"], row["hi"]) == (pytest.approx(float(lo)), pytest.approx(float(hi)))


def test_summary_gives_standard_errors_of_means(one_mix):
    row = summarize(one_mix).loc["mean national growth"]
    g = one_mix["growth"].values[one_mix["valid"].values]
    assert row["se"] == pytest.approx(g.std(ddof=1) / np.sqrt(g.size))


def test_cli_simulate_prints_standard_errors_and_p_target(capsys):
    assert main(["simulate", "demo", "--mix", "transfer=1", "--paths", "100", "--years", "5"]) == 0
    out = capsys.readouterr().out
    assert "P(target: sigma down 25% within 5 years)" in out and "SE" in out and "95% interval" in out


def test_cli_simulate_refuses_a_named_mix(capsys):
    assert main(["simulate", "demo", "--mix", "best", "--paths", "10"]) == 2
    assert "MECH=VALUE" in capsys.readouterr().err


def test_cli_run_prints_the_ranking_and_applies_settings(tmp_path, capsys):
    out = tmp_path / "s.zarr"
    argv = ["run", "demo", "--paths", "100", "--years", "3", "--workers", "0", "--out", str(out)]
    assert main([*argv, "--set", "tau_max=0.2", "--set", "review=4", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "Mixes ranked by P(target)" in text and "tied '='" in text
    assert len([line for line in text.splitlines() if line[:4].strip().isdigit()]) == 3
    config = json.loads(mccoord.store.read_attrs(out)["config"])
    assert config["scenario"]["model"]["tau_max"] == 0.2 and config["scenario"]["model"]["review"] == 4


@pytest.mark.parametrize("setting", ["tau_max", "tau_max=", "nokey=1", "tau_max=[1"])
def test_cli_run_refuses_a_bad_setting(tmp_path, capsys, setting):
    out = tmp_path / "s.zarr"
    assert main(["run", "demo", "--workers", "0", "--out", str(out), "--set", setting]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.slow
def test_report_has_ranking_notes_and_frontier_section(grid_store):
    from mccoord.report import render_report

    page = render_report(grid_store, top=3)
    assert "<h2 id='frontier'>" in page and "Cheapest mix with P(target)" in page
    assert "95% Wilson score interval" in page and "id='fig-frontier'" in page
