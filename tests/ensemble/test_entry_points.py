"""`mccoord.run` works as written from a plain script, a notebook and the command line.

The Python API runs on threads of the calling process, so a script needs no
``if __name__ == "__main__":``; the command line runs on a local cluster of worker
processes. All three give the same dataset for the same seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import xarray as xr

from .support import cli, strip_run_provenance

pytestmark = pytest.mark.slow

RUN = dict(paths=200, years=6, paths_per_task=100, seed=3)
API_CALL = (
    'mccoord.run("demo", store="{store}", paths={paths}, years={years}, '
    "paths_per_task={paths_per_task}, seed={seed}, progress=False)"
)


@pytest.fixture(scope="module")
def from_cli(tmp_path_factory):
    """The CLI's run (default execution: a local cluster) and its stderr."""
    where = tmp_path_factory.mktemp("cli")
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in RUN.items()]
    out = cli("run", "demo", "--out", "cli.zarr", *flags, cwd=where)
    assert out.returncode == 0, out.stderr
    return strip_run_provenance(xr.open_zarr(where / "cli.zarr")), out.stderr


def run_script(tmp_path, env: dict | None = None) -> subprocess.CompletedProcess:
    script = tmp_path / "plain.py"
    script.write_text(
        textwrap.dedent(
            f"""\
            import mccoord

            ds = {API_CALL.format(store="script.zarr", **RUN)}
            print(int(ds.attrs["n_mix"]))
            """
        )
    )
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_cli_runs_on_a_local_cluster_and_prints_its_dashboard(from_cli):
    _, stderr = from_cli
    assert "mccoord: Dask dashboard: http://127.0.0.1:" in stderr


def test_a_plain_script_without_main_guard_gives_the_cli_dataset(from_cli, tmp_path):
    out = run_script(tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "32"
    xr.testing.assert_identical(from_cli[0], strip_run_provenance(xr.open_zarr(tmp_path / "script.zarr")))


def test_a_script_under_numba_workqueue_layer_runs_and_gives_the_cli_dataset(from_cli, tmp_path):
    """workqueue aborts on concurrent parallel kernels: the API must then run one at a time."""
    out = run_script(tmp_path, env=dict(os.environ, NUMBA_THREADING_LAYER="workqueue"))
    assert out.returncode == 0, out.stderr
    xr.testing.assert_identical(from_cli[0], strip_run_provenance(xr.open_zarr(tmp_path / "script.zarr")))


def test_a_notebook_gives_the_cli_dataset(from_cli, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import mccoord"),
        nbformat.v4.new_code_cell(f"ds = {API_CALL.format(store='notebook.zarr', **RUN)}\nds"),
    ]
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    xr.testing.assert_identical(from_cli[0], strip_run_provenance(xr.open_zarr(tmp_path / "notebook.zarr")))
