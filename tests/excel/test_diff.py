"""`orgmodel diff OLD NEW` (issue 3 §5): people added, removed, moved; posts filled and vacated;
communities that became compliant or broke; findings new and resolved."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from orgmodel import convert, normalize, readers
from orgmodel.cli import main
from orgmodel.xlsx_report import HEADER_ROW

from ._workbooks import DISTRICT_CSV, FIXTURES, FULL_STAFF, person, staffed_roster

C1, C2 = "320602001001", "320602001002"
OTHER = [[C2, "P30", "徐磊", "党组织", "书记", "是", 3000, "2024-01-01"]]


@pytest.fixture
def quarters(tmp_path: Path) -> tuple[Path, Path]:
    """Last quarter: C1 one mediator short, P30 secretary of C2. This quarter: a mediator hired
    (P21), P02 left, P30 moved to C1's party committee."""
    old = staffed_roster(tmp_path / "上季度.xlsx", {C1: FULL_STAFF, C2: OTHER})
    staff = [row for row in FULL_STAFF if row[1] != "P02"]
    staff += [person(21, "综治办", "调解员"), [C1, "P30", "徐磊", "党组织", "委员", "是", 3000, "2024-01-01"]]
    new = staffed_roster(tmp_path / "本季度.xlsx", {C1: staff, C2: []})
    return old, new


def diff_json(old: Path, new: Path) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--as-of", "2026-11-25", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_people(quarters: tuple[Path, Path]) -> None:
    people = {p["person_id"]: p for p in diff_json(*quarters)["people"]}
    assert {k: v["change"] for k, v in people.items()} == {"P21": "added", "P02": "removed", "P30": "moved"}
    assert (people["P30"]["old_communities"], people["P30"]["new_communities"]) == (C2, C1)


def test_posts(quarters: tuple[Path, Path]) -> None:
    posts = {(p["community_id"], p["change"], p["unit"], p["role"], p["person_id"]) for p in diff_json(*quarters)["posts"]}
    assert posts == {(C1, "filled", "governance_office", "mediator", "P21"), (C1, "filled", "party_org", "member", "P30"),
                     (C1, "vacated", "party_org", "member", "P02"), (C2, "vacated", "party_org", "secretary", "P30")}


def test_compliance_and_findings(quarters: tuple[Path, Path]) -> None:
    data = diff_json(*quarters)
    changes = {c["community_id"]: (c["change"], c["old_status"], c["new_status"]) for c in data["communities"]}
    assert changes[C1] == ("became_compliant", "with_errors", "compliant")
    resolved = {(f["rule_id"], f["community_id"]) for f in data["findings"] if f["change"] == "resolved"}
    new = {(f["rule_id"], f["community_id"]) for f in data["findings"] if f["change"] == "new"}
    assert ("G3", C1) in resolved
    assert ("S4", C2) in new  # C2 lost its secretary
    assert data["summary"]["people"] == {"added": 1, "removed": 1, "moved": 1}


def test_broke_is_the_reverse(quarters: tuple[Path, Path]) -> None:
    old, new = quarters
    changes = {c["community_id"]: c["change"] for c in diff_json(new, old)["communities"]}
    assert changes[C1] == "broke"


def test_same_roster_in_two_formats_has_no_change(tmp_path: Path) -> None:
    data = diff_json(DISTRICT_CSV, FIXTURES / "chongchuan-messy.xlsx")
    assert all(v == 0 for kind in data["summary"].values() for v in kind.values())


def test_json_document_against_the_workbook(tmp_path: Path) -> None:
    roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    doc = tmp_path / "district.json"
    doc.write_text(json.dumps(convert.to_document(roster), ensure_ascii=False), encoding="utf-8")
    data = diff_json(doc, FIXTURES / "chongchuan.xlsx")
    assert data["summary"]["posts"] == {"filled": 0, "vacated": 0}


def test_xlsx_and_table(quarters: tuple[Path, Path], tmp_path: Path) -> None:
    output = tmp_path / "变化.xlsx"
    result = CliRunner().invoke(main, ["diff", *map(str, quarters), "--as-of", "2026-11-25", "--format", "xlsx",
                                       "-o", str(output)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(output, read_only=True)
    assert book.sheetnames == ["合规变化", "人员变动", "岗位变动", "问题变化"]
    header = next(iter(book["人员变动"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)))
    assert header == ("变动", "人员编号", "姓名", "原社区", "现社区")
    table = CliRunner().invoke(main, ["diff", *map(str, quarters), "--as-of", "2026-11-25"])
    assert table.exit_code == 0 and "转为合规" in table.output and "P21" in table.output
