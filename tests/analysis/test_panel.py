import numpy as np
import xarray as xr

from mccoord.analysis import income_panel, population_panel


def test_long_wide_and_dataarray_give_the_same_panel(us_long, us_wide):
    long = income_panel(us_long, value="per_capita_income_usd")
    wide = income_panel(us_wide)
    da = income_panel(
        xr.DataArray(
            us_wide.to_numpy().T,
            dims=("year", "region"),
            coords={"year": us_wide.columns.to_numpy(), "region": us_wide.index.to_numpy()},
        )
    )
    assert long.dims == ("region", "year") and long.shape == (48, 81)
    np.testing.assert_array_equal(long.values, wide.values)
    np.testing.assert_array_equal(long.values, da.values)


def test_china_long_uses_province_as_region_and_nbs_region_as_group(china_long):
    p = income_panel(china_long, value="gdp_per_capita_yuan")
    assert p.shape == (31, 19)
    assert p.sel(region="Beijing", year=2019).item() == 172452  # SOURCES.md check value
    assert set(p["group"].values) == {"East", "Central", "West", "Northeast"}


def test_simulated_dataset_gives_path_region_year(simulated):
    y = income_panel(simulated)
    assert y.dims == ("path", "region", "year")
    np.testing.assert_allclose(np.log(y.values[1, :, 4]), simulated["ln_y"].values[1, 4])
    L = population_panel(simulated)
    np.testing.assert_allclose(L.sum("region").values, 1.0)


def test_year_selection(us_long):
    p = income_panel(us_long, value="per_capita_income_usd", years=slice(1970, 2009))
    assert p["year"].values[[0, -1]].tolist() == [1970, 2009]
