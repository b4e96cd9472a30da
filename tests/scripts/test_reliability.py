"""scripts/reliability.py's section writer: a section is rewritten between its markers, and every
other byte of docs/reliability.md is kept — the other sections, the prose between them, a section
whose script did not run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers.paths import ROOT

SCRIPT = ROOT / "scripts" / "reliability.py"


@pytest.fixture(scope="module")
def reliability() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


DOCUMENT = """# Reliability

Intro.

<!-- scripts/hostile_files.py: begin -->
## Hostile files

| a | b |
<!-- scripts/hostile_files.py: end -->

Before: prose kept by hand between sections.

<!-- scripts/job_kills.py: begin -->
## Jobs

old jobs table
<!-- scripts/job_kills.py: end -->
Trailing text.
"""


def test_a_section_is_replaced_and_everything_else_kept(reliability: ModuleType) -> None:
    new = reliability.marked("job_kills.py", "## Jobs\n\nnew jobs table")
    text = reliability.replace_section(DOCUMENT, "job_kills.py", new)
    assert "new jobs table" in text and "old jobs table" not in text
    before, after = DOCUMENT.split(reliability.section_of(DOCUMENT, "job_kills.py"))
    assert text == before + new + after


def test_a_section_not_there_yet_is_appended(reliability: ModuleType) -> None:
    block = reliability.marked("isolation_matrix.py", "## Leaks\n\n0 leaks")
    text = reliability.replace_section(DOCUMENT, "isolation_matrix.py", block)
    assert text.startswith(DOCUMENT.rstrip("\n") + "\n\n")
    assert reliability.section_of(text, "isolation_matrix.py") == block
    assert reliability.replace_section(text, "isolation_matrix.py", block) == text  # rewriting it changes nothing


def test_a_begin_marker_without_its_end_is_refused(reliability: ModuleType) -> None:
    broken = DOCUMENT.replace("<!-- scripts/job_kills.py: end -->\n", "")
    with pytest.raises(ValueError, match=r"job_kills\.py: end"):
        reliability.replace_section(broken, "job_kills.py", reliability.marked("job_kills.py", "x"))


def test_a_stamp_replaces_the_previous_one_and_the_body_is_kept(reliability: ModuleType) -> None:
    block = reliability.section_of(DOCUMENT, "hostile_files.py")
    once = reliability.stamped(block, reliability.STAMP + "`a` on day 1.*")
    twice = reliability.stamped(once, reliability.STAMP + "`b` on day 2.*")
    assert twice.splitlines()[1] == reliability.STAMP + "`b` on day 2.*"
    assert twice.count(reliability.STAMP) == 1
    assert twice.splitlines()[:1] + twice.splitlines()[2:] == block.splitlines()


def test_write_section_writes_only_its_own_section(reliability: ModuleType, tmp_path: Path) -> None:
    report = tmp_path / "reliability.md"
    report.write_text(DOCUMENT, encoding="utf-8")
    reliability.write_section("hostile_files.py", reliability.marked("hostile_files.py", "## Hostile\n\nnew"), report)
    text = report.read_text(encoding="utf-8")
    assert reliability.section_of(text, "job_kills.py") == reliability.section_of(DOCUMENT, "job_kills.py")
    assert text.replace(reliability.section_of(text, "hostile_files.py"), "") == DOCUMENT.replace(
        reliability.section_of(DOCUMENT, "hostile_files.py"), "")
