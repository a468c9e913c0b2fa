"""The catalogue of everything mccoord stores: coordinates, per-path arrays, results.

One entry per name. Each says the dims, the dtype, the metadata (``long_name``, CF
``units``, ``description``) and how the value is obtained:

* :data:`COORDS`: the coordinates of every dataset mccoord writes.
* :data:`SIM_VARIABLES`: the variables of :func:`mccoord.simulate` (every path of one
  mix), each with the function that takes it from the kernel's output.
* :data:`RAW_ARRAYS`: what the tasks of :func:`mccoord.run` keep in ``STORE/raw``:
  per-path arrays (``path_*``, dims ``(mix, path, ...)``, or ``(path, ...)`` for a
  quantity that does not depend on the mix) and per-granule sums (``g_*``, dims
  ``(mix, granule, ...)``) over fixed groups of :data:`GRANULE` consecutive paths.
* :data:`RESULTS`: the variables of the results dataset (dims beyond the mix) and the
  statistic each is.

The statistics, by kind (:attr:`Variable.statistic`):

``probability``
    Share of valid paths whose per-path indicator (:data:`PROBABILITIES`) is true, with
    the binomial standard error ``sqrt(p (1 - p) / n)`` (``_se``) and the 95% Wilson
    score interval (``_lo``, ``_hi``; :mod:`mccoord.intervals`), which stays honest at
    ``p = 0`` or ``1``.
``quantiles``
    Exact quantiles across valid paths (NumPy's linear interpolation between order
    statistics) at the scenario's levels.
``mean``
    Mean over valid paths, with the standard error of the mean ``sd / sqrt(n)``
    (``_se``; ``sd`` with ``ddof = 0``). For the path means of :data:`PATH_MEANS` the
    store keeps, per granule, the sum and the sum of squared deviations from the
    granule's mean; the reduction sums the former and pools the latter (Chan, Golub
    and LeVeque 1983) in granule order, so the mean and its error do not depend on how
    paths were split into tasks, and the error stays accurate when the spread is tiny
    next to the mean.
``ratio``, ``count``
    Pooled ratio of two per-granule sums; a count of paths.

A path is valid when the kernel kept it finite and every quantity the store records
for it is finite (:func:`valid_paths`); invalid paths are counted in ``n_invalid`` and
left out of every statistic.

Adding a quantity is one entry: a per-path mean is one :class:`PathMean` (its raw sums,
results and standard error follow), a per-path array one :class:`RawArray`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from .kernels.layout import (
    P_BETA,
    P_DRAWS,
    P_FIRST_PASSAGE,
    P_GROWTH,
    P_PICK_CA,
    P_REVIEWS,
    P_VALID,
    R_CA,
    R_CCD,
    R_DEFECTION,
    R_EC,
    R_ID,
    R_REGIME,
    R_SIGMA,
    R_THEIL,
    R_THEIL_BETWEEN,
    R_THEIL_WITHIN,
)
from .kernels.paths import S_A, S_E, S_K, S_S, S_Z
from .params import MECHANISMS

#: CF conventions the datasets follow.
CONVENTIONS = "CF-1.10"
#: Paths per granule of the per-granule sums.
GRANULE = 100
#: Theil components, in the order of the ``component`` dimension.
COMPONENTS: tuple[str, ...] = ("total", "between", "within")
#: Dataset attrs that describe one particular execution (when, how, where), not its results.
PROVENANCE_ATTRS: tuple[str, ...] = (
    "created",
    "history",
    "wall_seconds",
    "region_steps",
    "command",
    "resume_command",
    "versions",
    "config",
    "config_hash",
    "paths_per_task",
    "mixes_per_task",
)


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Coordinate:
    """A coordinate of the datasets.

    ``units`` is None for labels (strings), which CF gives no units.
    """

    name: str
    dims: tuple[str, ...]
    long_name: str
    units: str | None
    description: str = ""


@dataclass(frozen=True)
class Variable:
    """A variable of a dataset: dims (beyond the mix for results), dtype and metadata."""

    name: str
    dims: tuple[str, ...]
    long_name: str
    units: str
    description: str
    dtype: str = "f8"
    statistic: str = ""
    #: For :data:`SIM_VARIABLES`: ``(kernel output, horizon [years]) -> values``.
    extract: Callable | None = field(default=None, repr=False, compare=False)
    #: Present only under parameter uncertainty (MODEL.md section 10).
    uncertain_only: bool = False


@dataclass(frozen=True)
class RawArray:
    """An array of ``STORE/raw``.

    Attributes
    ----------
    dims : tuple of str
        Among ``mix``, ``path``, ``granule``, ``time``, ``component``, ``region``,
        ``driver``; an array without ``mix`` holds a quantity that is the same under
        every mix (written once per path block).
    per_path : callable
        ``(kernel output) -> float64[path, ...]`` in the order of the dims after
        ``path``/``granule``.
    square : bool
        For a per-granule array: the sum of squared deviations of ``per_path`` from the
        granule's mean over its valid paths (for standard errors).
    must_be_finite : bool
        A non-finite value makes the path invalid.
    """

    name: str
    dims: tuple[str, ...]
    dtype: str
    fill: float | int
    long_name: str
    units: str
    description: str
    per_path: Callable = field(repr=False, compare=False)
    square: bool = False
    must_be_finite: bool = True

    @property
    def per_granule(self) -> bool:
        """True for sums over granules (dims contain ``granule``)."""
        return "granule" in self.dims

    @property
    def per_mix(self) -> bool:
        """True when the array has one slice per mix."""
        return "mix" in self.dims


@dataclass(frozen=True)
class PathMean:
    """A per-path quantity whose mean over valid paths is a result, with its SE.

    The store keeps ``g_NAME`` and ``g_NAME_sq`` (per-granule sums and sums of
    squared deviations from the granule mean); the results dataset gets ``NAME`` and ``NAME_se`` with dims
    ``result_dims`` (a permutation of ``dims``).
    """

    name: str
    dims: tuple[str, ...]
    long_name: str
    units: str
    description: str
    per_path: Callable = field(repr=False, compare=False)
    result_dims: tuple[str, ...] | None = None

    @property
    def out_dims(self) -> tuple[str, ...]:
        """Dims of the result variable (beyond the mix)."""
        return self.result_dims or self.dims


@dataclass(frozen=True)
class Probability:
    """A probability: the share of valid paths for which ``indicator`` is true.

    ``indicator`` takes per-path values read from the raw arrays named in ``reads``
    (leading axis path; see each function for its arguments) and returns booleans.
    :mod:`mccoord.reduce` and :mod:`mccoord.analysis.attribution` both use it, so the
    definition lives here only.
    """

    name: str
    dims: tuple[str, ...]
    long_name: str
    description: str
    reads: tuple[str, ...]
    indicator: Callable = field(repr=False, compare=False)


# --------------------------------------------------------------------------- definitions


def beta_speed(slope: np.ndarray, horizon: float) -> np.ndarray:
    """Implied convergence speed ``-ln(1 + slope*T)/T`` [1/year].

    Where ``1 + slope*T <= 0`` the implied speed is unbounded: ``+inf`` (the dispersion
    of log income would have to fall by more than all of it). NaN slopes stay NaN.
    """
    slope = np.asarray(slope, dtype=float)
    arg = 1.0 + slope * horizon
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = -np.log(np.where(arg > 0, arg, 1.0)) / horizon
    return np.where(arg > 0, speed, np.where(np.isnan(slope), np.nan, np.inf))


def speed_undefined(slope: np.ndarray, horizon: float) -> np.ndarray:
    """True where the implied speed is unbounded (``1 + slope*T <= 0``)."""
    return 1.0 + np.asarray(slope, dtype=float) * horizon <= 0


def relative_income(res) -> np.ndarray:
    """``ln(y_i / ybar)`` ``(path, time, region)``, ybar the population-weighted mean."""
    lny, L = res.rec_lny, res.rec_L
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        log_mean = np.log(np.sum(np.exp(lny) * L, axis=-1, keepdims=True))
    return lny - log_mean


def sigma_fell(sigma_t: np.ndarray, sigma_0: np.ndarray) -> np.ndarray:
    """``sigma(t) < sigma(0)``: per-path sigma at some times ``(path, time)`` and at 0."""
    return sigma_t < sigma_0[:, None]


def target_reached(first_passage: np.ndarray, time: np.ndarray) -> np.ndarray:
    """``first passage <= t``: the target was reached by year ``t`` ``(path, time)``."""
    with np.errstate(invalid="ignore"):
        return first_passage[:, None] <= np.asarray(time, dtype=float)[None, :]


def beta_negative(beta: np.ndarray) -> np.ndarray:
    """``beta slope < 0`` (beta convergence over the horizon)."""
    return beta < 0


def valid_paths(res) -> np.ndarray:
    """Paths that count: the kernel kept them finite and every recorded quantity is finite.

    Parameters
    ----------
    res : mccoord.blocks.BlockResult
        Kernel output of a block of paths.

    Returns
    -------
    numpy.ndarray of bool, shape (path,)
    """
    ok = res.path_scalar[:, P_VALID] == 1.0
    n = ok.shape[0]
    for arr in RAW_ARRAYS.values():
        if arr.must_be_finite and not arr.square:
            ok &= np.isfinite(arr.per_path(res).reshape(n, -1)).all(axis=1)
    for x in (res.rec_lny, res.rec_L, res.rec_scalar):
        ok &= np.isfinite(x.reshape(n, -1)).all(axis=1)
    return ok


COORDS: dict[str, Coordinate] = {
    c.name: c
    for c in (
        Coordinate("time", ("time",), "time since the base year", "a", "record time, whole years"),
        Coordinate("year", ("time",), "calendar year", "1", "base year + time"),
        Coordinate("quantile", ("quantile",), "quantile level across paths", "1"),
        Coordinate("region", ("region",), "region", None),
        Coordinate("group", ("region",), "macro-region of the region", None),
        Coordinate(
            "driver",
            ("driver",),
            "driving factor",
            None,
            "CA comparative advantage, EC economic connection, ID industrial division",
        ),
        Coordinate(
            "component",
            ("component",),
            "component of the Theil index",
            None,
            "total, between macro-regions, within macro-regions",
        ),
        Coordinate("mix", ("mix",), "mix index in design order", "1"),
        Coordinate("path", ("path",), "Monte Carlo path index", "1"),
        Coordinate("parameter", ("parameter",), "uncertain model key", None, "MODEL.md section 7 key"),
        *(
            Coordinate(m, (m,), f"{m.replace('_', ' ')} mechanism intensity", "1", "0 off, 1 full")
            for m in MECHANISMS
        ),
    )
}


def _rec(slot: int) -> Callable:
    return lambda res, years=None: res.rec_scalar[:, :, slot]


def _state(slot: int) -> Callable:
    return lambda res, years=None: res.rec_state[:, :, slot, :]


_TR = ("path", "time", "region")
_PT = ("path", "time")

SIM_VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "ln_y",
            _TR,
            "log output per capita",
            "1",
            "ln y_i, output per capita relative to the initial population-weighted national mean",
            extract=lambda res, years=None: res.rec_lny,
        ),
        Variable(
            "L",
            _TR,
            "population share",
            "1",
            "L_i; sums to 1 over regions",
            extract=lambda res, years=None: res.rec_L,
        ),
        Variable("a", _TR, "log total factor productivity", "1", "a_i", extract=_state(S_A)),
        Variable(
            "K", _TR, "capital stock", "1", "K_i in units of initial national output", extract=_state(S_K)
        ),
        Variable("s", _TR, "specialisation", "1", "s_i in [0, 1]", extract=_state(S_S)),
        Variable("e", _TR, "integration", "1", "e_i in [0, 1], strength of ties", extract=_state(S_E)),
        Variable("z", _TR, "defection indicator", "1", "1 defecting, 0 cooperating", extract=_state(S_Z)),
        Variable(
            "sigma",
            _PT,
            "sigma dispersion of log income",
            "1",
            "standard deviation (ddof=0) of ln y_i across regions",
            extract=_rec(R_SIGMA),
        ),
        Variable(
            "CA", _PT, "comparative advantage index", "1", "sum W_ij|s_i-s_j| / sum W_ij", extract=_rec(R_CA)
        ),
        Variable(
            "EC",
            _PT,
            "economic connection index",
            "1",
            "sum W_ij L_i L_j / sum G_ij L_i L_j",
            extract=_rec(R_EC),
        ),
        Variable("ID", _PT, "industrial division index", "1", "mean_i |2 s_i - 1|", extract=_rec(R_ID)),
        Variable(
            "theil",
            _PT,
            "Theil index",
            "1",
            "population-weighted Theil T of income per capita",
            extract=_rec(R_THEIL),
        ),
        Variable(
            "theil_between",
            _PT,
            "Theil index between macro-regions",
            "1",
            "between-group part of Theil T",
            extract=_rec(R_THEIL_BETWEEN),
        ),
        Variable(
            "theil_within",
            _PT,
            "Theil index within macro-regions",
            "1",
            "within-group part of Theil T",
            extract=_rec(R_THEIL_WITHIN),
        ),
        Variable(
            "ccd",
            _PT,
            "coupling coordination degree",
            "1",
            "D = sqrt(C Tc) of the three driver indices, C = 3 (q1 q2 q3)^(1/3) / (q1 + q2 + q3)",
            extract=_rec(R_CCD),
        ),
        Variable(
            "defection",
            _PT,
            "share of defecting regions",
            "1",
            "mean of z_i over regions",
            extract=_rec(R_DEFECTION),
        ),
        Variable(
            "regime",
            _PT,
            "convergence regime",
            "1",
            "1 while the market's convergence forces work (regime c = 1), 0 while they stall; "
            "the regime after the year's last switch",
            extract=_rec(R_REGIME),
        ),
        Variable(
            "beta_slope",
            ("path",),
            "beta-convergence slope",
            "1/year",
            "OLS slope of (ln y_i(T) - ln y_i(0))/T on ln y_i(0), with intercept",
            extract=lambda res, years=None: res.path_scalar[:, P_BETA],
        ),
        Variable(
            "beta_speed",
            ("path",),
            "implied convergence speed",
            "1/year",
            "-ln(1 + slope T)/T; +inf where 1 + slope T <= 0",
            extract=lambda res, years: beta_speed(res.path_scalar[:, P_BETA], years),
        ),
        Variable(
            "growth",
            ("path",),
            "national growth rate",
            "1/year",
            "(ln sum Y(T) - ln sum Y(0))/T",
            extract=lambda res, years=None: res.path_scalar[:, P_GROWTH],
        ),
        Variable(
            "first_passage",
            ("path",),
            "first-passage year of the sigma target",
            "a",
            "first whole year with sigma <= (1 - target_reduction) sigma(0); NaN if never",
            extract=lambda res, years=None: res.path_scalar[:, P_FIRST_PASSAGE],
        ),
        Variable(
            "valid",
            ("path",),
            "path is valid",
            "1",
            "true if every recorded quantity of the path is finite",
            dtype="bool",
            extract=lambda res, years=None: valid_paths(res),
        ),
        Variable(
            "parameters",
            ("path", "parameter"),
            "drawn model parameters",
            "1",
            "each path's own value of the uncertain model keys (MODEL.md section 10); units as in section 7",
            extract=lambda res, years=None: res.path_params,
            uncertain_only=True,
        ),
        Variable(
            "draws",
            ("path",),
            "parameter draws",
            "1",
            "draws of the parameter vector the path needed to satisfy the rules of MODEL.md section 7 "
            "(0: none of 100 was admissible, the path is invalid)",
            dtype="i8",
            extract=lambda res, years=None: res.path_scalar[:, P_DRAWS].astype(np.int64),
            uncertain_only=True,
        ),
        Variable(
            "order_parameter_picks",
            ("path", "driver"),
            "reviews that picked each driver",
            "1",
            "number of order-parameter reviews that named the driver",
            dtype="i8",
            extract=lambda res, years=None: res.path_scalar[:, P_PICK_CA : P_PICK_CA + 3].astype(np.int64),
        ),
    )
}

#: Per-path quantities averaged over valid paths (results ``NAME`` and ``NAME_se``).
PATH_MEANS: dict[str, PathMean] = {
    m.name: m
    for m in (
        PathMean(
            "theil",
            ("time", "component"),
            "Theil index",
            "1",
            "population-weighted Theil T: total, between and within macro-regions; mean over paths",
            lambda res: res.rec_scalar[:, :, R_THEIL : R_THEIL + 3],
        ),
        PathMean(
            "ccd",
            ("time",),
            "coupling coordination degree",
            "1",
            "D = sqrt(C Tc) of the three driver indices; mean over paths",
            lambda res: res.rec_scalar[:, :, R_CCD],
        ),
        PathMean(
            "defection",
            ("time",),
            "share of defecting regions",
            "1",
            "mean over paths of the share of defecting regions",
            lambda res: res.rec_scalar[:, :, R_DEFECTION],
        ),
        PathMean(
            "regime",
            ("time",),
            "share of paths in the convergence regime",
            "1",
            "share of valid paths whose market convergence forces work (regime c = 1) at each record time",
            lambda res: res.rec_scalar[:, :, R_REGIME],
        ),
        PathMean(
            "rel_income",
            ("time", "region"),
            "relative income",
            "1",
            "mean over paths of ln(y_i / ybar), ybar the population-weighted national mean",
            relative_income,
            result_dims=("region", "time"),
        ),
        PathMean(
            "pop_share",
            ("time", "region"),
            "population share",
            "1",
            "mean over paths of L_i",
            lambda res: res.rec_L,
            result_dims=("region", "time"),
        ),
    )
}

#: The probabilities of the results, each defined by its per-path indicator.
PROBABILITIES: dict[str, Probability] = {
    p.name: p
    for p in (
        Probability(
            "p_sigma",
            ("time",),
            "sigma-convergence probability",
            "P(sigma(t) < sigma(0))",
            ("path_sigma",),
            sigma_fell,
        ),
        Probability(
            "p_target",
            ("time",),
            "target probability",
            "P(min over whole years s <= t of sigma(s) <= (1 - target_reduction) sigma(0)), first passage",
            ("path_first_passage",),
            target_reached,
        ),
        Probability(
            "p_beta",
            (),
            "beta-convergence probability",
            "P(beta slope < 0) over the horizon",
            ("path_beta",),
            beta_negative,
        ),
    )
}

_MP = ("mix", "path")
_MG = ("mix", "granule")


def _path_mean_arrays(m: PathMean) -> tuple[RawArray, RawArray]:
    dims = _MG + m.dims
    plain = RawArray(
        f"g_{m.name}",
        dims,
        "f8",
        np.nan,
        f"sum over a granule's valid paths of {m.long_name}",
        m.units,
        m.description,
        m.per_path,
    )
    sq = RawArray(
        f"g_{m.name}_sq",
        dims,
        "f8",
        np.nan,
        f"sum over a granule's valid paths of squared deviations of {m.long_name} from their mean",
        "1",
        m.description,
        m.per_path,
        square=True,
    )
    return plain, sq


RAW_ARRAYS: dict[str, RawArray] = {
    a.name: a
    for a in (
        RawArray(
            "path_valid",
            _MP,
            "i1",
            -1,
            "path is valid",
            "1",
            "1 if every recorded quantity is finite, 0 if not, -1 not yet computed",
            lambda res: valid_paths(res).astype(np.int8),
            must_be_finite=False,
        ),
        RawArray(
            "path_sigma",
            _MP + ("time",),
            "f8",
            np.nan,
            "sigma dispersion of log income",
            "1",
            "standard deviation (ddof=0) of ln y_i across regions at each record time",
            lambda res: res.rec_scalar[:, :, R_SIGMA],
        ),
        RawArray(
            "path_first_passage",
            _MP,
            "f8",
            np.nan,
            "first-passage year of the sigma target",
            "a",
            "first whole year with sigma <= (1 - target_reduction) sigma(0); NaN if never",
            lambda res: res.path_scalar[:, P_FIRST_PASSAGE],
            must_be_finite=False,
        ),
        RawArray(
            "path_beta",
            _MP,
            "f8",
            np.nan,
            "beta-convergence slope",
            "1/year",
            "OLS slope of (ln y_i(T) - ln y_i(0))/T on ln y_i(0)",
            lambda res: res.path_scalar[:, P_BETA],
        ),
        RawArray(
            "path_growth",
            _MP,
            "f8",
            np.nan,
            "national growth rate",
            "1/year",
            "(ln sum Y(T) - ln sum Y(0))/T",
            lambda res: res.path_scalar[:, P_GROWTH],
        ),
        RawArray(
            "path_parameters",
            ("path", "parameter"),
            "f8",
            np.nan,
            "drawn model parameters",
            "1",
            "each path's own value of the uncertain model keys (root attr uncertain_keys), the same "
            "under every mix; only under parameter uncertainty",
            lambda res: res.path_params,
            must_be_finite=False,
        ),
        *(a for m in PATH_MEANS.values() for a in _path_mean_arrays(m)),
        RawArray(
            "g_reviews",
            _MG,
            "f8",
            np.nan,
            "order-parameter reviews",
            "1",
            "number of reviews over a granule's valid paths",
            lambda res: res.path_scalar[:, P_REVIEWS],
        ),
        RawArray(
            "g_picks",
            _MG + ("driver",),
            "f8",
            np.nan,
            "reviews that picked each driver",
            "1",
            "number of reviews naming the driver, over a granule's valid paths",
            lambda res: res.path_scalar[:, P_PICK_CA : P_PICK_CA + 3],
        ),
    )
}


def _result_variables() -> dict[str, Variable]:
    out: list[Variable] = []
    for p in PROBABILITIES.values():
        out += [
            Variable(p.name, p.dims, p.long_name, "1", p.description, statistic="probability"),
            Variable(
                f"{p.name}_se",
                p.dims,
                f"Monte Carlo standard error of {p.name}",
                "1",
                "binomial sqrt(p (1 - p) / n_paths)",
                statistic="probability",
            ),
            Variable(
                f"{p.name}_lo",
                p.dims,
                f"lower end of the 95% Wilson interval of {p.name}",
                "1",
                "Wilson score interval (z = 1.96) over n_paths",
                statistic="probability",
            ),
            Variable(
                f"{p.name}_hi",
                p.dims,
                f"upper end of the 95% Wilson interval of {p.name}",
                "1",
                "Wilson score interval (z = 1.96) over n_paths",
                statistic="probability",
            ),
        ]
    out += [
        Variable(
            "sigma",
            ("time", "quantile"),
            "sigma dispersion of log income, quantiles across paths",
            "1",
            "standard deviation (ddof=0) of ln y_i across regions",
            statistic="quantiles",
        ),
        Variable(
            "sigma_mean",
            ("time",),
            "mean sigma dispersion of log income",
            "1",
            "mean over paths of sigma(t)",
            statistic="mean",
        ),
        Variable(
            "sigma_mean_se",
            ("time",),
            "standard error of sigma_mean",
            "1",
            "sd over paths / sqrt(n_paths)",
            statistic="mean",
        ),
        Variable(
            "beta_slope",
            ("quantile",),
            "beta-convergence slope, quantiles across paths",
            "1/year",
            "OLS slope of (ln y_i(T) - ln y_i(0))/T on ln y_i(0), with intercept",
            statistic="quantiles",
        ),
        Variable(
            "beta_speed",
            ("quantile",),
            "implied convergence speed, quantiles across paths",
            "1/year",
            "-ln(1 + slope T)/T; +inf for paths with 1 + slope T <= 0 (counted in n_speed_undefined); "
            "level q is the speed of the slope's level 1 - q (a decreasing transform)",
            statistic="quantiles",
        ),
        Variable(
            "growth",
            ("quantile",),
            "national growth rate, quantiles across paths",
            "1/year",
            "(ln sum Y(T) - ln sum Y(0))/T",
            statistic="quantiles",
        ),
    ]
    for m in PATH_MEANS.values():
        out += [
            Variable(m.name, m.out_dims, m.long_name, m.units, m.description, statistic="mean"),
            Variable(
                f"{m.name}_se",
                m.out_dims,
                f"standard error of {m.name}",
                m.units,
                "sd over paths / sqrt(n_paths)",
                statistic="mean",
            ),
        ]
    out += [
        Variable(
            "order_parameter_share",
            ("driver",),
            "share of reviews that picked each driver",
            "1",
            "picks of the driver / all reviews, pooled over valid paths",
            statistic="ratio",
        ),
        Variable(
            "n_paths",
            (),
            "valid paths",
            "1",
            "paths that entered the statistics",
            dtype="i8",
            statistic="count",
        ),
        Variable(
            "n_invalid",
            (),
            "invalid paths",
            "1",
            "paths with a non-finite recorded value, left out of every statistic",
            dtype="i8",
            statistic="count",
        ),
        Variable(
            "n_speed_undefined",
            (),
            "valid paths with an unbounded implied speed",
            "1",
            "valid paths with 1 + beta_slope T <= 0 (beta_speed = +inf)",
            dtype="i8",
            statistic="count",
        ),
    ]
    return {v.name: v for v in out}


#: Variables of the results dataset (dims beyond the mix dims).
RESULTS: dict[str, Variable] = _result_variables()


# --------------------------------------------------------------------------- metadata


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """Attach ``long_name``, ``units`` and ``description`` to every catalogued name.

    Result variables are looked up in :data:`RESULTS`, then :data:`SIM_VARIABLES`;
    coordinates in :data:`COORDS`. The dataset gets ``Conventions``.
    """
    for name, var in ds.data_vars.items():
        spec = RESULTS.get(name) or SIM_VARIABLES.get(name)
        if spec is not None:
            var.attrs.update(long_name=spec.long_name, units=spec.units, description=spec.description)
    for name, coord in ds.coords.items():
        c = COORDS.get(name)
        if c is None:
            continue
        coord.attrs.update(long_name=c.long_name)
        if c.units is not None:
            coord.attrs["units"] = c.units
        if c.description:
            coord.attrs["description"] = c.description
    ds.attrs["Conventions"] = CONVENTIONS
    return ds


def with_year_index(ds: xr.Dataset) -> xr.Dataset:
    """Index the ``year`` coordinate too, so that ``ds.sel(year=2040)`` works."""
    if "year" in ds.coords and "year" not in ds.xindexes:
        ds = ds.set_xindex("year")
    return ds


def cf_dataset(ds: xr.Dataset) -> xr.Dataset:
    """A copy of ``ds`` laid out for a CF NetCDF file.

    CF coordinate variables are numeric, so each string-valued index (``region``,
    ``driver``, ``component``) becomes an auxiliary coordinate ``NAME_name`` along its
    dimension; strings are written as character arrays. Write it with
    ``cf_dataset(ds).to_netcdf(path)``.
    """
    out = ds.copy()
    out = out.drop_indexes([k for k in out.xindexes if k not in out.dims])
    strings = [name for name in out.variables if out[name].dtype.kind in "OUST"]
    out = out.assign_coords({name: out[name].astype(object) for name in strings if name in out.coords})
    for name in strings:
        if name in out.dims:
            out = out.rename_vars({name: f"{name}_name"})
    for name in out.variables:
        if out[name].dtype.kind == "O":
            out[name].encoding = {"dtype": "S1"}
    return out
