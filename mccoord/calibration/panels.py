"""Observed income panels for calibration: the shipped China and US panels or a user CSV.

A :class:`Panel` holds income per capita and (optionally) population as region x year
tables, plus the static data a scenario needs (group, specialisation, integration,
lat/lon). It is built by :func:`load_panel` from

* ``"china"``: ``configs/data/china_provinces_panel.csv``, column
  ``gdp_per_capita_yuan`` (latest NBS vintage only, 2006-2024; the older v2018 vintage is
  never chained to it), ``population_10k`` (converted to persons) and the NBS
  four-region ``group``;
  specialisation and lat/lon (provincial capital) from ``china_regions_2024.csv``.
  Yuan, **current prices**.
* ``"us"``: ``configs/data/us_states_income.csv`` (BEA per capita personal income,
  1929-2009), ``us_states_population.csv`` and the census division as ``group``;
  specialisation (2009 secondary-sector share of state GDP, min-max scaled) and
  lat/lon (state centroid) from ``us_regions_2009.csv``. USD, **current dollars**.
* a CSV path (or a long :class:`pandas.DataFrame`) with one row per region and year:

  ========================  ==========================================================
  column                    meaning
  ========================  ==========================================================
  ``region``  (required)    region name
  ``year``    (required)    calendar year (whole number)
  ``gdp_per_capita`` (req.) income per capita, > 0, any currency unit
  ``population``            persons (any unit); missing -> equal weights every year
  ``group``                 macro-region; missing -> one group ``"all"``
  ``lat``, ``lon`` (req.)   degrees; constant per region (first non-missing value used)
  ``specialisation``        in [0, 1], constant per region; missing -> 0.5 (neutral,
                            as in the ``us`` scenario: every region then has target 1)
  ``integration``           in [0, 1], constant per region; missing -> 0.5 (MODEL.md)
  ========================  ==========================================================

  Coordinates are required because the model needs distances between regions.

Shipped values are nominal, so a trend ``g`` fitted to them is a nominal trend
(inflation included); :attr:`Panel.nominal` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError

__all__ = ["Panel", "load_panel", "BUILTIN_PANELS", "CSV_COLUMNS"]

BUILTIN_PANELS: tuple[str, ...] = ("china", "us")
CSV_COLUMNS: tuple[str, ...] = (
    "region",
    "year",
    "gdp_per_capita",
    "population",
    "group",
    "lat",
    "lon",
    "specialisation",
    "integration",
)
_STATIC = ("group", "specialisation", "integration", "lat", "lon")


@dataclass(frozen=True)
class Panel:
    """An observed panel of income per capita.

    Attributes
    ----------
    name : str
        ``china``, ``us`` or the CSV file stem.
    income : pandas.DataFrame
        Income per capita, index = region, columns = years (int); NaN where missing.
    population : pandas.DataFrame or None
        Population, same layout; ``None`` means equal weights.
    static : pandas.DataFrame
        Index = region; ``group, specialisation, integration, lat, lon``.
    currency : str
        Currency label (``yuan``, ``USD``, or ``""`` for a user CSV).
    nominal : bool or None
        True when the incomes are in current prices (``None``: unknown).
    description : str
        Where the numbers come from.
    """

    name: str
    income: pd.DataFrame
    population: pd.DataFrame | None
    static: pd.DataFrame
    currency: str = ""
    nominal: bool | None = None
    description: str = ""

    @property
    def years(self) -> np.ndarray:
        """Years with at least one income value."""
        cols = self.income.columns[self.income.notna().any(axis=0)]
        return np.asarray(cols, dtype=int)

    @property
    def regions(self) -> list[str]:
        return list(self.income.index)

    def check_years(
        self, start: object, end: object, *, field: str = "years", min_span: int = 3
    ) -> tuple[int, int]:
        """Validate a window ``[start, end]`` of whole years inside the panel."""
        for label, y in (("start", start), ("end", end)):
            if isinstance(y, bool) or not isinstance(y, int | np.integer):
                raise ConfigError(f"{field} {label}", y, "a whole year")
        start, end = int(start), int(end)
        if end <= start:
            raise ConfigError(field, f"{start}:{end}", "an end year after the start year")
        if end - start < min_span:
            raise ConfigError(field, f"{start}:{end}", f"a window of at least {min_span} years")
        lo, hi = int(self.years.min()), int(self.years.max())
        for label, y in (("start", start), ("end", end)):
            if not lo <= y <= hi:
                raise ConfigError(f"{field} {label}", y, f"a year inside the {self.name} panel ({lo}-{hi})")
        window = list(range(start, end + 1))
        inc = self.income.reindex(columns=window)
        bad = inc.isna() | (inc <= 0)
        if self.population is not None:
            pop = self.population.reindex(columns=window)
            bad |= pop.isna() | (pop <= 0)
        if bad.to_numpy().any():
            r, c = np.argwhere(bad.to_numpy())[0]
            raise ConfigError(
                f"{field}",
                f"{start}:{end}",
                f"a window with positive income and population for every region "
                f"and year ({inc.index[r]} {window[c]} is missing)",
            )
        return start, end

    def window(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """``(ln income, population shares)``, each ``(end-start+1, R)``, for the window."""
        cols = list(range(start, end + 1))
        inc = self.income[cols].to_numpy(float).T
        if self.population is None:
            pop = np.ones_like(inc)
        else:
            pop = self.population[cols].to_numpy(float).T
        return np.log(inc), pop / pop.sum(axis=1, keepdims=True)

    def cross_section(self, year: int) -> pd.DataFrame:
        """The regions table of ``year`` (columns of a scenario regions CSV)."""
        pop = (
            self.population[year] if self.population is not None else pd.Series(1.0, index=self.income.index)
        )
        out = pd.DataFrame(
            {
                "region": self.income.index,
                "group": self.static["group"].to_numpy(),
                "gdp_per_capita": self.income[year].to_numpy(float),
                "population": pop.reindex(self.income.index).to_numpy(float),
                "specialisation": self.static["specialisation"].to_numpy(float),
                "integration": self.static["integration"].to_numpy(float),
                "lat": self.static["lat"].to_numpy(float),
                "lon": self.static["lon"].to_numpy(float),
            }
        )
        return out.reset_index(drop=True)


def _data(name: str) -> Path:
    return Path(str(resources.files("mccoord.configs") / "data" / name))


def _china() -> Panel:
    raw = pd.read_csv(_data("china_provinces_panel.csv"))
    # Latest vintage only (never chained with gdp_per_capita_yuan_v2018): 2006-2024.
    raw = raw[raw["gdp_per_capita_yuan"].notna()]
    income = raw.pivot(index="province", columns="year", values="gdp_per_capita_yuan")
    pop = raw.pivot(index="province", columns="year", values="population_10k") * 1e4  # persons
    table = pd.read_csv(_data("china_regions_2024.csv")).set_index("region")
    static = table.reindex(income.index)[list(_STATIC)]
    static["group"] = raw.drop_duplicates("province").set_index("province")["region"].reindex(income.index)
    return Panel(
        "china",
        income.astype(float),
        pop.astype(float),
        static,
        "yuan",
        True,
        "NBS provincial GDP per capita, latest vintage, 2006-2024, current yuan",
    )


def _us() -> Panel:
    raw = pd.read_csv(_data("us_states_income.csv"), dtype={"fips": str})
    income = raw.pivot(index="state", columns="year", values="per_capita_income_usd")
    pop = pd.read_csv(_data("us_states_population.csv")).pivot(
        index="state", columns="year", values="population"
    )
    pop = pop.reindex(index=income.index, columns=income.columns)
    table = pd.read_csv(_data("us_regions_2009.csv")).set_index("region")
    static = table.reindex(income.index)[list(_STATIC)]
    static["group"] = raw.drop_duplicates("state").set_index("state")["census_division"].reindex(income.index)
    return Panel(
        "us",
        income.astype(float),
        pop.astype(float),
        static,
        "USD",
        True,
        "BEA per capita personal income, 48 states, 1929-2009, current USD",
    )


def _from_long(df: pd.DataFrame, name: str) -> Panel:
    where = f"panel {name}"
    for col in df.columns:
        if col not in CSV_COLUMNS:
            raise ConfigError(f"{where}: column {col!r}", col, f"only the columns {', '.join(CSV_COLUMNS)}")
    for col in ("region", "year", "gdp_per_capita", "lat", "lon"):
        if col not in df.columns:
            expected = (
                f"a {col!r} column (coordinates are needed for the distances)"
                if col in ("lat", "lon")
                else f"a {col!r} column"
            )
            raise ConfigError(f"{where}: column {col!r}", "missing", expected)
    df = df.copy()
    df["region"] = df["region"].astype(str).str.strip()
    years = pd.to_numeric(df["year"], errors="coerce")
    if years.isna().any() or (years != years.round()).any():
        raise ConfigError(f"{where}: year", df["year"][years.isna()].head(1).tolist(), "whole years")
    df["year"] = years.astype(int)
    if df.duplicated(["region", "year"]).any():
        dup = df[df.duplicated(["region", "year"])].iloc[0]
        raise ConfigError(f"{where}: rows", f"{dup['region']} {dup['year']}", "one row per region and year")
    for col in ("gdp_per_capita", "population", "lat", "lon", "specialisation", "integration"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    income = df.pivot(index="region", columns="year", values="gdp_per_capita").astype(float)
    if (income <= 0).to_numpy().any():
        raise ConfigError(f"{where}: gdp_per_capita", float(np.nanmin(income.to_numpy())), "positive values")
    pop = None
    if "population" in df.columns:
        pop = df.pivot(index="region", columns="year", values="population").astype(float)
    first = df.sort_values("year").groupby("region").first()
    static = pd.DataFrame(index=income.index)
    static["group"] = first["group"].astype(str) if "group" in first else "all"
    static["specialisation"] = first["specialisation"] if "specialisation" in first else 0.5
    static["integration"] = first["integration"] if "integration" in first else 0.5
    static["specialisation"] = static["specialisation"].fillna(0.5)
    static["integration"] = static["integration"].fillna(0.5)
    static["lat"], static["lon"] = first["lat"], first["lon"]
    for col, lo, hi in (
        ("lat", -90, 90),
        ("lon", -180, 180),
        ("specialisation", 0, 1),
        ("integration", 0, 1),
    ):
        v = static[col]
        bad = v.isna() | (v < lo) | (v > hi)
        if bad.any():
            raise ConfigError(
                f"{where}: {col} of {v.index[bad.to_numpy()][0]}", v[bad].iloc[0], f"a number in [{lo}, {hi}]"
            )
    if len(income) < 3:
        raise ConfigError(f"{where}: regions", len(income), "at least 3 regions")
    return Panel(name, income, pop, static, "", None, f"user panel {name}")


def load_panel(data: str | Path | pd.DataFrame | Panel) -> Panel:
    """Load an observed panel: ``"china"``, ``"us"``, a CSV path or a long DataFrame.

    See the module docstring for the CSV format.

    Raises
    ------
    ConfigError
        On an unknown name, a missing file or a malformed table.
    """
    if isinstance(data, Panel):
        return data
    if isinstance(data, pd.DataFrame):
        return _from_long(data, "dataframe")
    text = str(data)
    if text == "china":
        return _china()
    if text == "us":
        return _us()
    path = Path(text)
    if path.suffix.lower() != ".csv" or not path.is_file():
        raise ConfigError(
            "DATA",
            text,
            f"one of {', '.join(BUILTIN_PANELS)} or an existing CSV file "
            "(columns region, year, gdp_per_capita, lat, lon[, population, group, "
            "specialisation, integration])",
        )
    try:
        df = pd.read_csv(path, encoding="utf-8", dtype={"region": str, "group": str})
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError("DATA", text, f"a well-formed UTF-8 CSV file ({exc})") from exc
    return _from_long(df, path.stem)
