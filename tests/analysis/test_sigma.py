import numpy as np
import pytest
import statsmodels.api as sm
from convergence_clubs import sigma_convergence as cc_sigma

from mccoord.analysis import sigma_convergence

from .conftest import path_panel


@pytest.mark.parametrize("panel", ["us_wide", "china_wide"])
def test_sigma_matches_convergence_clubs_after_ddof_rescaling(panel, request):
    wide = request.getfixturevalue(panel)
    ours = sigma_convergence(wide)
    n = wide.shape[0]
    # the package uses ddof=1; MODEL.md section 8 uses ddof=0
    peer = cc_sigma(wide).series.iloc[:, 0].to_numpy() * np.sqrt((n - 1) / n)
    np.testing.assert_allclose(ours["sigma"].values, peer, rtol=1e-12)


def test_sigma_is_std_of_log_relative_income(china_wide):
    rel = china_wide / china_wide.mean()
    np.testing.assert_allclose(
        sigma_convergence(china_wide)["sigma"].values, np.log(rel).std(ddof=0).to_numpy(), rtol=1e-12
    )


def test_trend_is_statsmodels_ols_on_year(us_wide):
    ds = sigma_convergence(us_wide)
    fit = sm.OLS(ds["sigma"].values, sm.add_constant(us_wide.columns.to_numpy(float))).fit()
    assert ds["slope"].item() == pytest.approx(fit.params[1], rel=1e-12)
    assert ds["slope_se"].item() == pytest.approx(fit.bse[1], rel=1e-12)
    assert ds["slope"].item() < 0 and ds["slope_pvalue"].item() < 1e-10  # US converged


def test_simulated_gives_one_result_per_path(simulated):
    ds = sigma_convergence(simulated)
    assert ds["sigma"].dims == ("path", "year") and ds["slope"].dims == ("path",)
    one = sigma_convergence(path_panel(simulated, 2))
    np.testing.assert_allclose(ds["sigma"].isel(path=2).values, one["sigma"].values)
    assert ds["slope"].isel(path=2).item() == pytest.approx(one["slope"].item())
