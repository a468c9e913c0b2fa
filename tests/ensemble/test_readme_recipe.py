"""The README shows the SLURM recipe the `slurm` tests run, as it is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_tested_slurm_recipe():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running on a laptop or a cluster") :]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    recipe = (Path(__file__).with_name("slurm_single_node.toml")).read_text()
    tested = recipe[recipe.index("[slurm]") :]
    assert blocks and blocks[0] == tested
