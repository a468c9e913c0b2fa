"""Which uncertain parameters matter: global sensitivity of per-path outcomes to the draws.

Under parameter uncertainty (MODEL.md section 10) every path draws its own parameter
vector, so the paths of one mix are a sample ``(X, Y)`` of the uncertain keys and an
outcome. The measures here work on such a given sample (no special design), on the
valid paths of one mix at a time (SALib's given-data methods):

``pawn``
    PAWN (Pianosi and Wagener 2015, 2018; :func:`SALib.analyze.pawn.analyze`): the
    Kolmogorov-Smirnov distance between the outcome's distribution over all paths and
    over the paths whose draw of the parameter falls in one of 10 equal-frequency
    slices; the index is the median over slices, in [0, 1]. For the 0/1 outcome
    ``target`` the distance is ``|P(target | slice) - P(target)|``, so the index is the
    typical shift of the target probability across the parameter's range. SALib gives
    no interval for PAWN: mccoord bootstraps paths (``resamples`` resamples, seeded).
    Resampled paths repeat, which shifts the resampled statistic upward, so the index
    is bias-reduced as SALib does for delta (``2 PAWN - mean of the resamples``) and
    the interval is normal with the resamples' standard deviation.
``S1`` (given with either method)
    The first-order Sobol index from the same data, ``Var(E[Y | x_i]) / Var(Y)``, by
    the correlation ratio over equal-frequency classes of the draws (SALib's
    ``delta.analyze(method="sobol")``; Plischke et al. 2013), with SALib's bootstrap
    interval (normal, ``resamples`` resamples). For ``target`` it is the variance of
    the target probability across the parameter's range over ``p (1 - p)``. When the
    shocks explain most of an outcome's spread it separates a parameter from noise with
    fewer paths than PAWN, whose distances of whole distributions are then small.
``delta`` (continuous outcomes only)
    Borgonovo's moment-independent delta (Borgonovo 2007), by the given-data estimator of
    Plischke, Borgonovo and Smith (2013) with its bias reduction, on the sample as drawn
    (SALib's ``delta_raw``), with SALib's bootstrap interval. Delta needs a density of
    the outcome, which a 0/1 outcome does not have (SALib's kernel estimate skips
    classes where it is constant, biasing delta), so ``target`` is refused with delta.

Outcomes (:data:`mccoord.analysis.samples.OUTCOMES`): ``target`` (target reached by the
horizon, first passage ``<= T``) and ``sigma`` (``sigma(T)``). Default method: ``pawn``
(PAWN and ``S1``) for both. ``delta`` costs much more: SALib computes three variants of it, each with its
bootstrap (about 15 s of CPU per parameter and mix at 1000 paths and 100 resamples).

Even a parameter without influence gets a positive index from sampling noise. Every
table therefore has a row for ``dummy``, a column of independent uniform draws (seeded)
analysed like the parameters (Khorashadi Zadeh et al. 2017): a parameter whose interval
does not lie above the dummy's is indistinguishable from no influence.

The indices depend on the declared distributions: they say how much of the outcome's
variation the *declared* uncertainty of each key explains, for that mix.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ConfigError
from .samples import OUTCOMES, MixSpec, PathSample, check_outcome, path_sample

__all__ = ["METHODS", "format_sensitivity", "sensitivity", "sensitivity_indices"]

#: Methods of :func:`sensitivity` and the measures (``method`` column) each gives.
METHODS: dict[str, tuple[str, ...]] = {"pawn": ("pawn", "S1"), "delta": ("delta", "S1")}
#: Columns of the table :func:`sensitivity` returns.
COLUMNS = ("mix", "outcome", "parameter", "method", "index", "ci_low", "ci_high", "rank", "n")
#: Conditioning slices of PAWN (SALib's default and Pianosi and Wagener's).
PAWN_SLICES = 10
#: Fewest valid paths the measures are computed on: two per PAWN slice. Far more are needed
#: to separate a parameter from noise (a few hundred for a 0/1 outcome); the ``dummy`` row
#: shows whether a sample is large enough, so small samples give wide intervals, not an error.
MIN_PATHS = 2 * PAWN_SLICES
CONF_LEVEL = 0.95
#: Name of the noise-reference row (a column of independent uniform draws).
DUMMY = "dummy"


@contextlib.contextmanager
def _contained_salib(seed: int):
    """Run SALib code without leaking its global side effects.

    SALib's given-data analyses seed NumPy's global random state, change the warning
    filters and replace ``warnings.formatwarning``; all three are restored on exit, and
    its warnings (notes on binning) are swallowed.
    """
    state = np.random.get_state()  # noqa: NPY002 - SALib uses the legacy global state
    formatter = warnings.formatwarning
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.random.seed(seed)  # noqa: NPY002
            yield
    finally:
        warnings.formatwarning = formatter
        np.random.set_state(state)  # noqa: NPY002


def _problem(names: Sequence[str]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _pawn(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    from SALib.analyze import pawn

    res = pawn.analyze(_problem([f"x{j}" for j in range(X.shape[1])]), X, y, S=PAWN_SLICES)
    return np.asarray(res["median"], dtype=float)


def _indices_pawn(X, y, resamples, seed) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    with _contained_salib(seed + 1):
        est = _pawn(X, y)
        rng = np.random.default_rng(seed)
        boot = np.empty((resamples, X.shape[1]))
        for b in range(resamples):
            i = rng.integers(0, y.size, y.size)
            boot[b] = _pawn(X[i], y[i])
    from scipy.stats import norm

    # resampled paths repeat, which shifts the KS statistics upward: bias-reduce the
    # estimate by the bootstrap (2 est - mean), as SALib does for delta, with a normal
    # interval from the bootstrap spread
    reduced = 2 * est - boot.mean(axis=0)
    half = norm.ppf(0.5 + CONF_LEVEL / 2) * boot.std(axis=0, ddof=1)
    est, lo, hi = reduced, reduced - half, reduced + half
    return {"pawn": (est, lo, hi), **_indices_first_order(X, y, resamples, seed)}


def _salib_delta(X, y, resamples, seed, **options) -> dict:
    """SALib's ``delta.analyze`` on given samples, with bootstrap intervals."""
    from SALib.analyze import delta

    with _contained_salib(seed + 1):
        return delta.analyze(
            _problem([f"x{j}" for j in range(X.shape[1])]),
            X,
            y,
            num_resamples=resamples,
            conf_level=CONF_LEVEL,
            seed=seed + 1,
            **options,
        )


