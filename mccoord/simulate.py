"""``mccoord.simulate``: every path of one mechanism mix, as an xarray Dataset."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from ._version import __version__
from .blocks import n_records, run_block
from .catalogue import SIM_VARIABLES, annotate, with_year_index
from .checks import positive_int, seed_value
from .errors import ConfigError
from .inputs import mix_vector, model_inputs, resolve_params
from .kernels.layout import N_PATH_SCALARS, N_REC_SCALARS, N_STATE_REC
from .params import DRIVERS, MECHANISMS, validate_mix
from .scenario import Scenario, load_scenario


def _check_memory(paths: int, n_time: int, n_regions: int) -> None:
    """Refuse a call whose dataset would not fit in the available memory."""
    import psutil

    per_path = n_time * ((2 + N_STATE_REC) * n_regions + N_REC_SCALARS) + N_PATH_SCALARS
    need = 2 * 8 * paths * per_path  # the kernel's output and the dataset built from it
    free = psutil.virtual_memory().available
    if need > free:
        raise ConfigError(
            "paths",
            paths,
            f"fewer paths: the dataset would need about {need / 1e9:.1f} GB of memory and "
            f"{free / 1e9:.1f} GB are available (mccoord.run keeps large ensembles on disk)",
        )


def simulate(
    scenario: Scenario | str,
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
    scenario : Scenario or str
        From :func:`mccoord.load_scenario`, or a built-in name or TOML path.
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
    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise ConfigError("scenario", scenario, "a Scenario, a built-in scenario name or a TOML path")
    if mix is not None and not isinstance(mix, dict):
        raise ConfigError("mix", mix, "a dict of intensities by mechanism name, e.g. {'transfer': 1.0}")
    if params is not None and not isinstance(params, dict):
        raise ConfigError("params", params, "a dict of model keys, e.g. {'alpha': 0.35}")
    paths = positive_int("paths", paths)
    seed = seed_value("seed", seed)
    full_mix = validate_mix(mix or {})
    if years is not None:
        scenario = scenario.with_overrides(years=positive_int("years", years))
    sim = scenario.simulation
    years = sim["years"]
    _check_memory(paths, n_records(years, sim["record_every"]), scenario.n_regions)
    resolved = resolve_params(scenario, params)
    inputs = model_inputs(scenario, params)
    res = run_block(
        inputs,
        mix_vector(full_mix),
        seed=seed,
        path0=0,
        n_paths=paths,
        years=years,
        substeps=sim["substeps"],
        record_every=sim["record_every"],
        target_reduction=sim["target_reduction"],
        full=True,
    )
    time = np.arange(0, years + 1, sim["record_every"])
    keys = list(inputs.uncertainty.keys)
    data = {
        name: (v.dims, v.extract(res, years))
        for name, v in SIM_VARIABLES.items()
        if keys or not v.uncertain_only
    }
    regions = scenario.regions
    ds = xr.Dataset(
        data,
        coords={
            "path": np.arange(paths),
            "time": ("time", time),
            "year": ("time", int(scenario.base_year) + time),
            "region": regions["region"].to_numpy(dtype=object),
            "group": ("region", regions["group"].to_numpy(dtype=object)),
            "driver": np.asarray(DRIVERS, dtype=object),
            **({"parameter": np.asarray(keys, dtype=object)} if keys else {}),
        },
    )
    ds = annotate(ds)
    ds.attrs.update(
        title=f"mccoord simulation: {scenario.name}",
        source=f"mccoord {__version__}",
        scenario=scenario.name,
        base_year=int(scenario.base_year),
        seed=int(seed),
        years=int(years),
        paths=int(paths),
        substeps=int(sim["substeps"]),
        record_every=int(sim["record_every"]),
        target_reduction=float(sim["target_reduction"]),
        mix=json.dumps({m: full_mix[m] for m in MECHANISMS}),
        params=json.dumps(resolved),
        uncertain=", ".join(keys) if keys else "none (shock uncertainty only)",
        n_invalid=int((~ds["valid"]).sum()),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        mccoord_version=__version__,
    )
    for m in MECHANISMS:
        ds.attrs[f"mix_{m}"] = float(full_mix[m])
    return with_year_index(ds)
