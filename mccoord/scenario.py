"""Scenarios: a country's regions, model parameters, simulation settings and mechanism grid.

A scenario is a TOML file (data only: no code is ever evaluated) with these tables::

    [scenario]    name, description, base_year, currency,
                  regions = "data/x.csv"  (path relative to the TOML file)
                  distances = "data/d.csv" (optional square km matrix)
    [simulation]  years, paths, seed, substeps, record_every, target_reduction, quantiles
    [model]       overrides of MODEL.md section 7 defaults, by key
    [mechanisms]  intensity levels of each mechanism (the grid is their product)
    [uncertainty] optional distributions of model keys drawn per path
                  (MODEL.md section 10; see :mod:`mccoord.uncertainty`)
    [costs]       optional: cost of each mechanism at full intensity, and ``units``
                  (used by ``mccoord frontier``; see COST_DEFAULTS)

Built-in scenarios (``china``, ``us``, ``demo``) ship inside the package and load by
name. Every problem is reported as a :class:`~mccoord.errors.ConfigError` naming the
field, the value and what is expected, before any work starts.
"""

from __future__ import annotations

import itertools
import numbers
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .checks import positive_int, seed_value
from .errors import ConfigError
from .files import MAX_CONFIG_BYTES, regular_file
from .params import MECHANISMS, PARAM_BY_KEY, validate_mix, validate_params
from .regions import read_distances, read_regions
from .stability import check_stability
from .uncertainty import CALIBRATED, Uncertainty, parse_uncertainty

DEFAULT_SCENARIO = "china"

SIMULATION_DEFAULTS: dict[str, Any] = {
    "years": 30,
    "paths": 1000,
    "seed": 0,
    "substeps": 1,
    "record_every": 1,
    "target_reduction": 0.25,
    "quantiles": [0.05, 0.25, 0.5, 0.75, 0.95],
}
SCENARIO_KEYS = {"name", "description", "base_year", "currency", "regions", "distances"}
TABLES = {"scenario", "simulation", "model", "mechanisms", "uncertainty", "costs"}
#: Cost of each mechanism at full intensity when a scenario's ``[costs]`` table does not
#: give one: 1 each, i.e. a mix costs the sum of its intensities, "one unit per mechanism
#: at full intensity". No source prices the paper's mechanisms against each other, so the
#: default treats them alike; give real unit costs (and their ``units``) in ``[costs]``.
COST_DEFAULTS: dict[str, float] = dict.fromkeys(MECHANISMS, 1.0)
COST_UNITS_DEFAULT = "cost units; default 1 per mechanism at full intensity"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    name : str
        Short name (``china``).
    regions : pandas.DataFrame
        One row per region: ``region, group, gdp_per_capita, population,
        specialisation, integration`` and optionally ``lat, lon, saving``.
    distance_km : numpy.ndarray
        ``(R, R)`` distances between regions [km].
    params : dict
        Complete model parameters (defaults of MODEL.md section 7 plus overrides).
    simulation : dict
        ``years, paths, seed, substeps, record_every, target_reduction, quantiles``.
    mechanisms : dict
        Intensity levels of each mechanism, in mechanism order.
    uncertainty : Uncertainty
        Parameter distributions drawn per path (``[uncertainty]``, MODEL.md section 10);
        empty when the scenario declares none.
    description, base_year, currency, source :
        Metadata; ``source`` is the TOML path it came from (or ``None``).
    costs : dict
        Cost of each mechanism at full intensity (``[costs]``, defaults
        :data:`COST_DEFAULTS`) and ``units``; a mix costs ``sum_m cost_m * theta_m``.
    """

    name: str
    regions: pd.DataFrame
    distance_km: np.ndarray
    params: dict[str, float]
    simulation: dict[str, Any]
    mechanisms: dict[str, tuple[float, ...]]
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    description: str = ""
    base_year: int = 0
    currency: str = ""
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    costs: dict[str, Any] = field(default_factory=lambda: _check_costs({}))

    @property
    def n_regions(self) -> int:
        """Number of regions R."""
        return len(self.regions)

    def mixes(self) -> list[dict[str, float]]:
        """The Cartesian grid of the ``[mechanisms]`` levels, last mechanism fastest."""
        levels = [self.mechanisms[m] for m in MECHANISMS]
        return [dict(zip(MECHANISMS, combo, strict=True)) for combo in itertools.product(*levels)]

    def with_overrides(self, **overrides: Any) -> Scenario:
        """Return a copy with simulation settings, model keys or ``mechanisms`` replaced.

        A model key set here that the ``[uncertainty]`` table draws per path is fixed at
        the value for every path: its entry becomes a point mass (a uniform with
        ``low = high``), which keeps the path's other draws, so runs with and without
        the override still pair path by path. A key of the ``calibrated`` block cannot
        be fixed that way (it is drawn jointly with the others): that is a
        :class:`~mccoord.errors.ConfigError`; use :meth:`without_uncertainty` first.
        """
        return _apply_overrides(self, overrides)

    def without_uncertainty(self) -> Scenario:
        """The same scenario with every path on the scenario's own parameters (shocks only)."""
        raw = {k: v for k, v in self.raw.items() if k != "uncertainty"}
        return replace(self, uncertainty=Uncertainty(), raw=raw)

    def config(self) -> dict[str, Any]:
        """The full configuration as plain data (for provenance and config hashes)."""
        out = {
            "scenario": {
                "name": self.name,
                "description": self.description,
                "base_year": self.base_year,
                "currency": self.currency,
            },
            "simulation": dict(self.simulation),
            "model": dict(self.params),
            "mechanisms": {k: list(v) for k, v in self.mechanisms.items()},
            "regions": self.regions.to_dict(orient="list"),
            "distance_km": np.round(self.distance_km, 6).tolist(),
            "costs": dict(self.costs),
        }
        if self.uncertainty:
            out["uncertainty"] = self.uncertainty.config()
        return out


