"""``mccoord.simulate``: every path of one mechanism mix, as an xarray Dataset."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import xarray as xr

from .blocks import run_block
from .inputs import mix_vector, model_inputs, resolve_params
from .kernels.layout import (
    P_BETA,
    P_DRAWS,
    P_FIRST_PASSAGE,
    P_GROWTH,
    P_PICK_CA,
    P_VALID,
    R_CA,
    R_CCD,
    R_DEFECTION,
    R_EC,
    R_ID,
    R_REGIME,
    R_SIGMA,
    R_THEIL,
    R_THEIL_BETWEEN,
    R_THEIL_WITHIN,
)
from .kernels.paths import S_A, S_E, S_K, S_S, S_Z
from .params import DRIVERS, MECHANISMS, validate_mix
from .scenario import Scenario
from .variables import annotate

_TIME_SCALARS = {
    "sigma": R_SIGMA,
    "CA": R_CA,
    "EC": R_EC,
    "ID": R_ID,
    "theil": R_THEIL,
    "theil_between": R_THEIL_BETWEEN,
    "theil_within": R_THEIL_WITHIN,
    "ccd": R_CCD,
    "defection": R_DEFECTION,
    "regime": R_REGIME,
}
_STATES = {"a": S_A, "K": S_K, "s": S_S, "e": S_E, "z": S_Z}


def beta_speed(slope: np.ndarray, horizon: float) -> np.ndarray:
    """Implied convergence speed ``-ln(1 + slope*T)/T`` (NaN where ``1 + slope*T <= 0``)."""
    arg = 1.0 + np.asarray(slope, dtype=float) * horizon
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(arg > 0, -np.log(np.where(arg > 0, arg, 1.0)) / horizon, np.nan)


def _check_positive(name: str, value: object) -> int:
    from .errors import ConfigError

    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ConfigError(name, value, "a positive whole number")
    return int(value)


def simulate(
    scenario: Scenario,
    mix: dict | None = None,
    *,
    paths: int,
    seed: int,
    years: int | None = None,
    params: dict | None = None,
) -> xr.Dataset:
    """Simulate ``paths`` Monte Carlo paths of one mechanism mix.

    Parameters
    ----------
    scenario : Scenario
        From :func:`mccoord.load_scenario`.
    mix : dict, optional
        Intensities in [0, 1] by mechanism name (``transfer``, ``market``,
        ``cooperation``, ``supervision``, ``order_parameter``); missing ones are 0.
    paths : int
        Number of paths.
    seed : int
        Run seed; path ``p`` draws the same shocks under every mix (common random
        numbers) and on every machine.
    years : int, optional
        Horizon [years]; default the scenario's ``simulation.years``.
    params : dict, optional
        Model-key overrides (MODEL.md section 7).

    Returns
    -------
    xarray.Dataset
        Dims ``path``, ``time`` (years since the base year), ``region``, ``driver``:
        trajectories ``ln_y, L, a, K, s, e, z`` ``(path, time, region)``; per
        ``(path, time)`` ``sigma, CA, EC, ID, theil, theil_between, theil_within, ccd,
        defection, regime``; per path ``beta_slope, beta_speed, growth, first_passage, valid``
        and ``order_parameter_picks`` ``(path, driver)``; under parameter uncertainty
        also ``parameters`` ``(path, parameter)`` (each path's drawn values of the
        uncertain keys) and ``draws`` (draws the path needed).

    Examples
    --------
    >>> import mccoord
    >>> sc = mccoord.load_scenario("demo")
    >>> ds = mccoord.simulate(sc, {"transfer": 1}, paths=20, seed=1, years=5)
    >>> dict(ds.sizes)
    {'path': 20, 'time': 6, 'region': 10, 'driver': 3}
    """
    from .errors import ConfigError

    paths = _check_positive("paths", paths)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise ConfigError("seed", seed, "a whole number in [0, 2**63)")
    full_mix = validate_mix(mix or {})
    sim = scenario.simulation
    if years is not None:
        scenario = scenario.with_overrides(years=_check_positive("years", years))
        sim = scenario.simulation
    inputs = model_inputs(scenario, params)
    years = sim["years"]
    res = run_block(
        inputs,
        mix_vector(full_mix),
        seed=int(seed),
        path0=0,
        n_paths=paths,
        years=years,
        substeps=sim["substeps"],
        record_every=sim["record_every"],
        target_reduction=sim["target_reduction"],
        full=True,
    )
    time = np.arange(0, years + 1, sim["record_every"])
    dims3 = ("path", "time", "region")
    data = {
        "ln_y": (dims3, res.rec_lny),
        "L": (dims3, res.rec_L),
        **{k: (dims3, res.rec_state[:, :, i, :]) for k, i in _STATES.items()},
        **{k: (("path", "time"), res.rec_scalar[:, :, i]) for k, i in _TIME_SCALARS.items()},
        "beta_slope": ("path", res.path_scalar[:, P_BETA]),
        "beta_speed": ("path", beta_speed(res.path_scalar[:, P_BETA], years)),
        "growth": ("path", res.path_scalar[:, P_GROWTH]),
        "first_passage": ("path", res.path_scalar[:, P_FIRST_PASSAGE]),
        "valid": ("path", res.path_scalar[:, P_VALID].astype(bool)),
        "order_parameter_picks": (
            ("path", "driver"),
            res.path_scalar[:, P_PICK_CA : P_PICK_CA + 3].astype(np.int64),
        ),
    }
    keys = inputs.uncertainty.keys
    if keys:
        data["parameters"] = (("path", "parameter"), res.path_params)
        data["draws"] = ("path", res.path_scalar[:, P_DRAWS].astype(np.int64))
    regions = scenario.regions
    ds = xr.Dataset(
        data,
        coords={
            "path": np.arange(paths),
            "time": ("time", time, {"long_name": "years since the base year", "units": "year"}),
            "year": ("time", scenario.base_year + time, {"long_name": "calendar year"}),
            "region": regions["region"].to_numpy(dtype=object),
            "group": ("region", regions["group"].to_numpy(dtype=object), {"long_name": "macro-region"}),
            "driver": list(DRIVERS),
            **(
                {"parameter": ("parameter", list(keys), {"long_name": "uncertain model key"})} if keys else {}
            ),
        },
    )
    ds = annotate(ds)
    ds.attrs.update(
        scenario=scenario.name,
        seed=int(seed),
        years=years,
        paths=paths,
        substeps=sim["substeps"],
        target_reduction=sim["target_reduction"],
        mix=str({m: full_mix[m] for m in MECHANISMS}),
        uncertain=", ".join(keys) if keys else "none (shock uncertainty only)",
        params=str(resolve_params(scenario, params)),
        n_invalid=int((~ds["valid"]).sum()),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        mccoord_version=__import__("mccoord").__version__,
    )
    for m in MECHANISMS:
        ds.attrs[f"mix_{m}"] = full_mix[m]
    return ds
