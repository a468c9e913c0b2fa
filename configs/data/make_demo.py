"""Generate demo_regions.csv: a SYNTHETIC 10-region country in 3 groups (not real data).

Deterministic (fixed seed). Run: ``python configs/data/make_demo.py``
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20241129
GROUPS = {"North": 3, "Centre": 4, "South": 3}
# group centres (lat, lon) inside a ~1500 km box around 45 N, 10 E
CENTRES = {"North": (50.0, 10.0), "Centre": (45.0, 10.0), "South": (40.5, 10.0)}
GROUP_LOG_GDP = {"North": 0.30, "Centre": 0.0, "South": -0.35}  # north richer, south poorer


def main() -> None:
    rng = np.random.default_rng(SEED)

    def make_row(group: str, k: int) -> dict:
        lat0, lon0 = CENTRES[group]
        return {
            "region": f"{group}-{k}",
            "group": group,
            "log_gdp": GROUP_LOG_GDP[group] + rng.normal(0.0, 0.15),
            "population": int(round(np.exp(rng.normal(np.log(5e6), 0.6)), -3)),
            "specialisation": round(float(rng.beta(2.0, 2.0)), 4),
            "integration": 0.5,
            "lat": round(lat0 + rng.uniform(-2.0, 2.0), 4),
            "lon": round(lon0 + rng.uniform(-6.0, 6.0), 4),
        }

    rows = [make_row(g, k) for g, n in GROUPS.items() for k in range(1, n + 1)]
    df = pd.DataFrame(rows)
    # rescale log GDP per capita to a log sd of exactly 0.35 around a mean of 30 000 units
    z = (df["log_gdp"] - df["log_gdp"].mean()) / df["log_gdp"].std(ddof=0)
    df["gdp_per_capita"] = np.round(30000.0 * np.exp(0.35 * z), 0).astype("int64")
    cols = [
        "region",
        "group",
        "gdp_per_capita",
        "population",
        "specialisation",
        "integration",
        "lat",
        "lon",
    ]
    df = df[cols]
    assert len(df) == 10 and df["region"].is_unique and not df.isna().any().any()
    assert df["specialisation"].between(0, 1).all()
    df.to_csv(HERE / "demo_regions.csv", index=False, lineterminator="\n")
    print(df.to_string(index=False))
    print("log sd gdp_per_capita:", round(float(np.log(df["gdp_per_capita"]).std(ddof=0)), 3))


if __name__ == "__main__":
    main()
