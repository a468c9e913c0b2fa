"""Every command of README.md runs as written from a fresh checkout, and writes nothing into it.

The ```bash blocks run one by one in ``bash -eo pipefail`` from a copy of the checkout's
tracked files; afterwards the copy must be unchanged (outputs go elsewhere). The
```python blocks run in order in one Python process (one shared namespace, like a
notebook), from a scratch directory. Commands are run as written except:

- scaled down: ``--paths N``/``paths=N`` become at most 20, ``--years N``/``years=N`` at
  most 10, a ``mccoord run`` without ``--paths`` gets ``--paths 20 --years 10``, and every
  ``mccoord run`` gets ``--workers 0`` (in-process; the cluster path has its own tests);
- ``HOME`` and ``TMPDIR`` point into the test's temporary directory, so ``~/...`` and
  ``mktemp`` outputs land there;
- not run: ``python -m pip install ...`` (the environment under test was installed from
  this checkout exactly so, by .ci/run) and ``pytest`` (this test is part of that run).

A README command that fails makes its test fail, with the command's output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_PATHS, MAX_YEARS = 20, 10
NOT_RUN = (re.compile(r"^python -m pip install\b"), re.compile(r"^pytest\b"))


def fenced_blocks(text: str, language: str) -> list[tuple[int, str]]:
    """``(line number, body)`` of every ```language block of a markdown text."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == f"```{language}":
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            out.append((start + 1, "\n".join(body)))
        i += 1
    return out


def _cap(pattern: str, limit: int, text: str) -> str:
    return re.sub(pattern, lambda m: f"{m.group(1)}{min(int(m.group(2)), limit)}", text)


def scale_shell(command: str) -> str:
    """One shell command, scaled down and with the commands not run here removed."""
    parts = [p for p in command.split(" && ") if not any(r.match(p.strip()) for r in NOT_RUN)]
    out = []
    for part in parts:
        part = _cap(r"(--paths )(\d+)", MAX_PATHS, part)
        part = _cap(r"(--years )(\d+)", MAX_YEARS, part)
        if re.match(r"\s*mccoord run\b", part):
            head, sep, comment = part.partition(" #")
            head = head.rstrip()
            if "--paths" not in head:
                head += f" --paths {MAX_PATHS} --years {MAX_YEARS}"
            part = head.rstrip() + " --workers 0" + (f" {sep.strip()}{comment}" if sep else "")
        out.append(part)
    return " && ".join(out)


def shell_script(body: str) -> str:
    """A bash block as a script: continuation lines joined, each command scaled."""
    logical = body.replace("\\\n", " ").splitlines()
    return "\n".join(scale_shell(line) for line in logical if line.strip())


def scale_python(body: str) -> str:
    body = _cap(r"(\bpaths=)(\d+)", MAX_PATHS, body)
    return _cap(r"(\byears=)(\d+)", MAX_YEARS, body)


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    import matplotlib

    env["MPLCONFIGDIR"] = matplotlib.get_configdir()  # keep the font cache
    env["TMPDIR"] = str(tmp / "scratch")
    env["HOME"] = str(tmp / "home")
    env["MPLBACKEND"] = "Agg"
    for name in ("scratch", "home"):
        (tmp / name).mkdir(exist_ok=True)
    return env


def _fresh_checkout(dest: Path) -> Path:
    """A copy of the checkout's tracked files (what a fresh clone holds)."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def _snapshot(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


BASH = fenced_blocks(README.read_text(encoding="utf-8"), "bash")
PYTHON = fenced_blocks(README.read_text(encoding="utf-8"), "python")


def test_readme_has_commands():
    assert len(BASH) >= 2 and len(PYTHON) >= 1
    assert any("mccoord compare" in body for _, body in BASH)
    assert any("mccoord frontier" in body for _, body in BASH)
    assert any("mccoord sensitivity" in body for _, body in BASH)


def test_scaling_keeps_the_command_and_caps_sizes():
    assert scale_shell("mccoord run china --paths 300 --years 30 --out f.zarr --quiet") == (
        "mccoord run china --paths 20 --years 10 --out f.zarr --quiet --workers 0"
    )
    assert scale_shell('python -m pip install ".[test]" && pytest') == ""
    assert scale_shell("python -m pip install . && mccoord run --out x.zarr  # go") == (
        "mccoord run --out x.zarr --paths 20 --years 10 --workers 0 # go"
    )
    assert scale_python("simulate(sc, paths=1000, seed=1)\nrun(paths=5, years=30)") == (
        "simulate(sc, paths=20, seed=1)\nrun(paths=5, years=10)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("line,body", BASH, ids=[f"README.md:{line}" for line, _ in BASH])
def test_readme_bash_block_runs_and_writes_nothing_into_the_checkout(tmp_path, line, body):
    checkout = _fresh_checkout(tmp_path / "checkout")
    before = _snapshot(checkout)
    script = "set -eo pipefail\n" + shell_script(body)
    run = subprocess.run(
        ["bash", "-c", script], cwd=checkout, env=_env(tmp_path), capture_output=True, text=True, timeout=1200
    )
    assert run.returncode == 0, (
        f"README.md:{line} failed\n{script}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
    )
    assert _snapshot(checkout) == before, "a README command wrote into the checkout"


@pytest.mark.slow
def test_readme_python_blocks_run_in_order(tmp_path):
    blocks = [(line, scale_python(body)) for line, body in PYTHON]
    runner = textwrap.dedent(
        """
        import sys
        BLOCKS = {blocks!r}

        def main():
            namespace = {{"__name__": "readme"}}
            for line, code in BLOCKS:
                try:
                    exec(compile(code, f"README.md:{{line}}", "exec"), namespace)
                except BaseException:
                    print(f"README.md:{{line}} failed", file=sys.stderr)
                    raise

        if __name__ == "__main__":  # Dask worker processes re-import this file
            main()
        """
    ).format(blocks=blocks)
    script = tmp_path / "readme_blocks.py"
    script.write_text(runner)
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=work,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, f"--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
