"""`orgmodel diff OLD NEW` (issue 3 §5, issue 11): people added, removed, moved (调动) or holding a
post in a further community (兼任); posts filled and vacated; figures and tasks changed; communities
that became compliant or broke; findings new and resolved; each side as of its own date."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from orgmodel import convert
from orgmodel.cli import main
from orgmodel.input import normalize, readers
from orgmodel.report.xlsx import HEADER_ROW
from tests.helpers import paths
from tests.helpers.workbooks import (
    COMMUNITY_HEADER,
    DISTRICT_CSV,
    FIXTURES,
    FULL_STAFF,
    PEOPLE_HEADER,
    person,
    staffed_roster,
    write_xlsx,
)

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
    assert data["summary"]["people"] == {"added": 1, "removed": 1, "moved": 1, "concurrent": 0, "released": 0}


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
    assert book.sheetnames == ["合规变化", "人员变动", "岗位变动", "数值变化", "事项变化", "问题变化"]
    header = next(iter(book["人员变动"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)))
    assert header == ("变动", "人员编号", "姓名", "原社区", "现社区")
    table = CliRunner().invoke(main, ["diff", *map(str, quarters), "--as-of", "2026-11-25"])
    assert table.exit_code == 0 and "转为合规" in table.output and "P21" in table.output


def diff_of(old: Path, new: Path, *options: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_side_as_of_its_own_date(tmp_path: Path) -> None:
    """One roster, a mediator appointed on 2026-10-15: as of one date nothing changed; last
    quarter's end against today, the post was filled and G3 resolved."""
    roster = staffed_roster(tmp_path / "r.xlsx", {C1: [*FULL_STAFF, person(21, "综治办", "调解员", start="2026-10-15")]})
    assert diff_of(roster, roster, "--as-of", "2026-11-25")["posts"] == []
    data = diff_of(roster, roster, "--old-as-of", "2026-09-30", "--new-as-of", "2026-11-25")
    assert (data["old_as_of"], data["new_as_of"]) == ("2026-09-30", "2026-11-25")
    assert [(p["change"], p["person_id"], p["role"]) for p in data["posts"]] == [("filled", "P21", "mediator")]
    assert [(f["change"], f["rule_id"]) for f in data["findings"]] == [("resolved", "G3")]
    assert data["people"] == [{"person_id": "P21", "name": "姓名21", "change": "added", "old_communities": None,
                               "new_communities": C1}]
    same = diff_of(roster, roster, "--as-of", "2026-09-30", "--new-as-of", "2026-11-25")  # --as-of is the default
    assert same["old_as_of"] == "2026-09-30" and same["posts"] == data["posts"]


