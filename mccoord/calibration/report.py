"""Re-run the documented hold-out backtests and write ``docs/backtests.md``.

``python -m mccoord.calibration.report [--out docs/backtests.md]`` runs every split of
:data:`SPLITS` with the defaults of ``mccoord backtest``, once with model v2 and once with
model v1 (the v2 keys at their defaults), and writes the markdown page: what a backtest
does, a summary table (each split's target, v1 and v2 side by side), then each split's
commands and their full output. Every number on the page comes from this run; nothing
is tuned on the test years. The page ends with the README summary table.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .backtest import PASS_SHARE, BacktestResult, backtest

__all__ = ["SPLITS", "Split", "main", "render"]


@dataclass(frozen=True)
class Split:
    """One documented backtest.

    Attributes
    ----------
    data : str
    train, test : tuple of int
    target : str
        The target in words.
    min_inside : int or None
        Least number of test years inside the band for the target (``None``: no count
        target).
    final_year : bool
        Whether the target asks for the final year inside the band.
    """

    data: str
    train: tuple[int, int]
    test: tuple[int, int]
    target: str
    min_inside: int | None
    final_year: bool = False

    @property
    def label(self) -> str:
        return (
            f"{'China' if self.data == 'china' else 'US'} {self.train[0]}-{self.train[1]} -> "
            f"{self.test[0]}-{self.test[1]}"
        )

    def command(self, model: str) -> str:
        cmd = f"mccoord backtest {self.data} --train {self.train[0]}:{self.train[1]} "
        cmd += f"--test {self.test[0]}:{self.test[1]}"
        return cmd + (" --model v1" if model == "v1" else "")

    def met(self, result: BacktestResult) -> bool:
        """Whether the target holds for the judged band."""
        inside, _, beta = result.counts()
        ok = beta
        if self.min_inside is not None:
            ok &= inside >= self.min_inside
        if self.final_year:
            ok &= bool(result.table.iloc[result.test[1] - result.test[0] - 1][f"inside_{result.band}"])
        return bool(ok)


SPLITS: tuple[Split, ...] = (
    Split("china", (2006, 2018), (2018, 2024), "at least 5 of 6 sigma years and the beta slope inside", 5),
    Split("us", (1969, 1989), (1989, 2009), "at least 15 of 20 sigma years and the beta slope inside", 15),
    Split(
        "china",
        (2006, 2015),
        (2015, 2024),
        "reported honestly; the aim: the final year and the beta slope inside",
        None,
        final_year=True,
    ),
)

INTRO = f"""\
# Backtests of the calibrated model: v1 and v2

This page is written by `python -m mccoord.calibration.report`; every number on it comes
from that run (the commands below print the same tables). Nothing was fitted or tuned on a
test year: the steady states, the dynamics and the parameter covariance come from the
training years, and the regime hazards from the US record 1929-1989, which overlaps no
test window of a Chinese split and ends where the US test window starts.

## What a backtest does

1. **Calibrate** on the training window `[Y0, Y1]` (MODEL.md section 9, `mccoord
   calibrate`). Model v2: steady states by the within estimator of a pooled AR(1) of
   relative log income (`rho` reported; the scale `phi` fitted only when the moments
   identify it), regime hazards from the sign changes of the sigma trend of the US
   1929-1989 record, and `sigma`, `sigma_common`, `g`, `lambda0`, `rho_a` by simulated
   moments with common random numbers. Model v1: `sigma`, `sigma_common`, `g`, `lambda0`
   only, with `rho_a`, `regime_exit` and `regime_entry` at 0 and `regime0` at 1 (v2 with
   its new keys at their defaults). Moments: sigma at four evenly spaced years, the beta
   slope, mean and standard deviation of national growth, and the mean cross-region
   standard deviation of yearly relative growth; the fit starts from the observed `Y0`
   cross-section with the baseline mix (every mechanism 0).
2. **Forecast** the test window `[Y1, Y2]`: 1000 paths from the *observed* `Y1`
   cross-section (with the training steady states), twice: **with parameter
   uncertainty** (each path draws the fitted keys from the fit's `calibrated` block, the
   multivariate normal with the sandwich covariance; MODEL.md section 10) and **with
   shocks only** (every path on the point estimates).
3. **Rank** the observed sigma of each test year and the observed beta slope of the test
   window in each ensemble: percentile and whether the value lies in the central 90%
   band. The verdict judges the band with parameter uncertainty: `PASS` when at least
   {PASS_SHARE:.0%} of the test years and the beta slope are inside, `FAIL` when the
   final year and the beta slope are both outside, `MIXED` otherwise.

Caveats that apply to every result:

