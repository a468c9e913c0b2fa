"""Hazards of the convergence regime from a long panel (MODEL.md section 9.2).

One short training window cannot identify how often convergence stalls and resumes,
so the hazards come from a long record outside the test window. The estimator reads
the regime off the trend of dispersion:

1. ``sigma(t)``: standard deviation (ddof=0) of ``ln y_i`` across regions, every year.
2. Trend: the centred moving average of ``sigma`` over ``window`` years (default 5:
   shorter windows turn single noisy years into spells, longer ones merge real spells).
3. The trend's sign of change from one year to the next marks each year as converging
   (falling) or diverging (rising); ``n`` sign changes among ``N`` consecutive pairs of
   years are switches of the regime.
4. A symmetric two-state chain (one hazard for both directions, since a few spells
   cannot tell the two apart) switches in a year with probability ``p = n / N`` (its
   maximum-likelihood estimate), and the model's switch probability per year is
   ``1 - exp(-x)`` (MODEL.md section 3, step 7b), so ``x = -ln(1 - p)`` for both
   ``regime_exit`` and ``regime_entry``. ``regime0`` is the chain's stationary share of
   the convergence regime, ``entry / (exit + entry) = 1/2``.

The separate rates (switches out of convergence per converging year and into it per
diverging year) are reported beside the pooled one. On the US record 1929-1989
(``regime_hazards("us", 1929, 1989)``) 8 sign changes among 55 pairs give
``p = 0.145``, ``x = 0.157`` per year (MODEL.md quotes about 0.14).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .panels import Panel, load_panel

__all__ = ["RegimeHazards", "regime_hazards", "DEFAULT_REGIME_SOURCE", "parse_regime_source"]

#: The long record the shipped scenarios and the backtests take the hazards from.
DEFAULT_REGIME_SOURCE: tuple[str, int, int] = ("us", 1929, 1989)


@dataclass(frozen=True)
class RegimeHazards:
    """Regime hazards estimated from the sign changes of the sigma trend.

    Attributes
    ----------
    data : str
        Panel the hazards come from.
    start, end : int
        Its window [calendar years].
    window : int
        Length of the centred moving average [years].
    n_switches, n_pairs : int
        Sign changes of the trend, and consecutive pairs of trend years.
    hazard : float
        ``-ln(1 - n_switches / n_pairs)`` [1/year], used for exit and entry.
    hazard_se : float
        Its binomial standard error ``sqrt(p (1 - p) / N) / (1 - p)`` (optimistic: the
        moving average makes neighbouring years dependent).
    exit_rate, entry_rate : float
        Switches out of (into) convergence per converging (diverging) year [1/year].
    converging_years, diverging_years : int
    """

    data: str
    start: int
    end: int
    window: int
    n_switches: int
    n_pairs: int
    hazard: float
    hazard_se: float
    exit_rate: float
    entry_rate: float
    converging_years: int
    diverging_years: int

    @property
    def params(self) -> dict[str, float]:
        """``regime_exit``, ``regime_entry`` and ``regime0`` (the stationary share)."""
        return {"regime_exit": self.hazard, "regime_entry": self.hazard, "regime0": 0.5}

    @property
    def source(self) -> str:
        """Where the hazards come from, in words (written into scenarios)."""
        return (
            f"{self.data} {self.start}-{self.end}: {self.n_switches} sign changes of the "
            f"{self.window}-year centred moving average of sigma among {self.n_pairs} pairs of years"
        )

    def summary(self) -> str:
        """Two lines: the pooled hazard and the separate rates."""
        return (
            f"regime hazards from {self.source}: regime_exit = regime_entry = {self.hazard:.4f} "
            f"per year (SE {self.hazard_se:.4f}), regime0 = 0.5\n"
            f"  separately: {self.exit_rate:.3f} out of convergence per converging year "
            f"({self.converging_years} years), {self.entry_rate:.3f} into it per diverging year "
            f"({self.diverging_years} years)"
        )


def parse_regime_source(text: object) -> tuple[str, int, int]:
    """``"DATA:Y0:Y1"`` -> ``(DATA, Y0, Y1)``.

    Raises
    ------
    ConfigError
        If the text does not have three colon-separated parts with whole years.
    """
    parts = str(text).rsplit(":", 2)
    try:
        if len(parts) != 3 or not parts[0]:
            raise ValueError
        return parts[0], int(parts[1]), int(parts[2])
    except ValueError:
        raise ConfigError("--regimes", text, "DATA:Y0:Y1, e.g. us:1929:1989") from None


def regime_hazards(
    data: str | Panel = DEFAULT_REGIME_SOURCE[0],
    start: int = DEFAULT_REGIME_SOURCE[1],
    end: int = DEFAULT_REGIME_SOURCE[2],
    *,
    window: int = 5,
) -> RegimeHazards:
    """Estimate the regime hazards from a long panel (see the module docstring).

    Parameters
    ----------
    data
        A panel (``"us"``, ``"china"``, a CSV path or a :class:`Panel`).
    start, end : int
        Window [calendar years]; it must leave at least 10 pairs of trend years.
    window : int
        Odd length of the centred moving average [years].

    Returns
    -------
    RegimeHazards

    Raises
    ------
    ConfigError
        On a bad window, too short a record, or a trend that never changes sign (the
        hazard would be estimated as 0: the record says nothing about stalls).
    """
    panel = load_panel(data)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1 or window % 2 == 0:
        raise ConfigError("regime window", window, "an odd whole number of years")
    start, end = panel.check_years(start, end, field="--regimes", min_span=window + 10)
    lny, _ = panel.window(start, end)
    sigma = lny.std(axis=1)
    trend = np.convolve(sigma, np.ones(window) / window, mode="valid")
    rising = np.diff(trend) > 0
    n_pairs = len(rising) - 1
    n = int(np.sum(rising[1:] != rising[:-1]))
    if n == 0:
        raise ConfigError(
            "--regimes",
            f"{panel.name}:{start}:{end}",
            "a record in which the sigma trend changes sign at least once",
        )
    p = n / n_pairs
    conv, div = int(np.sum(~rising[:-1])), int(np.sum(rising[:-1]))  # years at risk
    exits = int(np.sum(~rising[:-1] & rising[1:]))
    entries = int(np.sum(rising[:-1] & ~rising[1:]))
    return RegimeHazards(
        data=panel.name,
        start=start,
        end=end,
        window=window,
        n_switches=n,
        n_pairs=n_pairs,
        hazard=-math.log(1.0 - p),
        hazard_se=math.sqrt(p * (1.0 - p) / n_pairs) / (1.0 - p),
        exit_rate=exits / conv if conv else math.nan,
        entry_rate=entries / div if div else math.nan,
        converging_years=conv,
        diverging_years=div,
    )
