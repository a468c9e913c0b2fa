"""Study: Sobol indices of sampled mix designs, polynomial chaos against SALib (Saltelli).

Not a test (pytest does not collect it). It measures, at equal numbers of mixes, the
error of two estimators of first and total Sobol indices against known values, and how
often their 95% intervals cover them:

* ``pce``: the estimator mccoord used before SALib: least squares on orthonormal shifted
  Legendre polynomials up to total degree 3 over scrambled Sobol points, indices from
  the squared coefficients, standard errors from a bootstrap over mixes (reproduced
  here for the comparison only);
* ``saltelli``: the Saltelli design and :func:`SALib.analyze.sobol.analyze`, as in
  :mod:`mccoord.analysis.attribution`.

Functions: linear, a logistic surface with an interaction (a smooth probability
surface; reference indices from a Saltelli run of 2**15 base points) and the Ishigami
function (not a low-degree polynomial). ``noise`` adds Gaussian noise with that share
of the output's standard deviation (Monte Carlo noise of a metric).

Run: ``python tests/analysis/study_sobol_estimators.py`` (a few minutes).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
from SALib.analyze import sobol as sanalyze
from SALib.sample import sobol as ssample
from scipy.stats import qmc

D = 5
PROBLEM = {"num_vars": D, "names": [f"x{i}" for i in range(D)], "bounds": [[0.0, 1.0]] * D}


def _legendre(x, degree):
    u = 2 * x - 1
    P = np.empty((x.size, degree + 1))
    P[:, 0] = 1.0
    if degree >= 1:
        P[:, 1] = u
    for d in range(1, degree):
        P[:, d + 1] = ((2 * d + 1) * u * P[:, d] - d * P[:, d - 1]) / (d + 1)
    return P * np.sqrt(2 * np.arange(degree + 1) + 1)


def _alpha(degree):
    return np.array([a for a in itertools.product(range(degree + 1), repeat=D) if sum(a) <= degree])


def pce_indices(theta, y, degree=3):
    alpha = _alpha(degree)
    Psi = np.ones((y.size, len(alpha)))
    for j in range(D):
        Psi *= _legendre(theta[:, j], degree)[:, alpha[:, j]]
    coef = np.linalg.lstsq(Psi, y, rcond=None)[0]
    sq = coef**2
    sq[0] = 0
    nz = alpha > 0
    only = nz.sum(axis=1) == 1
    first = np.array([sq[only & nz[:, j]].sum() for j in range(D)]) / sq.sum()
    total = np.array([sq[nz[:, j]].sum() for j in range(D)]) / sq.sum()
    return np.r_[first, total]


def ishigami(x):
    z = -np.pi + 2 * np.pi * x[:, :3]
    return np.sin(z[:, 0]) + 7 * np.sin(z[:, 1]) ** 2 + 0.1 * z[:, 2] ** 4 * np.sin(z[:, 0])


def logistic(x):
    return 1 / (1 + np.exp(-(-3 + 3 * x[:, 0] + 2 * x[:, 1] + 2 * x[:, 0] * x[:, 2] + 0.5 * x[:, 3])))


COEF = np.array([0.3, 0.2, 0.1, 0.0, 0.05])


def linear(x):
    return x @ COEF


def _ishigami_indices():
    a, b = 7.0, 0.1
    v1, v2, v13 = 0.5 * (1 + b * np.pi**4 / 5) ** 2, a**2 / 8, b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.r_[np.array([v1, v2, 0, 0, 0]) / v, np.array([v1 + v13, v2, v13, 0, 0]) / v]


def _reference(f):
    X = ssample.sample(PROBLEM, 2**15, calc_second_order=False, seed=7)
    r = sanalyze.analyze(PROBLEM, f(X), calc_second_order=False, num_resamples=10, seed=1)
    return np.r_[r["S1"], r["ST"]]


def study(f, truth, n_mix, noise, reps=10):
    err = {"pce": [], "saltelli": []}
    cover = {"pce": [], "saltelli": []}
    for rep in range(reps):
        rng = np.random.default_rng(100 + rep)
        theta = qmc.Sobol(D, scramble=True, seed=rep).random(n_mix)
        y = f(theta)
        y = y + noise * np.std(y) * rng.standard_normal(y.size)
        est = pce_indices(theta, y)
        boot = [pce_indices(theta[i], y[i]) for i in (rng.integers(0, y.size, y.size) for _ in range(50))]
        se = np.std(boot, axis=0, ddof=1)
        err["pce"].append(est - truth)
        cover["pce"].append(np.abs(est - truth) <= 1.96 * se)
        X = ssample.sample(PROBLEM, n_mix // (2 * D + 2), calc_second_order=True, seed=rep)
        y = f(X)
        y = y + noise * np.std(y) * rng.standard_normal(y.size)
        s = sanalyze.analyze(PROBLEM, y, calc_second_order=True, num_resamples=100, seed=rep + 1)
        e = np.r_[s["S1"], s["ST"]] - truth
        err["saltelli"].append(e)
        cover["saltelli"].append(np.abs(e) <= np.r_[s["S1_conf"], s["ST_conf"]])
    return {k: (float(np.sqrt(np.mean(np.square(err[k])))), float(np.mean(cover[k]))) for k in err}


def main():
    warnings.simplefilter("ignore")
    cases = {
        "linear": (linear, np.r_[COEF**2, COEF**2] / np.sum(COEF**2)),
        "logistic": (logistic, _reference(logistic)),
        "ishigami": (ishigami, _ishigami_indices()),
    }
    print("function   mixes noise | RMSE pce  cover pce | RMSE saltelli  cover saltelli")
    for name, (f, truth) in cases.items():
        for n_mix in (96, 384, 1536):
            for noise in (0.0, 0.1):
                r = study(f, truth, n_mix, noise)
                print(
                    f"{name:9s} {n_mix:6d} {noise:5.1f} | {r['pce'][0]:8.3f} {r['pce'][1]:10.2f} | "
                    f"{r['saltelli'][0]:13.3f} {r['saltelli'][1]:15.2f}"
                )


if __name__ == "__main__":
    main()
