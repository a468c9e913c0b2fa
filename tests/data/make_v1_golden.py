"""Regenerate ``v1_demo_given_shocks.npz``: the v1 model's records on fixed shocks.

The file holds what the model without the v2 terms (no steady states, no regime, no
parameter uncertainty) records on the demo scenario for given shocks: 3 paths, 20
years, mixes ``on`` (every mechanism at 1), ``half`` (0.5) and ``off``, with one and
two substeps. ``tests/engine/test_model_v2.py`` checks that the current kernel with the
v2 defaults reproduces these records bit for bit.

The records come from the v1 kernel itself, as committed in ``addeae9`` (the commit
that first stored this file), run with the kernels' own elementary functions in place of
the C library's: ``np.exp``/``np.log`` become :mod:`kernels.elementary`'s ``exp``/``log``
and ``x ** (1/3)`` becomes ``exp(log(x) / 3)``, as in the current kernels; the inputs
(gravity matrix included) are today's ``model_inputs("demo")``. The shocks are kept
from the existing file. Run from the repository root::

    python tests/data/make_v1_golden.py
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

V1_COMMIT = "addeae9"
HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "v1_demo_given_shocks.npz"
OWN = "from mccoord.kernels.elementary import exp as _own_exp, log as _own_log\n"


def _v1_kernels(root: Path) -> Path:
    """Extract the v1 ``kernels/`` as package ``v1kernels`` under ``root``, with own exp/log."""
    tar = subprocess.run(
        ["git", "archive", "--format=tar", V1_COMMIT, "kernels"],
        cwd=HERE.parents[1],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(root, filter="data")
    pkg = root / "v1kernels"
    (root / "kernels").rename(pkg)
    for path in pkg.glob("*.py"):
        text = path.read_text()
        new = text.replace("np.exp(", "_own_exp(").replace("np.log(", "_own_log(")
        new = new.replace("prod ** (1.0 / 3.0)", "_own_exp(_own_log(prod) / 3.0)")
        new = re.sub(r"cache=True", "cache=False", new)
        if new != text:
            new = new.replace("from numba import", OWN + "from numba import", 1)
        path.write_text(new)
    return root


def main() -> None:
    import mccoord
    from mccoord.inputs import mix_vector, model_inputs

    old = dict(np.load(GOLDEN))
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(_v1_kernels(Path(tmp))))
        from v1kernels.layout import PARAM_ORDER
        from v1kernels.paths import N_STATE_REC, simulate_given_shocks

        sc = mccoord.load_scenario("demo")
        inputs = model_inputs(sc)
        par = np.array([float(sc.params[k]) for k in PARAM_ORDER])
        on = dict.fromkeys(mccoord.MECHANISMS, 1.0)
        mixes = {"on": on, "half": dict.fromkeys(mccoord.MECHANISMS, 0.5), "off": {}}
        out = {}
        for substeps in (1, 2):
            for name, mix in mixes.items():
                key = f"{name}_sub{substeps}"
                shocks = old[f"{key}_shocks"]
                P = shocks.shape[0]
                R = inputs.n_regions
                rec = {
                    "rec_state": np.empty((P, 21, N_STATE_REC, R)),
                    "rec_lny": np.empty((P, 21, R)),
                    "rec_L": np.empty((P, 21, R)),
                    "rec_scalar": np.empty(old[f"{key}_rec_scalar"].shape),
                    "path_scalar": np.empty(old[f"{key}_path_scalar"].shape),
                }
                simulate_given_shocks(
                    shocks, 20, substeps, 1, 0.25, inputs.G, inputs.s_target, inputs.lny0, inputs.K0,
                    inputs.L0, inputs.s0, inputs.e0, inputs.saving, par, mix_vector(mix), inputs.groups,
                    len(inputs.group_names), rec["rec_state"], rec["rec_lny"], rec["rec_L"],
                    rec["rec_scalar"], rec["path_scalar"],
                )  # fmt: skip
                out[f"{key}_shocks"] = shocks
                for field, value in rec.items():
                    out[f"{key}_{field}"] = value
    np.savez_compressed(GOLDEN, **out)
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
