"""The seed's newer tables (formats.md §1–§2): a region's 领导小组, a community's 设施 and a
worker's 上年月工资(元) read alike from a workbook LibreOffice saved, from JSON and from CSV,
with the spellings offices use; their bad cells located, all at once."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from orgmodel import vocabulary
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize
from orgmodel.input.readers import read_roster
from tests.helpers.paths import FIXTURES

SEED = FIXTURES / "seed"


def _roster(path: Path) -> normalize.Roster:
    result = normalize.normalize(read_roster(path))
    assert result.errors == []
    return result.roster


@pytest.fixture(scope="module")
def workbook() -> normalize.Roster:
    return _roster(SEED / "nantong.xlsx")


def test_the_workbook_and_the_document_read_the_same(workbook: normalize.Roster) -> None:
    document = _roster(SEED / "nantong.json")
    for frame in ("leadership", "facilities"):
        assert getattr(workbook, frame).equals(getattr(document, frame)), frame
    pay = ["person", "monthly_pay_yuan", "previous_monthly_pay_yuan"]
    assert workbook.people.select(pay).equals(document.people.select(pay))
    assert workbook.has_facilities and document.has_facilities


def test_offices_are_read_from_the_titles_offices_write(workbook: normalize.Roster) -> None:
    offices = dict(zip(workbook.leadership["office_title"], workbook.leadership["office"], strict=True))
    assert offices == {
        "市委书记": "party_secretary", "市长": "government_head", "市委政法委书记": "political_legal_secretary",
        "市依治办主任": "rule_of_law_office_head", "市民政局局长": "civil_affairs_head",
        "市司法局局长": "legal_affairs_head", "市财政局局长": "other",
    }
    assert workbook.leadership["role"].to_list() == ["leader", "deputy_leader", "deputy_leader", *["member"] * 4]
    assert set(workbook.leadership["region"]) == {"320600"}


@pytest.mark.parametrize(("title", "office"), [
    ("市委书记", "party_secretary"), ("区委书记", "party_secretary"), ("县委书记", "party_secretary"),
    ("市长", "government_head"), ("区长", "government_head"), ("市委副书记", "deputy_party_secretary"),
    ("政法委书记", "political_legal_secretary"), ("市委政法委书记", "political_legal_secretary"),
    ("依法治市办主任", "rule_of_law_office_head"), ("市政府法制办主任", "legal_affairs_head"),
    ("司法局局长", "legal_affairs_head"), ("市民政局局长", "civil_affairs_head"), ("市 民政局 局长", "civil_affairs_head"),
    ("市教育局局长", "other"), ("市委组织部部长", "other"), ("legal_affairs_head", "legal_affairs_head"),
])
def test_office_titles(title: str, office: str) -> None:
    assert vocabulary.parse_office(title) == office


@pytest.mark.parametrize(("name", "category"), [
    ("警务室", "room"), ("党员活动室", "room"), ("卫生计生服务站", "station"), ("村务公开栏", "board"),
    ("居民学校", "school"), ("文体活动场所", "venue"), ("健身广场", "venue"), ("阅览角", None),
])
def test_a_facility_s_category_is_read_from_the_end_of_its_name(name: str, category: str | None) -> None:
    assert vocabulary.facility_category(name) == category


def test_facilities_name_their_community_and_their_category_when_blank(workbook: normalize.Roster) -> None:
    counts = workbook.facilities.group_by("community", "category").len().sort("community", "category")
    assert counts.rows() == [
        ("320602001001", "board", 1), ("320602001001", "room", 2), ("320602001001", "school", 1),
        ("320602001001", "station", 1), ("320602001001", "venue", 1),
        ("320602001002", "board", 1), ("320602001002", "venue", 1),
    ]


def test_last_year_s_pay_is_read_as_people_type_it(workbook: normalize.Roster) -> None:
    pay = dict(zip(workbook.people["person"], workbook.people["previous_monthly_pay_yuan"], strict=True))
    assert pay == {"P001": 4000.0, "P002": 3800.0, "P003": 3600.0, "P004": None}


def test_a_roster_without_facility_data_says_so(tmp_path: Path) -> None:
    (tmp_path / "社区.csv").write_text("社区编码,类型\nc1,城市\n", encoding="utf-8")
    (tmp_path / "人员.csv").write_text("社区编码,人员编号,机构,职务\nc1,P1,党组织,书记\n", encoding="utf-8")
    roster = _roster(tmp_path)
    assert not roster.has_facilities and roster.facilities.is_empty() and roster.leadership.is_empty()
    (tmp_path / "设施.csv").write_text("社区编码,设施名称\n", encoding="utf-8")
    assert _roster(tmp_path).has_facilities  # a 设施 table with no rows: the community has none


def test_bad_cells_of_the_new_tables_are_located_all_at_once(tmp_path: Path) -> None:
    (tmp_path / "区域.csv").write_text("区域编码,区域名称,层级,上级编码\n320600,南通市,市,\n", encoding="utf-8")
    (tmp_path / "社区.csv").write_text("社区编码,社区名称,类型\nc1,虹桥社区,城市\n", encoding="utf-8")
    (tmp_path / "人员.csv").write_text("社区编码,人员编号,机构,职务,上年月工资(元)\nc1,P1,党组织,书记,四千\n",
                                       encoding="utf-8")
    (tmp_path / "设施.csv").write_text("社区名称,设施名称,类别,面积(平方米)\n虹桥社区,警务室,厕所,-5\n无名社区,居民学校,,\n",
                                       encoding="utf-8")
    (tmp_path / "领导小组.csv").write_text("区域编码,姓名,小组职务,本职\n320699,王某,组长,市委书记\n320600,李某,秘书长,市长\n",
                                        encoding="gb18030")
    with pytest.raises(RosterInputError) as caught:
        normalize.load(read_roster(tmp_path))
    found = {(e.file, e.row, e.column, e.code, e.value) for e in caught.value.errors}
    assert {
        ("人员.csv", 2, "上年月工资(元)", "invalid_number", "四千"),
        ("设施.csv", 2, "类别", "invalid_value", "厕所"),
        ("设施.csv", 2, "面积(平方米)", "invalid_number", "-5"),
        ("设施.csv", 3, "社区名称", "unknown_community", "无名社区"),
        ("领导小组.csv", 2, "区域编码", "unknown_region", "320699"),
        ("领导小组.csv", 3, "小组职务", "invalid_value", "秘书长"),
    } <= found, found
    bad_role = next(e for e in caught.value.errors if e.value == "秘书长")
    assert "组长/副组长/成员" in bad_role.expected


def test_the_document_s_leadership_group_and_facilities_are_validated() -> None:
    roster = _roster(SEED / "nantong.json")
    assert roster.leadership["group_name"].unique().to_list() == ["南通市“政社互动”领导小组"]
    assert roster.facilities.filter(pl.col("community") == "320602001002")["name"].to_list() == ["村务公开栏", "文体活动中心"]


def test_the_template_has_the_new_sheets_and_reads_them_back(tmp_path: Path) -> None:
    import openpyxl

    from orgmodel.template import write_template

    path = tmp_path / "template.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    facilities, group = book["设施"], book["领导小组"]
    assert [c.value for c in facilities[1]] == ["社区编码", "设施名称", "类别", "面积(平方米)"]
    assert [c.value for c in group[1]] == ["区域编码", "小组名称", "姓名", "小组职务", "本职"]
    assert "上年月工资(元)" in [c.value for c in book["人员"][1]]
    choices = {dv.formula1 for dv in facilities.data_validations.dataValidation}
    assert '"室,站,栏,校,场所"' in choices
    assert '"组长,副组长,成员"' in {dv.formula1 for dv in group.data_validations.dataValidation}
    book["区域"].append(["320600", "南通市", "市", None, 2280])
    book["社区"].append(["c1", "虹桥社区", "320600", "城市"])
    headers = [c.value for c in book["人员"][1]]
    row = dict.fromkeys(headers)
    row.update({"社区编码": "c1", "人员编号": "P1", "机构": "党组织", "职务": "书记", "月工资(元)": 4000,
                "上年月工资(元)": 4100})
    book["人员"].append([row[h] for h in headers])
    facilities.append(["c1", "警务室", None, 20])
    group.append(["320600", "领导小组", "王某", "组长", "市委书记"])
    book.save(path)
    roster = _roster(path)
    assert roster.facilities.rows() == [("c1", "警务室", "room", 20.0)]
    assert roster.leadership.select("role", "office").rows() == [("leader", "party_secretary")]
    assert roster.people["previous_monthly_pay_yuan"].to_list() == [4100.0]


@pytest.mark.parametrize("target", ["roster.json", "roster.yaml", "tables"])
def test_convert_carries_the_new_tables(workbook: normalize.Roster, tmp_path: Path, target: str) -> None:
    from orgmodel import convert

    out = tmp_path / target
    assert convert.main([str(SEED / "nantong.xlsx"), str(out)]) == 0
    back = _roster(out)
    for frame in ("leadership", "facilities"):
        assert getattr(back, frame).equals(getattr(workbook, frame)), frame
    pay = ["person", "previous_monthly_pay_yuan"]
    assert back.people.select(pay).equals(workbook.people.select(pay))
    assert back.has_facilities
