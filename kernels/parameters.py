"""Per-path parameter draws under parameter uncertainty (MODEL.md section 10).

Path ``p`` draws its parameter vector once, before its first step, from a stream of its
own addressed by ``(seed, p)`` and separate from its shock stream
(:func:`kernels.rng.seed_domain_stream` with :data:`PARAMETER_DOMAIN`), so the draw is the same
under every mix and for any layout. Each attempt uses one uniform on (0, 1) per
marginal key and one per key of the calibrated block, in that order, and maps them by
inverse distribution functions:

* uniform ``(low, high)``: ``low + (high - low) u``;
* normal ``(mean, sd)``, optionally truncated to ``[low, high]``:
  ``mean + sd * Phi^-1(Phi(a) + u (Phi(b) - Phi(a)))`` with ``a, b`` the standardised
  bounds (computed in the tail nearer to the interval, for accuracy);
* lognormal ``(median, sd_log)``: ``median * exp(sd_log * Phi^-1(u))``;
* triangular ``(low, mode, high)``: the inverse of its piecewise-quadratic CDF;
* calibrated multivariate normal ``(mean, L)``: ``mean + L z`` with ``z_j = Phi^-1(u_j)``.

A vector that breaks a rule of :func:`kernels.rules.first_violation` is replaced by the
next attempt's vector, at most ``max_attempts`` times.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .rng import next_u64, seed_domain_stream
from .rules import first_violation

#: Stream domain of the parameter draws (the shocks use domain 0).
PARAMETER_DOMAIN = 1
_TWO_M53 = 1.0 / 9007199254740992.0
_SQRT2 = math.sqrt(2.0)

UNIFORM, NORMAL, LOGNORMAL, TRIANGULAR = range(4)


@njit(cache=True, nogil=True)
def open_uniform(state):
    """A uniform on the open interval (0, 1): ``(k + 1/2) 2^-53`` for 53 random bits ``k``."""
    return (float(next_u64(state) >> np.uint64(11)) + 0.5) * _TWO_M53


@njit(cache=True, nogil=True)
def norm_cdf(x):
    """Standard normal distribution function ``Phi(x) = erfc(-x / sqrt 2) / 2``."""
    return 0.5 * math.erfc(-x / _SQRT2)


# Coefficients of AS 241 (PPND16), highest power first: central region, then the tail
# regions r <= 5 and r > 5 of r = sqrt(-ln(min(p, 1 - p))).
_A = (
    2509.0809287301226727,
    33430.575583588128105,
    67265.770927008700853,
    45921.953931549871457,
    13731.693765509461125,
    1971.5909503065514427,
    133.14166789178437745,
    3.387132872796366608,
)
_B = (
    5226.495278852545925,
    28729.085735721942674,
    39307.89580009271061,
    21213.794301586595867,
    5394.1960214247511077,
    687.1870074920579083,
    42.313330701600911252,
    1.0,
)
_C = (
    7.7454501427834140764e-4,
    0.0227238449892691845833,
    0.24178072517745061177,
    1.27045825245236838258,
    3.64784832476320460504,
    5.7694972214606914055,
    4.6303378461565452959,
    1.42343711074968357734,
)
_D = (
    1.05075007164441684324e-9,
    5.475938084995344946e-4,
    0.0151986665636164571966,
    0.14810397642748007459,
    0.68976733498510000455,
    1.6763848301838038494,
    2.05319162663775882187,
    1.0,
)
_E = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    0.0012426609473880784386,
    0.026532189526576123093,
    0.29656057182850489123,
    1.7848265399172913358,
    5.4637849111641143699,
    6.6579046435011037772,
)
_F = (2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
      7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769,
      1.0)  # fmt: skip


@njit(inline="always")
def _horner(c, x):
    acc = c[0]
    for i in range(1, len(c)):
        acc = acc * x + c[i]
    return acc


@njit(cache=True, nogil=True)
def norm_ppf(p):
    """Inverse standard normal distribution function (Wichura 1988, algorithm AS 241, PPND16).

    Relative accuracy about 1e-16 on (0, 1); ``-inf``/``inf`` at 0 and 1.
    """
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _horner(_A, r) / _horner(_B, r)
    r = p if q < 0.0 else 1.0 - p
    if r <= 0.0:
        return -math.inf if q < 0.0 else math.inf
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        x = _horner(_C, r - 1.6) / _horner(_D, r - 1.6)
    else:
        x = _horner(_E, r - 5.0) / _horner(_F, r - 5.0)
    return -x if q < 0.0 else x


@njit(cache=True, nogil=True)
def _truncated_normal(mean, sd, low, high, u):
    if sd == 0.0:
        return mean
    a = (low - mean) / sd
    b = (high - mean) / sd
    if a > 0.0:  # the interval lies in the upper tail: invert in the mirrored lower tail
        pa = norm_cdf(-b)
        pb = norm_cdf(-a)
        x = mean - sd * norm_ppf(pb - u * (pb - pa))
    else:
        pa = norm_cdf(a)
        pb = norm_cdf(b)
        x = mean + sd * norm_ppf(pa + u * (pb - pa))
    return min(max(x, low), high)


@njit(cache=True, nogil=True)
def draw_marginal(kind, args, u):
    """One draw of a marginal distribution (codes of ``mccoord.uncertainty.KIND_CODES``) from ``u``.

    ``args``: uniform ``(low, high)``; normal ``(mean, sd, low, high)`` with infinite
    bounds when untruncated; lognormal ``(median, sd_log)``; triangular ``(low, mode,
    high)``. A degenerate distribution returns its value exactly.
    """
    if kind == UNIFORM:
        return args[0] + (args[1] - args[0]) * u
    if kind == NORMAL:
        if args[2] == -math.inf and args[3] == math.inf:
            return args[0] + args[1] * norm_ppf(u) if args[1] > 0.0 else args[0]
        return _truncated_normal(args[0], args[1], args[2], args[3], u)
    if kind == LOGNORMAL:
        return args[0] * math.exp(args[1] * norm_ppf(u)) if args[1] > 0.0 else args[0]
    low, mode, high = args[0], args[1], args[2]
    width = high - low
    if width <= 0.0:
        return low
    f = (mode - low) / width
    if u < f:
        return low + math.sqrt(u * width * (mode - low))
    return high - math.sqrt((1.0 - u) * width * (high - mode))


@njit(cache=True, nogil=True)
def draw_parameters(seed, path, base, unc, substeps, lo, hi, max_attempts, par, drawn, z, rng):
    """Draw path ``path``'s parameter vector into ``par``; return the attempts used (0 if none was valid).

    Parameters
    ----------
    seed, path : uint64
        Address of the path's parameter stream.
    base : float64[N_PARAMS]
        The scenario's parameters; uncertain keys are overwritten in ``par``.
    unc : tuple
        ``(pos, kind, args, mvn_pos, mvn_mean, mvn_chol)`` from
        ``mccoord.uncertainty.Uncertainty.kernel_arrays``.
    substeps : int
        Euler steps per year (the stability rules depend on it).
    lo, hi : float64[N_PARAMS]
        Natural ranges of every key.
    max_attempts : int
        Fresh draws of the whole vector before the path is declared invalid.
    par : float64[N_PARAMS]
        Output: the accepted vector (the last attempt when none is valid).
    drawn : float64[n_uncertain]
        Output: the uncertain keys' values, marginals then calibrated.
    z, rng : scratch
        ``float64[k]`` and ``uint64[4]``.
    """
    pos, kind, args, mpos, mmean, chol = unc
    m = pos.shape[0]
    k = mpos.shape[0]
    seed_domain_stream(seed, path, PARAMETER_DOMAIN, rng)
    for attempt in range(1, max_attempts + 1):
        for i in range(par.shape[0]):
            par[i] = base[i]
        for j in range(m):
            x = draw_marginal(kind[j], args[j], open_uniform(rng))
            par[pos[j]] = x
            drawn[j] = x
        for j in range(k):
            z[j] = norm_ppf(open_uniform(rng))
        for j in range(k):
            x = mmean[j]
            for c in range(j + 1):
                x += chol[j, c] * z[c]
            par[mpos[j]] = x
            drawn[m + j] = x
        if first_violation(par, substeps, lo, hi) < 0:
            return attempt
    return 0
