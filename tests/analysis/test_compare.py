"""`compare A B` on real stores: paired with common random numbers, unpaired otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from mccoord.cli import main
from mccoord.compare import compare, paired_difference_interval, unpaired_difference_interval
from mccoord.errors import ConfigError
from mccoord.store import open_results


def test_same_seed_and_paths_are_compared_paired(base_store, stronger_store):
    table = compare(base_store, stronger_store)
    assert table.attrs["paired"] and "Newcombe method 10" in table.attrs["method"]
    assert len(table) == 4


def test_differences_are_b_minus_a_of_the_stored_values(base_store, stronger_store):
    table = compare(base_store, stronger_store, "p_target")
    a = open_results(base_store).p_target.isel(time=-1)
    b = open_results(stronger_store).p_target.isel(time=-1)
    for _, row in table.iterrows():
        where = {"transfer": row["transfer"], "cooperation": row["cooperation"]}
        expected = float(b.sel(where).squeeze()) - float(a.sel(where).squeeze())
        assert row["diff"] == pytest.approx(expected, abs=1e-12)
        assert row["lo"] <= row["diff"] <= row["hi"]


def test_another_seed_is_compared_unpaired(base_store, reseeded_store):
    table = compare(base_store, reseeded_store)
    assert not table.attrs["paired"] and "unpaired" in table.attrs["method"]


@pytest.mark.slow
def test_pairing_narrows_the_interval_of_a_model_change(base_store, stronger_store):
    paired = compare(base_store, stronger_store, "sigma_mean")
    # the same per-path data treated as independent samples
    a = open_results(base_store)
    b = open_results(stronger_store)
    b.attrs["seed"] = int(a.attrs["seed"]) + 1
    unpaired = compare(a, b, "sigma_mean")
    assert not unpaired.attrs["paired"]
    np.testing.assert_allclose(paired["diff"], unpaired["diff"])
    assert ((paired["hi"] - paired["lo"]) < (unpaired["hi"] - unpaired["lo"])).all()


def test_a_store_compared_with_itself_differs_by_zero(base_store):
    table = compare(base_store, base_store, "p_sigma")
    assert (table["diff"] == 0).all() and not table["excludes_zero"].any()


def test_unknown_metric_is_refused(base_store):
    with pytest.raises(ConfigError):
        compare(base_store, base_store, "theil")


def test_runs_without_a_common_mix_are_refused(base_store, sobol_store):
    with pytest.raises(ConfigError, match="in common"):
        compare(base_store, sobol_store)


def test_paired_interval_has_width_without_discordant_pairs():
    lo, hi = paired_difference_interval(0, 0, 0, 200)
    assert lo < 0 < hi


def test_paired_interval_approaches_the_wald_interval_for_many_pairs():
    a, b, c, d = 30000, 9000, 6000, 55000
    n = a + b + c + d
    diff = (b - c) / n
    half = 1.959963984540054 * np.sqrt((b + c) - (b - c) ** 2 / n) / n
    lo, hi = paired_difference_interval(a, b, c, d)
    assert lo == pytest.approx(diff - half, rel=2e-3)
    assert hi == pytest.approx(diff + half, rel=2e-3)


@pytest.mark.slow
def test_paired_interval_covers_about_95_percent():
    rng = np.random.default_rng(7)
    n, reps, hits = 150, 2000, 0
    p1, p2, rho = 0.12, 0.07, 0.6  # correlated margins, as under common random numbers
    z = rng.standard_normal((reps, n, 2))
    z[..., 1] = rho * z[..., 0] + np.sqrt(1 - rho**2) * z[..., 1]
    from scipy.stats import multivariate_normal, norm

    t1, t2 = norm.ppf(1 - p1), norm.ppf(1 - p2)
    x, y = z[..., 0] > t1, z[..., 1] > t2
    both = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([-t1, -t2])
    truth = p1 - p2
    assert 0 < both
    for i in range(reps):
        counts = [(x[i] & y[i]).sum(), (x[i] & ~y[i]).sum(), (~x[i] & y[i]).sum(), (~x[i] & ~y[i]).sum()]
        lo, hi = paired_difference_interval(*(int(k) for k in counts))
        hits += lo <= truth <= hi
    assert 0.93 <= hits / reps <= 0.98


def test_unpaired_interval_is_newcombes_hybrid_score():
    # Newcombe (1998), Statistics in Medicine 17, 873-890, table II example (56/70 vs 48/80):
    # method 10 gives 0.0524 to 0.3339
    lo, hi = unpaired_difference_interval(56, 70, 48, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def test_cli_compare_prints_the_paired_table(base_store, stronger_store, capsys):
    assert main(["compare", str(base_store), str(stronger_store), "--metric", "p_sigma", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "B - A per mix, paired" in out and "first 2 of 4 shared mixes" in out
