"""Attribution: Shapley / factorial identities, paired standard errors, Sobol indices."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import xarray as xr
import zarr

import mccoord
from mccoord.analysis import attribution
from mccoord.analysis.attribution import per_path
from mccoord.errors import ConfigError

MECHS = mccoord.MECHANISMS


def _rows(table, kind):
    return table[table["kind"] == kind].set_index("term")


def _horizon(ds, metric="p_target"):
    da = ds[metric]
    return da.isel(time=-1) if "time" in da.dims else da


@pytest.mark.parametrize("metric", ["p_target", "p_sigma", "p_beta", "sigma_mean"])
def test_shapley_sums_to_total(grid_store, metric):
    ds = xr.open_zarr(grid_store)
    table = attribution(grid_store, metric)
    v = _horizon(ds, metric)
    on = float(v.sel(dict.fromkeys(MECHS, 1.0)))
    off = float(v.sel(dict.fromkeys(MECHS, 0.0)))
    total = _rows(table, "total").loc["total", "estimate"]
    assert total == pytest.approx(on - off, abs=1e-12)
    assert _rows(table, "shapley")["estimate"].sum() == pytest.approx(on - off, abs=1e-12)
    assert _rows(table, "value").loc["all off", "estimate"] == pytest.approx(off, abs=1e-15)
    assert (table["se"] >= 0).all()
    assert table.attrs["se_method"].startswith("paired")


def test_main_effects_and_interactions_are_the_contrasts(grid_store):
    ds = xr.open_zarr(grid_store)
    v = _horizon(ds).load()
    table = attribution(grid_store)
    main = _rows(table, "main")["estimate"]
    inter = _rows(table, "interaction")["estimate"]
    for m in MECHS:
        contrast = float(v.sel({m: 1.0}).mean() - v.sel({m: 0.0}).mean())
        assert main[m] == pytest.approx(contrast, abs=1e-12)
    for a, b in itertools.combinations(MECHS, 2):
        same = float((v.sel({a: 1.0, b: 1.0}).mean() + v.sel({a: 0.0, b: 0.0}).mean()) / 2)
        diff = float((v.sel({a: 1.0, b: 0.0}).mean() + v.sel({a: 0.0, b: 1.0}).mean()) / 2)
        assert inter[f"{a}:{b}"] == pytest.approx(same - diff, abs=1e-12)


@pytest.mark.slow
def test_paired_se_matches_brute_force(grid_store):
    """Per-path Shapley values by averaging marginal contributions over all 120 orderings."""
    ds = xr.open_zarr(grid_store)
    raw = zarr.open_group(str(grid_store), mode="r", path="raw")
    T = float(ds.time[-1])
    n = len(MECHS)
    # x[p, corner] with corner bit i = mechanism i on; flat index in design order
    corners = list(range(1 << n))
    flat = [int(np.ravel_multi_index(tuple((k >> i) & 1 for i in range(n)), (2,) * n)) for k in corners]
    fp = raw["path_first_passage"][...]
    x = np.column_stack([np.nan_to_num(fp[f] <= T, nan=0.0).astype(float) for f in flat])
    assert (raw["path_valid"][...] == 1).all()
    phi = np.zeros((x.shape[0], n))
    for order in itertools.permutations(range(n)):
        k = 0
        for j in order:
            phi[:, j] += x[:, k | (1 << j)] - x[:, k]
            k |= 1 << j
    phi /= math.factorial(n)
    table = _rows(attribution(grid_store), "shapley")
    for j, m in enumerate(MECHS):
        assert table.loc[m, "estimate"] == pytest.approx(phi[:, j].mean(), abs=1e-12)
        assert table.loc[m, "se"] == pytest.approx(phi[:, j].std() / np.sqrt(x.shape[0]), rel=1e-9, abs=1e-15)
    moved = [m for j, m in enumerate(MECHS) if phi[:, j].std() > 0]
    assert moved and all(table.loc[m, "se"] > 0 for m in moved)
    # the single-mix "value" rows reproduce the dataset's binomial SE
    values = _rows(attribution(grid_store), "value")
    se_off = float(ds.p_target_se.isel(time=-1).sel(dict.fromkeys(MECHS, 0.0)))
    assert values.loc["all off", "se"] == pytest.approx(se_off, rel=1e-12)


def test_paired_se_of_a_contrast_uses_the_pairing(grid_store):
    ds = xr.open_zarr(grid_store)
    raw = zarr.open_group(str(grid_store), mode="r", path="raw")
    table = attribution(grid_store, "sigma_mean", time=5)
    a = dict.fromkeys(MECHS, 0.0)
    b = dict.fromkeys(MECHS, 1.0)
    fa = int(np.ravel_multi_index((0,) * 5, (2,) * 5))
    fb = int(np.ravel_multi_index((1,) * 5, (2,) * 5))
    t_pos = int(np.flatnonzero(ds.time.values == 5)[0])
    d = per_path(raw, fb, "sigma_mean", t_pos, 5.0) - per_path(raw, fa, "sigma_mean", t_pos, 5.0)
    total = _rows(table, "total").loc["total"]
    expected = float(ds.sigma_mean.sel(time=5).sel(b) - ds.sigma_mean.sel(time=5).sel(a))
    assert total["estimate"] == pytest.approx(expected, abs=1e-12)
    assert total["se"] == pytest.approx(d.std() / np.sqrt(d.size), rel=1e-9)
    assert total["se"] > 0


def test_between_two_mixes(grid_store):
    ds = xr.open_zarr(grid_store)
    a = {"transfer": 0.0, "market": 0.0, "cooperation": 1.0, "supervision": 0.0, "order_parameter": 1.0}
    b = {"transfer": 1.0, "market": 1.0, "cooperation": 1.0, "supervision": 0.0, "order_parameter": 1.0}
    table = attribution(ds, "p_target", between=(a, b))
    assert table.attrs["players"] == ["transfer", "market"]
    v = _horizon(ds)
    total = float(v.sel(b) - v.sel(a))
    assert _rows(table, "shapley")["estimate"].sum() == pytest.approx(total, abs=1e-12)
    assert set(_rows(table, "interaction").index) == {"transfer:market"}
    # flat indices name the same mixes
    flat = [int(np.ravel_multi_index(tuple(int(m[k]) for k in MECHS), (2,) * 5)) for m in (a, b)]
    again = attribution(ds, "p_target", between=tuple(flat))
    assert np.allclose(again["estimate"], table["estimate"])
    assert np.allclose(again["se"], table["se"])


def test_three_levels_use_lowest_and_highest(grid3_store):
    ds = xr.open_zarr(grid3_store)
    table = attribution(grid3_store, "p_sigma", time=8)
    assert table.attrs["players"] == ["transfer", "market", "cooperation"]
    v = ds.p_sigma.sel(time=8)
    fixed = {"supervision": 0.0, "order_parameter": 0.0}
    on = float(v.sel(transfer=1.0, market=1.0, cooperation=1.0, **fixed))
    off = float(v.sel(transfer=0.0, market=0.0, cooperation=0.0, **fixed))
    assert _rows(table, "shapley")["estimate"].sum() == pytest.approx(on - off, abs=1e-12)
    assert table.attrs["se_method"].startswith("paired")


def _synthetic_grid(levels, coef, c0=0.2, se=0.01):
    coords = {m: np.asarray(levels[m], dtype=float) for m in MECHS}
    mesh = np.meshgrid(*(coords[m] for m in MECHS), indexing="ij")
    v = c0 + sum(coef[m] * mesh[j] for j, m in enumerate(MECHS))
    time = np.array([0, 10])
    data = np.stack([np.zeros_like(v), v], axis=-1)
    return xr.Dataset(
        {"p_target": (MECHS + ("time",), data), "p_target_se": (MECHS + ("time",), np.full(data.shape, se))},
        coords={**coords, "time": time},
    )


@pytest.mark.parametrize(
    "levels",
    [
        dict.fromkeys(MECHS, [0.0, 1.0]),
        {
            "transfer": [0.0, 0.5, 1.0],
            "market": [0.0, 1.0],
            "cooperation": [0.25, 1.0, 0.0],
            "supervision": [0.0, 1.0],
            "order_parameter": [0.0, 0.5],
        },
    ],
)
def test_additive_metric_closed_form(levels):
    coef = {
        "transfer": 0.10,
        "market": 0.05,
        "cooperation": -0.03,
        "supervision": 0.02,
        "order_parameter": 0.0,
    }
    ds = _synthetic_grid(levels, coef)
    table = attribution(ds, "p_target")
    span = {m: max(levels[m]) - min(levels[m]) for m in MECHS}
    shap, main = _rows(table, "shapley")["estimate"], _rows(table, "main")["estimate"]
    for m in MECHS:
        assert shap[m] == pytest.approx(coef[m] * span[m], abs=1e-12)
        assert main[m] == pytest.approx(coef[m] * span[m], abs=1e-12)
    assert np.allclose(_rows(table, "interaction")["estimate"], 0, atol=1e-12)
    assert table.attrs["se_method"].startswith("independent")
    # independent SEs: sqrt(sum c_k^2 se_k^2), e.g. total = sqrt(2) se, main = 2 se / sqrt(2^5)
    assert _rows(table, "total").loc["total", "se"] == pytest.approx(np.sqrt(2) * 0.01)
    assert main.index.size == 5
    assert _rows(table, "main")["se"].iloc[0] == pytest.approx(0.01 * 2 / np.sqrt(32))


def _synthetic_sampled(y_of_theta, n=256, seed=1):
    """A results dataset of the Saltelli design of ``n`` base points with metric y(theta)."""
    from mccoord.design import sobol_design

    theta = sobol_design(n, seed).theta
    y = y_of_theta(theta)
    return xr.Dataset(
        {"p_target": (("mix", "time"), np.column_stack([np.zeros(len(y)), y]))},
        coords={
            "mix": np.arange(len(y)),
            "time": [0, 10],
            **{m: ("mix", theta[:, j]) for j, m in enumerate(MECHS)},
        },
    )


def _within_ci(table, kind, expected):
    rows = _rows(table, kind)
    err = np.abs(rows["estimate"].to_numpy() - np.asarray(expected))
    return err <= 1.96 * rows["se"].to_numpy() + 1e-9


def test_sobol_indices_of_a_linear_model_match_the_closed_form():
    a = np.array([0.3, 0.2, 0.1, 0.0, 0.05])
    table = attribution(_synthetic_sampled(lambda th: 0.1 + th @ a, n=512), n_boot=100)
    share = a**2 / np.sum(a**2)
    assert _within_ci(table, "first_order", share).all()
    assert _within_ci(table, "total_order", share).all()
    assert _within_ci(table, "second_order", np.zeros(10)).all()


def _ishigami(th):
    z = -np.pi + 2 * np.pi * th[:, :3]
    return np.sin(z[:, 0]) + 7 * np.sin(z[:, 1]) ** 2 + 0.1 * z[:, 2] ** 4 * np.sin(z[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_the_closed_form():
    # Ishigami (a = 7, b = 0.1) on transfer, market, cooperation; the others are inert
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    first = np.array([v1, v2, 0, 0, 0]) / var
    total = np.array([v1 + v13, v2, v13, 0, 0]) / var
    table = attribution(_synthetic_sampled(_ishigami, n=1024), n_boot=100)
    assert _within_ci(table, "first_order", first).all()
    assert _within_ci(table, "total_order", total).all()
    second = _rows(table, "second_order")
    assert (
        abs(second.loc["transfer:cooperation", "estimate"] - v13 / var)
        <= 1.96 * second.loc["transfer:cooperation", "se"]
    )
    assert table.attrs["n_base"] == 1024 and table.attrs["n_mix"] == 1024 * 12


def test_sobol_indices_are_reproducible_for_a_seed():
    ds = _synthetic_sampled(_ishigami, n=64)
    a = attribution(ds, n_boot=50, seed=3)
    b = attribution(ds, n_boot=50, seed=3)
    assert a.equals(b)


def test_sobol_indices_need_a_saltelli_design():
    ds = _synthetic_sampled(_ishigami, n=8)
    with pytest.raises(ConfigError, match="Saltelli"):
        attribution(ds.isel(mix=slice(1, None)))


def test_precise_sobol_indices_carry_no_caveat():
    from mccoord.analysis.attribution import sobol_caveat

    a = np.array([0.3, 0.2, 0.1, 0.0, 0.05])
    assert sobol_caveat(attribution(_synthetic_sampled(lambda th: 0.1 + th @ a, n=512), n_boot=100)) is None


def test_a_small_design_is_flagged_imprecise_with_the_base_that_would_do():
    from mccoord.analysis.attribution import sobol_caveat

    table = attribution(_synthetic_sampled(_ishigami, n=8), n_boot=100)
    message, note = sobol_caveat(table)
    assert "from 8 base points (96 mixes) are imprecise" in message
    first_total = table[table["kind"].isin(("first_order", "total_order"))]
    widest = float((1.96 * first_total["se"]).max())
    assert widest > 0.2
    assert note.startswith(f"intervals up to +/-{widest:.2f}: run sobol:")


def test_a_metric_without_variance_has_undefined_sobol_indices():
    from mccoord.analysis.attribution import sobol_caveat

    table = attribution(_synthetic_sampled(lambda th: np.full(len(th), 0.5), n=8), n_boot=20)
    assert table.query("kind == 'first_order'")["estimate"].isna().all()
    assert "not defined" in sobol_caveat(table)[0]


def test_sobol_indices_on_a_store(sobol_store):
    table = attribution(sobol_store, "p_sigma", n_boot=50)
    assert list(_rows(table, "first_order").index) == list(MECHS)
    assert len(_rows(table, "second_order")) == 10
    assert (table["se"] > 0).any() and (table["se"] >= 0).all()
    assert table.attrs["design"] == "sampled" and table.attrs["n_base"] == 8


def test_bad_arguments(grid_store, sobol_store):
    with pytest.raises(ConfigError):
        attribution(grid_store, "growth")
    with pytest.raises(ConfigError):
        attribution(grid_store, "p_target", time=3.5)
    with pytest.raises(ConfigError):
        attribution(grid_store, between=({"transfer": 0.3}, {"transfer": 1.0}))
    with pytest.raises(ConfigError):
        attribution(sobol_store, between=(0, 1))
    with pytest.raises(mccoord.StoreError):
        attribution(grid_store.parent / "missing.zarr")
