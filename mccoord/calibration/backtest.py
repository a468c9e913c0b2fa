"""Out-of-sample backtest: calibrate on training years, forecast the test years.

1. :func:`~mccoord.calibration.calibrate` on the training window ``[Y0, Y1]`` (model v2
   by default: steady states and dynamics from the training years only, regime hazards
   from a long record that must not overlap the test years).
2. Simulate ``paths`` paths of ``mix`` (default the baseline, every mechanism 0) from the
   observed cross-section of the test start ``Y1`` for ``Y2 - Y1`` years with the fitted
   parameters, twice: with **parameter uncertainty** (every path draws its own
   ``sigma, sigma_common, g, lambda0[, rho_a]`` from the fit's ``calibrated`` block, the
   multivariate normal of MODEL.md section 10) and with **shocks only** (every path on
   the point estimates). Both runs use the same seed.
3. For every test year the observed ``sigma`` and, over ``[Y1, Y2]``, the observed
   beta slope (and, for information, national growth) are ranked in each ensemble:
   percentile rank ``100 * (#{sim < obs} + #{sim == obs}/2) / S`` and whether the value
   lies in the central 90% band (between the 5% and 95% quantiles).

The judged band is the one with parameter uncertainty; the shock-only band is reported
beside it. Verdict: ``PASS`` when at least :data:`PASS_SHARE` of the test years and the
beta slope are inside the band, ``FAIL`` when the final-year sigma and the beta slope
are both outside, ``MIXED`` otherwise. A correct model puts about 90% of the years
inside a 90% band, but consecutive years of one observed path are strongly dependent,
so one or two misses in a row are expected; 75% is the bar. National growth is
reported, not judged (the panels are nominal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..params import validate_mix
from ..scenario import Scenario
from ..simulate import simulate
from .calibrate import (
    DEFAULT_N_SIGMA,
    DEFAULT_PATHS,
    DEFAULT_SEED,
    CalibrationResult,
    calibrate,
    initial_scenario,
)
from .moments import moment_matrix
from .panels import Panel, load_panel
from .regimes import DEFAULT_REGIME_SOURCE, RegimeHazards

__all__ = ["BacktestResult", "backtest", "percentile_rank", "PASS_SHARE", "BANDS"]

#: Smallest share of test years inside the band for a PASS.
PASS_SHARE = 0.75
#: Ensembles of a backtest: with parameter uncertainty (judged) and shocks only.
BANDS: tuple[str, ...] = ("parameters", "shocks")


def percentile_rank(sample: np.ndarray, value: float) -> float:
    """``100 * (#{x < value} + #{x == value}/2) / n`` over the finite ``x`` of ``sample``."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    return float(100.0 * (np.sum(x < value) + 0.5 * np.sum(x == value)) / len(x))


@dataclass
class BacktestResult:
    """Outcome of :func:`backtest`.

    Attributes
    ----------
    calibration : CalibrationResult
        The fit on the training window.
    train, test : tuple of int
        ``(Y0, Y1)`` and ``(Y1, Y2)``.
    mix : dict
        Mechanism mix of the test ensemble.
    paths, seed : int
        Ensemble size and seed.
    table : pandas.DataFrame
        One row per statistic (``sigma <year>``, ``beta slope``, ``growth``): column
        ``observed``, then per band (``parameters``, ``shocks``) the columns
        ``q05_<band>, median_<band>, q95_<band>, percentile_<band>, inside_<band>``, and
        ``judged``.
    band : str
        The band the verdict judges (``parameters``).
    n_invalid : dict
        Paths dropped per band (non-finite records, or no admissible parameter draw).
    verdict : str
        One line: ``PASS``/``MIXED``/``FAIL`` and the counts.
    """

    calibration: CalibrationResult = field(repr=False)
    train: tuple[int, int]
    test: tuple[int, int]
    mix: dict[str, float]
    paths: int
    seed: int
    table: pd.DataFrame
    band: str
    n_invalid: dict[str, int]
    verdict: str

    @property
    def passed(self) -> bool:
        return self.verdict.startswith("PASS")

    def counts(self, band: str | None = None) -> tuple[int, int, bool]:
        """``(sigma years inside, test years, beta slope inside)`` for ``band``."""
        band = band or self.band
        sig = self.table[self.table.index.str.startswith("sigma")]
        return (
            int(sig[f"inside_{band}"].sum()),
            len(sig),
            bool(self.table.loc["beta slope", f"inside_{band}"]),
        )

    def summary(self) -> str:
        """Calibration report, the backtest table and the verdict."""
        on = {k: v for k, v in self.mix.items() if v}
        bands = [b for b in BANDS if f"inside_{b}" in self.table]
        lines = [
            self.calibration.summary(),
            "",
            f"Backtest {self.calibration.data}: model {self.calibration.model}, train "
            f"{self.train[0]}-{self.train[1]}, test {self.test[0]}-{self.test[1]}, mix "
            f"{on or 'baseline (all 0)'}, {self.paths} paths, seed {self.seed}, start = observed "
            f"{self.test[0]} cross-section",
            "",
        ]
        head = f"{'statistic':<14} {'observed':>9}"
        for b in bands:
            label = "with parameter uncertainty" if b == "parameters" else "shocks only"
            lines.append(f"{'':<24} {b}: {label}")
            head += f" | {'q05':>8} {'median':>8} {'q95':>8} {'pctile':>6} {'in':>3}"
        lines.append(head)
        for k, r in self.table.iterrows():
            row = f"{k:<14} {r.observed:9.5f}"
            for b in bands:
                mark = "yes" if r[f"inside_{b}"] else ("NO" if r.judged else "no")
                row += (
                    f" | {r[f'q05_{b}']:8.5f} {r[f'median_{b}']:8.5f} {r[f'q95_{b}']:8.5f} "
                    f"{r[f'percentile_{b}']:6.1f} {mark:>3}"
                )
            lines.append(row + ("" if r.judged else "  (reported, not judged)"))
        lines.append(f"bands: central 90% of the ensemble; judged: {self.band}")
        lines.append("paths dropped: " + ", ".join(f"{b} {n}" for b, n in self.n_invalid.items()))
        lines += ["", f"verdict: {self.verdict}"]
        return "\n".join(lines)


def _parse_span(value: object, field_name: str) -> tuple[int, int]:
    if isinstance(value, str):
        a, sep, b = value.partition(":")
        try:
            if not sep:
                raise ValueError
            return int(a), int(b)
        except ValueError as exc:
            raise ConfigError(field_name, value, "Y0:Y1 (two whole years)") from exc
    if isinstance(value, tuple | list) and len(value) == 2:
        return value[0], value[1]
    raise ConfigError(field_name, value, "a pair of years (Y0, Y1) or 'Y0:Y1'")


def _check_regime_source(regimes, panel: Panel, t0: int, t1: int) -> None:
    """Refuse regime hazards estimated on the test years of the same panel."""
    if isinstance(regimes, RegimeHazards):
        name, a, b = regimes.data, regimes.start, regimes.end
    else:
        name, a, b = regimes or DEFAULT_REGIME_SOURCE
    if str(name) == panel.name and a < t1 and b > t0:
        raise ConfigError(
            "--regimes",
            f"{name}:{a}:{b}",
            f"a record that does not overlap the test years {t0}-{t1} of {panel.name}",
        )


def _ensemble(scenario: Scenario, mix: dict, paths: int, seed: int, T: int):
    ds = simulate(scenario, mix, paths=int(paths), seed=int(seed), years=T)
    valid = ds["valid"].values
    sim_m = moment_matrix(ds["ln_y"].values[valid], ds["L"].values[valid], 1)
    return ds["sigma"].values[valid], sim_m, int((~valid).sum())


def backtest(
    data: str | Path | pd.DataFrame | Panel,
    train: tuple[int, int] | str,
    test: tuple[int, int] | str,
    *,
    model: str = "v2",
    mix: dict[str, float] | None = None,
    paths: int = 1000,
    calib_paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    n_sigma: int = DEFAULT_N_SIGMA,
    params: dict[str, float] | None = None,
    regimes: tuple[str, int, int] | RegimeHazards | None = None,
    maxfev: int = 100,
    calibration: CalibrationResult | None = None,
    progress=None,
) -> BacktestResult:
    """Calibrate on ``train`` and rank the observed test-window statistics in the ensemble.

    Parameters
    ----------
    data
        As for :func:`~mccoord.calibration.calibrate`.
    train, test
        ``(Y0, Y1)`` and ``(Y1, Y2)`` (or ``"Y0:Y1"``); the test window must start at or
        after the end of the training window (no overlap).
    model : {"v2", "v1"}
        Model of the calibration (see :func:`~mccoord.calibration.calibrate`).
    mix : dict, optional
        Mechanism mix of the test ensemble (the calibration always uses the baseline).
    paths : int
        Paths of each test ensemble.
    calib_paths, seed, n_sigma, params, regimes, maxfev, progress
        Passed to :func:`~mccoord.calibration.calibrate`; ``regimes`` must not overlap
        the test years of the same panel.
    calibration : CalibrationResult, optional
        Reuse an existing fit of the same panel and training window.

    Returns
    -------
    BacktestResult
    """
    say = progress or (lambda _text: None)
    panel = load_panel(data if calibration is None else calibration.panel)
    y0, y1 = panel.check_years(*_parse_span(train, "--train"), field="--train")
    t0, t1 = panel.check_years(*_parse_span(test, "--test"), field="--test", min_span=1)
    if t0 < y1:
        raise ConfigError("--test", f"{t0}:{t1}", f"a window starting at or after the training end {y1}")
    full_mix = validate_mix(mix or {})
    if isinstance(paths, bool) or not isinstance(paths, int | np.integer) or paths < 20:
        raise ConfigError("paths", paths, "a whole number >= 20")
    if calibration is None:
        if model == "v2":
            _check_regime_source(regimes, panel, t0, t1)
        calibration = calibrate(
            panel,
            y0,
            y1,
            model=model,
            paths=calib_paths,
            seed=seed,
            n_sigma=n_sigma,
            params=params,
            regimes=regimes,
            maxfev=maxfev,
            progress=progress,
        )
    elif (calibration.start, calibration.end) != (y0, y1):
        raise ConfigError(
            "calibration",
            f"{calibration.start}:{calibration.end}",
            f"a calibration on the training window {y0}:{y1}",
        )
    elif calibration.regimes is not None:
        _check_regime_source(calibration.regimes, panel, t0, t1)
    T = t1 - t0
    scenario = initial_scenario(
        panel,
        t0,
        years=T,
        seed=seed,
        params=calibration.params,
        steady_state=calibration.steady_state_column(panel.regions),
    )
    say(f"test ensemble with parameter uncertainty ({paths} paths)")
    uncertain = scenario.with_overrides(uncertainty={"calibrated": calibration.calibrated_block()})
    ensembles = {"parameters": _ensemble(uncertain, full_mix, paths, seed, T)}
    say(f"test ensemble with shocks only ({paths} paths)")
    ensembles["shocks"] = _ensemble(scenario, full_mix, paths, seed, T)
    band = "parameters"

    lny, L = panel.window(t0, t1)
    obs_sigma = lny.std(axis=1, ddof=0)
    obs_m = moment_matrix(lny, L, 1)[0]  # sigma_T, beta, growth, sd_growth, sd_rel_growth
    stats = [(f"sigma {t0 + t}", obs_sigma[t], lambda e, t=t: e[0][:, t], True) for t in range(1, T + 1)]
    stats += [
        ("beta slope", obs_m[1], lambda e: e[1][:, 1], True),
        ("growth", obs_m[2], lambda e: e[1][:, 2], False),
    ]
    rows = []
    for name, obs, pick, judged in stats:
        row = {"statistic": name, "observed": float(obs), "judged": judged}
        for b, ens in ensembles.items():
            s = np.asarray(pick(ens), dtype=float)
            s = s[np.isfinite(s)]
            q05, med, q95 = np.quantile(s, [0.05, 0.5, 0.95])
            row.update(
                {
                    f"q05_{b}": q05,
                    f"median_{b}": med,
                    f"q95_{b}": q95,
                    f"percentile_{b}": percentile_rank(s, obs),
                    f"inside_{b}": bool(q05 <= obs <= q95),
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows).set_index("statistic")

    sig = table.iloc[:T]
    k_in = int(sig[f"inside_{band}"].sum())
    beta_in = bool(table.loc["beta slope", f"inside_{band}"])
    last = sig.iloc[-1]
    if k_in >= PASS_SHARE * T and beta_in:
        label = "PASS"
    elif not last[f"inside_{band}"] and not beta_in:
        label = "FAIL"
    else:
        label = "MIXED"
    other = [b for b in ensembles if b != band]
    beside = ""
    if other:
        k2 = int(sig[f"inside_{other[0]}"].sum())
        b2 = bool(table.loc["beta slope", f"inside_{other[0]}"])
        beside = f"; {other[0]} only: {k2}/{T} years, beta {'inside' if b2 else 'outside'}"
    verdict = (
        f"{label}: {calibration.data} {t0}-{t1} ({band} band): observed sigma inside the 90% band in "
        f"{k_in}/{T} test years (final year at percentile {last[f'percentile_{band}']:.0f}); beta slope "
        f"at percentile {table.loc['beta slope', f'percentile_{band}']:.0f} "
        f"({'inside' if beta_in else 'outside'} the band){beside}"
    )
    return BacktestResult(
        calibration=calibration,
        train=(y0, y1),
        test=(t0, t1),
        mix=full_mix,
        paths=int(paths),
        seed=int(seed),
        table=table,
        band=band,
        n_invalid={b: e[2] for b, e in ensembles.items()},
        verdict=verdict,
    )
