"""Helpers shared by the tests: small synthetic scenarios and a given-shocks kernel runner."""

from __future__ import annotations

import numpy as np
from mccoord.kernels.groups import GivenShocks, Settings
from mccoord.kernels.layout import LANES, shocks_per_step

import mccoord
from mccoord.blocks import allocate_outputs, n_records, run_kernel
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
    lanes: int = LANES,
) -> dict:
    """Run the kernel on given variates ``(P, years*substeps, 4R+2)``; every state is recorded.

    ``u0`` (``(P,)``, the uniform before the first step) defaults to 0.5; ``lanes`` picks
    the kernel (1: scalar, 8 or 16: lanes). Returns the output arrays by name.
    """
    P = shocks.shape[0]
    u0 = np.full(P, 0.5) if u0 is None else np.asarray(u0, dtype=float)
    settings = Settings(
        np.uint64(0), np.uint64(0), years, substeps, record_every, float(target_reduction), True, 4
    )
    out = allocate_outputs(inputs, P, n_records(years, record_every), full=True)
    given = GivenShocks(np.ascontiguousarray(u0, dtype=float), np.ascontiguousarray(shocks, dtype=float))
    run_kernel(inputs, mix_vector(mix), settings, out, shocks=given, lanes=lanes)
    return out._asdict()


def kernel_step(state: dict, G, s_target, saving, par, theta, w, h, shocks, regime=1.0, astar_dev=None):
    """One step of the scalar path loop on a copy of ``state`` (dict of ``(R,)`` arrays).

    Runs :func:`prepare`, :func:`finish_output` and :func:`step` as the path loop does.
    Returns ``(new_state, work, next_regime)``; the work rows ``ROW_TRANSFER``,
    ``ROW_NET_K`` and ``ROW_NET_L`` hold the step's transfers and net flows.
    """
    from mccoord.kernels import model
    from mccoord.kernels.layout import ALPHA, BLOCK, ETA

    R = G.shape[0]
    fields = ("a", "K", "L", "s", "e", "z")
    st = np.stack([np.asarray(state[k], dtype=float) for k in fields])
    work = np.empty((model.N_ROWS, R))
    astar_dev = np.zeros(R) if astar_dev is None else astar_dev
    w = np.asarray(w, dtype=float)
    model.prepare(st, G, par[BLOCK], par[ALPHA], par[ETA], work)
    model.finish_output(model.trade_gain(par, theta, w[0]), st, work)
    c = model.step(st, work, G, s_target, saving, par, theta, w, h, shocks, regime, astar_dev)
    return dict(zip(fields, st, strict=True)), work, c


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