def test_a_post_in_a_second_community_is_concurrent_not_a_move(quarters: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = quarters
    also = [*FULL_STAFF, [C1, "P30", "徐磊", "党组织", "委员", "是", 3000, "2024-01-01"]]
    new = staffed_roster(tmp_path / "兼任.xlsx", {C1: also, C2: OTHER})
    people = {p["person_id"]: p for p in diff_of(old, new, "--as-of", "2026-11-25")["people"]}
    assert people["P30"]["change"] == "concurrent"
    assert (people["P30"]["old_communities"], people["P30"]["new_communities"]) == (C2, f"{C1}、{C2}")
    back = {p["person_id"]: p["change"] for p in diff_of(new, old, "--as-of", "2026-11-25")["people"]}
    assert back["P30"] == "released"
    table = CliRunner().invoke(main, ["diff", str(old), str(new), "--as-of", "2026-11-25"]).output
    assert "兼任" in table and "调动" not in table


def _quarter(path: Path, *, households: int = 600, population: int = 1500, budget: int = 40000,
             pay: int = 3000, category: str = "协助政府", funded: str = "否") -> Path:
    """One community with every figure the diff compares, and one task."""
    staff = [[*row[:6], pay if row[1] == "P12" else row[6], row[7], "本科",
              "是" if row[4] == "社区民警" else "否", "是" if row[4] == "综治特派员" else "否"] for row in FULL_STAFF]
    return write_xlsx(path, {
        "社区": [[*COMMUNITY_HEADER, "年度办公活动经费(元)", "所属区域编码"], [C1, "虹桥社区", "城市", households, population,
                                                                    budget, "320602"]],
        "区域": [["区域编码", "区域名称", "层级", "最低工资(元/月)"], ["320602", "崇川区", "区县", 2280]],
        "人员": [[*PEOPLE_HEADER, "学历", "民警", "政法干警"], *staff],
        "事项": [["社区编码", "事项编号", "事项名称", "交办单位", "类别", "准入批准", "授权文号", "经费"],
                 [C1, "T1", "人口普查入户登记", "统计局", category, "是", "崇统〔2026〕1号", funded]]})


def test_changes_of_pay_households_population_budget(tmp_path: Path) -> None:
    """A worker's pay cut from 4200 to 3600 is a change even though both are above the floor."""
    old = _quarter(tmp_path / "old.xlsx", pay=4200)
    new = _quarter(tmp_path / "new.xlsx", households=640, population=1580, budget=38000, pay=3600)
    data = diff_of(old, new, "--as-of", "2026-11-25")
    figures = {(f["field"], f["person_id"]): (f["old"], f["new"]) for f in data["figures"]}
    assert figures == {("households", None): (600, 640), ("population", None): (1500, 1580),
                       ("office_activity_yuan", None): (40000, 38000), ("monthly_pay_yuan", "P12"): (4200, 3600)}
    pay = next(f for f in data["figures"] if f["field"] == "monthly_pay_yuan")
    assert (pay["community_id"], pay["community_name"], pay["name"]) == (C1, "虹桥社区", "姓名12")
    assert data["summary"]["figures"] == {"households": 1, "population": 1, "office_activity_yuan": 1,
                                          "monthly_pay_yuan": 1}
    assert diff_of(old, old, "--as-of", "2026-11-25")["figures"] == []
    written = tmp_path / "变化.txt"
    CliRunner().invoke(main, ["diff", str(old), str(new), "--as-of", "2026-11-25", "-o", str(written)])
    table = written.read_text(encoding="utf-8")
    assert "月工资(元)" in table and "4200" in table and "3600" in table and "-600" in table
    assert "年度办公活动经费(元)" in table and "+40" in table


def test_changes_of_tasks(tmp_path: Path) -> None:
    old = _quarter(tmp_path / "old.xlsx")
    new = _quarter(tmp_path / "new.xlsx", category="政府职责", funded="是")
    tasks = diff_of(old, new, "--as-of", "2026-11-25")["tasks"]
    assert [(t["task_id"], t["change"], t["field"], t["old"], t["new"]) for t in tasks] == [
        ("T1", "changed", "category", "协助政府", "政府职责"), ("T1", "changed", "funded", "否", "是")]
    assert tasks[0]["community_name"] == "虹桥社区" and tasks[0]["task_name"] == "人口普查入户登记"


def test_names_beside_codes(quarters: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = quarters
    output = tmp_path / "变化.xlsx"
    CliRunner().invoke(main, ["diff", str(old), str(new), "--as-of", "2026-11-25", "--format", "xlsx", "-o", str(output)])
    book = openpyxl.load_workbook(output, read_only=True)

    def table(sheet: str) -> list[dict[str, object]]:
        rows = list(book[sheet].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]

    p30 = next(r for r in table("人员变动") if r["人员编号"] == "P30")
    assert (p30["原社区"], p30["现社区"]) == (f"{C2} 社区002", f"{C1} 社区001")
    assert {(r["社区编码"], r["社区名称"]) for r in table("岗位变动")} == {(C1, "社区001"), (C2, "社区002")}
    assert all(r["社区名称"] for r in table("问题变化"))
    assert book["人员变动"]["A1"].value.startswith("社区花名册变化")


def test_region_level_findings_are_told_apart_by_their_region(tmp_path: Path) -> None:
    """Two cities without a leadership group are two LG1 findings with no community: the one whose
    group is recorded next quarter is resolved, the other stays (issue 13)."""
    doc = json.loads((paths.FIXTURES / "seed" / "nantong.json").read_text(encoding="utf-8"))
    doc["regions"] += [{"id": "320500", "name": "苏州市", "level": "city"}, {"id": "320400", "name": "常州市", "level": "city"}]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    doc["regions"][-1]["leadership_group"] = {**doc["regions"][0]["leadership_group"], "name": "常州市领导小组"}
    new.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    data = diff_json(old, new)
    # 南通市's group lacks its 市委副书记 in both quarters; 常州市's copy of it lacks one too: new
    assert [(f["change"], f["rule_id"], f["message"]) for f in data["findings"]] == [
        ("new", "LG3", "常州市领导小组副组长中缺少市委副书记"), ("resolved", "LG1", "常州市未组建领导小组")]
