"""A calibration written as a scenario: steady states, fitted keys, regime source, calibrated block."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

import mccoord
from mccoord.calibration import PARAMETERS, load_panel
from mccoord.calibration.scenario_file import toml_value, write_scenario


def test_written_scenario_loads_with_fitted_values_and_steady_states(small_fit, tmp_path):
    out = write_scenario(
        small_fit, tmp_path / "fit.toml", command="mccoord calibrate x --start 2020 --end 2030"
    )
    sc = mccoord.load_scenario(out)
    assert sc.base_year == 2030
    for k in PARAMETERS:
        assert sc.params[k] == small_fit.estimates[k]
    assert sc.params["regime_exit"] == small_fit.regimes.hazard
    regions = pd.read_csv(tmp_path / "fit_regions_2030.csv").set_index("region")
    ystar = np.log(regions["steady_state"])
    expected = small_fit.phi * small_fit.steady.ln_ystar
    np.testing.assert_allclose(ystar - ystar.mean(), expected - expected.mean(), atol=1e-8)
    np.testing.assert_allclose(regions["gdp_per_capita"], load_panel(small_fit.panel).income[2030], rtol=1e-9)
    text = out.read_text()
    assert "mccoord calibrate x --start 2020 --end 2030" in text
    assert "us 1929-1989" in text  # where the regime hazards come from


def test_calibrated_block_has_the_documented_format(small_fit, tmp_path):
    out = write_scenario(small_fit, tmp_path / "fit.toml")
    raw = tomllib.loads(out.read_text())
    block = raw["uncertainty"]["calibrated"]
    assert set(block) == {"keys", "mean", "cov"}
    assert block["keys"] == ["sigma", "sigma_common", "g", "lambda0", "rho_a"]
    assert block["mean"] == [small_fit.estimates[k] for k in PARAMETERS]
    cov = np.array(block["cov"])
    np.testing.assert_array_equal(cov, cov.T)
    line = next(x for x in out.read_text().splitlines() if x.startswith("calibrated = "))
    assert line.startswith("calibrated = { keys = [")  # one inline table on one line


def test_template_keeps_grid_settings_fixed_keys_and_marginals(small_fit, tmp_path):
    (tmp_path / "data").mkdir()
    tpl = tmp_path / "tpl.toml"
    tpl.write_text(
        "[scenario]\nname = 'mine'\ndescription = 'kept'\nregions = 'data/mine.csv'\n"
        "[simulation]\nyears = 12\nseed = 5\n"
        "[model]\nsigma = 0.9\n"
        "[mechanisms]\ntransfer = [0.0, 0.5, 1.0]\n"
        "[uncertainty]\nlambda_c = { dist = 'uniform', low = 0.025, high = 0.075 }\n"
        "calibrated = { keys = ['g'], mean = [0.5], cov = [[1.0]] }\n"
    )
    out = write_scenario(small_fit, tmp_path / "out.toml", template=tpl)
    raw = tomllib.loads(out.read_text())
    assert raw["scenario"]["name"] == "mine" and raw["scenario"]["regions"] == "data/mine.csv"
    assert (tmp_path / "data" / "mine.csv").is_file()
    assert raw["simulation"]["years"] == 12 and raw["simulation"]["seed"] == 5
    assert raw["mechanisms"] == {"transfer": [0.0, 0.5, 1.0]}
    assert raw["model"]["sigma"] == small_fit.estimates["sigma"]  # fitted keys replace the template's
    assert raw["uncertainty"]["lambda_c"] == {"dist": "uniform", "low": 0.025, "high": 0.075}
    assert raw["uncertainty"]["calibrated"]["keys"] == list(PARAMETERS)


def test_template_with_keys_the_fit_did_not_hold_fixed_is_refused(small_fit, tmp_path):
    tpl = tmp_path / "tpl.toml"
    tpl.write_text("[scenario]\nregions = 'r.csv'\n[model]\nalpha = 0.35\n")
    with pytest.raises(mccoord.ConfigError, match="model.alpha"):
        write_scenario(small_fit, tmp_path / "out.toml", template=tpl)
    assert not (tmp_path / "out.toml").exists()


def test_nothing_is_overwritten_without_overwrite(small_fit, tmp_path):
    out = write_scenario(small_fit, tmp_path / "fit.toml")
    before = out.read_bytes()
    with pytest.raises(mccoord.ConfigError, match="--overwrite"):
        write_scenario(small_fit, out)
    assert out.read_bytes() == before
    write_scenario(small_fit, out, overwrite=True)


@pytest.mark.parametrize(
    "value, text",
    [
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (3, "3"),
        ('a"b', '"a\\"b"'),
        ([1.0, 2], "[1.0, 2]"),
        ({"a": 1}, "{ a = 1 }"),
    ],
)
def test_toml_values_round_trip(value, text):
    assert toml_value(value) == text
    assert tomllib.loads(f"x = {text}")["x"] == value
