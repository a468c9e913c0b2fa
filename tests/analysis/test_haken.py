import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mccoord.analysis import haken, income_panel, sigma_convergence, theil


def haken_series(g1, a, g2, b, u0=0.8, v0=0.1, n=30):
    """Exact trajectory of the discrete Haken model (MODEL.md section 6)."""
    u, v = np.empty(n), np.empty(n)
    u[0], v[0] = u0, v0
    for t in range(n - 1):
        u[t + 1] = (1 - g1) * u[t] - a * u[t] * v[t]
        v[t + 1] = (1 - g2) * v[t] + b * u[t] ** 2
    return u, v


@pytest.fixture
def slow_ec():
    """EC is the slow variable (order parameter), CA the fast slaved one, ID noise."""
    u, v = haken_series(g1=0.02, a=0.3, g2=0.6, b=0.5)
    noise = 0.5 + 0.1 * np.random.default_rng(0).standard_normal(u.size)
    return pd.DataFrame({"CA": v, "EC": u, "ID": noise}, index=range(2000, 2030))


def test_known_system_is_recovered_and_identified(slow_ec):
    res = haken(slow_ec)
    assert res.order_parameter == "EC" and res.order_index == 1 and not res.fallback
    row = res.pairs.loc["EC->CA"]
    assert row["valid"]
    np.testing.assert_allclose(
        row[["gamma1", "a", "gamma2", "b"]].to_numpy(float), [0.02, 0.3, 0.6, 0.5], rtol=1e-8
    )
    assert res.best_pair == "EC->CA"
    # V(u) = gamma1/2 u^2 + a b / (4 gamma2) u^4
    np.testing.assert_allclose(res.potential, [0.01, 0.3 * 0.5 / (4 * 0.6)], rtol=1e-8)
    assert not res.pairs.loc["CA->EC", "valid"]  # the fast variable is not an order parameter


def test_window_uses_last_rows(slow_ec):
    res = haken(slow_ec, window=10)
    assert res.order_parameter == "EC"
    assert len(res.pairs) == 6


def test_fallback_picks_the_most_persistent_series():
    t = np.arange(12)
    # all grow, so gamma2 < 0 in every pair: no pair is valid
    q = pd.DataFrame({"CA": 0.1 * 1.10**t, "EC": 0.2 * 1.05**t, "ID": 0.1 * 1.20**t})
    res = haken(q)
    assert not res.pairs["valid"].any()
    assert res.fallback and res.order_parameter == "EC" and res.potential is None
    np.testing.assert_allclose(res.univariate["c"], [1.10, 1.05, 1.20])


def test_singular_pairs_are_invalid():
    q = pd.DataFrame({"CA": np.full(10, 0.5), "EC": np.full(10, 0.3), "ID": np.linspace(0.2, 0.8, 10)})
    res = haken(q)
    assert not res.pairs.loc["CA->EC", "valid"]
    assert abs(res.pairs.loc["CA->EC", "det1"]) <= 1e-14


def test_runs_on_china_panel(china_long):
    y = income_panel(china_long, value="gdp_per_capita_yuan")
    pop = income_panel(china_long, value="population_10k")
    sig = sigma_convergence(y)["sigma"]
    q = pd.DataFrame(
        {
            "CA": sig.values / sig.values.max(),
            "EC": 1 - theil(y, pop)["total"].values,
            "ID": (pop.sel(region="Guangdong") / pop.sum("region")).values * 5,
        },
        index=y["year"].values,
    )
    res = haken(q, window=10)
    assert res.order_parameter in {"CA", "EC", "ID"}
    assert list(res.pairs.index) == ["CA->EC", "CA->ID", "EC->CA", "EC->ID", "ID->CA", "ID->EC"]
    assert np.isfinite(res.pairs[["gamma1", "gamma2", "a", "b"]].to_numpy(float)).all()


def _clear_cut(res) -> bool:
    """No decision of the rule sits on a knife edge (kernel and statsmodels may round apart)."""
    p = res.pairs
    ok = (p[["det1", "det2"]].abs() > 1e-10).all(axis=None)
    margins = np.concatenate([p["gamma2"].abs(), (p["gamma2"].abs() - p["gamma1"].abs()).abs()])
    scores = np.sort(p.loc[p["valid"], "score"].to_numpy())[::-1]
    gap = len(scores) < 2 or scores[0] - scores[1] > 1e-6 * abs(scores[0])
    u = np.sort(res.univariate["abs_1_minus_c"].to_numpy())
    return bool(ok and (margins > 1e-8).all() and gap and u[1] - u[0] > 1e-9)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (10, 3), elements=st.floats(0.01, 1.0)))
def test_agrees_with_numba_kernel(q):
    kernel = pytest.importorskip("mccoord.kernels.haken")
    res = haken(pd.DataFrame(q, columns=["CA", "EC", "ID"]))
    assume(_clear_cut(res))
    assert kernel.identify_order_parameter(np.ascontiguousarray(q)) == res.order_index
