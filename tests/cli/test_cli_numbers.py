"""Number options of the command line are checked before any work: one line, exit code 2."""

from __future__ import annotations

import pytest

from mccoord.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["plot", "{store}", "--dpi", "0"],
        ["plot", "{store}", "--dpi", "abc"],
        ["plot", "{store}", "--dpi", "100000"],
        ["plot", "{store}", "--time", "-1"],
        ["plot", "{store}", "--time", "nan"],
        ["plot", "{store}", "--time", "inf"],
        ["report", "{store}", "--top", "0"],
        ["report", "{store}", "--top", "2.5"],
        ["run", "demo", "--top", "-3"],
        ["compare", "{store}", "{store}", "--top", "0"],
        ["frontier", "{store}", "--reach", "1.5"],
        ["simulate", "demo", "--paths", "0"],
    ],
)
def test_bad_number_is_one_line_and_exit_2(grid_store, tmp_path, capsys, argv):
    argv = [a.format(store=grid_store) for a in argv] + ["--out", str(tmp_path / "out.png")] * (
        argv[0] in ("plot", "report")
    )
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error:" in err and "got" in err
    assert not list(tmp_path.iterdir())


def test_time_not_recorded_is_refused_before_drawing(grid_store, tmp_path, capsys):
    out = tmp_path / "h.png"
    assert main(["plot", str(grid_store), "--kind", "heatmap", "--time", "99", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "recorded time" in err
    assert not out.exists()
