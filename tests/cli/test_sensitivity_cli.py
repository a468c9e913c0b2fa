"""``mccoord sensitivity STORE`` on a small real store."""

from __future__ import annotations

import pytest

from mccoord.cli import main


def test_cli_prints_the_ranking(uncertain_store, capsys):
    argv = ["sensitivity", str(uncertain_store), "--outcome", "sigma", "--mix", "on", "--resamples", "20"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "mix 3: transfer 1, cooperation 1" in out
    for name in ("lambda_c", "tau_max", "dummy"):
        assert name in out


def test_cli_discovery_and_plot(uncertain_store, tmp_path, capsys):
    figure = tmp_path / "box.png"
    argv = ["sensitivity", str(uncertain_store), "--discover", "--mix", "on", "--plot", str(figure)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "scenario discovery, mix 3" in out
    assert figure.stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--outcome", "target", "--method", "delta"], "method"),
        (["--mix", "transfer=0.5"], "mix.transfer"),
        (["--resamples", "2"], "resamples"),
        (["--discover", "--mix", "on", "--mix", "off"], "--mix"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(uncertain_store, capsys, argv, field):
    assert main(["sensitivity", str(uncertain_store), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and field in err


def test_cli_store_without_parameters(grid_store, capsys):
    assert main(["sensitivity", str(grid_store)]) == 2
    assert "uncertainty" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["sensitivity", "discovery"])
@pytest.mark.slow
def test_plot_kinds_of_parameter_uncertainty(uncertain_store, tmp_path, kind):
    out = tmp_path / f"{kind}.png"
    assert main(["plot", str(uncertain_store), "--kind", kind, "--mix", "on", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 5000


@pytest.mark.parametrize("kind", ["sensitivity", "discovery"])
def test_plot_kinds_of_parameter_uncertainty_refuse_a_run_without(grid_store, tmp_path, capsys, kind):
    out = tmp_path / f"{kind}.png"
    assert main(["plot", str(grid_store), "--kind", kind, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "[uncertainty] table" in err
    assert not out.exists()


def test_report_section_only_for_a_run_with_uncertainty(uncertain_store, grid_store):
    from mccoord.report.sensitivity_section import parameter_analyses, sensitivity_section

    page = sensitivity_section(parameter_analyses(uncertain_store, resamples=20))
    assert "Which parameters matter" in page and "Where the best mix fails" in page
    assert "tau_max" in page and "dummy" in page
    assert parameter_analyses(grid_store) is None and sensitivity_section(None) == ""


@pytest.mark.slow
def test_report_of_a_run_with_uncertainty_draws_every_kind(uncertain_store, tmp_path):
    from mccoord.plots import PLOT_KINDS
    from mccoord.report import write_report

    page = write_report(uncertain_store, tmp_path / "r.html").read_text()
    assert "<h2 id='sensitivity'>Which parameters matter</h2>" in page
    for kind in ("sensitivity", "discovery"):
        assert f"<figure id='fig-{kind}'><img alt='{kind}'" in page
    assert page.count("data:image/png;base64,") == len(PLOT_KINDS)