def _estimates(res: dict, keys: dict[str, str]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``name -> (estimate, low, high)`` for SALib result keys (``key`` and ``key_conf``)."""
    out = {}
    for name, key in keys.items():
        est = np.asarray(res[key], dtype=float)
        half = np.asarray(res[f"{key}_conf"], dtype=float)
        out[name] = (est, est - half, est + half)
    return out


def _indices_first_order(X, y, resamples, seed) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return _estimates(_salib_delta(X, y, resamples, seed, method="sobol"), {"S1": "S1"})


def _indices_delta(X, y, resamples, seed) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return _estimates(_salib_delta(X, y, resamples, seed), {"delta": "delta_raw", "S1": "S1"})


def _check_method(method: object, outcome: str) -> str:
    if method is None:
        return "pawn"
    if method not in METHODS:
        raise ConfigError("method", method, f"one of: {', '.join(METHODS)}")
    if method == "delta" and outcome == "target":
        raise ConfigError(
            "method", method, "pawn for outcome 'target' (a 0/1 outcome has no density for delta)"
        )
    return str(method)


def _check_count(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(name, value, f"a whole number >= {low}")
    return int(value)


def sensitivity_indices(
    X: pd.DataFrame | np.ndarray,
    y: np.ndarray,
    *,
    method: str = "pawn",
    resamples: int = 100,
    seed: int = 0,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of an outcome ``y`` to the columns of a given sample ``X``.

    Parameters
    ----------
    X : DataFrame or array (n, k)
        Parameter draws, one column per parameter (any distribution).
    y : array (n,)
        Outcome of each row.
    method : {"pawn", "delta"}
        See the module docstring.
    resamples : int
        Bootstrap resamples of the confidence intervals.
    seed : int
        Seed of the bootstrap (the same seed gives the same table).
    names : sequence of str, optional
        Parameter names (default: the columns of ``X``, or ``x0, x1, ...``).

    Returns
    -------
    pandas.DataFrame
        One row per parameter and measure, plus the ``dummy`` row (module docstring):
        ``parameter, method, index, ci_low, ci_high, rank, n`` (``rank`` 1 = largest
        index of that measure). A constant column has NaN indices; a constant outcome
        gives 0 everywhere.
    """
    if method not in METHODS:
        raise ConfigError("method", method, f"one of: {', '.join(METHODS)}")
    resamples = _check_count("resamples", resamples, 10)
    if names is None:
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ConfigError("X, y", f"shapes {X.shape} and {y.shape}", "X of shape (n, k) and y of shape (n,)")
    names = list(names) if names is not None else [f"x{j}" for j in range(X.shape[1])]
    n = X.shape[0]
    if n < MIN_PATHS:
        raise ConfigError("paths", n, f"at least {MIN_PATHS} valid paths for sensitivity indices")
    if DUMMY in names:
        raise ConfigError("names", DUMMY, f"parameter names other than {DUMMY!r} (the noise reference)")
    names = [*names, DUMMY]
    X = np.column_stack([X, np.random.default_rng([int(seed), 1]).uniform(size=n)])
    varies = np.ptp(X, axis=0) > 0
    results = {m: (np.full(len(names), np.nan),) * 3 for m in METHODS[method]}
    if varies.any() and np.ptp(y) > 0:
        compute = _indices_pawn if method == "pawn" else _indices_delta
        part = compute(X[:, varies], y, resamples, int(seed))
        for m, arrays in part.items():
            full = []
            for a in arrays:
                v = np.full(len(names), np.nan)
                v[varies] = a
                full.append(v)
            results[m] = tuple(full)
    elif varies.any():
        # a constant outcome depends on nothing
        zero = np.where(varies, 0.0, np.nan)
        results = {m: (zero, zero, zero) for m in METHODS[method]}
    rows = []
    for m, (est, lo, hi) in results.items():
        order = pd.Series(est).rank(ascending=False, method="min").to_numpy()
        rows += [
            {
                "parameter": names[j],
                "method": m,
                "index": float(est[j]),
                "ci_low": float(lo[j]),
                "ci_high": float(hi[j]),
                "rank": int(order[j]) if np.isfinite(order[j]) else pd.NA,
                "n": n,
            }
            for j in range(len(names))
        ]
    table = pd.DataFrame(rows)
    table["rank"] = table["rank"].astype("Int64")
    table = table.sort_values(["method", "rank"], kind="stable", na_position="last").reset_index(drop=True)
    table.attrs.update(
        {
            "conf_level": CONF_LEVEL,
            "resamples": resamples,
            "seed": int(seed),
            "ci_method": "bootstrap over paths: bias-reduced estimate, normal interval"
            if method == "pawn"
            else "SALib delta: normal interval from its bootstrap",
            "pawn_slices": PAWN_SLICES if method == "pawn" else None,
            "dummy": DUMMY,
        }
    )
    return table


def _mix_list(source, mix) -> list[MixSpec]:
    if isinstance(source, xr.Dataset) and "first_passage" in source:
        return [mix]
    from ..mixes import default_mixes, flat
    from ..store import open_results

    ds = open_results(source)
    if mix is None:
        return list(default_mixes(ds))
    if isinstance(mix, str) and mix == "all":
        return list(range(flat(ds).sizes["mix"]))
    if isinstance(mix, list | tuple):
        return list(mix)
    return [mix]


def sensitivity(
    source: str | Path | xr.Dataset,
    outcome: str = "target",
    mix: MixSpec | Sequence[MixSpec] = None,
    *,
    method: str | None = None,
    resamples: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Global sensitivity of a per-path outcome to the uncertain parameters, per mix.

    Parameters
    ----------
    source : path or xarray.Dataset
        A store of :func:`mccoord.run` (or its results dataset) of a scenario with an
        ``[uncertainty]`` table, or the dataset of :func:`mccoord.simulate`.
    outcome : {"target", "sigma"}
        ``target``: target reached by the horizon (0/1); ``sigma``: ``sigma(T)`` [1].
    mix : mix, list of mixes or "all", optional
        Store only: ``"best"``, ``"off"``, ``"on"``, a flat mix index or a dict of
        intensities, a list of them, or ``"all"``; default all off, all on and the best
        mix.
    method : {"pawn", "delta"}, optional
        Default ``pawn``; ``delta`` (``sigma`` only) is slower (module docstring).
    resamples : int
        Bootstrap resamples of the confidence intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per mix, parameter and measure, columns ``mix, outcome, parameter,
        method, index, ci_low, ci_high, rank, n`` (``n`` valid paths used; ``rank`` 1 =
        most influential), with a ``dummy`` row per mix and measure as the noise
        reference. ``attrs``: ``labels`` (mix -> intensities), ``horizon`` [years],
        ``n_invalid`` per mix, ``conf_level``, ``resamples``, ``seed`` and what each
        measure is.

    Raises
    ------
    ConfigError
        Before any work: an unknown outcome or method, delta with ``target``, a mix not
        in the store, a run without parameter uncertainty, or fewer than 50 valid paths.
    """
    outcome = check_outcome(outcome)
    method = _check_method(method, outcome)
    resamples = _check_count("resamples", resamples, 10)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError("seed", seed, "a whole number >= 0")
    samples: list[PathSample] = [path_sample(source, m) for m in _mix_list(source, mix)]
    seen: dict[int, PathSample] = {}
    for s in samples:
        seen.setdefault(s.mix, s)
    for s in seen.values():
        if len(s.X) < MIN_PATHS:
            raise ConfigError(
                "paths", len(s.X), f"at least {MIN_PATHS} valid paths for sensitivity indices (mix {s.label})"
            )
    tables = []
    for s in seen.values():
        t = sensitivity_indices(s.X, s.outcome(outcome), method=method, resamples=resamples, seed=int(seed))
        t.insert(0, "outcome", outcome)
        t.insert(0, "mix", s.mix)
        tables.append(t)
    table = pd.concat(tables, ignore_index=True)[list(COLUMNS)]
    first = next(iter(seen.values()))
    table.attrs.update(tables[0].attrs)
    table.attrs.update(
        {
            "outcome": outcome,
            "outcome_description": OUTCOMES[outcome],
            "horizon": first.horizon,
            "labels": {s.mix: s.label for s in seen.values()},
            "n_invalid": {s.mix: s.n_invalid for s in seen.values()},
            "measures": {
                "pawn": "PAWN: median over 10 slices of the KS distance between conditional and "
                "unconditional outcome distributions (Pianosi and Wagener 2018)",
                "delta": "Borgonovo's moment-independent delta, Plischke et al. (2013) estimator",
                "S1": "first-order Sobol index from the given sample (correlation ratio)",
            },
        }
    )
    return table


def format_sensitivity(table: pd.DataFrame) -> str:
    """The table of :func:`sensitivity` as text: one block per mix, most influential first."""
    a = table.attrs
    lines = [
        f"sensitivity of {a.get('outcome')} ({a.get('outcome_description')}, T = {a.get('horizon', 0):g}) "
        f"to the uncertain parameters; {a.get('conf_level', CONF_LEVEL):.0%} intervals from "
        f"{a.get('resamples')} bootstrap resamples"
    ]
    lines.append(
        f"{DUMMY}: independent uniform draws, the noise level: a parameter whose interval does not "
        f"lie above the {DUMMY}'s is indistinguishable from no influence"
    )
    for mix, part in table.groupby("mix", sort=False):
        n_invalid = a.get("n_invalid", {}).get(mix, 0)
        lines.append("")
        lines.append(
            f"mix {mix}: {a.get('labels', {}).get(mix, '')} ({int(part['n'].iloc[0])} valid paths"
            + (f", {n_invalid} invalid" if n_invalid else "")
            + ")"
        )
        if np.allclose(part[["index", "ci_low", "ci_high"]].to_numpy(dtype=float), 0.0):
            lines.append("  the outcome is the same on every valid path: it depends on no parameter")
            continue
        lines.append(f"  {'rank':>4}  {'parameter':<16}{'method':<8}{'index':>8}   95% interval")
        for _, r in part.iterrows():
            rank = "" if pd.isna(r["rank"]) else str(int(r["rank"]))
            lines.append(
                f"  {rank:>4}  {r['parameter']:<16}{r['method']:<8}{r['index']:>8.3f}   "
                f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]"
            )
    return "\n".join(lines)
