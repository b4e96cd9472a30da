"""The example district's report, kept as a golden file.

Regenerate after an intended change with `make golden`, and read the diff before committing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "tests" / "golden" / "chongchuan-report.json"
AS_OF = "2026-11-25"


def check(roster: Path, output: Path) -> int:
    command = [sys.executable, "-m", "orgmodel.cli", "check", str(roster), "--as-of", AS_OF, "--format", "json",
               "-o", str(output)]
    return subprocess.run(command, capture_output=True, check=False).returncode


def test_district_csv_report_matches_the_golden_file(tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    assert check(ROOT / "examples" / "chongchuan", output) == 1  # the district has findings
    assert output.read_bytes() == GOLDEN.read_bytes()


def test_two_runs_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    check(ROOT / "examples" / "chongchuan", first)
    check(ROOT / "examples" / "chongchuan", second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("part", ["summary", "regions", "findings"])
def test_district_json_document_gives_the_same_report(tmp_path: Path, part: str) -> None:
    output = tmp_path / "report.json"
    check(ROOT / "examples" / "chongchuan.json", output)
    assert json.loads(output.read_text(encoding="utf-8"))[part] == json.loads(GOLDEN.read_text(encoding="utf-8"))[part]


def test_golden_report_has_every_defect_kind_the_example_promises() -> None:
    report = json.loads(GOLDEN.read_text(encoding="utf-8"))
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"S1", "S2", "S3", "S5", "G1", "G3", "G4", "G5", "Q1", "Q2", "X1", "X2", "R1", "F1", "P1",
            "T1", "T2", "T3", "T4", "A2"} <= rules
    assert report["summary"]["communities"] == 100
    assert 0 < report["summary"]["compliant"] < 100
