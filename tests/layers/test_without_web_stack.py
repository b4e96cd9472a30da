"""The library works without the web stack (issue 12): `orgmodel check` in an interpreter that
refuses every module of the `server` extra gives the report a full install gives; the
distribution requires none of them unless `server` is asked for; and `orgmodel serve` there
says how to install it."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "examples" / "chongchuan"
GOLDEN = ROOT / "tests" / "golden" / "chongchuan-report.json"
AS_OF = "2026-11-25"  # the golden report's day
CHECK = ["check", f"{DISTRICT}/", "--as-of", AS_OF, "--format", "json"]

WEB_STACK = ("fastapi", "starlette", "sqlalchemy", "alembic", "psycopg", "uvicorn", "jinja2", "itsdangerous",
             "procrastinate", "redis", "limits")

# Installed first in the child interpreter: any import of these (or of a submodule) fails as if absent.
def blocker(blocked: tuple[str, ...] = WEB_STACK) -> str:
    return f"""
import importlib.abc, sys
BLOCKED = {blocked!r}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
        return None
sys.meta_path.insert(0, Refuse())
"""


BLOCKER = blocker()


def _orgmodel(args: list[str], blocked: bool, refused: tuple[str, ...] = WEB_STACK) -> subprocess.CompletedProcess[bytes]:
    code = (blocker(refused) if blocked else "") + (
        "import sys\nfrom orgmodel.cli import main\n"
        f"main({args!r}, prog_name='orgmodel')\n")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, env=env, timeout=600)


def test_orgmodel_check_without_the_web_stack_writes_the_same_report() -> None:
    full = _orgmodel(CHECK, blocked=False)
    bare = _orgmodel(CHECK, blocked=True)
    assert bare.returncode == full.returncode == 1, bare.stderr.decode()  # 1: the district has findings
    assert bare.stdout == full.stdout == GOLDEN.read_bytes()


def test_the_blocker_refuses_the_web_stack_and_serve_says_how_to_install_it() -> None:
    """The blocked interpreter really has no web stack: `orgmodel serve` cannot start there,
    and says so in Chinese and English, exit code 3 (a missing program)."""
    probe = subprocess.run([sys.executable, "-c", BLOCKER + "import fastapi"], capture_output=True, timeout=120)
    assert probe.returncode != 0 and b"blocked" in probe.stderr
    served = _orgmodel(["serve", "--port", "1"], blocked=True)
    said = served.stderr.decode()
    assert served.returncode == 3, said
    assert 'pip install "orgmodel[server]"' in said and "HTTP服务" in said and "install it" in said
    listed = _orgmodel(["--help"], blocked=True)  # the service's commands are listed still, Chinese first
    assert listed.returncode == 0 and "serve" in listed.stdout.decode() and "运行HTTP服务" in listed.stdout.decode()


def _requirements() -> list[Requirement]:
    return [Requirement(text) for text in metadata.requires("orgmodel") or []]


def test_no_module_of_the_web_stack_is_an_unconditional_requirement() -> None:
    unconditional = {r.name.lower() for r in _requirements() if r.marker is None}
    assert "polars" in unconditional and "click" in unconditional  # the library's own
    assert not unconditional & set(WEB_STACK)
    server = {r.name.lower() for r in _requirements()
              if r.marker is not None and r.marker.evaluate({"extra": "server"})}
    assert {"fastapi", "sqlalchemy", "uvicorn", "alembic", "psycopg"} <= server


def test_the_service_commands_come_from_entry_points_not_imports() -> None:
    points = {p.name: p.value for p in metadata.entry_points(group="orgmodel.commands")}
    assert points == {"serve": "api.cli:serve_command", "regions": "api.cli:regions_group", "keys": "api.cli:keys_group"}
    code = ("import sys\nfrom orgmodel.cli import main\ntry:\n    main(['rules', 'list'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'api'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert loaded.stdout.strip().splitlines()[-1] == "[]", loaded.stderr


def test_a_command_whose_package_cannot_load_says_how_to_install_it() -> None:
    """Without api at all (another packaging of the library), the entry point cannot load:
    the command still exists, and says what to install."""
    served = _orgmodel(["serve"], blocked=True, refused=("api", *WEB_STACK))
    assert served.returncode == 3 and 'pip install "orgmodel[server]"' in served.stderr.decode()
    checked = _orgmodel(CHECK, blocked=True, refused=("api", *WEB_STACK))
    assert checked.returncode == 1 and checked.stdout == GOLDEN.read_bytes()
