"""Subprocess parts of the benchmark; each prints one JSON line.

``python -m bench._child first_step``: import mccoord and complete the first step.
``python -m bench._child memory N YEARS``: ``mccoord.run`` on one mix, peak RSS.
``python -m bench._child opcount YEARS``: operations per path-step (:mod:`bench.opcount`).
"""

from __future__ import annotations

import json
import sys
import time

T_START = time.perf_counter()


def first_step() -> dict:
    import mccoord
    from mccoord.blocks import run_block
    from mccoord.inputs import mix_vector, model_inputs

    t_import = time.perf_counter()
    inputs = model_inputs(mccoord.load_scenario("china"))
    theta = mix_vector(dict.fromkeys(mccoord.MECHANISMS, 1.0))
    run_block(
        inputs, theta, seed=0, path0=0, n_paths=1, years=1, substeps=1, record_every=1, target_reduction=0.25
    )
    t_done = time.perf_counter()
    return {
        "import_s": t_import - T_START,
        "kernel_first_step_s": t_done - t_import,
        "inside_s": t_done - T_START,
    }


def memory(n: int, years: int) -> dict:
    import resource
    import tempfile
    import threading
    from pathlib import Path

    import psutil

    import mccoord

    proc = psutil.Process()
    peak = [proc.memory_info().rss]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            stop.wait(0.05)

    th = threading.Thread(target=sample, daemon=True)
    rss_before = proc.memory_info().rss
    th.start()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mccoord-bench-mem-") as tmp:
        ds = mccoord.run(
            "china",
            mixes=[dict.fromkeys(mccoord.MECHANISMS, 1.0)],
            paths=n,
            years=years,
            workers=0,
            store=Path(tmp) / "run.zarr",
            progress=False,
        )
        ds.close()
    run_s = time.perf_counter() - t0
    stop.set()
    th.join()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "paths": n,
        "years": years,
        "run_s": run_s,
        "rss_before_mb": rss_before / 2**20,
        "peak_rss_mb": max(peak[0] / 2**20, maxrss),
        "sampled_peak_mb": peak[0] / 2**20,
        "ru_maxrss_mb": maxrss,
    }


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "first_step":
        out = first_step()
    elif what == "memory":
        out = memory(int(sys.argv[2]), int(sys.argv[3]))
    elif what == "opcount":
        from bench.opcount import count_path

        out = count_path(years=int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown child task {what!r}")
    print(json.dumps(out))
