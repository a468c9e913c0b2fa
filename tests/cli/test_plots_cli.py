"""Every plot kind renders; the plot and report commands exit 0, or 2 on bad input."""

from __future__ import annotations

import warnings

import pytest

from mccoord.cli import main
from mccoord.plots import PLOT_KINDS, plot_drivers, plot_heatmap, save

#: Kinds every run has; the others need parameters drawn per path (test_sensitivity_cli).
EVERY_RUN = [k.name for k in PLOT_KINDS if not k.per_path_parameters]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    data = path.read_bytes()
    return data.startswith(PNG_MAGIC) and len(data) > 5000


@pytest.mark.parametrize("store", ["grid_store", "sobol_store"])
@pytest.mark.parametrize("kind", EVERY_RUN)
def test_cli_plot_each_kind(request, tmp_path, store, kind):
    path = request.getfixturevalue(store)
    out = tmp_path / f"{kind}.png"
    with warnings.catch_warnings():
        # 8 base points give imprecise Sobol indices: the warning is tested in test_figure_text
        warnings.filterwarnings("ignore", message="Sobol indices of .* are imprecise")
        assert main(["plot", str(path), "--kind", kind, "--out", str(out)]) == 0
    assert _is_png(out)


def test_plot_options(grid_store, grid3_store, tmp_path):
    out = tmp_path / "h.png"
    assert (
        main(
            [
                "plot",
                str(grid_store),
                "--kind",
                "heatmap",
                "--x",
                "cooperation",
                "--y",
                "supervision",
                "--metric",
                "p_sigma",
                "--time",
                "5",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert _is_png(out)
    out = tmp_path / "c.png"
    assert (
        main(
            [
                "plot",
                str(grid_store),
                "--kind",
                "curves",
                "--mix",
                "off",
                "--mix",
                "transfer=1,market=1,cooperation=0,supervision=0,order_parameter=0",
                "--metric",
                "p_sigma",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert _is_png(out)
    out = tmp_path / "d.png"
    assert main(["plot", str(grid_store), "--kind", "drivers", "--x", "cooperation", "--out", str(out)]) == 0
    assert _is_png(out)
    ax = plot_heatmap(grid3_store, "transfer", "market", "sigma", fixed={"cooperation": 0.0})
    assert _is_png(save(ax, tmp_path / "h3.png"))
    assert _is_png(save(plot_drivers(grid3_store, over="transfer"), tmp_path / "d3.png"))


def test_cli_plot_errors(grid_store, tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(["plot", str(tmp_path / "missing.zarr"), "--out", str(out)]) == 2
    assert main(["plot", str(tmp_path), "--out", str(out)]) == 2  # not a store
    assert main(["plot", str(grid_store), "--kind", "heatmap", "--x", "nope", "--out", str(out)]) == 2
    assert main(["plot", str(grid_store), "--metric", "nope", "--out", str(out)]) == 2
    assert main(["plot", str(grid_store), "--kind", "fan", "--mix", "transfer=0.3", "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["plot", str(grid_store), "--out", str(out)]) == 0
    assert main(["plot", str(grid_store), "--out", str(out)]) == 2  # exists
    assert main(["plot", str(grid_store), "--out", str(out), "--overwrite"]) == 0
    assert "error" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_report(grid_store, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(grid_store), "--out", str(out)]) == 0
    page = out.read_text()
    assert page.count("data:image/png;base64,") == len(EVERY_RUN)
    assert "Figure sensitivity: the run drew no parameters per path" in page
    stamp = out.stat().st_mtime_ns
    assert main(["report", str(grid_store), "--out", str(out)]) == 2  # never overwrite
    assert out.stat().st_mtime_ns == stamp and out.read_text() == page
    assert "never overwritten" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.zarr"), "--out", str(tmp_path / "r2.html")]) == 2
    assert main(["report", str(grid_store), "--out", str(tmp_path / "no" / "dir.html")]) == 2
    assert not (tmp_path / "r2.html").exists()


def test_write_report_refuses_existing(grid_store, tmp_path):
    from mccoord.errors import ConfigError
    from mccoord.report import write_report

    out = tmp_path / "r.html"
    out.write_text("keep me")
    with pytest.raises(ConfigError):
        write_report(grid_store, out)
    assert out.read_text() == "keep me"
