"""CF conventions of the datasets, checked by the CF checker (cfchecker) on NetCDF exports.

``cfchecker`` 4.1 (the newest release) knows CF up to 1.8, and reports a file that
declares CF-1.10 as "not CF". The exports are therefore checked against the CF-1.8 rules
(the file's ``Conventions`` is set to CF-1.8 in the checked copy only): nothing these
datasets use changed between 1.8 and 1.10. The checker needs the UDUNITS-2 C library
(Debian ``libudunits2-0``, installed by ``.ci/run``); in CI its absence is a failure.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import mccoord
from mccoord.catalogue import COORDS, RAW_ARRAYS, RESULTS, SIM_VARIABLES, cf_dataset

try:
    from cfchecker.cfchecks import CFChecker
    from cfunits import Units
except (ImportError, FileNotFoundError) as exc:  # cfunits raises FileNotFoundError without UDUNITS-2
    if os.environ.get("CI"):
        raise
    pytest.skip(f"the CF checker cannot run here: {exc}", allow_module_level=True)

TABLES = {
    "std.xml": "<standard_name_table><version_number>0</version_number>"
    "<last_modified>2024-01-01T00:00:00Z</last_modified></standard_name_table>",
    "area.xml": "<standard_area_type_table><version_number>0</version_number>"
    "<date>2024-01-01</date></standard_area_type_table>",
    "region.xml": "<standardized_region_list><version_number>0</version_number>"
    "<date>2024-01-01</date></standardized_region_list>",
}


def _cf_findings(ds, tmp_path) -> list[str]:
    """Every FATAL, ERROR and WARN of the CF checker on a NetCDF export of ``ds``."""
    for name, text in TABLES.items():
        (tmp_path / name).write_text(f'<?xml version="1.0"?>\n{text}\n')
    out = cf_dataset(ds)
    assert out.attrs["Conventions"] == "CF-1.10"
    out.attrs["Conventions"] = "CF-1.8"
    path = tmp_path / "export.nc"
    out.to_netcdf(path)
    checker = CFChecker(
        cfStandardNamesXML=str(tmp_path / "std.xml"),
        cfAreaTypesXML=str(tmp_path / "area.xml"),
        cfRegionNamesXML=str(tmp_path / "region.xml"),
        version="CF-1.8",
        silent=True,
    )
    results = checker.checker(str(path))
    found = [f"global {k}: {m}" for k in ("FATAL", "ERROR", "WARN") for m in results["global"][k]]
    for var, res in results["variables"].items():
        found += [f"{var} {k}: {m}" for k in ("FATAL", "ERROR", "WARN") for m in res.get(k, [])]
    return found


def test_every_catalogued_unit_is_valid_udunits():
    units = {c.units for c in COORDS.values() if c.units is not None}
    units |= {v.units for v in (*SIM_VARIABLES.values(), *RESULTS.values())}
    units |= {a.units for a in RAW_ARRAYS.values()}
    assert {u for u in units if not Units(u).isvalid} == set()


def test_the_simulate_dataset_passes_the_cf_checker(demo, tmp_path):
    ds = mccoord.simulate(demo, {"transfer": 1}, paths=4, seed=1, years=3)
    assert _cf_findings(ds, tmp_path) == []


@pytest.mark.slow
def test_the_results_dataset_passes_the_cf_checker(demo, tmp_path):
    run = dict(paths=100, years=3, workers=0, progress=False)
    ds = mccoord.run(demo, mixes=[{}, {"market": 1}], store=tmp_path / "s.zarr", **run)
    assert _cf_findings(ds.load(), tmp_path) == []
    grid = mccoord.run(demo, store=tmp_path / "g.zarr", **run)
    assert _cf_findings(grid.load(), tmp_path) == []


@pytest.mark.slow
def test_attributes_are_numbers_and_year_selects_calendar_years(demo, tmp_path):
    ds = mccoord.run(
        demo, mixes=[{}], paths=100, years=3, store=tmp_path / "s.zarr", workers=0, progress=False
    )
    for key in ("seed", "paths", "years", "base_year", "n_mix", "complete", "mccoord_schema_version"):
        assert isinstance(ds.attrs[key], int | np.integer), key
    assert isinstance(ds.attrs["target_reduction"], float)
    for name, coord in ds.coords.items():
        assert coord.attrs["long_name"], name
        assert COORDS[name].units is None or coord.attrs["units"] == COORDS[name].units, name
    at = ds.sel(year=demo.base_year + 2)
    assert int(at["time"]) == 2
    sim = mccoord.simulate(demo, {}, paths=2, seed=1, years=3)
    assert int(sim.sel(year=demo.base_year + 3)["time"]) == 3
