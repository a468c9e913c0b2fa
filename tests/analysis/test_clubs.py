import math
import warnings

import convergence_clubs as cc
import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.tsa.filters.hp_filter import hpfilter

from mccoord.analysis import convergence_clubs, hp_trend, income_panel, log_t_test
from mccoord.errors import ConfigError

from .conftest import path_panel


@pytest.fixture(scope="module")
def us_7009(us_wide):
    return us_wide.loc[:, 1970:2009]


def _peer_clubs(wide, merge):
    X = cc.hp_filter(np.log(wide), 400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cc.ClubConvergenceWarning)
        res = cc.find_clubs(X, convention="Stata")  # r=0.3, half-up [rT], max t core
    if merge:
        res = cc.merge_clubs(res, "PS")
    label = np.zeros(len(wide), dtype=int)
    for j, club in enumerate(res.clubs):
        label[list(club.ids)] = j + 1
    return label


def test_hp_trend_matches_package_filter(us_7009):
    x = np.log(us_7009.to_numpy())
    np.testing.assert_allclose(hp_trend(x), cc.hp_filter(x, 400), rtol=1e-9)


@pytest.mark.parametrize("years", [(1929, 2009), (1970, 2009)])
def test_log_t_matches_package(us_wide, years):
    wide = us_wide.loc[:, years[0] : years[1]]
    H = cc.cross_sectional_variation(cc.hp_filter(np.log(wide), 400).to_numpy())
    peer = cc.log_t_test(H, 0.3, "FQSB", rounding="half_up")
    qs = log_t_test(wide, hac="qs")
    nw = log_t_test(wide)  # Newey-West: same slope, different standard error
    assert qs["b"].item() == pytest.approx(peer.beta, rel=1e-9)
    assert qs["t"].item() == pytest.approx(peer.t_value, rel=1e-8)
    assert qs["intercept"].item() == pytest.approx(peer.alpha, rel=1e-9)
    assert nw["b"].item() == pytest.approx(peer.beta, rel=1e-9)
    assert bool(nw["converges"]) == peer.converges()


def _log_t_by_definition(wide, r):
    """Phillips-Sul log t regression written out from its definition, Newey-West errors."""
    x = np.stack([hpfilter(np.log(row), lamb=400)[1] for row in wide.to_numpy()])
    h = x / x.mean(axis=0)
    H = ((h - 1.0) ** 2).mean(axis=0)
    T = H.size
    t = np.arange(math.floor(r * T + 0.5) + 1, T + 1)  # t = [rT]+1, ..., T
    y = np.log(H[0] / H[t - 1]) - 2.0 * np.log(np.log(t))
    lags = math.floor(4 * (t.size / 100) ** (2 / 9))
    return sm.OLS(y, sm.add_constant(np.log(t))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "kernel": "bartlett", "use_correction": False}
    )


@pytest.mark.parametrize(
    ("panel", "years"), [("us_wide", (1929, 2009)), ("us_wide", (1970, 2009)), ("china_wide", (2006, 2024))]
)
def test_default_is_r_0_3_with_newey_west_errors(panel, years, request):
    wide = request.getfixturevalue(panel).loc[:, years[0] : years[1]]
    ours = log_t_test(wide)
    fit = _log_t_by_definition(wide, 0.3)
    assert ours.attrs["r"] == 0.3 and ours.attrs["hac"] == "newey-west"
    assert ours["b"].item() == pytest.approx(fit.params[1], rel=1e-9)
    assert ours["intercept"].item() == pytest.approx(fit.params[0], rel=1e-9)
    assert ours["se"].item() == pytest.approx(fit.bse[1], rel=1e-9)
    assert ours["t"].item() == pytest.approx(fit.tvalues[1], rel=1e-9)


@pytest.mark.parametrize(
    ("panel", "years"), [("us_wide", (1929, 2009)), ("us_wide", (1970, 2009)), ("china_wide", (2006, 2024))]
)
def test_one_third_with_qs_reproduces_convergence_clubs_defaults(panel, years, request):
    wide = request.getfixturevalue(panel).loc[:, years[0] : years[1]]
    H = cc.cross_sectional_variation(cc.hp_filter(np.log(wide), 400).to_numpy())
    peer = cc.log_t_test(H)  # package defaults: time_trim=1/3, FQSB, half-to-even [rT]
    ours = log_t_test(wide, r=1 / 3, hac="qs")
    assert ours["b"].item() == pytest.approx(peer.beta, rel=1e-9)
    assert ours["se"].item() == pytest.approx(peer.std_err, rel=1e-8)
    assert ours["t"].item() == pytest.approx(peer.t_value, rel=1e-8)
    assert ours["intercept"].item() == pytest.approx(peer.alpha, rel=1e-9)
    assert bool(ours["converges"]) == peer.converges()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"hac": "bartlett"}, "hac"), ({"r": 1.5}, "r"), ({"r": 0.01}, "r"), ({"r": 0.95}, "r")],
)
def test_bad_log_t_options_are_refused_in_one_line(china_wide, kwargs, field):
    with pytest.raises(ConfigError) as err:
        log_t_test(china_wide, **kwargs)
    assert err.value.field == field and "\n" not in str(err.value)


def test_us_states_converge_1929_2009_but_not_1970_2009(us_wide, us_7009):
    assert bool(log_t_test(us_wide)["converges"])
    assert not bool(log_t_test(us_7009)["converges"])


@pytest.mark.parametrize("merge", [False, True])
def test_clubs_match_package_under_matched_settings(us_7009, merge):
    ours = convergence_clubs(us_7009, hac="qs", merge=merge)
    peer = _peer_clubs(us_7009, merge)
    np.testing.assert_array_equal(ours["club"].values, peer)
    assert ours["n_clubs"].item() == 3


def test_clubs_with_newey_west_pass_their_own_test(us_7009):
    # Newey-West t statistics differ from the QS ones of the package, and so do the
    # clubs (the 1970-2009 US sieve moves 5 states from club 2 to club 3, and merging
    # then joins clubs 1 and 2). Every final club still passes its own log t test.
    ours = convergence_clubs(us_7009)
    assert ours["n_clubs"].item() == 2
    assert (ours["club_t"] > -1.65).all()
    for j in (1, 2):
        members = us_7009[ours["club"].values == j]
        assert bool(log_t_test(members)["converges"])


def test_single_club_when_all_converge(us_wide):
    ds = convergence_clubs(us_wide)
    assert ds["n_clubs"].item() == 1 and (ds["club"] == 1).all()


def test_runs_on_china_panel(china_wide):
    ds = convergence_clubs(china_wide, hac="qs")
    peer = _peer_clubs(china_wide, merge=True)
    np.testing.assert_array_equal(ds["club"].values, peer)
    assert log_t_test(china_wide)["b"].item() == pytest.approx(
        cc.log_t_test(
            cc.cross_sectional_variation(cc.hp_filter(np.log(china_wide), 400).to_numpy()),
            0.3,
            rounding="half_up",
        ).beta,
        rel=1e-9,
    )


def test_simulated_gives_one_result_per_path(simulated):
    ds = log_t_test(simulated)
    assert ds["t"].dims == ("path",)
    one = log_t_test(path_panel(simulated, 1))
    assert ds["t"].isel(path=1).item() == pytest.approx(one["t"].item())
    clubs = convergence_clubs(simulated, hac="qs")
    assert clubs["club"].dims == ("path", "region")
    np.testing.assert_array_equal(
        clubs["club"].isel(path=1).values,
        convergence_clubs(income_panel(path_panel(simulated, 1)), hac="qs")["club"].values,
    )
