"""Write a calibration as a scenario: TOML plus a regions CSV with the ``steady_state`` column.

The scenario starts from the observed cross-section of the last calibration year (its
base year). ``[model]`` holds the fitted keys (with their standard errors in comments),
the regime hazards (with their source) and any key held fixed; ``[uncertainty]`` holds
the ``calibrated`` block, a multivariate normal with the fitted values as mean and the
sandwich covariance (MODEL.md section 10)::

    calibrated = { keys = ["sigma", "sigma_common", "g", "lambda0", "rho_a"],
                   mean = [...], cov = [[...], ...] }      (one line in the file)

A *template* scenario supplies everything that is not fitted: the ``[scenario]`` name,
description, currency and regions path, ``[simulation]``, ``[mechanisms]``, the fixed
``[model]`` keys (which the calibration also holds fixed) and the marginal
``[uncertainty]`` entries. That is how the shipped ``china`` and ``us`` scenarios are
rebuilt in place (``--template configs/china.toml --out configs/china.toml --overwrite``).
Without a template, the regions CSV is written beside the TOML as
``STEM_regions_END.csv`` and the grid is ``{0, 1}`` for every mechanism.

Nothing is overwritten unless ``overwrite=True``; the file is checked to load before
this function returns.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..params import MECHANISMS, validate_params
from .calibrate import OUTPUT_KEYS, CalibrationResult

__all__ = ["write_scenario", "read_template", "check_scenario_destination", "fixed_model_keys", "toml_value"]

_SIMULATION = {
    "years": 30,
    "paths": 1000,
    "substeps": 1,
    "record_every": 1,
    "target_reduction": 0.25,
    "quantiles": [0.05, 0.25, 0.5, 0.75, 0.95],
}


def toml_value(value: Any) -> str:
    """A TOML literal for a number, string, boolean, list or (inline) table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple | np.ndarray):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def read_template(path: str | Path) -> dict[str, Any]:
    """Read a template scenario as plain TOML data (its regions file need not exist yet).

    Raises
    ------
    ConfigError
        If the file is missing, not UTF-8, malformed, or has no ``[scenario] regions``.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("--template", str(path), "an existing scenario TOML file")
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("--template", str(path), f"a valid UTF-8 TOML file ({exc})") from exc
    regions = raw.get("scenario", {}).get("regions")
    if not isinstance(regions, str) or not regions:
        raise ConfigError("--template", str(path), "a scenario with [scenario] regions = PATH")
    validate_params(dict(raw.get("model", {})), where=f"{path.name}: model")
    return raw


def check_scenario_destination(
    path: str | Path, end: int, *, template: dict[str, Any] | None = None, overwrite: bool = False
) -> Path:
    """Refuse a destination before any work; return the path of the regions CSV.

    Parameters
    ----------
    path : path
        The TOML to write.
    end : int
        Base year (names the default regions CSV ``STEM_regions_END.csv``).
    template : dict, optional
        Template data (:func:`read_template`); its ``regions`` path, relative to the
        TOML, is used instead of the default.
    overwrite : bool
        Allow replacing an existing TOML and regions CSV.

    Raises
    ------
    ConfigError
        If ``path`` does not end in ``.toml``, its directory does not exist, or (without
        ``overwrite``) the TOML or its regions CSV exists already.
    """
    path = Path(path)
    if path.suffix != ".toml":
        raise ConfigError("--out", str(path), "a path ending in .toml")
    if not path.parent.is_dir():
        raise ConfigError("--out", str(path), "a path in an existing directory")
    if template is not None:
        csv = path.parent / template["scenario"]["regions"]
    else:
        csv = path.with_name(f"{path.stem}_regions_{end}.csv")
    if not csv.parent.is_dir():
        raise ConfigError("--out", str(csv), "a regions path in an existing directory")
    for p in (path, csv):
        if p.is_dir():
            raise ConfigError("--out", str(p), "a file path, not a directory")
        if p.exists() and not overwrite:
            raise ConfigError(
                "--out", str(p), "a path that does not exist yet (nothing is overwritten without --overwrite)"
            )
    return csv


def fixed_model_keys(template: dict[str, Any] | None) -> dict[str, Any]:
    """The template's ``[model]`` keys that a calibration holds fixed (those it does not write)."""
    model = (template or {}).get("model", {})
    return {k: v for k, v in model.items() if k not in OUTPUT_KEYS}


