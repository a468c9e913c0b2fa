"""Smoke test of the benchmark suite (bench/): structure only, no timing assertions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "bench" / "core.py").is_file():  # pragma: no cover - installed without checkout
    pytest.skip("bench/ is only in the source checkout", allow_module_level=True)
# pytest puts the checkout root (the folder above tests/) on sys.path, so bench/ imports
# as a package there.
from bench import core  # noqa: E402


def test_kernel_throughput_on_tiny_sizes(tmp_path):
    res = {
        "kernel": core.kernel_throughput(paths=3, years=4, repeats=2),
        "reference": core.reference_throughput(paths=2, years=4, repeats=1),
    }
    res["reference"]["kernel_speedup"] = (
        res["kernel"]["region_steps_per_s"] / res["reference"]["region_steps_per_s"]
    )
    k = res["kernel"]
    assert k["R"] == 31 and k["threads"] == 1 and k["region_steps"] == 3 * 4 * 31
    assert k["region_steps_per_s"] > 0 and k["rng"]["seconds"] > 0 and k["kernel_over_rng"] > 0
    assert len(k["all_seconds"]) == 2

    meta = core.machine()
    for key in ("cpu", "cores", "numba_threading_layer", "versions"):
        assert key in meta
    assert "numba" in meta["versions"]

    text = core.table(res, meta)
    assert "kernel throughput" in text and "kernel / reference" in text and "| target |" in text

    doc = {"quick": True, "machine": meta, "targets": core.targets(res), "results": res}
    path = core.write_results(doc, tmp_path)
    assert path.exists() and (tmp_path / "latest.json").exists()
    back = json.loads((tmp_path / "latest.json").read_text())
    assert back["results"]["kernel"]["paths"] == 3
    assert {t["target"] for t in back["targets"]} >= {
        "kernel / NumPy reference (per core)",
        "kernel time / RNG floor",
    }


def test_cli_registers_bench():
    from mccoord.cli import build_parser

    args = build_parser().parse_args(["bench", "--quick", "--only", "kernel"])
    assert args.quick and args.only == ["kernel"]


def test_bench_command_runs_python_m_bench_with_the_options(tmp_path):
    from mccoord.cli import build_parser
    from mccoord.commands.bench_cmd import bench_command

    args = build_parser().parse_args(
        ["bench", "--quick", "--only", "kernel", "tasks", "--out", str(tmp_path)]
    )
    assert bench_command(args) == [
        sys.executable,
        "-m",
        "bench",
        "--quick",
        "--only",
        "kernel",
        "tasks",
        "--out",
        str(tmp_path.resolve()),
    ]


def test_bench_without_a_checkout_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    from mccoord.cli import main
    from mccoord.commands import bench_cmd

    monkeypatch.setattr(bench_cmd, "CHECKOUT", tmp_path)
    assert main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bench/" in err and "checkout" in err
