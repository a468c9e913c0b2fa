"""Helpers shared by the tests: small synthetic scenarios and a given-shocks kernel runner."""

from __future__ import annotations

import numpy as np
from mccoord.kernels.layout import N_PATH_SCALARS, N_REC_SCALARS, shocks_per_step
from mccoord.kernels.paths import N_STATE_REC, simulate_given_shocks

import mccoord
from mccoord.blocks import n_records
from mccoord.catalogue import PROVENANCE_ATTRS
from mccoord.inputs import ModelInputs, mix_vector
from mccoord.synthetic import synthetic_regions  # noqa: F401 (re-exported for tests)

ALL_ON = dict.fromkeys(mccoord.MECHANISMS, 1.0)


def run_given(
    inputs: ModelInputs,
    mix: dict,
    shocks: np.ndarray,
    *,
    years: int,
    substeps: int = 1,
    record_every: int = 1,
    target_reduction: float = 0.25,
    u0: np.ndarray | None = None,
):
    """Run the kernel path loop on given variates ``(P, years*substeps, 4R+2)``.

    ``u0`` (``(P,)``, the uniform before the first step) defaults to 0.5.
    """
    P = shocks.shape[0]
    R = inputs.n_regions
    n_rec = n_records(years, record_every)
    out = {
        "rec_state": np.empty((P, n_rec, N_STATE_REC, R)),
        "rec_lny": np.empty((P, n_rec, R)),
        "rec_L": np.empty((P, n_rec, R)),
        "rec_scalar": np.empty((P, n_rec, N_REC_SCALARS)),
        "path_scalar": np.empty((P, N_PATH_SCALARS)),
    }
    u0 = np.full(P, 0.5) if u0 is None else np.asarray(u0, dtype=float)
    simulate_given_shocks(
        u0,
        shocks,
        (years, substeps, record_every, float(target_reduction)),
        inputs.kernel_data,
        inputs.par,
        mix_vector(mix),
        (out["rec_state"], out["rec_lny"], out["rec_L"], out["rec_scalar"]),
        out["path_scalar"],
    )
    return out


def kernel_step(state: dict, G, s_target, saving, par, theta, w, h, shocks, regime=1.0, astar_dev=None):
    """One step of the kernel's path loop on a copy of ``state`` (dict of ``(R,)`` arrays).

    Runs :func:`prepare_state`, :func:`finish_output` and :func:`step_core` as the path
    loop does. Returns ``(new_state, scratch, next_regime)``; the scratch rows
    ``W_T``, ``W_NETK`` and ``W_NETL`` hold the step's transfers and net flows.
    """
    from mccoord.kernels.layout import ALPHA, BLOCK, ETA
    from mccoord.kernels.model import N_SCRATCH, finish_output, prepare_state, step_core, trade_gain

    R = G.shape[0]
    st = {k: np.array(v, dtype=float, copy=True) for k, v in state.items()}
    W, scr, lny = np.empty((R, R)), np.empty((N_SCRATCH, R)), np.empty(R)
    astar_dev = np.zeros(R) if astar_dev is None else astar_dev
    prepare_state(
        st["a"], st["K"], st["L"], st["s"], st["e"], st["z"], G, par[BLOCK], par[ALPHA], par[ETA], W, scr
    )
    finish_output(trade_gain(par, theta, w), st["L"], scr, lny)
    c = step_core(
        st["a"], st["K"], st["L"], st["s"], st["e"], st["z"], s_target, saving, par, theta, w, h, shocks,
        W, scr, lny, regime, astar_dev,
    )  # fmt: skip
    return st, scr, c


def random_shocks(P: int, n_steps: int, R: int, seed: int = 0) -> np.ndarray:
    """Standard normals with uniforms in the last R + 1 slots of each step."""
    rng = np.random.default_rng(seed)
    k = shocks_per_step(R)
    x = rng.standard_normal((P, n_steps, k))
    x[:, :, 3 * R + 1 :] = rng.uniform(size=(P, n_steps, R + 1))
    return x


def strip_provenance(ds, keep: tuple[str, ...] = ()):
    """Load ``ds`` and drop the attrs that legitimately differ between equal runs.

    The attrs are :data:`mccoord.catalogue.PROVENANCE_ATTRS`, except those in ``keep``. The
    ``year`` index (set by ``mccoord.run``, not by ``xarray.open_zarr``) is dropped too.
    """
    ds = ds.load()
    ds = ds.drop_indexes([k for k in ds.xindexes if k not in ds.dims])
    for k in PROVENANCE_ATTRS:
        if k not in keep:
            ds.attrs.pop(k, None)
    return ds
