import numpy as np
import pytest

from mccoord.analysis import GRADES, coordination_grade, coupling_coordination, income_panel


def test_standard_closed_form_three_subsystems():
    U = np.array([0.2, 0.4, 0.6])
    out = coupling_coordination(U)
    C = 3 * (0.2 * 0.4 * 0.6) ** (1 / 3) / 1.2
    assert out["C"] == pytest.approx(C)
    assert out["T"] == pytest.approx(0.4)
    assert out["D"] == pytest.approx(np.sqrt(C * 0.4))
    assert GRADES[out["grade"]] == "primary coordination"  # D = 0.603


def test_equal_indices_couple_perfectly():
    out = coupling_coordination(np.full((3, 4), 0.49))
    np.testing.assert_allclose(out["C"], 1.0)
    np.testing.assert_allclose(out["D"], 0.7)
    assert (out["grade"] == 7).all()


def test_adjusted_two_subsystems_closed_form():
    out = coupling_coordination(np.array([0.3, 0.6]), method="adjusted")
    assert out["C"] == pytest.approx(np.sqrt((1 - 0.3) * 0.5))


def test_adjusted_three_subsystems_closed_form():
    U = np.array([0.2, 0.4, 0.8])
    gaps = (0.2 + 0.6 + 0.4) / 3
    C = np.sqrt((1 - gaps) * (0.25 * 0.5 * 1.0) ** 0.5)
    assert coupling_coordination(U, method="adjusted")["C"] == pytest.approx(C)


def test_weights_and_vectorised_trailing_axes():
    rng = np.random.default_rng(1)
    U = rng.uniform(0.05, 1, size=(3, 5, 7))
    out = coupling_coordination(U, weights=[0.5, 0.3, 0.2])
    assert out["D"].shape == (5, 7)
    np.testing.assert_allclose(out["T"], 0.5 * U[0] + 0.3 * U[1] + 0.2 * U[2])
    one = coupling_coordination(U[:, 2, 3], weights=[0.5, 0.3, 0.2])
    assert out["D"][2, 3] == pytest.approx(one["D"])


def test_grade_bands():
    D = np.array([0.0, 0.0999, 0.1, 0.35, 0.5, 0.9, 1.0])
    np.testing.assert_array_equal(coordination_grade(D), [0, 0, 1, 3, 5, 9, 9])
    assert len(GRADES) == 10


def test_china_indices_match_the_model_formula(china_long):
    # three min-max normalised yearly indicators of the China panel
    y = income_panel(china_long, value="gdp_per_capita_yuan")
    pop = income_panel(china_long, value="population_10k")
    q = np.stack(
        [
            np.log(y).mean("region").values,
            (1 / np.log(y).std("region")).values,
            (pop.sel(region="Guangdong") / pop.sum("region")).values,
        ]
    )
    U = (q - q.min(axis=1, keepdims=True)) / np.ptp(q, axis=1, keepdims=True) * 0.9 + 0.05
    out = coupling_coordination(U)
    C = 3 * np.cbrt(U.prod(axis=0)) / U.sum(axis=0)
    np.testing.assert_allclose(out["D"], np.sqrt(C * U.mean(axis=0)))
    assert ((out["D"] >= 0) & (out["D"] <= 1)).all()


def test_rejects_out_of_range():
    with pytest.raises(ValueError):
        coupling_coordination(np.array([0.5, 1.5]))
