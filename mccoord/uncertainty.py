"""Parameter uncertainty: the ``[uncertainty]`` table of a scenario (MODEL.md section 10).

A scenario may declare a distribution for any model key of MODEL.md section 7, one
inline table per key, and one ``calibrated`` multivariate normal over fitted keys::

    [uncertainty]
    lambda_c = { dist = "uniform", low = 0.025, high = 0.075 }
    tau_max = { dist = "normal", mean = 0.10, sd = 0.03, low = 0.0 }      # truncated below
    eta = { dist = "lognormal", median = 0.05, sd_log = 0.3 }
    hr1 = { dist = "triangular", low = 0.2, mode = 0.5, high = 0.8 }
    calibrated = { keys = ["sigma", "g"], mean = [0.03, 0.02], cov = [[1e-5, 0.0], [0.0, 4e-6]] }

Every path draws its own parameter vector once, before its first step, from a stream
of its own (:mod:`kernels.params`); a draw that breaks the rules of MODEL.md section 7
is replaced by a fresh draw of the whole vector, at most 100 times. This module checks
the table and encodes it as the arrays the kernel samples from.

Conventions where MODEL.md is silent:

* Every marginal is drawn by the inverse of its distribution function from one uniform
  (a truncated normal by inverting the normal CDF between its bounds), so each attempt
  uses exactly one uniform per marginal key and one per calibrated key, in the order
  of :data:`mccoord.kernels.layout.PARAM_ORDER` (marginals) then of ``keys``
  (calibrated). A degenerate distribution (``low == high``, ``sd = 0``) gives its value
  exactly.
* The integer keys ``review`` and ``window`` cannot be uncertain. An uncertain
  ``saving`` applies to every region and replaces a per-region ``saving`` column.
* A key cannot be both a marginal and part of the calibrated block.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError
from .kernels.layout import PARAM_ORDER
from .params import INTEGER_KEYS, PARAM_BY_KEY

#: Distribution name -> (required arguments, optional arguments).
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sd_log"), ()),
    "triangular": (("low", "mode", "high"), ()),
}
#: Kernel codes of the distributions (``kind`` column of the encoding).
KIND_CODES = {"uniform": 0, "normal": 1, "lognormal": 2, "triangular": 3}
#: Attempts per path before it is declared invalid (MODEL.md section 10).
MAX_ATTEMPTS = 100
CALIBRATED = "calibrated"


@dataclass(frozen=True)
class Marginal:
    """One uncertain key with its own distribution.

    Attributes
    ----------
    key : str
        Model key (MODEL.md section 7).
    dist : str
        ``uniform``, ``normal``, ``lognormal`` or ``triangular``.
    args : dict
        The distribution's arguments (``low``/``high``, ``mean``/``sd`` and optional
        ``low``/``high`` truncation, ``median``/``sd_log``, ``low``/``mode``/``high``).
    """

    key: str
    dist: str
    args: dict[str, float]

    def encode(self) -> np.ndarray:
        """Four numbers the kernel samples from (see :func:`kernels.params.draw_marginal`)."""
        a = self.args
        if self.dist == "uniform":
            return np.array([a["low"], a["high"], 0.0, 0.0])
        if self.dist == "normal":
            return np.array([a["mean"], a["sd"], a.get("low", -math.inf), a.get("high", math.inf)])
        if self.dist == "lognormal":
            return np.array([a["median"], a["sd_log"], 0.0, 0.0])
        return np.array([a["low"], a["mode"], a["high"], 0.0])


@dataclass(frozen=True)
class Calibrated:
    """A multivariate normal over fitted keys (written by ``mccoord calibrate``).

    Attributes
    ----------
    keys : tuple of str
    mean : float64[k]
    cov : float64[k, k]
        Positive definite covariance.
    chol : float64[k, k]
        Lower Cholesky factor of ``cov``.
    """

    keys: tuple[str, ...]
    mean: np.ndarray
    cov: np.ndarray
    chol: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class Uncertainty:
    """A scenario's parameter uncertainty (empty when the scenario declares none)."""

    marginals: tuple[Marginal, ...] = ()
    calibrated: Calibrated | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """Uncertain keys in draw order: marginals (in PARAM_ORDER order), then calibrated."""
        cal = self.calibrated.keys if self.calibrated is not None else ()
        return tuple(m.key for m in self.marginals) + cal

    def __bool__(self) -> bool:
        return bool(self.keys)

    def config(self) -> dict:
        """Plain data (for provenance and config hashes)."""
        out: dict = {m.key: {"dist": m.dist, **m.args} for m in self.marginals}
        if self.calibrated is not None:
            out[CALIBRATED] = {
                "keys": list(self.calibrated.keys),
                "mean": self.calibrated.mean.tolist(),
                "cov": self.calibrated.cov.tolist(),
            }
        return out

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The encoding the kernel samples from.

        Returns
        -------
        tuple
            ``(pos, kind, args, mvn_pos, mvn_mean, mvn_chol)``: ``int64[m]`` positions in
            the parameter vector of the marginal keys, ``int64[m]`` distribution codes
            (:data:`KIND_CODES`), ``float64[m, 4]`` arguments, then ``int64[k]`` positions,
            ``float64[k]`` mean and ``float64[k, k]`` Cholesky factor of the calibrated
            block (``k = 0`` without one).
        """
        pos = np.array([PARAM_ORDER.index(m.key) for m in self.marginals], dtype=np.int64)
        kind = np.array([KIND_CODES[m.dist] for m in self.marginals], dtype=np.int64)
        args = np.array([m.encode() for m in self.marginals], dtype=float).reshape(len(self.marginals), 4)
        if self.calibrated is None:
            return pos, kind, args, np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 0))
        cal = self.calibrated
        mpos = np.array([PARAM_ORDER.index(k) for k in cal.keys], dtype=np.int64)
        return pos, kind, args, mpos, cal.mean.copy(), cal.chol.copy()


def _number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(where, value, "a number")
    x = float(value)
    if not math.isfinite(x):
        raise ConfigError(where, value, "a finite number")
    return x


def _check_key(where: str, key: str) -> None:
    if key not in PARAM_BY_KEY or key not in PARAM_ORDER:
        raise ConfigError(
            where, key, f"a model key (MODEL.md section 7): {', '.join(k for k in PARAM_ORDER)}"
        )
    if key in INTEGER_KEYS:
        raise ConfigError(
            where, key, "a real-valued key (review and window are whole numbers and cannot be uncertain)"
        )


def _in_range(where: str, key: str, value: float) -> None:
    spec = PARAM_BY_KEY[key]
    if not spec.low <= value <= spec.high:
        raise ConfigError(
            where, value, f"a value in the range of {key}, [{spec.low}, {spec.high}] ({spec.description})"
        )


def _marginal(key: str, table: object) -> Marginal:
    where = f"uncertainty.{key}"
    _check_key(f"{where}", key)
    if not isinstance(table, Mapping):
        raise ConfigError(where, table, 'an inline table such as { dist = "uniform", low = 0.0, high = 1.0 }')
    dist = table.get("dist")
    if dist not in DISTRIBUTIONS:
        raise ConfigError(f"{where}.dist", dist, f"one of: {', '.join(DISTRIBUTIONS)}")
    required, optional = DISTRIBUTIONS[dist]
    for name in table:
        if name != "dist" and name not in required + optional:
            raise ConfigError(
                f"{where}.{name}", table[name], f"an argument of {dist}: {', '.join(required + optional)}"
            )
    for name in required:
        if name not in table:
            raise ConfigError(
                f"{where}.{name}", None, f"the {dist} argument {name!r} ({', '.join(required)})"
            )
    args = {name: _number(f"{where}.{name}", table[name]) for name in required + optional if name in table}
    if dist == "uniform":
        if args["low"] > args["high"]:
            raise ConfigError(f"{where}.high", args["high"], f"at least low = {args['low']:g}")
        for name in ("low", "high"):
            _in_range(f"{where}.{name}", key, args[name])
    elif dist == "normal":
        if args["sd"] < 0:
            raise ConfigError(f"{where}.sd", args["sd"], "a standard deviation >= 0")
        lo, hi = args.get("low", -math.inf), args.get("high", math.inf)
        if lo > hi:
            raise ConfigError(f"{where}.high", hi, f"at least low = {lo:g}")
        if args["sd"] == 0 and not lo <= args["mean"] <= hi:
            raise ConfigError(f"{where}.mean", args["mean"], f"a mean inside [{lo:g}, {hi:g}] when sd = 0")
        mean, sd = args["mean"], args["sd"]
        if sd > 0 and ((lo - mean) / sd > 8 or (mean - hi) / sd > 8):
            raise ConfigError(
                where,
                f"mean {mean:g}, sd {sd:g}, bounds [{lo:g}, {hi:g}]",
                "truncation bounds that keep part of the distribution within 8 standard deviations",
            )
    elif dist == "lognormal":
        if args["median"] <= 0:
            raise ConfigError(f"{where}.median", args["median"], "a positive median")
        if args["sd_log"] < 0:
            raise ConfigError(f"{where}.sd_log", args["sd_log"], "a standard deviation of the log >= 0")
    else:
        if not args["low"] <= args["mode"] <= args["high"]:
            raise ConfigError(
                f"{where}.mode", args["mode"], f"low <= mode <= high ({args['low']:g}, {args['high']:g})"
            )
        for name in ("low", "high"):
            _in_range(f"{where}.{name}", key, args[name])
    return Marginal(key, str(dist), args)


def _calibrated(table: object) -> Calibrated:
    where = f"uncertainty.{CALIBRATED}"
    if not isinstance(table, Mapping):
        raise ConfigError(where, table, "an inline table { keys = [...], mean = [...], cov = [[...], ...] }")
    for name in table:
        if name not in ("keys", "mean", "cov"):
            raise ConfigError(f"{where}.{name}", table[name], "only keys, mean and cov")
    keys = table.get("keys")
    if not isinstance(keys, list | tuple) or not keys or not all(isinstance(k, str) for k in keys):
        raise ConfigError(f"{where}.keys", keys, "a non-empty list of model keys")
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{where}.keys", keys, "distinct keys")
    for k in keys:
        _check_key(f"{where}.keys", k)
    k = len(keys)
    mean = table.get("mean")
    if not isinstance(mean, list | tuple) or len(mean) != k:
        raise ConfigError(f"{where}.mean", mean, f"a list of {k} numbers (one per key)")
    mean = np.array([_number(f"{where}.mean", v) for v in mean])
    cov = table.get("cov")
    if (
        not isinstance(cov, list | tuple)
        or len(cov) != k
        or any(not isinstance(row, list | tuple) or len(row) != k for row in cov)
    ):
        raise ConfigError(f"{where}.cov", cov, f"a {k} x {k} matrix (a list of {k} lists of {k} numbers)")
    cov = np.array([[_number(f"{where}.cov", v) for v in row] for row in cov])
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=0.0):
        raise ConfigError(f"{where}.cov", "an asymmetric matrix", "a symmetric covariance matrix")
    try:
        chol = np.linalg.cholesky(0.5 * (cov + cov.T))
    except np.linalg.LinAlgError:
        raise ConfigError(
            f"{where}.cov", "a matrix that is not positive definite", "a positive definite covariance matrix"
        ) from None
    return Calibrated(tuple(keys), mean, cov, chol)


def parse_uncertainty(table: object) -> Uncertainty:
    """Check a scenario's ``[uncertainty]`` table and return its :class:`Uncertainty`.

    Raises
    ------
    ConfigError
        On an unknown key, an integer key, an unknown distribution, missing, extra or
        inconsistent arguments, bounds outside the key's range, a key given twice, or a
        calibrated covariance that is not symmetric positive definite.
    """
    if table is None:
        return Uncertainty()
    if not isinstance(table, Mapping):
        raise ConfigError("uncertainty", table, "a TOML table of model keys")
    marginals = [_marginal(k, v) for k, v in table.items() if k != CALIBRATED]
    marginals.sort(key=lambda m: PARAM_ORDER.index(m.key))
    calibrated = _calibrated(table[CALIBRATED]) if CALIBRATED in table else None
    if calibrated is not None:
        both = sorted(set(calibrated.keys) & {m.key for m in marginals})
        if both:
            raise ConfigError(
                f"uncertainty.{both[0]}",
                both[0],
                "a key either in the calibrated block or on its own, not both",
            )
    return Uncertainty(tuple(marginals), calibrated)
