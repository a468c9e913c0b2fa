"""Malformed scenarios and command lines: one clear line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mccoord.cli import main

DEMO = Path(__file__).resolve().parents[2] / "configs" / "data" / "demo_regions.csv"

GOOD_TOML = """\
[scenario]
name = "bad"
regions = "regions.csv"
[simulation]
years = 5
paths = 100
seed = 1
[model]
[mechanisms]
transfer = [0.0, 1.0]
"""


def _regions() -> pd.DataFrame:
    return pd.read_csv(DEMO)


def _distances(df: pd.DataFrame) -> pd.DataFrame:
    from mccoord.geography import great_circle_km

    d = great_circle_km(df["lat"], df["lon"])
    return pd.DataFrame(d, index=df["region"], columns=df["region"])


def _with_distances(mutate):
    def make(tmp: Path):
        df = _regions()
        d = _distances(df)
        d = mutate(d)
        d.to_csv(tmp / "d.csv")
        df.drop(columns=["lat", "lon"]).to_csv(tmp / "regions.csv", index=False)
        (tmp / "s.toml").write_text(
            GOOD_TOML.replace('regions = "regions.csv"', 'regions = "regions.csv"\ndistances = "d.csv"')
        )

    return make


def _csv(mutate):
    def make(tmp: Path):
        df = mutate(_regions())
        df.to_csv(tmp / "regions.csv", index=False)
        (tmp / "s.toml").write_text(GOOD_TOML)

    return make


def _toml(old: str, new: str):
    def make(tmp: Path):
        _regions().to_csv(tmp / "regions.csv", index=False)
        (tmp / "s.toml").write_text(GOOD_TOML.replace(old, new))

    return make


def _set(col, i, value):
    def mutate(df):
        df[col] = df[col].astype(object)
        df.loc[i, col] = value
        return df

    return mutate


def _bytes(name: str, data: bytes, toml: str = GOOD_TOML):
    def make(tmp: Path):
        _regions().to_csv(tmp / "regions.csv", index=False)
        (tmp / "s.toml").write_text(toml)
        (tmp / name).write_bytes(data)

    return make


def _sym_break(d):
    d.iloc[0, 1] += 10.0
    return d


def _neg(d):
    d.iloc[0, 1] = d.iloc[1, 0] = -5.0
    return d


SCENARIO_CASES = {
    "missing regions key": (_toml('regions = "regions.csv"\n', ""), "scenario.regions"),
    "unknown table": (_toml("[model]", "[modle]"), "modle"),
    "unknown scenario key": (_toml('name = "bad"', 'name = "bad"\nauthor = "me"'), "scenario.author"),
    "unknown model key": (_toml("[model]", "[model]\nalpah = 0.3"), "model.alpah"),
    "model value not a number": (_toml("[model]", '[model]\nalpha = "high"'), "model.alpha"),
    "model value out of range": (_toml("[model]", "[model]\nalpha = 1.5"), "model.alpha"),
    "unstable mu_k": (_toml("[model]", "[model]\nmu_k = 1.5"), "model.mu_k"),
    "unstable spillover": (_toml("[model]", "[model]\nlambda0 = 0.5\nlambda_c = 0.8"), "model.lambda0"),
    "intensity above one": (_toml("transfer = [0.0, 1.0]", "transfer = [0.0, 1.5]"), "mechanisms.transfer"),
    "unknown mechanism": (_toml("transfer = [0.0, 1.0]", "taxes = [0.0, 1.0]"), "mechanisms.taxes"),
    "zero years": (_toml("years = 5", "years = 0"), "simulation.years"),
    "negative paths": (_toml("paths = 100", "paths = -5"), "simulation.paths"),
    "negative seed": (_toml("seed = 1", "seed = -3"), "simulation.seed"),
    "quantile outside [0, 1]": (
        _toml("seed = 1", "seed = 1\nquantiles = [0.5, 1.5]"),
        "simulation.quantiles",
    ),
    "target reduction above one": (
        _toml("seed = 1", "seed = 1\ntarget_reduction = 1.5"),
        "simulation.target_reduction",
    ),
    "record_every not dividing years": (
        _toml("seed = 1", "seed = 1\nrecord_every = 2"),
        "simulation.record_every",
    ),
    "malformed TOML": (_toml("[model]", "[model\nalpha = "), "malformed TOML"),
    "TOML not UTF-8": (_bytes("s.toml", GOOD_TOML.replace("bad", "b\xe9d").encode("latin-1")), "UTF-8"),
    "regions file missing": (_toml('regions = "regions.csv"', 'regions = "nowhere.csv"'), "scenario.regions"),
    "NaN GDP": (_csv(_set("gdp_per_capita", 2, float("nan"))), "gdp_per_capita of"),
    "negative GDP": (_csv(_set("gdp_per_capita", 2, -100.0)), "gdp_per_capita of"),
    "zero population": (_csv(_set("population", 0, 0)), "population of"),
    "text population": (_csv(_set("population", 1, "many")), "population of"),
    "duplicate regions": (_csv(_set("region", 1, "North-1")), "duplicate"),
    "specialisation above one": (_csv(_set("specialisation", 3, 1.2)), "specialisation of"),
    "latitude out of range": (_csv(_set("lat", 3, 123.0)), "lat of"),
    "missing population column": (_csv(lambda df: df.drop(columns=["population"])), "population"),
    "unknown column": (_csv(lambda df: df.assign(colour="red")), "colour"),
    "CSV not UTF-8": (_bytes("regions.csv", "region,group\nM\xfcnchen,x\n".encode("latin-1")), "UTF-8"),
    "empty CSV": (_bytes("regions.csv", b""), "scenario.regions"),
    "region missing from distances": (
        _with_distances(lambda d: d.drop(index="South-3", columns="South-3")),
        "South-3",
    ),
    "non-square distances": (_with_distances(lambda d: d.assign(Extra=1.0)), "Extra"),
    "asymmetric distances": (_with_distances(_sym_break), "symmetric"),
    "negative distances": (_with_distances(_neg), "non-negative"),
}

CLI_CASES = {
    "zero paths": (["--paths", "0"], "simulation.paths"),
    "negative years": (["--years", "-1"], "simulation.years"),
    "bad sobol design": (["--mixes", "sobol:abc"], "mixes"),
    "paths per task off-granule": (["--paths", "300", "--paths-per-task", "150"], "paths_per_task"),
    "resume and overwrite": (["--resume", "--overwrite"], "--resume or --overwrite"),
    "resume with nothing to resume": (["--resume"], "nothing to resume"),
    "negative workers": (["--workers", "-2"], "workers"),
}


def _snapshot(root: Path) -> dict:
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def _assert_refused(capsys, tmp_path, argv, needle, before):
    rc = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("mccoord: error:"), err
    assert needle in err[0], err[0]
    assert not (tmp_path / "out.zarr").exists()
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_malformed_scenario_is_refused_before_any_work(case, tmp_path, capsys):
    make, needle = SCENARIO_CASES[case]
    make(tmp_path)
    before = _snapshot(tmp_path)
    argv = ["run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out.zarr"), "--workers", "0", "--quiet"]
    _assert_refused(capsys, tmp_path, argv, needle, before)


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_malformed_command_line_is_refused(case, tmp_path, capsys):
    extra, needle = CLI_CASES[case]
    before = _snapshot(tmp_path)
    argv = ["run", "demo", "--out", str(tmp_path / "out.zarr"), "--workers", "0", "--quiet", *extra]
    _assert_refused(capsys, tmp_path, argv, needle, before)


def test_unknown_scenario_name(tmp_path, capsys):
    _assert_refused(
        capsys,
        tmp_path,
        ["run", "atlantis", "--out", str(tmp_path / "out.zarr")],
        "scenario",
        _snapshot(tmp_path),
    )


def test_store_path_that_is_a_file_is_refused_and_kept(tmp_path, capsys):
    target = tmp_path / "out.zarr"
    target.write_text("my notes")
    before = _snapshot(tmp_path)
    rc = main(["run", "demo", "--out", str(target), "--workers", "0", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "is a file" in err[0]
    assert target.read_text() == "my notes" and _snapshot(tmp_path) == before


def test_existing_directory_that_is_not_a_store_is_never_overwritten(tmp_path, capsys):
    target = tmp_path / "out.zarr"
    target.mkdir()
    (target / "thesis.tex").write_text("precious")
    before = _snapshot(tmp_path)
    rc = main(["run", "demo", "--out", str(target), "--workers", "0", "--quiet", "--overwrite"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and "not a mccoord store" in err[0]
    assert (target / "thesis.tex").read_text() == "precious" and _snapshot(tmp_path) == before


def test_unknown_mix_name_in_simulate(capsys):
    assert main(["simulate", "demo", "--mix", "foo=1", "--paths", "10"]) == 2
    assert "mix.foo" in capsys.readouterr().err


def test_info_on_something_that_is_not_a_store(tmp_path, capsys):
    assert main(["info", str(tmp_path)]) == 2
    assert "not a mccoord store" in capsys.readouterr().err
