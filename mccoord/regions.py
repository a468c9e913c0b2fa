"""Reading and validating a scenario's regions table and distance matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError
from .files import MAX_TABLE_BYTES, regular_file

REQUIRED = ("region", "group", "gdp_per_capita", "population", "specialisation")
OPTIONAL = ("integration", "lat", "lon", "saving", "steady_state")
DEFAULT_INTEGRATION = 0.5


def _read_csv(relpath: object, base_dir: Path | None, field: str, **kwargs) -> pd.DataFrame:
    if not isinstance(relpath, str) or not relpath:
        raise ConfigError(field, relpath, "the path of a CSV file (relative to the TOML file)")
    path = Path(relpath)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise ConfigError(field, relpath, f"an existing CSV file (looked for {path})")
    regular_file(path, field, MAX_TABLE_BYTES, shown=relpath)
    try:
        # only empty cells are missing: "NA", "None" or "null" are names, not missing values
        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""], **kwargs)
    except UnicodeDecodeError as exc:
        raise ConfigError(field, relpath, "a UTF-8 encoded CSV file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(field, relpath, f"a well-formed CSV file ({exc})") from exc


def validate_regions(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """Check a regions table and fill optional columns with their defaults.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``region, group, gdp_per_capita, population, specialisation`` and
        optionally ``integration`` (default 0.5), ``lat``, ``lon`` [degrees] and
        ``saving`` (per-region investment rate) and ``steady_state`` (the region's
        steady-state relative income ``y*_i > 0`` on any common scale, MODEL.md section 2).
    where : str
        Name of the source, for error messages.

    Returns
    -------
    pandas.DataFrame
        The table with clean dtypes, in file order.
    """
    cols = list(table.columns)
    for col in cols:
        if col not in REQUIRED + OPTIONAL:
            raise ConfigError(
                f"{where}: column {col!r}", col, f"only the columns {', '.join(REQUIRED + OPTIONAL)}"
            )
    for col in REQUIRED:
        if col not in cols:
            raise ConfigError(
                f"{where}: column {col!r}", "missing", f"a column {col!r} (columns: {', '.join(REQUIRED)})"
            )
    if len(table) < 2:
        raise ConfigError(f"{where}: rows", len(table), "at least 2 regions")
    names = table["region"].astype(str).str.strip()
    if (names == "").any() or table["region"].isna().any():
        raise ConfigError(f"{where}: region", "an empty name", "a name for every region")
    dup = names[names.duplicated()].tolist()
    if dup:
        raise ConfigError(f"{where}: region", dup[0], "unique region names (duplicate found)")
    out = pd.DataFrame({"region": names, "group": table["group"].astype(str).str.strip()})
    if table["group"].isna().any() or (out["group"] == "").any():
        raise ConfigError(f"{where}: group", "an empty group", "a macro-region for every region")
    numeric = [c for c in REQUIRED[2:] + OPTIONAL if c in cols]
    for col in numeric:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = values.isna() & ~(col == "integration" and table[col].isna())
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise ConfigError(f"{where}: {col} of {names.iloc[i]}", table[col].iloc[i], "a finite number")
        out[col] = values.astype(float)
    if "integration" not in out:
        out["integration"] = DEFAULT_INTEGRATION
    out["integration"] = out["integration"].fillna(DEFAULT_INTEGRATION)
    rules = {
        "gdp_per_capita": (lambda v: v > 0, "a positive number"),
        "population": (lambda v: v > 0, "a positive number"),
        "specialisation": (lambda v: (v >= 0) & (v <= 1), "a number in [0, 1]"),
        "integration": (lambda v: (v >= 0) & (v <= 1), "a number in [0, 1]"),
        "lat": (lambda v: (v >= -90) & (v <= 90), "a latitude in [-90, 90] degrees"),
        "lon": (lambda v: (v >= -180) & (v <= 180), "a longitude in [-180, 180] degrees"),
        "saving": (lambda v: (v >= 0) & (v <= 1), "an investment rate in [0, 1]"),
        "steady_state": (lambda v: v > 0, "a positive steady-state relative income"),
    }
    for col, (ok, expected) in rules.items():
        if col not in out:
            continue
        v = out[col].to_numpy()
        good = np.isfinite(v) & ok(v)
        if not good.all():
            i = int(np.argmin(good))
            raise ConfigError(f"{where}: {col} of {names.iloc[i]}", out[col].iloc[i], expected)
    if ("lat" in out) != ("lon" in out):
        raise ConfigError(f"{where}: lat/lon", "only one of them", "both lat and lon, or neither")
    return out.reset_index(drop=True)


def read_regions(relpath: object, base_dir: Path | None) -> pd.DataFrame:
    """Read and validate the regions CSV named by ``scenario.regions``."""
    table = _read_csv(relpath, base_dir, "scenario.regions", dtype={"region": str, "group": str})
    return validate_regions(table, f"regions file {relpath}")


def validate_distance_matrix(d: np.ndarray, where: str, n_regions: int | None = None) -> np.ndarray:
    """Check that ``d`` is a square, symmetric, non-negative matrix with a zero diagonal.

    With ``n_regions`` it must also have one row and one column per region.
    """
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ConfigError(where, f"shape {d.shape}", "a square distance matrix")
    if n_regions is not None and d.shape != (n_regions, n_regions):
        raise ConfigError(
            where, f"shape {d.shape}", f"a {n_regions} x {n_regions} matrix (one row and column per region)"
        )
    if not np.isfinite(d).all():
        raise ConfigError(where, "a non-finite entry", "finite distances in km")
    if (d < 0).any():
        raise ConfigError(where, float(d.min()), "non-negative distances in km")
    if not np.allclose(d, d.T, rtol=1e-9, atol=1e-9):
        i, j = np.unravel_index(np.argmax(np.abs(d - d.T)), d.shape)
        raise ConfigError(
            where, f"d[{i},{j}]={d[i, j]} but d[{j},{i}]={d[j, i]}", "a symmetric distance matrix"
        )
    if (np.abs(np.diag(d)) > 0).any():
        raise ConfigError(where, "a non-zero diagonal", "zero distance from a region to itself")
    off = d[~np.eye(len(d), dtype=bool)]
    if (off <= 0).any():
        raise ConfigError(
            where, "a zero distance between two regions", "positive distances between distinct regions"
        )
    return d


def read_distances(relpath: object, base_dir: Path | None, names: list[str]) -> np.ndarray:
    """Read a square distance matrix [km] whose header row and first column are region names.

    The matrix is reordered to the order of ``names``; every region must appear.
    """
    table = _read_csv(relpath, base_dir, "scenario.distances", index_col=0)
    table.index = table.index.astype(str).str.strip()
    table.columns = table.columns.astype(str).str.strip()
    for label, axis in (("row", table.index), ("column", table.columns)):
        missing = [n for n in names if n not in axis]
        if missing:
            raise ConfigError(
                f"distances file {relpath}: {label}",
                missing[0],
                "a row and a column for every region of the regions file",
            )
        extra = [n for n in axis if n not in names]
        if extra:
            raise ConfigError(
                f"distances file {relpath}: {label}", extra[0], "only regions of the regions file"
            )
    try:
        d = table.loc[names, names].to_numpy(dtype=float)
    except ValueError as exc:
        raise ConfigError(f"distances file {relpath}", "a non-numeric entry", "numbers in km") from exc
    return validate_distance_matrix(d, f"distances file {relpath}", len(names))
