"""The street of tests/fixtures/natural (scripts/make_natural_fixtures.py writes it) and how to read it.

Every layout is read through the same library calls the command line uses; findings are
compared on a key that does not depend on how the layout names communities (a code in the
template, the name in an office's own roster) or masks people (the 身份证号 is masked in the
report, so a person is named by name).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from orgmodel.check import CheckResult, check
from orgmodel.errors import InputError
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.roster import Roster
from orgmodel.rules.pack import load_pack
from tests.helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "natural"
AS_OF = dt.date(2026, 11, 25)

# The layouts without 户数/人口 (the 花名册 has no 社区 table) and the one with them.
WITHOUT_HOUSEHOLDS = ["huamingce.xlsx", "huamingce.xls", "huamingce.ods", "per-community.xlsx",
                      "per-community-sheet1.xlsx", "huamingce-gb18030.csv", "wps.xlsx"]
WITH_HOUSEHOLDS = ["with-communities.xlsx"]
TEMPLATE = {False: "template", True: "template-households"}  # the same people in the template's tables

Key = tuple[str | None, str, str, str | None, str | None, str | None, float | None, int, str | None]


def read_and_load(path: Path) -> tuple[Roster, dict[str, list[InputError]]]:
    return normalize.load(readers.read_roster(path))


def checked_path(path: Path) -> CheckResult:
    roster, skipped = read_and_load(path)
    return check(roster, load_pack("nantong"), AS_OF, skipped=skipped)


@cache
def checked(name: str) -> CheckResult:
    """A committed fixture, checked (once per test run)."""
    return checked_path(FIXTURES / name)


def report(name: str) -> dict[str, Any]:
    return json.loads(build_report(checked(name)).to_bytes())


def report_of(path: Path) -> dict[str, Any]:
    return json.loads(build_report(checked_path(path)).to_bytes())


def community_names(name: str) -> dict[str, str]:
    """Community id → name (the id is the name in an office's own layout)."""
    return dict(checked(name).roster.communities.select("id", "name").iter_rows())


def finding_keys(name: str) -> list[Key]:
    """(community, rule, severity, unit, role, person's name, actual, shortfall, missing field), sorted."""
    result = checked(name)
    names = community_names(name)
    people = dict(result.roster.people.select("person", "name").iter_rows())
    keys = [(names.get(f["community_id"], f["community_id"]), f["rule_id"], f["severity"], f["unit"], f["role"],
             people.get(f["person_id"]), f["actual"], f["shortfall"], f["missing_field"])
            for f in result.findings.iter_rows(named=True)]
    return sorted(keys, key=repr)


def findings_by_name(name: str) -> list[dict[str, Any]]:
    """The report's findings with every community code replaced by the community's name."""
    names = community_names(name)
    out = []
    for finding in report(name)["findings"]:
        text = json.dumps(finding, ensure_ascii=False)
        for code, community in names.items():
            if code != community:
                text = text.replace(code, community)
        out.append(json.loads(text))
    return out