def builtin_scenarios() -> list[str]:
    """Names of the scenarios that ship with mccoord."""
    root = resources.files("mccoord.configs")
    names = [p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml")]
    return sorted(n for n in names if not n.startswith("slurm"))


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or path.exists():
        if path.is_dir():
            raise ConfigError("scenario", text, "a TOML file, not a directory")
        if not path.exists():
            raise ConfigError(
                "scenario",
                text,
                f"an existing TOML file or a built-in name ({', '.join(builtin_scenarios())})",
            )
        return path
    candidate = resources.files("mccoord.configs") / f"{text}.toml"
    if not candidate.is_file():
        raise ConfigError(
            "scenario",
            text,
            f"a TOML file or one of the built-in scenarios: {', '.join(builtin_scenarios())}",
        )
    return Path(str(candidate))


def _check_simulation(sim: dict[str, Any]) -> dict[str, Any]:
    out = dict(SIMULATION_DEFAULTS)
    for key, value in sim.items():
        if key not in SIMULATION_DEFAULTS:
            raise ConfigError(f"simulation.{key}", value, f"one of: {', '.join(SIMULATION_DEFAULTS)}")
        out[key] = value
    for key in ("years", "paths", "substeps", "record_every"):
        out[key] = positive_int(f"simulation.{key}", out[key])
    out["seed"] = seed_value("simulation.seed", out["seed"])
    if out["years"] % out["record_every"]:
        raise ConfigError(
            "simulation.record_every", out["record_every"], f"a divisor of simulation.years ({out['years']})"
        )
    tr = out["target_reduction"]
    if isinstance(tr, bool) or not isinstance(tr, numbers.Real) or not 0.0 < tr < 1.0:
        raise ConfigError("simulation.target_reduction", tr, "a number in (0, 1)")
    q = out["quantiles"]
    if (
        not isinstance(q, list | tuple)
        or not q
        or any(isinstance(x, bool) or not isinstance(x, numbers.Real) for x in q)
        or any(not 0.0 <= x <= 1.0 for x in q)
        or len(set(q)) != len(q)
    ):
        raise ConfigError("simulation.quantiles", q, "a non-empty list of distinct numbers in [0, 1]")
    out["quantiles"] = sorted(float(x) for x in q)
    out["target_reduction"] = float(tr)
    return out


def _check_mechanisms(mech: dict[str, Any]) -> dict[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {m: (0.0,) for m in MECHANISMS}
    for key, levels in mech.items():
        if key not in out:
            raise ConfigError(f"mechanisms.{key}", levels, f"one of the mechanisms: {', '.join(MECHANISMS)}")
        if isinstance(levels, int | float) and not isinstance(levels, bool):
            levels = [levels]
        if not isinstance(levels, list | tuple) or not levels:
            raise ConfigError(f"mechanisms.{key}", levels, "a non-empty list of intensities in [0, 1]")
        for x in levels:
            validate_mix({key: x}, where="mechanisms")
        if len(set(levels)) != len(levels):
            raise ConfigError(f"mechanisms.{key}", levels, "distinct levels")
        out[key] = tuple(sorted(float(x) for x in levels))
    return out


def _check_costs(costs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(COST_DEFAULTS) | {"units": COST_UNITS_DEFAULT}
    for key, value in costs.items():
        if key == "units":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError("costs.units", value, "a non-empty string, e.g. 'billion yuan per year'")
            out[key] = value
            continue
        if key not in COST_DEFAULTS:
            raise ConfigError(
                f"costs.{key}", value, f"one of the mechanisms ({', '.join(MECHANISMS)}) or units"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
            raise ConfigError(f"costs.{key}", value, "a finite number >= 0 (cost at full intensity)")
        out[key] = float(value)
    return out


def _build(raw: dict[str, Any], base_dir: Path | None, source: str | None) -> Scenario:
    for table in raw:
        if table not in TABLES:
            raise ConfigError(table, raw[table], f"one of the tables [{'], ['.join(sorted(TABLES))}]")
        if not isinstance(raw[table], dict):
            raise ConfigError(table, raw[table], "a TOML table")
    meta = raw.get("scenario", {})
    for key in meta:
        if key not in SCENARIO_KEYS:
            raise ConfigError(f"scenario.{key}", meta[key], f"one of: {', '.join(sorted(SCENARIO_KEYS))}")
    if "regions" not in meta:
        raise ConfigError("scenario.regions", None, "the path of a regions CSV file")
    name = meta.get("name", Path(source).stem if source else "scenario")
    if not isinstance(name, str) or not name:
        raise ConfigError("scenario.name", name, "a non-empty string")
    base_year = meta.get("base_year", 0)
    if isinstance(base_year, bool) or not isinstance(base_year, int):
        raise ConfigError("scenario.base_year", base_year, "a whole number (a calendar year)")
    regions = read_regions(meta["regions"], base_dir)
    if "distances" in meta:
        distance = read_distances(meta["distances"], base_dir, list(regions["region"]))
    else:
        if "lat" not in regions or "lon" not in regions:
            raise ConfigError(
                "scenario.distances",
                None,
                "a distance-matrix file, or lat and lon columns in the regions file",
            )
        from .geography import great_circle_km

        distance = great_circle_km(regions["lat"].to_numpy(), regions["lon"].to_numpy())
    model = dict(raw.get("model", {}))
    params = validate_params(model)
    if "saving" in model and "saving" in regions:
        raise ConfigError(
            "model.saving",
            model["saving"],
            "either model.saving or a saving column in the regions file, not both",
        )
    simulation = _check_simulation(raw.get("simulation", {}))
    mechanisms = _check_mechanisms(raw.get("mechanisms", {}))
    costs = _check_costs(raw.get("costs", {}))
    check_stability(params, simulation["substeps"])
    uncertainty = parse_uncertainty(raw.get("uncertainty"))
    return Scenario(
        name=name,
        regions=regions,
        distance_km=distance,
        params=params,
        simulation=simulation,
        mechanisms=mechanisms,
        uncertainty=uncertainty,
        description=str(meta.get("description", "")),
        base_year=base_year,
        currency=str(meta.get("currency", "")),
        source=source,
        raw=raw,
        costs=costs,
    )


def _apply_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    if not overrides:
        return scenario
    sim = dict(scenario.simulation)
    model = {k: v for k, v in scenario.raw.get("model", {}).items()}
    mech = {k: list(v) for k, v in scenario.mechanisms.items()}
    uncertainty = scenario.uncertainty
    raw = dict(scenario.raw)
    for key, value in overrides.items():
        if value is None:
            continue
        if key in SIMULATION_DEFAULTS:
            sim[key] = value
        elif key in PARAM_BY_KEY:
            model[key] = value
        elif key == "mechanisms":
            if not isinstance(value, dict):
                raise ConfigError("mechanisms", value, "a dict of mechanism -> levels")
            mech.update(value)
        elif key == "uncertainty":
            uncertainty = parse_uncertainty(value)
            raw["uncertainty"] = value
        else:
            raise ConfigError(
                key,
                value,
                f"a simulation setting ({', '.join(SIMULATION_DEFAULTS)}), a model key, 'mechanisms' "
                "or 'uncertainty'",
            )
    uncertainty = _fix_drawn_keys(uncertainty, raw, overrides)
    simulation = _check_simulation(sim)
    params = validate_params(model)
    mechanisms = _check_mechanisms(mech)
    check_stability(params, simulation["substeps"])
    raw["model"] = model
    return replace(
        scenario,
        simulation=simulation,
        params=params,
        mechanisms=mechanisms,
        uncertainty=uncertainty,
        raw=raw,
    )


def _fix_drawn_keys(uncertainty: Uncertainty, raw: dict, overrides: dict[str, Any]) -> Uncertainty:
    """Turn the marginals of explicitly set model keys into point masses at the set values."""
    fixed = {k: v for k, v in overrides.items() if k in PARAM_BY_KEY and v is not None}
    if not fixed or not uncertainty:
        return uncertainty
    table = dict(raw.get("uncertainty") or {})
    joint = list((table.get(CALIBRATED) or {}).get("keys", []))
    for key, value in fixed.items():
        if key in joint:
            raise ConfigError(
                key,
                value,
                f"a key outside the calibrated block of [uncertainty] ({', '.join(joint)} are drawn "
                "jointly): run with shocks only (mccoord run --shocks-only, Scenario.without_uncertainty()) "
                "or set it in a scenario file without the block",
            )
        if key in table:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ConfigError(key, value, "a number")
            table[key] = {"dist": "uniform", "low": float(value), "high": float(value)}
    raw["uncertainty"] = table
    return parse_uncertainty(table)


def load_scenario(name_or_path: str | Path = DEFAULT_SCENARIO, **overrides: Any) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    name_or_path : str or path
        A built-in name (``"china"``, ``"us"``, ``"demo"``) or a TOML file.
    **overrides
        Simulation settings (``years=50``, ``paths=...``, ``seed=...``), model keys
        of MODEL.md section 7 (``alpha=0.35``), ``mechanisms={"transfer": [0, 1]}`` or
        ``uncertainty={...}`` (a whole ``[uncertainty]`` table; ``{}`` for none).

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        If anything in the file, its data or the overrides is invalid.

    Examples
    --------
    >>> sc = load_scenario("demo", years=10)
    >>> sc.simulation["years"]
    10
    """
    path = _resolve(name_or_path)
    regular_file(path, "scenario", MAX_CONFIG_BYTES, shown=str(name_or_path))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "non-UTF-8 bytes", "a UTF-8 encoded TOML file") from exc
    except OSError as exc:
        raise ConfigError(str(path), exc.strerror, "a readable TOML file") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"malformed TOML ({exc})", "valid TOML") from exc
    scenario = _build(raw, path.parent, str(path))
    return _apply_overrides(scenario, overrides)


def scenario_from_table(
    regions: pd.DataFrame, *, name: str = "custom", distance_km: np.ndarray | None = None, **overrides: Any
) -> Scenario:
    """Build a scenario directly from a regions DataFrame (no files).

    Parameters
    ----------
    regions : pandas.DataFrame
        Same columns as a regions CSV file.
    name : str
        Scenario name.
    distance_km : numpy.ndarray, optional
        Distances [km]; by default great-circle from ``lat``/``lon``.
    **overrides
        As for :func:`load_scenario`.
    """
    from .regions import validate_regions

    table = validate_regions(regions.copy(), "regions")
    if distance_km is None:
        if "lat" not in table or "lon" not in table:
            raise ConfigError("distance_km", None, "a distance matrix, or lat and lon columns")
        from .geography import great_circle_km

        distance_km = great_circle_km(table["lat"].to_numpy(), table["lon"].to_numpy())
    from .regions import validate_distance_matrix

    distance_km = validate_distance_matrix(np.asarray(distance_km, dtype=float), "distance_km", len(table))
    sim = _check_simulation({})
    params = validate_params({})
    sc = Scenario(
        name=name,
        regions=table,
        distance_km=distance_km,
        params=params,
        simulation=sim,
        mechanisms=_check_mechanisms({}),
        raw={},
    )
    return _apply_overrides(sc, overrides)
