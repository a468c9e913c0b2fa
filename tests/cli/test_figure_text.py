"""Figures say what they plot: target meaning, units, full names, labelled extremes, whole years."""

from __future__ import annotations

import numpy as np
import pytest

from mccoord.mixes import select_mix
from mccoord.params import DRIVER_LONG_NAMES, MECHANISMS
from mccoord.plots import plot_attribution, plot_curves, plot_drivers, plot_fan, plot_heatmap, plot_regions
from mccoord.store import open_results


@pytest.mark.slow
def test_curves_title_states_the_target_and_axes_carry_units(grid_store):
    ax = plot_curves(grid_store)
    assert "down 25% by year t" in ax.get_title()
    assert ax.get_ylabel().endswith("[probability]")
    assert "[years]" in ax.get_xlabel() and "2020" in ax.get_xlabel()


def test_curves_legend_uses_full_mechanism_names(grid_store):
    labels = [
        t.get_text()
        for t in plot_curves(grid_store, ["off", {"transfer": 1, "order_parameter": 1}])
        .get_legend()
        .get_texts()
    ]
    assert labels == ["all off", "transfer 1, order parameter 1"]


def test_time_axes_have_whole_year_ticks(grid_store):
    for ax in (plot_curves(grid_store), plot_fan(grid_store), plot_regions(grid_store)):
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)


def test_regions_plot_labels_the_richest_and_poorest_regions(grid_store):
    ax = plot_regions(grid_store, "best")
    one = select_mix(open_results(grid_store), "best").load()
    end = one["rel_income"].isel(time=-1)
    order = np.argsort(end.values)
    names = [str(r) for r in one["region"].values]
    expected = {names[i] for i in [*order[:3], *order[-3:]]}
    assert {t.get_text() for t in ax.texts} == expected


def test_drivers_legend_explains_ca_ec_id(grid_store):
    labels = [t.get_text() for t in plot_drivers(grid_store).get_legend().get_texts()]
    assert labels == [f"{d}: {name}" for d, name in DRIVER_LONG_NAMES.items()]


def test_heatmap_names_where_the_other_mechanisms_are_held(grid_store):
    ax = plot_heatmap(grid_store, "transfer", "market")
    assert "cooperation 1, supervision 1, order parameter 1" in ax.get_title()
    assert ax.get_xlabel() == "transfer intensity [0-1]"


def test_fan_marks_the_target_level(grid_store):
    labels = [t.get_text() for t in plot_fan(grid_store).get_legend().get_texts()]
    assert any(label.startswith("target: dispersion down 25%") for label in labels)


def test_attribution_uses_full_names(grid_store):
    ax = plot_attribution(grid_store)
    assert [t.get_text() for t in ax.get_yticklabels()] == [m.replace("_", " ") for m in MECHANISMS]
    assert "[probability]" in ax.get_xlabel()


def test_imprecise_sobol_indices_warn_and_say_so_in_the_title(sobol_store):
    with pytest.warns(UserWarning, match=r"from 8 base points \(96 mixes\) are imprecise"):
        ax = plot_attribution(sobol_store)
    assert "run sobol:" in ax.get_title()
