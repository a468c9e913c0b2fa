"""``mccoord calibrate`` and ``mccoord backtest`` on the command line, and the backtest API."""

from __future__ import annotations

import pytest

import mccoord
from mccoord.cli import main


@pytest.fixture(scope="module")
def panel_csv(synthetic_panel, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "synthetic.csv"
    synthetic_panel.to_csv(path, index=False)
    return path


def test_defaults_agree():
    from mccoord.calibration import calibrate
    from mccoord.commands import calibrate_cmd

    assert calibrate_cmd.DEFAULT_PATHS == calibrate.__kwdefaults__["paths"]
    assert calibrate_cmd.DEFAULT_SEED == calibrate.__kwdefaults__["seed"]


def test_calibrate_csv_writes_scenario(panel_csv, tmp_path, capsys):
    out = tmp_path / "cal.toml"
    rc = main(
        ["calibrate", str(panel_csv), "--start", "2020", "--end", "2028", "--paths", "40", "--out", str(out)]
    )
    text = capsys.readouterr().out
    assert rc == 0
    assert "sd_growth" in text and "lambda0" in text
    sc = mccoord.load_scenario(out)
    assert sc.base_year == 2028
    assert sc.n_regions == 10
    # the same --out again is refused before any work
    assert main(["calibrate", str(panel_csv), "--start", "2020", "--end", "2028", "--out", str(out)]) == 2
    assert "does not exist yet" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["calibrate", "atlantis", "--start", "2006", "--end", "2015"], "DATA"),
        (["calibrate", "china", "--start", "2015", "--end", "2015"], "end year after"),
        (["calibrate", "china", "--start", "2015", "--end", "2010"], "end year after"),
        (["calibrate", "china", "--start", "2000", "--end", "2010"], "2006-2024"),
        (["calibrate", "us", "--start", "1990", "--end", "2015"], "1929-2009"),
        (["calibrate", "china", "--start", "2006", "--end", "2015", "--out", "x.txt"], ".toml"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1993:1999"], "starting at or after"),
        (["backtest", "us", "--train", "1990-1995", "--test", "1995:1999"], "Y0:Y1"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1995:2015"], "1929-2009"),
        (["backtest", "us", "--train", "1990:1995", "--test", "1995:1999", "--mix", "magic=1"], "mix"),
    ],
)
def test_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_existing_out_file_exits_2(tmp_path, capsys):
    out = tmp_path / "taken.toml"
    out.write_text("")
    assert main(["calibrate", "china", "--start", "2006", "--end", "2015", "--out", str(out)]) == 2
    assert "does not exist yet" in capsys.readouterr().err


def test_backtest_smoke_us(capsys):
    rc = main(
        [
            "backtest",
            "us",
            "--train",
            "1990:1995",
            "--test",
            "1995:1999",
            "--paths",
            "60",
            "--calib-paths",
            "30",
            "--seed",
            "5",
        ]
    )
    text = capsys.readouterr().out
    assert rc == 0
    assert "sigma 1999" in text and "beta slope" in text
    assert "verdict: " in text
    verdict = text.split("verdict: ")[1].splitlines()[0]
    assert verdict.split(":")[0] in {"PASS", "MIXED", "FAIL"}


def test_backtest_api_reuses_a_calibration():
    from mccoord.calibration import backtest, calibrate

    cal = calibrate("us", 1990, 1995, paths=30, seed=1)
    bt = backtest("us", (1990, 1995), "1995:1998", paths=40, calibration=cal, mix={"transfer": 1})
    assert bt.calibration is cal
    assert list(bt.table.index) == ["sigma 1996", "sigma 1997", "sigma 1998", "beta slope", "growth"]
    assert bt.table["percentile"].between(0, 100).all()
    inside = (bt.table["q05"] <= bt.table["observed"]) & (bt.table["observed"] <= bt.table["q95"])
    assert (inside == bt.table["inside_90"]).all()
    assert bt.mix["transfer"] == 1.0
    assert bt.passed == bt.verdict.startswith("PASS")
    with pytest.raises(mccoord.ConfigError):
        backtest("us", (1990, 1994), "1995:1998", calibration=cal)
