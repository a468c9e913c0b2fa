"""Per-path parameter draws and outcomes of one mix: the input of sensitivity and discovery.

Under parameter uncertainty (MODEL.md section 10) every path draws its own vector of the
uncertain keys, the same under every mix. Relating a mix's per-path outcomes to those
draws needs, for the valid paths of that mix:

* ``X``: the drawn parameters, ``(n, k)``, one column per uncertain key;
* ``target``: whether sigma reached the target by the horizon (first passage ``<= T``);
* ``sigma``: ``sigma(T)``, the dispersion of log income at the horizon.

They are read from either source the analysis accepts:

* the dataset of :func:`mccoord.simulate` (one mix): ``parameters`` ``(path,
  parameter)``, ``first_passage``, ``sigma`` ``(path, time)`` and ``valid``;
* an ensemble store of :func:`mccoord.run` (its path, or the results dataset opened from
  it): ``STORE/raw`` holds ``path_parameters`` ``(path, parameter)`` (the same under
  every mix; the keys, in column order, are the root attr ``uncertain_keys``) beside
  ``path_first_passage`` ``(mix, path)``, ``path_sigma`` ``(mix, path, time)`` and
  ``path_valid`` ``(mix, path)``; the names come from :data:`mccoord.catalogue.RAW_ARRAYS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..catalogue import RAW_ARRAYS
from ..errors import ConfigError, StoreError
from ..mixes import describe, grid_mechs, intensities, is_grid, mix_point
from ..params import MECHANISMS
from ..store import open_results, quiet_zarr, raw_group

#: The per-path arrays of ``STORE/raw`` that the analysis reads (catalogue entries).
PARAMETERS = RAW_ARRAYS["path_parameters"].name
FIRST_PASSAGE = RAW_ARRAYS["path_first_passage"].name
SIGMA = RAW_ARRAYS["path_sigma"].name
VALID = RAW_ARRAYS["path_valid"].name
#: Root attr of a store naming the uncertain keys (the columns of ``path_parameters``).
KEYS_ATTR = "uncertain_keys"
#: Per-path outcomes the analysis relates to the parameters.
OUTCOMES: dict[str, str] = {
    "target": "target reached by the horizon (first passage of sigma <= T), 0 or 1",
    "sigma": "sigma(T), standard deviation of log income across regions at the horizon",
}

MixSpec = str | int | dict | None


@dataclass(frozen=True)
class PathSample:
    """Drawn parameters and outcomes of the valid paths of one mix.

    Attributes
    ----------
    X : pandas.DataFrame
        ``(n, k)`` drawn values of the uncertain keys (columns), one row per valid path
        (index: the path number).
    target : numpy.ndarray of bool
        Target reached by the horizon, per row of ``X``.
    sigma : numpy.ndarray of float
        ``sigma(T)`` [1] (standard deviation of log income across regions), per row.
    horizon : float
        ``T`` [years since the base year].
    mix : int
        Flat mix index in design order (0 for a :func:`mccoord.simulate` dataset).
    label : str
        The mix in words (:func:`mccoord.mixes.describe`), e.g. ``transfer 1, market 0.5``.
    n_invalid : int
        Paths of the mix left out (invalid: no admissible draw or a non-finite value).
    """

    X: pd.DataFrame
    target: np.ndarray
    sigma: np.ndarray
    horizon: float
    mix: int
    label: str
    n_invalid: int

    def outcome(self, name: str) -> np.ndarray:
        """The per-path outcome ``name`` (a key of :data:`OUTCOMES`) as float."""
        check_outcome(name)
        return self.target.astype(float) if name == "target" else self.sigma


def check_outcome(outcome: object) -> str:
    """Refuse an outcome that is not a key of :data:`OUTCOMES`."""
    if outcome not in OUTCOMES:
        raise ConfigError("outcome", outcome, f"one of: {', '.join(OUTCOMES)}")
    return str(outcome)


def _no_uncertainty(where: str) -> ConfigError:
    return ConfigError(
        "parameters",
        f"none drawn per path in {where}",
        "a run of a scenario with an [uncertainty] table (every path draws its own parameters)",
    )


def _from_simulation(ds: xr.Dataset, mix: MixSpec) -> PathSample:
    if mix is not None:
        raise ConfigError("mix", mix, "None for a mccoord.simulate dataset (it holds one mix)")
    if "parameters" not in ds:
        raise _no_uncertainty("this dataset")
    valid = np.asarray(ds["valid"].values, dtype=bool)
    horizon = float(ds["time"].values[-1])
    fp = np.asarray(ds["first_passage"].values, dtype=float)
    sigma = np.asarray(ds["sigma"].isel(time=-1).values, dtype=float)
    names = [str(p) for p in ds["parameter"].values]
    X = pd.DataFrame(np.asarray(ds["parameters"].values, dtype=float), columns=names)
    theta = {m: float(ds.attrs.get(f"mix_{m}", np.nan)) for m in MECHANISMS}
    return _sample(X, fp, sigma, valid, horizon, 0, describe(theta))


def _sample(X, fp, sigma, valid, horizon, mix, label) -> PathSample:
    with np.errstate(invalid="ignore"):
        target = fp <= horizon
    ok = valid & np.isfinite(sigma) & np.isfinite(X.to_numpy()).all(axis=1)
    X = X[ok]
    X.index.name = "path"
    return PathSample(X, target[ok], sigma[ok], horizon, int(mix), label, int((~ok).sum()))


def flat_mix(ds: xr.Dataset, mix: MixSpec) -> int:
    """Flat index (design order, last mechanism fastest) of ``mix`` in a results dataset.

    ``mix``: ``"best"``, ``"off"``, ``"on"``, a flat index or a dict of intensities,
    chosen by :func:`mccoord.mixes.mix_point` (its rules apply).
    """
    point = mix_point(ds, "best" if mix is None else mix)
    if not is_grid(ds):
        return int(point["mix"])
    mechs = grid_mechs(ds)
    return int(np.ravel_multi_index(tuple(point[m] for m in mechs), tuple(ds.sizes[m] for m in mechs)))


def _from_store(source: str | Path | xr.Dataset, mix: MixSpec) -> PathSample:
    ds = open_results(source)
    where = ds.encoding.get("source", source)
    names = json.loads(ds.attrs.get(KEYS_ATTR, "[]") or "[]")
    if not names:
        raise _no_uncertainty(f"store {where}")
    raw = raw_group(ds)
    if raw is None:
        raise StoreError("no store: the dataset was not opened from a mccoord store")
    with quiet_zarr():
        if PARAMETERS not in raw:
            raise StoreError(f"store {where}: {PARAMETERS} is missing from raw; rerun the ensemble")
        k = flat_mix(ds, mix)
        params = np.asarray(raw[PARAMETERS][...], dtype=float)
        fp = np.asarray(raw[FIRST_PASSAGE][k], dtype=float)
        sigma = np.asarray(raw[SIGMA][k], dtype=float)[:, -1]
        valid = np.asarray(raw[VALID][k]) == 1
    if params.shape[1] != len(names):
        raise StoreError(f"store {where}: {PARAMETERS} has {params.shape[1]} columns for {len(names)} keys")
    theta = dict(zip(MECHANISMS, intensities(ds)[k], strict=True))
    horizon = float(ds["time"].values[-1])
    X = pd.DataFrame(params, columns=[str(n) for n in names])
    return _sample(X, fp, sigma, valid, horizon, k, describe(theta))


def path_sample(source: str | Path | xr.Dataset, mix: MixSpec = None) -> PathSample:
    """Drawn parameters and outcomes of the valid paths of one mix.

    Parameters
    ----------
    source : path or xarray.Dataset
        A store of :func:`mccoord.run` (or its results dataset), or the dataset of
        :func:`mccoord.simulate`.
    mix : str, int or dict, optional
        Store only: ``"best"`` (default), ``"off"``, ``"on"``, a flat mix index or a dict
        of intensities.

    Raises
    ------
    ConfigError
        If the run drew no parameters per path, or ``mix`` is not a mix of the source.
    StoreError
        If the store does not exist, is incomplete or lacks its per-path arrays.
    """
    if isinstance(source, xr.Dataset) and "path" in source.dims and "first_passage" in source:
        return _from_simulation(source, mix)
    return _from_store(source, mix)
