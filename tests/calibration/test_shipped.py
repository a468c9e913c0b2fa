"""The shipped ``china`` and ``us`` scenarios are what their recorded ``mccoord calibrate`` gives.

Each shipped TOML records, on its second line, the command that wrote it. The slow test
re-runs that command into a temporary directory and compares the fitted values in the
coordinates the least-squares search works in
(:class:`mccoord.calibration.objective.Parameterisation`). The objective is deterministic
(common random numbers), so on the same code and platform the fit is bit for bit the
same. The tolerance is what the search's stopping rule allows: it stops when its last
step is below ``XTOL * (XTOL + |x|)``, so two runs that end near one minimum (floating
point on another platform can change the last steps) lie within about one such step of
it each, ``2 * XTOL * (XTOL + |x|)`` of each other.
"""

from __future__ import annotations

import shlex
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mccoord
from mccoord.calibration import PARAMETERS
from mccoord.calibration.calibrate import XTOL
from mccoord.calibration.objective import Parameterisation
from mccoord.cli import main

CONFIGS = Path(str(resources.files("mccoord.configs")))


def recorded_command(name: str) -> list[str]:
    """The argv recorded in the header of ``configs/NAME.toml`` (without ``mccoord``)."""
    line = (CONFIGS / f"{name}.toml").read_text().splitlines()[1]
    assert line.startswith("#   mccoord calibrate "), line
    return shlex.split(line[len("#   mccoord ") :])


@pytest.mark.parametrize("name", ["china", "us"])
def test_shipped_scenario_records_its_calibration(name):
    argv = recorded_command(name)
    assert argv[:2] == ["calibrate", name]
    assert argv[argv.index("--template") + 1] == f"configs/{name}.toml"
    assert argv[argv.index("--out") + 1] == f"configs/{name}.toml"
    sc = mccoord.load_scenario(name)
    assert "steady_state" in sc.regions
    assert sc.uncertainty.calibrated is not None
    assert sc.uncertainty.calibrated.keys == PARAMETERS
    assert [m.key for m in sc.uncertainty.marginals] == sorted(
        ["lambda_c", "chi_c", "nu_c", "tau_max", "psi_m", "omega", "hr1", "boost", "eta"],
        key=lambda k: list(sc.params).index(k),
    )
    for k in PARAMETERS:
        assert sc.uncertainty.calibrated.mean[PARAMETERS.index(k)] == sc.params[k]
    assert sc.params["regime_exit"] == sc.params["regime_entry"] > 0
    text = (CONFIGS / f"{name}.toml").read_text()
    assert "us 1929-1989" in text  # where the regime hazards come from
    sources = (CONFIGS / "SOURCES.md").read_text()
    assert shlex.join(["mccoord", *argv]) in sources


@pytest.mark.slow
@pytest.mark.parametrize("name", ["china", "us"])
def test_fresh_calibration_reproduces_the_shipped_scenario(name, tmp_path):
    argv = recorded_command(name)
    out = tmp_path / f"{name}.toml"
    (tmp_path / "data").mkdir()
    argv[argv.index("--template") + 1] = str(CONFIGS / f"{name}.toml")
    argv[argv.index("--out") + 1] = str(out)
    argv.remove("--overwrite")
    assert main(argv) == 0

    shipped = tomllib.loads((CONFIGS / f"{name}.toml").read_text())
    fresh = tomllib.loads(out.read_text())
    fixed = mccoord.load_scenario(name).params
    fmap = Parameterisation.for_keys(PARAMETERS, fixed, substeps=1)
    x_shipped = fmap.unconstrained({k: shipped["model"][k] for k in PARAMETERS})
    x_fresh = fmap.unconstrained({k: fresh["model"][k] for k in PARAMETERS})
    tol = 2 * XTOL * (XTOL + np.linalg.norm(x_shipped))
    assert np.linalg.norm(x_fresh - x_shipped) <= tol, (x_fresh, x_shipped, tol)
    for k in ("regime_exit", "regime_entry", "regime0"):
        assert fresh["model"][k] == shipped["model"][k]  # estimated from data, not optimised
    rel = shipped["scenario"]["regions"]
    ss_shipped = np.log(pd.read_csv(CONFIGS / rel)["steady_state"].to_numpy())
    ss_fresh = np.log(pd.read_csv(tmp_path / rel)["steady_state"].to_numpy())
    # the column is exp(phi ln y*): phi is one coordinate of x when identified, else exactly 1
    np.testing.assert_allclose(ss_fresh, ss_shipped, rtol=0, atol=tol * np.abs(ss_shipped).max())
