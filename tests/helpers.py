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
):
    """Run the kernel path loop on given shocks ``(P, years*substeps, 4R+1)``."""
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
    simulate_given_shocks(
        shocks,
        years,
        substeps,
        record_every,
        target_reduction,
        inputs.G,
        inputs.s_target,
        inputs.lny0,
        inputs.K0,
        inputs.L0,
        inputs.s0,
        inputs.e0,
        inputs.saving,
        inputs.par,
        mix_vector(mix),
        inputs.groups,
        len(inputs.group_names),
        out["rec_state"],
        out["rec_lny"],
        out["rec_L"],
        out["rec_scalar"],
        out["path_scalar"],
    )
    return out


def random_shocks(P: int, n_steps: int, R: int, seed: int = 0) -> np.ndarray:
    """Standard normals with uniforms in the last R slots of each step."""
    rng = np.random.default_rng(seed)
    k = shocks_per_step(R)
    x = rng.standard_normal((P, n_steps, k))
    x[:, :, 3 * R + 1 :] = rng.uniform(size=(P, n_steps, R))
    return x


def strip_provenance(ds, keep: tuple[str, ...] = ()):
    """Load ``ds`` and drop the attrs that legitimately differ between equal runs.

    The attrs are :data:`mccoord.catalogue.PROVENANCE_ATTRS`, except those in ``keep``.
    """
    ds = ds.load()
    for k in PROVENANCE_ATTRS:
        if k not in keep:
            ds.attrs.pop(k, None)
    return ds