def _check_template_fixed(tpl: dict[str, Any], result: CalibrationResult) -> None:
    """A template's fixed model keys must be the ones the fit held fixed."""
    for k, v in tpl.get("model", {}).items():
        if k not in OUTPUT_KEYS and result.fixed.get(k) != v:
            raise ConfigError(
                f"--template: model.{k}",
                v,
                f"the value the fit held fixed ({result.fixed.get(k, 'the MODEL.md default')}); "
                "calibrate with the template's fixed keys (the --template option does that)",
            )


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _header(result: CalibrationResult, command: str | None) -> list[str]:
    from .._version import __version__

    lines = [f"# Written by mccoord calibrate (mccoord {__version__}). Reproduce with:"]
    lines.append(f"#   {command}" if command else "#   (Python API: mccoord.calibration.calibrate)")
    lines.append(
        f"# Model {result.model} fitted by simulated moments on {result.data} {result.start}-{result.end}: "
        f"{result.paths} paths per evaluation, seed {result.seed}, J = {result.objective:.4g}"
        f"{'' if result.converged else ' (the search did NOT converge)'}."
    )
    if result.panel.nominal:
        lines.append("# Incomes are nominal, so g is a NOMINAL trend (inflation included).")
    if result.steady is not None:
        s = result.steady
        lines.append(
            f"# Steady states (column steady_state of the regions file): within estimator on "
            f"{s.start}-{s.end}, rho = {s.rho:.4f} (SE {s.rho_se:.4f});"
        )
        if result.phi_identified:
            lines.append(f"# scale phi identified and fitted: {result.phi:.4f} (SE {result.se['phi']:.3g}).")
        else:
            lines.append(f"# scale phi not identified (SE {result.phi_check_se:.3g} at phi = 1): left at 1.")
    return lines


def write_scenario(
    result: CalibrationResult,
    path: str | Path,
    *,
    template: str | Path | dict[str, Any] | None = None,
    overwrite: bool = False,
    name: str | None = None,
    command: str | None = None,
) -> Path:
    """Write the calibrated scenario (see the module docstring).

    Parameters
    ----------
    result : CalibrationResult
    path : path
        Destination TOML.
    template : path or dict, optional
        A scenario whose non-fitted parts are kept (:func:`read_template`).
    overwrite : bool
        Allow replacing an existing TOML and regions CSV.
    name : str, optional
        Scenario name (default: the template's, else ``DATA-calibrated``).
    command : str, optional
        The command that produced the fit, recorded in the header.

    Returns
    -------
    pathlib.Path
        The TOML path (loadable with :func:`mccoord.load_scenario`).
    """
    from ..scenario import load_scenario

    path = Path(path)
    tpl = read_template(template) if isinstance(template, str | Path) else template
    csv = check_scenario_destination(path, result.end, template=tpl, overwrite=overwrite)
    tpl = tpl or {}
    _check_template_fixed(tpl, result)
    meta = tpl.get("scenario", {})
    defaults = validate_params({})

    regions = result.panel.cross_section(result.end)
    column = result.steady_state_column(list(regions["region"]))
    if column is not None:
        regions["steady_state"] = column

    model_lines = [
        f"{k} = {toml_value(result.estimates[k])}  # fitted, SE {result.se[k]:.3g}, default {defaults[k]!r}"
        + (" (at a bound: SE one-sided, only indicative)" if k in result.at_bound else "")
        for k in result.keys
    ]
    if result.regimes is not None:
        h = result.regimes
        src = f"from {h.data} {h.start}-{h.end} (sign changes of the sigma trend), not fitted"
        for k, v in h.params.items():
            note = src if k != "regime0" else "stationary share of the symmetric regime chain"
            model_lines.append(f"{k} = {toml_value(v)}  # {note}")
    for k, v in result.fixed.items():
        if k not in result.keys and (result.regimes is None or k not in result.regimes.params):
            model_lines.append(f"{k} = {toml_value(v)}  # held fixed")

    sim = {
        **_SIMULATION,
        **tpl.get("simulation", {}),
        "seed": tpl.get("simulation", {}).get("seed", result.seed),
    }
    mechanisms = tpl.get("mechanisms", {m: [0.0, 1.0] for m in MECHANISMS})
    uncertainty = {k: v for k, v in tpl.get("uncertainty", {}).items() if k != "calibrated"}

    desc = meta.get(
        "description",
        f"{result.data} calibrated on {result.start}-{result.end} by simulated moments, "
        f"base year {result.end}",
    )
    text = [
        *_header(result, command),
        "",
        "[scenario]",
        f"name = {toml_value(name or meta.get('name', f'{result.data}-calibrated'))}",
        f"description = {toml_value(desc)}",
        f"base_year = {int(result.end)}",
        f"currency = {toml_value(meta.get('currency', result.panel.currency))}",
        f"regions = {toml_value(meta.get('regions', csv.name))}",
    ]
    if "distances" in meta:
        text.append(f"distances = {toml_value(meta['distances'])}")
    text += ["", "[simulation]", *[f"{k} = {toml_value(v)}" for k, v in sim.items()]]
    text += ["", "[model]", *model_lines]
    text += ["", "[mechanisms]", *[f"{k} = {toml_value(list(v))}" for k, v in mechanisms.items()]]
    text += ["", "[uncertainty]"]
    if uncertainty:
        text.append("# mechanism strengths: assumptions, documented in configs/SOURCES.md")
        text += [f"{k} = {toml_value(v)}" for k, v in uncertainty.items()]
    text.append("# fitted keys: normal with the estimates as mean and the sandwich covariance of the fit")
    for k, f in result.capped.items():
        lo, hi = result.ranges[k]
        how = f"covariance row and column x{f:.3g}" if f > 0 else "no information: uncorrelated"
        text.append(f"# (SD of {k} capped at that of a uniform on its range [{lo:g}, {hi:g}]: {how})")
    text.append(f"calibrated = {toml_value(result.calibrated_block())}")
    text.append("")

    regions.to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    _atomic_write(path, "\n".join(text))
    load_scenario(path)  # must load; raises ConfigError otherwise
    return path
