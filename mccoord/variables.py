"""Long names, units and descriptions of every output variable (dataset attrs)."""

from __future__ import annotations

import xarray as xr

#: name -> (long_name, units, description)
VARIABLES: dict[str, tuple[str, str, str]] = {
    # trajectories (simulate)
    "ln_y": (
        "log output per capita",
        "log(1)",
        "ln y_i: output per capita relative to the initial population-weighted national mean",
    ),
    "L": ("population share", "1", "L_i, share of national population; sums to 1 over regions"),
    "a": ("log total factor productivity", "log(1)", "a_i"),
    "K": ("capital stock", "initial national output", "K_i in units of initial national output"),
    "s": ("specialisation", "1", "s_i in [0, 1], industrial division of labour"),
    "e": ("integration", "1", "e_i in [0, 1], strength of the region's economic ties"),
    "z": ("defection indicator", "1", "1 = protectionist (defecting), 0 = cooperating"),
    "sigma": ("sigma dispersion", "log(1)", "standard deviation (ddof=0) of ln y_i across regions"),
    "CA": ("comparative advantage index", "1", "sum W_ij |s_i - s_j| / sum W_ij"),
    "EC": ("economic connection index", "1", "sum W_ij L_i L_j / sum G_ij L_i L_j"),
    "ID": ("industrial division index", "1", "mean_i |2 s_i - 1|"),
    "theil": ("Theil index", "1", "population-weighted Theil T of income per capita"),
    "theil_between": ("Theil index, between groups", "1", "between-macro-region part of Theil T"),
    "theil_within": ("Theil index, within groups", "1", "within-macro-region part of Theil T"),
    "ccd": (
        "coupling coordination degree",
        "1",
        "D = sqrt(C*Tc) of the three driver indices, C = 3(q1 q2 q3)^(1/3)/(q1+q2+q3)",
    ),
    "defection": ("share of defecting regions", "1", "mean of z_i over regions"),
    "regime": (
        "convergence regime",
        "1",
        "1 while the market's convergence forces work (regime c = 1), 0 while they stall; "
        "in an ensemble, the share of paths in the convergence regime",
    ),
    "beta_slope": (
        "beta-convergence slope",
        "1/year",
        "OLS slope of (ln y_i(T) - ln y_i(0))/T on ln y_i(0), with intercept",
    ),
    "beta_speed": ("implied convergence speed", "1/year", "-ln(1 + slope*T)/T"),
    "growth": ("national growth rate", "1/year", "(ln sum Y(T) - ln sum Y(0))/T"),
    "first_passage": (
        "first-passage year of the sigma target",
        "year",
        "first whole year with sigma <= (1 - target_reduction)*sigma(0); NaN if never",
    ),
    "valid": ("path is valid", "1", "1 if every value of the path stayed finite, else 0"),
    "parameters": (
        "drawn model parameters",
        "1",
        "each path's own value of the uncertain model keys (MODEL.md section 10); units as in section 7",
    ),
    "draws": (
        "parameter draws",
        "1",
        "draws of the parameter vector the path needed to satisfy the rules of MODEL.md section 7 "
        "(0: none of 100 was admissible, the path is invalid)",
    ),
    "order_parameter_picks": (
        "reviews that picked each driver",
        "count",
        "number of order-parameter reviews that named the driver",
    ),
    # ensemble (run)
    "p_sigma": ("sigma-convergence probability", "1", "P(sigma(t) < sigma(0))"),
    "p_sigma_se": ("Monte Carlo standard error of p_sigma", "1", "sqrt(p(1-p)/n)"),
    "p_target": (
        "target probability",
        "1",
        "P(min over whole years s <= t of sigma(s) <= (1 - target_reduction)*sigma(0))",
    ),
    "p_target_se": ("Monte Carlo standard error of p_target", "1", "sqrt(p(1-p)/n)"),
    "sigma_mean": ("mean sigma dispersion", "log(1)", "mean over paths of sigma(t)"),
    "p_beta": ("beta-convergence probability", "1", "P(beta slope < 0)"),
    "p_beta_se": ("Monte Carlo standard error of p_beta", "1", "sqrt(p(1-p)/n)"),
    "order_parameter_share": (
        "share of reviews that picked each driver",
        "1",
        "picks of the driver / all reviews, pooled over paths",
    ),
    "rel_income": (
        "relative income",
        "log(1)",
        "mean over paths of ln(y_i / ybar), ybar the population-weighted national mean",
    ),
    "pop_share": ("population share", "1", "mean over paths of L_i"),
    "n_paths": ("valid paths", "count", "paths that entered the statistics"),
    "n_invalid": ("invalid paths", "count", "paths with a non-finite value, left out of every statistic"),
}


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """Attach ``long_name``, ``units`` and ``description`` to every known variable."""
    for name, var in ds.data_vars.items():
        key = name
        if key not in VARIABLES and key.endswith("_mean"):
            key = key[: -len("_mean")]
        if key in VARIABLES:
            long_name, units, description = VARIABLES[key]
            var.attrs.update(long_name=long_name, units=units, description=description)
    return ds