* **All incomes are nominal** (China: yuan at current prices, latest NBS vintage only,
  2006-2024, never chained with the v2018 vintage; US: BEA per capita personal income in
  current dollars). The fitted `g` is a nominal trend and `sigma_common` absorbs swings
  in inflation; sigma and beta are unaffected by a common price level, national growth is
  reported but not judged.
* Where a fitted key ends at a bound of its admissible range (0, or the stability budget
  `lambda0 + rho_a <= 1 - lambda_c`), its standard error is one-sided and only
  indicative; the parameter draws then come from a normal truncated at the bound (a draw
  outside the admissible range is redrawn, MODEL.md section 10).
* `lambda0` and `rho_a` are both forces of convergence and the moments separate them
  poorly: their standard errors are large and strongly negatively correlated. The
  `calibrated` block caps each standard deviation at that of a uniform distribution over
  the key's admissible range (correlations kept), and the band with parameter
  uncertainty is wider than the shock-only band; the summary gives the width of the
  final-year band of each, so a reader can see how much of a pass comes from width.
"""


def _section(split: Split, results: dict[str, tuple[BacktestResult, float]]) -> list[str]:
    lines = [f"## {split.label}", "", f"Target: {split.target}.", ""]
    for model in ("v2", "v1"):
        res, seconds = results[model]
        inside, n, beta = res.counts()
        s_in, _, s_beta = res.counts("shocks")
        lines += [
            f"### Model {model}",
            "",
            "```console",
            f"$ {split.command(model)}",
            res.summary(),
            "```",
            "",
            f"({seconds:.0f} s wall time on a shared 2-core machine.) With parameter uncertainty: "
            f"{inside} of {n} test years inside the band, beta slope {'inside' if beta else 'outside'}; "
            f"shocks only: {s_in} of {n}, beta slope {'inside' if s_beta else 'outside'}. "
            f"Target {'met' if split.met(res) else 'NOT met'}.",
            "",
        ]
    return lines


def _row(split: Split, res: BacktestResult) -> str:
    inside, n, beta = res.counts()
    s_in, _, _ = res.counts("shocks")
    pct = res.table.loc["beta slope", f"percentile_{res.band}"]
    last = res.table.iloc[n - 1]
    widths = " / ".join(
        f"{last[f'q95_{b}'] - last[f'q05_{b}']:.3f}" for b in ("parameters", "shocks") if f"q95_{b}" in last
    )
    return (
        f"{inside} of {n} ({s_in} shocks only) | {pct:.0f} ({'in' if beta else 'out'}) | "
        f"{last.observed:.3f} vs [{last[f'q05_{res.band}']:.3f}, {last[f'q95_{res.band}']:.3f}] | "
        f"{widths} | {res.verdict.split(':')[0]} | {'yes' if split.met(res) else 'NO'}"
    )


def render(results: dict[Split, dict[str, tuple[BacktestResult, float]]], *, version: str) -> str:
    """The markdown page for the results of :func:`run_all`."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [INTRO, "## Summary", ""]
    lines.append(
        f"mccoord {version}, {now}, Python {platform.python_version()}. Bands are the central 90% "
        "of 1000 paths with parameter uncertainty (shock-only count in brackets)."
    )
    lines += [
        "",
        "| split | target | model | sigma years inside | beta percentile | final-year sigma vs band "
        "| final-year band width (parameters / shocks) | verdict | target met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for split, by_model in results.items():
        for model in ("v1", "v2"):
            res, _ = by_model[model]
            lines.append(f"| {split.label} | {split.target} | {model} | {_row(split, res)} |")
    lines.append("")
    for split, by_model in results.items():
        lines += _section(split, by_model)
    lines += [
        "## Reproduce",
        "",
        "```console",
        "python -m mccoord.calibration.report --out docs/backtests.md",
    ]
    for split in results:
        lines += [split.command("v2"), split.command("v1")]
    lines += ["```", ""]
    return "\n".join(lines)


def run_all(splits=SPLITS, progress=None) -> dict:
    """Run every split with models v2 and v1 (``mccoord backtest`` defaults)."""
    say = progress or (lambda _text: None)
    out: dict = {}
    for split in splits:
        out[split] = {}
        for model in ("v2", "v1"):
            say(f"{split.label}, model {model}")
            t0 = time.perf_counter()
            res = backtest(split.data, split.train, split.test, model=model, progress=progress)
            out[split][model] = (res, time.perf_counter() - t0)
            say(res.verdict)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: run the backtests and write the page."""
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="python -m mccoord.calibration.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=Path("docs/backtests.md"), help="markdown file to write")
    args = parser.parse_args(argv)
    if not args.out.parent.is_dir():
        print(f"error: --out: directory {args.out.parent} does not exist", file=sys.stderr)
        return 2

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results = run_all(progress=say)
    args.out.write_text(render(results, version=__version__), encoding="utf-8")
    say(f"written to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
