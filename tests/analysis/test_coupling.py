import doctest

import numpy as np
import pandas as pd
import pytest

import mccoord.analysis.coupling
from mccoord.analysis import GRADES, coordination_grade, coupling_coordination, income_panel
from mccoord.errors import ConfigError

#: Table 4 of "Urban-Rural Logistics Coupling Coordinated Development and Urban-Rural
#: Integrated Development" (Mathematical Problems in Engineering 2022, article 2969206):
#: urban and rural logistics indices Uu, Ur and the published C, T, D, all to 3 decimals.
PUBLISHED = pd.DataFrame(
    [
        [2011, 0.101, 0.280, 0.882, 0.190, 0.410],
        [2012, 0.165, 0.406, 0.906, 0.286, 0.509],
        [2013, 0.187, 0.427, 0.920, 0.307, 0.532],
        [2014, 0.238, 0.511, 0.931, 0.374, 0.590],
        [2015, 0.424, 0.421, 1.000, 0.422, 0.650],
        [2016, 0.538, 0.407, 0.990, 0.473, 0.684],
        [2017, 0.591, 0.466, 0.993, 0.528, 0.724],
        [2018, 0.694, 0.581, 0.996, 0.638, 0.797],
        [2019, 0.892, 0.662, 0.989, 0.777, 0.877],
        [2020, 0.879, 0.637, 0.987, 0.758, 0.865],
    ],
    columns=["year", "Uu", "Ur", "C", "T", "D"],
).set_index("year")


def test_reproduces_published_urban_rural_logistics_table():
    out = coupling_coordination(PUBLISHED, subsystems=["Uu", "Ur"])
    # inputs and outputs are printed to 3 decimals: agreement to one unit in the last digit
    for name in ("C", "T", "D"):
        np.testing.assert_allclose(out[name].to_numpy(), PUBLISHED[name].to_numpy(), atol=1e-3, rtol=0)


def test_docstring_example_runs_as_printed():
    result = doctest.testmod(mccoord.analysis.coupling, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda q: coupling_coordination(q, subsystems=["Uu", "Ur"]),
        lambda q: coupling_coordination(q.T, subsystems=["Uu", "Ur"]),
        lambda q: coupling_coordination(q[["Uu", "Ur"]], axis="columns"),
        lambda q: coupling_coordination(q[["Uu", "Ur"]].T, axis="index"),
        lambda q: coupling_coordination(q, weights={"Uu": 1.0, "Ur": 1.0}),
        lambda q: coupling_coordination(q.T, weights=pd.Series({"Ur": 2.0, "Uu": 2.0})),
    ],
    ids=[
        "columns-by-name",
        "index-by-name",
        "axis-columns",
        "axis-index",
        "weights-dict",
        "weights-series-T",
    ],
)
def test_dataframe_in_either_orientation_gives_the_array_result(call):
    out = call(PUBLISHED)
    ref = coupling_coordination(PUBLISHED[["Uu", "Ur"]].to_numpy().T)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["C", "T", "D", "grade"]
    assert list(out.index) == list(PUBLISHED.index)
    for name in ("C", "T", "D", "grade"):
        np.testing.assert_array_equal(out[name].to_numpy(), ref[name])


def test_named_weights_follow_names_not_positions():
    q = PUBLISHED[["Uu", "Ur"]]
    out = coupling_coordination(q, weights={"Ur": 0.25, "Uu": 0.75})
    np.testing.assert_allclose(out["T"].to_numpy(), 0.75 * q["Uu"] + 0.25 * q["Ur"])


def test_subsystem_names_select_and_order_columns():
    q = PUBLISHED.assign(other=0.5)
    out = coupling_coordination(q, subsystems=["Ur", "Uu"], weights=[0.25, 0.75])
    np.testing.assert_allclose(out["T"].to_numpy(), 0.25 * q["Ur"] + 0.75 * q["Uu"])


@pytest.mark.parametrize(
    ("table", "kwargs", "field"),
    [
        (PUBLISHED[["Uu", "Ur"]], {}, "U"),  # nothing says which axis holds the subsystems
        (PUBLISHED[["Uu", "Ur"]], {"subsystems": ["Uu", "Urban"]}, "subsystems"),
        (PUBLISHED[["Uu", "Ur"]], {"subsystems": ["Uu", "Ur"], "axis": "index"}, "subsystems"),
        (PUBLISHED[["Uu", "Ur"]], {"axis": "rows"}, "axis"),
        (PUBLISHED[["Uu", "Ur"]], {"weights": {"Uu": 1.0}, "axis": "columns"}, "weights"),
        (
            pd.DataFrame([[0.2, 0.3], [0.4, 0.5]], index=["a", "b"], columns=["a", "b"]),
            {"subsystems": ["a", "b"]},
            "subsystems",
        ),  # both axes carry the names: ambiguous
    ],
    ids=["no-orientation", "unknown-name", "wrong-axis", "bad-axis", "missing-weight", "ambiguous"],
)
def test_unsettled_or_wrong_table_is_refused_in_one_line(table, kwargs, field):
    with pytest.raises(ConfigError) as err:
        coupling_coordination(table, **kwargs)
    assert err.value.field == field and "\n" not in str(err.value)


def test_ambiguous_table_is_accepted_with_axis():
    sq = pd.DataFrame([[0.2, 0.3], [0.4, 0.5]], index=["a", "b"], columns=["a", "b"])
    by_cols = coupling_coordination(sq, subsystems=["a", "b"], axis="columns")
    by_rows = coupling_coordination(sq, subsystems=["a", "b"], axis="index")
    np.testing.assert_allclose(by_cols["T"].to_numpy(), [0.25, 0.45])
    np.testing.assert_allclose(by_rows["T"].to_numpy(), [0.3, 0.4])


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
    with pytest.raises(ConfigError) as err:
        coupling_coordination(np.array([0.5, 1.5]))
    assert err.value.field == "U"
