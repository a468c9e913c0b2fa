"""The micro-benchmark's peak kernel and mix parsing (structure only, no timing)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "bench" / "micro.py").is_file():  # pragma: no cover - installed without checkout
    pytest.skip("bench/ is only in the source checkout", allow_module_level=True)
# pytest puts the checkout root (the folder above tests/) on sys.path, so bench/ imports
# as a package there.
from bench import micro  # noqa: E402


def test_mix_is_parsed_from_the_command_line_form():
    assert micro.parse_mix("add=16,mul=4,exp=1") == {"add": 16, "mul": 4, "exp": 1}


@pytest.mark.parametrize("text", ["add=x", "sqrt=2", "add"])
def test_bad_mix_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        micro.parse_mix(text)


def test_peak_kernel_refuses_an_empty_mix():
    with pytest.raises(ValueError, match="not all zero"):
        micro.peak_kernel({"add": 0}, 8)


@pytest.mark.parametrize("lanes", [8, 16])
def test_peak_kernel_stays_finite_and_in_range_over_many_iterations(lanes):
    mix = {"add": 5, "mul": 3, "div": 1, "exp": 1, "log": 1}
    kernel = micro.peak_kernel(mix, lanes)
    out = np.empty(lanes)
    kernel(200_000, 1.0 + np.arange(lanes) / lanes, out)
    n_chains = kernel.chains
    assert np.all(np.isfinite(out))
    # adds drift by at most C per iteration and chain, products stay near their start
    assert np.all(out > 0.5 * n_chains) and np.all(out < 2.5 * n_chains + 200_000 * 5 * micro._C)


def test_default_chains_fill_the_registers_without_spilling():
    width, registers = micro._vector_registers()
    for lanes in (8, 16):
        chains = micro.default_chains(lanes)
        assert chains >= 1 and chains * -(-lanes // width) <= registers - 4


def test_the_mix_is_spread_evenly_over_an_iteration():
    seq = micro._sequence({"add": 6, "mul": 3, "exp": 1})
    assert sorted(seq) == sorted(["add"] * 6 + ["mul"] * 3 + ["exp"])
    mul_at = [i for i, op in enumerate(seq) if op == "mul"]
    assert max(mul_at) - min(mul_at) >= 5  # not bunched together
