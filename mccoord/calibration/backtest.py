"""Out-of-sample backtest: calibrate on training years, forecast the test years.

1. :func:`~mccoord.calibration.calibrate` on the training window ``[Y0, Y1]``
   (baseline mix).
2. Simulate ``paths`` paths of ``mix`` (default baseline) with the fitted parameters
   from the observed cross-section of the test start ``Y1`` for ``Y2 - Y1`` years.
3. For every test year the observed ``sigma`` and, over ``[Y1, Y2]``, the observed
   beta slope (and, for information, mean national growth) are ranked in the
   ensemble: percentile rank ``100 * (#{sim < obs} + #{sim == obs}/2) / S`` and
   whether it lies in the central 90% band (between the 5% and 95% quantiles).

The band reflects the model's shocks only, not the uncertainty of the fitted
parameters. The verdict is ``PASS`` when every sigma year and the beta slope fall
inside the band, ``FAIL`` when the final-year sigma and the beta slope both fall
outside, and ``MIXED`` otherwise; national growth is reported but not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..params import validate_mix
from ..simulate import simulate
from .calibrate import DEFAULT_PATHS, DEFAULT_SEED, CalibrationResult, calibrate, initial_scenario
from .moments import moment_matrix
from .panels import Panel, load_panel

__all__ = ["BacktestResult", "backtest", "percentile_rank"]


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
        One row per statistic (``sigma <year>``, ``beta slope``, ``growth``): columns
        ``observed, q05, median, q95, percentile, inside_90, judged``.
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
    verdict: str

    @property
    def passed(self) -> bool:
        return self.verdict.startswith("PASS")

    def summary(self) -> str:
        """Calibration report, the backtest table and the verdict."""
        on = {k: v for k, v in self.mix.items() if v}
        lines = [
            self.calibration.summary(),
            "",
            f"Backtest {self.calibration.data}: train {self.train[0]}-{self.train[1]}, test "
            f"{self.test[0]}-{self.test[1]}, mix {on or 'baseline (all 0)'}, {self.paths} paths, "
            f"seed {self.seed}, start = observed {self.test[0]} cross-section",
            "",
            "statistic        observed        q05     median        q95  pctile  in 90%",
        ]
        for k, r in self.table.iterrows():
            mark = ("yes" if r.inside_90 else "NO") if r.judged else ("yes" if r.inside_90 else "no") + "*"
            lines.append(
                f"{k:<14} {r.observed:10.5f} {r.q05:10.5f} {r['median']:10.5f} {r.q95:10.5f} "
                f"{r.percentile:7.1f}  {mark}"
            )
        lines.append(
            "(* reported, not judged; the band covers the model's shocks, not parameter uncertainty)"
        )
        lines += ["", f"verdict: {self.verdict}"]
        return "\n".join(lines)


def _parse_span(value: object, field: str) -> tuple[int, int]:
    if isinstance(value, str):
        a, sep, b = value.partition(":")
        try:
            if not sep:
                raise ValueError
            return int(a), int(b)
        except ValueError as exc:
            raise ConfigError(field, value, "Y0:Y1 (two whole years)") from exc
    if isinstance(value, tuple | list) and len(value) == 2:
        return value[0], value[1]
    raise ConfigError(field, value, "a pair of years (Y0, Y1) or 'Y0:Y1'")


def backtest(
    data: str | Path | pd.DataFrame | Panel,
    train: tuple[int, int] | str,
    test: tuple[int, int] | str,
    *,
    mix: dict[str, float] | None = None,
    paths: int = 1000,
    calib_paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    n_sigma: int = 3,
    params: dict[str, float] | None = None,
    calibration: CalibrationResult | None = None,
) -> BacktestResult:
    """Calibrate on ``train`` and rank the observed test-window statistics in the ensemble.

    Parameters
    ----------
    data
        As for :func:`~mccoord.calibration.calibrate`.
    train, test
        ``(Y0, Y1)`` and ``(Y1, Y2)`` (or ``"Y0:Y1"``); the test window must start at or
        after the end of the training window (no overlap).
    mix : dict, optional
        Mechanism mix of the test ensemble (the calibration always uses the baseline).
    paths : int
        Paths of the test ensemble.
    calib_paths, seed, n_sigma, params
        Passed to :func:`~mccoord.calibration.calibrate`.
    calibration : CalibrationResult, optional
        Reuse an existing fit of the same panel and training window.

    Returns
    -------
    BacktestResult
    """
    panel = load_panel(data if calibration is None else calibration.panel)
    y0, y1 = panel.check_years(*_parse_span(train, "--train"), field="--train")
    t0, t1 = panel.check_years(*_parse_span(test, "--test"), field="--test", min_span=1)
    if t0 < y1:
        raise ConfigError("--test", f"{t0}:{t1}", f"a window starting at or after the training end {y1}")
    full_mix = validate_mix(mix or {})
    if isinstance(paths, bool) or not isinstance(paths, int | np.integer) or paths < 20:
        raise ConfigError("paths", paths, "a whole number >= 20")
    if calibration is None:
        calibration = calibrate(panel, y0, y1, paths=calib_paths, seed=seed, n_sigma=n_sigma, params=params)
    elif (calibration.start, calibration.end) != (y0, y1):
        raise ConfigError(
            "calibration",
            f"{calibration.start}:{calibration.end}",
            f"a calibration on the training window {y0}:{y1}",
        )
    T = t1 - t0
    scenario = initial_scenario(panel, t0, years=T, seed=seed, params=calibration.params)
    ds = simulate(scenario, full_mix, paths=int(paths), seed=int(seed), years=T)
    lny, L = panel.window(t0, t1)
    obs_sigma = lny.std(axis=1, ddof=0)
    obs_m = moment_matrix(lny, L, 1)[0]  # sigma_T, beta, growth, sd_growth
    sim_m = moment_matrix(ds["ln_y"].values, ds["L"].values, 1)
    sim_sigma = ds["sigma"].values
    rows, index = [], []

    def add(name: str, obs: float, sample: np.ndarray, judged: bool) -> None:
        s = np.asarray(sample, dtype=float)
        s = s[np.isfinite(s)]
        q05, med, q95 = np.quantile(s, [0.05, 0.5, 0.95])
        index.append(name)
        rows.append(
            {
                "observed": float(obs),
                "q05": q05,
                "median": med,
                "q95": q95,
                "percentile": percentile_rank(s, obs),
                "inside_90": bool(q05 <= obs <= q95),
                "judged": judged,
            }
        )

    for t in range(1, T + 1):
        add(f"sigma {t0 + t}", obs_sigma[t], sim_sigma[:, t], True)
    add("beta slope", obs_m[1], sim_m[:, 1], True)
    add("growth", obs_m[2], sim_m[:, 2], False)
    table = pd.DataFrame(rows, index=pd.Index(index, name="statistic"))

    sig = table.iloc[:T]
    k_in = int(sig["inside_90"].sum())
    beta = table.loc["beta slope"]
    last = sig.iloc[-1]
    if k_in == T and beta.inside_90:
        label = "PASS"
    elif not last.inside_90 and not beta.inside_90:
        label = "FAIL"
    else:
        label = "MIXED"
    verdict = (
        f"{label}: {calibration.data} {t0}-{t1}: observed sigma inside the 90% band in {k_in}/{T} "
        f"test years (final year at percentile {last.percentile:.0f}); beta slope at percentile "
        f"{beta.percentile:.0f} ({'inside' if beta.inside_90 else 'outside'} the band)"
    )
    return BacktestResult(
        calibration=calibration,
        train=(y0, y1),
        test=(t0, t1),
        mix=full_mix,
        paths=int(paths),
        seed=int(seed),
        table=table,
        verdict=verdict,
    )
