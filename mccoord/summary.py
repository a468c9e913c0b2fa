"""Summary of one mix's paths (the output of :func:`mccoord.simulate`), with uncertainty.

Every row is a mean over the valid paths with its Monte Carlo standard error
(``sd / sqrt(n)``, ``ddof = 1``); for the probabilities (means of indicators) the error
is the binomial ``sqrt(p (1 - p) / n)`` and the interval the 95% Wilson score interval
(:mod:`mccoord.intervals`), which stays honest at 0 and 1. Other rows get the normal
interval ``mean +- 1.96 SE``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .intervals import Z95, binomial_se, wilson_interval


def summarize(ds: xr.Dataset) -> pd.DataFrame:
    """Means, standard errors and 95% intervals of the key quantities of one mix.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`mccoord.simulate` (dims ``path``, ``time``, ...).

    Returns
    -------
    pandas.DataFrame
        Index: quantity; columns ``estimate, se, lo, hi, units``. ``attrs`` holds
        ``n_paths`` (valid), ``n_invalid``, ``horizon`` [years] and ``target_reduction``.
    """
    valid = np.asarray(ds["valid"].values, dtype=bool)
    n = int(valid.sum())
    horizon = float(ds["time"].values[-1])
    reduction = float(ds.attrs.get("target_reduction", 0.25))
    sigma = np.asarray(ds["sigma"].values, dtype=float)[valid]
    s0, sT = sigma[:, 0], sigma[:, -1]
    first = np.asarray(ds["first_passage"].values, dtype=float)[valid]
    slope = np.asarray(ds["beta_slope"].values, dtype=float)[valid]
    growth = np.asarray(ds["growth"].values, dtype=float)[valid]
    with np.errstate(invalid="ignore"):
        hit = first <= horizon
    rows = {
        "sigma(0)": (s0, "log(1)", False),
        f"mean sigma({horizon:g})": (sT, "log(1)", False),
        f"P(sigma({horizon:g}) < sigma(0))": (sT < s0, "1", True),
        f"P(target: sigma down {100 * reduction:.0f}% within {horizon:g} years)": (hit, "1", True),
        "P(beta slope < 0)": (slope < 0, "1", True),
        "mean beta slope": (slope, "1/year", False),
        "mean national growth": (growth, "1/year", False),
    }
    out = []
    for name, (x, units, binary) in rows.items():
        x = np.asarray(x, dtype=float)
        est = float(x.mean()) if n else np.nan
        if binary:
            se = float(binomial_se(est, n))
            lo, hi = (float(v) for v in wilson_interval(est, n))
        else:
            se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
            lo, hi = est - Z95 * se, est + Z95 * se
        out.append({"quantity": name, "estimate": est, "se": se, "lo": lo, "hi": hi, "units": units})
    frame = pd.DataFrame(out).set_index("quantity")
    frame.attrs.update(n_paths=n, n_invalid=int((~valid).sum()), horizon=horizon, target_reduction=reduction)
    return frame


def format_summary(frame: pd.DataFrame) -> str:
    """:func:`summarize` as aligned text with a note on the intervals."""
    width = max(len(q) for q in frame.index)
    lines = [f"  {'':<{width}}  {'estimate':>10} {'SE':>9}   95% interval"]
    for q, r in frame.iterrows():
        lines.append(
            f"  {q:<{width}}  {r['estimate']:>10.4f} {r['se']:>9.4f}   [{r['lo']:.4f}, {r['hi']:.4f}]"
            + (f" {r['units']}" if r["units"] not in ("1", "") else "")
        )
    a = frame.attrs
    lines.append(
        f"  over {a['n_paths']} valid paths ({a['n_invalid']} invalid); SE = Monte Carlo standard "
        "error; probabilities: binomial SE and Wilson interval, means: mean +- 1.96 SE"
    )
    return "\n".join(lines)
