"""Rebuild china_regions_2024.csv and us_regions_2009.csv from the copied files in this folder.

Reads only files next to this script (never /work/shared). See ../SOURCES.md for provenance.
Run: ``python configs/data/build_regions.py``
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "region",
    "group",
    "gdp_per_capita",
    "population",
    "specialisation",
    "integration",
    "lat",
    "lon",
]
INTEGRATION = 0.5  # MODEL.md section 2 default e0_i; no data-based value is used
CHINA_YEAR = 2024
CHINA_SPEC_YEAR = 2011  # latest year with va_share_secondary in the panel
US_YEAR = 2009
US_SPEC_YEAR = 2009  # BEA GDP by state, NAICS basis (us_states_industry.csv)


def _check(df: pd.DataFrame, n: int) -> pd.DataFrame:
    df = df[COLUMNS]
    assert len(df) == n, len(df)
    assert df["region"].is_unique
    assert not df.isna().any().any()
    assert (df["gdp_per_capita"] > 0).all() and (df["population"] > 0).all()
    assert df["specialisation"].between(0, 1).all() and df["integration"].between(0, 1).all()
    assert df["lat"].between(-90, 90).all() and df["lon"].between(-180, 180).all()
    return df


def build_china() -> pd.DataFrame:
    panel = pd.read_csv(HERE / "china_provinces_panel.csv")
    caps = pd.read_csv(HERE / "china_province_capitals.csv")
    base = panel[panel["year"] == CHINA_YEAR].set_index("province")
    sec = panel[panel["year"] == CHINA_SPEC_YEAR].set_index("province")["va_share_secondary"]
    spec = (sec - sec.min()) / (sec.max() - sec.min())  # min-max over the 31 provinces
    caps = caps.set_index("province")
    out = pd.DataFrame(
        {
            "region": base.index,
            "group": base["region"],
            "gdp_per_capita": base["gdp_per_capita_yuan"].round().astype("int64"),
            "population": (base["population_10k"] * 1e4).round().astype("int64"),
            "specialisation": spec.reindex(base.index).round(6),
            "integration": INTEGRATION,
            "lat": caps["lat"].reindex(base.index),
            "lon": caps["lon"].reindex(base.index),
        }
    ).sort_values("region")
    return _check(out, 31)


def build_us() -> pd.DataFrame:
    inc = pd.read_csv(HERE / "us_states_income.csv", dtype={"fips": str})
    pop = pd.read_csv(HERE / "us_states_population.csv")
    cen = pd.read_csv(HERE / "us_states_centroids.csv", dtype={"fips": str}).set_index("state")
    ind = pd.read_csv(HERE / "us_states_industry.csv", dtype={"state_fips": str})
    base = inc[inc["year"] == US_YEAR].set_index("state")
    p = pop[pop["year"] == US_YEAR].set_index("state")["population"]
    # Secondary-sector share of state GDP; min-max over the 48 states of the income panel
    # (District of Columbia is in the industry file but not a region of the scenario).
    sec = ind[ind["year"] == US_SPEC_YEAR].set_index("state")["secondary_share"].reindex(base.index)
    assert sec.notna().all(), "a state without a 2009 secondary share"
    spec = (sec - sec.min()) / (sec.max() - sec.min())
    out = pd.DataFrame(
        {
            "region": base.index,
            "group": base["census_division"],
            "gdp_per_capita": base["per_capita_income_usd"],  # BEA per capita personal income
            "population": p.reindex(base.index),
            "specialisation": spec.round(6),
            "integration": INTEGRATION,
            "lat": cen["lat"].reindex(base.index),
            "lon": cen["lon"].reindex(base.index),
        }
    ).sort_values("region")
    return _check(out, 48)


def main() -> None:
    for name, df in [
        ("china_regions_2024.csv", build_china()),
        ("us_regions_2009.csv", build_us()),
    ]:
        df.to_csv(HERE / name, index=False, lineterminator="\n")
        y = df["gdp_per_capita"] / np.average(df["gdp_per_capita"], weights=df["population"])
        print(
            f"{name}: {len(df)} rows, groups {sorted(df['group'].unique())}, "
            f"log sd(y) {np.log(y).std():.3f}, spec [{df['specialisation'].min()}, "
            f"{df['specialisation'].max()}]"
        )


if __name__ == "__main__":
    main()
