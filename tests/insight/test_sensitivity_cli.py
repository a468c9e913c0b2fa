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


@pytest.mark.slow
def test_report_has_the_section_for_a_run_with_uncertainty(uncertain_store, grid_store):
    from mccoord.report.sensitivity_section import sensitivity_section

    page = sensitivity_section(uncertain_store, resamples=20)
    assert "Which parameters matter" in page and "fig-sensitivity" in page
    assert "tau_max" in page and "dummy" in page
    assert sensitivity_section(grid_store) == ""
