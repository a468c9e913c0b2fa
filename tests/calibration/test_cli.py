"""``mccoord calibrate`` and ``mccoord backtest`` on the command line, and the backtest API."""

from __future__ import annotations

import tomllib

import pytest

import mccoord
from mccoord.cli import main

QUICK = ["--paths", "30", "--maxfev", "40"]


@pytest.fixture(scope="module")
def panel_csv(synthetic_panel, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "synthetic.csv"
    synthetic_panel.to_csv(path, index=False)
    return path


def test_defaults_agree():
    from mccoord.calibration import calibrate
    from mccoord.calibration.regimes import DEFAULT_REGIME_SOURCE
    from mccoord.commands import calibrate_cmd

    assert calibrate_cmd.DEFAULT_PATHS == calibrate.__kwdefaults__["paths"]
    assert calibrate_cmd.DEFAULT_SEED == calibrate.__kwdefaults__["seed"]
    assert calibrate_cmd.DEFAULT_N_SIGMA == calibrate.__kwdefaults__["n_sigma"]
    assert calibrate_cmd.DEFAULT_MAXFEV == calibrate.__kwdefaults__["maxfev"]
    assert calibrate_cmd.DEFAULT_REGIMES == ":".join(map(str, DEFAULT_REGIME_SOURCE))


def test_calibrate_csv_writes_scenario_with_its_command(panel_csv, tmp_path, capsys):
    out = tmp_path / "cal.toml"
    rc = main(["calibrate", str(panel_csv), "--start", "2020", "--end", "2028", *QUICK, "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0
    assert "sd_rel_growth" in captured.out and "rho_a" in captured.out
    assert "step 1" in captured.err  # progress goes to stderr
    sc = mccoord.load_scenario(out)
    assert sc.base_year == 2028 and sc.n_regions == 10
    assert "steady_state" in sc.regions
    header = out.read_text().splitlines()[1]
    assert f"mccoord calibrate {panel_csv} --start 2020 --end 2028 --model v2 --paths 30" in header
    assert "--regimes us:1929:1989" in header
    # the same --out again is refused before any work
    assert main(["calibrate", str(panel_csv), "--start", "2020", "--end", "2028", "--out", str(out)]) == 2
    assert "does not exist yet" in capsys.readouterr().err


def test_calibrate_with_template_rewrites_it_in_place(panel_csv, tmp_path, capsys):
    (tmp_path / "data").mkdir()
    tpl = tmp_path / "sc.toml"
    tpl.write_text(
        "[scenario]\nname = 'sc'\nregions = 'data/sc_fit.csv'\n[model]\nalpha = 0.35\nrho_a = 0.7\n"
        "[mechanisms]\ntransfer = [0.0, 0.5, 1.0]\n"
    )
    argv = ["calibrate", str(panel_csv), "--start", "2020", "--end", "2028", *QUICK]
    argv += ["--template", str(tpl), "--out", str(tpl)]
    assert main(argv) == 2  # exists: refused without --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0
    raw = tomllib.loads(tpl.read_text())
    assert raw["model"]["alpha"] == 0.35  # held fixed
    assert raw["model"]["rho_a"] != 0.7  # fitted, not taken from the template
    assert raw["mechanisms"] == {"transfer": [0.0, 0.5, 1.0]}
    assert (tmp_path / "data" / "sc_fit.csv").is_file()
    assert "--overwrite" in tpl.read_text().splitlines()[1]


def test_panel_without_dispersion_gets_one_line(synthetic_panel, tmp_path, capsys):
    flat = synthetic_panel.copy()
    flat.loc[flat["year"] == 2023, "gdp_per_capita"] = 500.0
    path = tmp_path / "flat.csv"
    flat.to_csv(path, index=False)
    assert main(["calibrate", str(path), "--start", "2020", "--end", "2030"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no dispersion" in err and "2023" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["calibrate", "atlantis", "--start", "2006", "--end", "2015"], "DATA"),
        (["calibrate", "china", "--start", "2015", "--end", "2015"], "end year after"),
        (["calibrate", "china", "--start", "2015", "--end", "2010"], "end year after"),
        (["calibrate", "china", "--start", "2000", "--end", "2010"], "2006-2024"),
        (["calibrate", "us", "--start", "1990", "--end", "2015"], "1929-2009"),
        (["calibrate", "china", "--start", "2006", "--end", "2015", "--out", "x.txt"], ".toml"),
        (["calibrate", "china", "--start", "2006", "--end", "2015", "--regimes", "us"], "DATA:Y0:Y1"),
        (["calibrate", "china", "--start", "2006", "--end", "2015", "--regimes", "us:1990:1995"], "at least"),
        (["calibrate", "china", "--start", "2006", "--end", "2015", "--template", "nope.toml"], "--template"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1993:1999"], "starting at or after"),
        (["backtest", "us", "--train", "1990-1995", "--test", "1995:1999"], "Y0:Y1"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1995:2015"], "1929-2009"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1995:1999", "--mix", "magic=1"], "mix"),
        (["backtest", "us", "--train", "1949:1969", "--test", "1969:1989"], "does not overlap the test"),
    ],
)
def test_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_existing_out_file_exits_2(tmp_path, capsys):
    out = tmp_path / "taken.toml"
    out.write_text("")
    assert main(["calibrate", "china", "--start", "2006", "--end", "2015", "--out", str(out)]) == 2
    assert "does not exist yet" in capsys.readouterr().err
    assert out.read_text() == ""


def test_backtest_smoke_us(capsys):
    argv = ["backtest", "us", "--train", "1990:1995", "--test", "1995:1999", "--paths", "60"]
    argv += ["--calib-paths", "30", "--maxfev", "40", "--seed", "5"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "sigma 1999" in text and "beta slope" in text
    assert "verdict: " in text
    verdict = text.split("verdict: ")[1].splitlines()[0]
    assert verdict.split(":")[0] in {"PASS", "MIXED", "FAIL"}


def test_backtest_api_reuses_a_calibration():
    from mccoord.calibration import backtest, calibrate
    from mccoord.calibration.backtest import BANDS

    cal = calibrate("us", 1990, 1995, paths=30, seed=1, maxfev=40)
    bt = backtest("us", (1990, 1995), "1995:1998", paths=40, calibration=cal, mix={"transfer": 1})
    assert bt.calibration is cal
    assert list(bt.table.index) == ["sigma 1996", "sigma 1997", "sigma 1998", "beta slope", "growth"]
    for band in BANDS:
        assert bt.table[f"percentile_{band}"].between(0, 100).all()
        inside = (bt.table[f"q05_{band}"] <= bt.table["observed"]) & (
            bt.table["observed"] <= bt.table[f"q95_{band}"]
        )
        assert (inside == bt.table[f"inside_{band}"]).all()
    assert bt.band == "parameters"
    # each path of the parameter band draws its own fitted keys: the bands differ
    sigma_rows = bt.table.index.str.startswith("sigma")
    assert (bt.table.loc[sigma_rows, "q05_parameters"] != bt.table.loc[sigma_rows, "q05_shocks"]).all()
    assert bt.mix["transfer"] == 1.0
    assert bt.passed == bt.verdict.startswith("PASS")
    with pytest.raises(mccoord.ConfigError):
        backtest("us", (1990, 1994), "1995:1998", calibration=cal)
