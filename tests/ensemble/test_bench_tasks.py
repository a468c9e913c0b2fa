"""The per-task cost benchmark (bench/tasks.py) on tiny sizes: structure, never timings."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "bench" / "tasks.py").is_file():  # pragma: no cover - installed without checkout
    pytest.skip("bench/ is only in the source checkout", allow_module_level=True)
# pytest puts the checkout root (the folder above tests/) on sys.path, so bench/ imports
# as a package there.
from bench import core, tasks  # noqa: E402


def test_task_phases_time_every_task_and_the_final_reduction(tmp_path):
    res = tasks.task_phases(mixes=2, paths=200, years=3, paths_per_task=100, store=tmp_path / "t.zarr")
    assert res["tasks"]["kernel"]["n"] == res["tasks"]["write_block"]["n"] == 4
    assert res["tasks"]["task"]["n"] == 4
    assert res["reduce_store"]["seconds"] > 0 and res["wall_s"] > res["tasks"]["task"]["total_s"]


def test_store_growth_counts_every_raw_array(tmp_path):
    store = tmp_path / "g.zarr"
    tasks.task_phases(mixes=1, paths=100, years=2, paths_per_task=100, store=store)
    growth = tasks.store_growth(store, mixes=1, paths=100, years=2)
    assert {"path_sigma", "path_valid", "g_rel_income", "done"} <= set(growth["raw_bytes"])
    per = growth["bytes_per_path_mix"]
    assert per["all_raw"] == pytest.approx(sum(growth["raw_bytes"].values()) / 100)


@pytest.mark.slow
def test_scheduling_cost_is_measured_on_a_scheduler_process():
    res = tasks.scheduling(n_tasks=20)
    assert res["tasks"] == 20 and res["wall_ms_per_task"] > 0 and res["scheduler_cpu_ms_per_task"] >= 0


def test_tasks_is_a_bench_section():
    assert "tasks" in core.SECTIONS
