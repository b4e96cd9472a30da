"""`pip install orgmodel` without extras installs no web stack, and `orgmodel check` works there
(issue 12): a virtualenv of its own (no system site-packages), the distribution built from this
tree with `--no-deps`, then only its unconditional requirements. Skipped, with the reason, when
pip cannot reach an index; deselect with `-m 'not fresh_venv'`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from .test_without_web_stack import AS_OF, DISTRICT, GOLDEN, WEB_STACK

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = ("Could not fetch URL", "Failed to establish a new connection", "Network is unreachable",
               "Temporary failure in name resolution", "No matching distribution found", "Could not find a version")


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=1200)


def _installed_or_skip(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        said = done.stdout + done.stderr
        if any(sign in said for sign in UNREACHABLE):
            reason = f"pip cannot reach an index for {what}: {said.strip().splitlines()[-1]}"
            print(reason)
            pytest.skip(reason)
        raise AssertionError(f"pip install {what} failed:\n{said}")


@pytest.mark.fresh_venv
def test_a_fresh_venv_with_the_base_requirements_runs_orgmodel_check(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build writes no egg-info or build/ into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("orgmodel", "api"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    _installed_or_skip(_pip(python, "--no-deps", str(source)), "the orgmodel distribution (its build backend)")
    base = [str(r) for r in map(Requirement, metadata.requires("orgmodel") or []) if r.marker is None]
    _installed_or_skip(_pip(python, *base), "the base requirements")

    present = subprocess.run([str(python), "-c", "import importlib.util as u, sys; "
                              f"print([m for m in {WEB_STACK!r} if u.find_spec(m)])"],
                             capture_output=True, text=True, check=True, timeout=120)
    assert present.stdout.strip() == "[]"
    checked = subprocess.run([str(venv / "bin" / "orgmodel"), "check", f"{DISTRICT}/", "--as-of", AS_OF, "--format", "json"],
                             capture_output=True, cwd=tmp_path, timeout=600)
    assert checked.returncode == 1, checked.stderr.decode()
    assert checked.stdout == GOLDEN.read_bytes()
    served = subprocess.run([str(venv / "bin" / "orgmodel"), "serve"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert served.returncode == 3 and 'pip install "orgmodel[server]"' in served.stderr
