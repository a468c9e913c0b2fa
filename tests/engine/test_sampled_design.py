"""Sampled mix designs: ``sobol:N`` is the Saltelli design of N base points."""

from __future__ import annotations

import numpy as np
import pytest

import mccoord
from mccoord.analysis.attribution import saltelli_base
from mccoord.design import make_design, sobol_mix_count
from mccoord.errors import ConfigError


def test_sobol_n_runs_twelve_n_mixes_in_saltelli_order():
    design = make_design(mccoord.load_scenario("demo"), "sobol:4", seed=7)
    assert design.n_mix == sobol_mix_count(4) == 48
    assert saltelli_base(design.theta) == 4
    assert ((design.theta >= 0) & (design.theta <= 1)).all()


def test_the_seed_fixes_the_design():
    sc = mccoord.load_scenario("demo")
    a, b = make_design(sc, "sobol:8", seed=3), make_design(sc, "sobol:8", seed=3)
    assert np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, make_design(sc, "sobol:8", seed=4).theta)


@pytest.mark.parametrize("text", ["sobol:6", "sobol:1", "sobol:0", "sobol:x"])
def test_a_base_that_is_not_a_power_of_two_is_refused(text):
    with pytest.raises(ConfigError, match="power of two"):
        make_design(mccoord.load_scenario("demo"), text, seed=0)


def test_the_task_bound_counts_the_twelve_n_mixes_of_a_sobol_design(tmp_path, monkeypatch):
    import mccoord.design

    def never_drawn(*args, **kwargs):
        raise AssertionError("the design was drawn before the task bound was checked")

    monkeypatch.setattr(mccoord.design, "sobol_design", never_drawn)
    # one mix per task: 2**17 base points are 131072 tasks (under the bound of 10**6); their
    # 12 N mixes are not.
    n = 2**17
    with pytest.raises(ConfigError, match=f"{sobol_mix_count(n)} mixes"):
        mccoord.run(
            "demo", mixes=f"sobol:{n}", paths=100, years=4, mixes_per_task=1, workers=0,
            store=tmp_path / "s.zarr",
        )  # fmt: skip
    assert not (tmp_path / "s.zarr").exists()
