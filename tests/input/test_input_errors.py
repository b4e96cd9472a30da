"""Every kind of input error (formats.md §3) says where it is: file, sheet, row as the user sees
it (the CSV line, header = 1) or the document path, the column as the user wrote it, the value
and what was expected; its messages name the row and the value in Chinese and English."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orgmodel.errors import InputError
from tests.helpers.roster import (
    APPOINTMENT_HEADERS,
    APPOINTMENTS,
    COMMUNITIES,
    REGIONS,
    input_errors,
    only_error,
    report_of,
    roster_document,
    roster_tables,
    write_folder,
    write_json,
    write_yaml,
)

Records = list[dict[str, str]]


def changed(records: Records, index: int, **cells: str) -> Records:
    """A copy of the records with some cells of one row changed."""
    result = copy.deepcopy(records)
    result[index].update(cells)
    return result


def assert_messages_name(error: InputError, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in error.message_zh, (fragment, error.message_zh)
        assert fragment in error.message_en, (fragment, error.message_en)


def assert_row_in_messages(error: InputError) -> None:
    assert f"第{error.row}行" in error.message_zh, error.message_zh
    assert f"row {error.row}" in error.message_en, error.message_en


# --- errors of a cell in the CSV tables --------------------------------------------------------
# Line numbers: 区域.csv 320602 = 2, 320602001 = 3; 社区.csv C1 = 2, C2 = 3; 人员.csv APPOINTMENTS[i] = i + 2.


@dataclass(frozen=True)
class CellCase:
    code: str
    file: str
    row: int
    column: str
    value: str
    communities: Records | None = None  # None: the default roster's table
    appointments: Records | None = None
    regions: Records | None = None
    expected: str | None = None  # a fragment of `expected` (what the user should write instead)


CELL_CASES = [
    pytest.param(CellCase(communities=changed(COMMUNITIES, 1, kind="郊区"), code="invalid_value", file="社区.csv", row=3,
                          column="类型", value="郊区", expected="城市"), id="kind-郊区"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 2, full_time="maybe"), code="invalid_value", file="人员.csv",
                          row=4, column="专职", value="maybe", expected="是/否"), id="full_time-maybe"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 2, education="幼儿园"), code="invalid_value", file="人员.csv",
                          row=4, column="学历", value="幼儿园", expected="本科"), id="education-unknown"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 6, police_officer="不详"), code="invalid_value",
                          file="人员.csv", row=8, column="民警", value="不详", expected="是/否"), id="police_officer-unknown"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 0, gender="未知"), code="invalid_value", file="人员.csv",
                          row=2, column="性别", value="未知", expected="男/女"), id="gender-unknown"),
    pytest.param(CellCase(regions=changed(REGIONS, 1, level="村民小组"), code="invalid_value", file="区域.csv", row=3,
                          column="层级", value="村民小组", expected="街道乡镇"), id="level-unknown"),
    pytest.param(CellCase(communities=changed(COMMUNITIES, 0, pilot="试试"), code="invalid_value", file="社区.csv", row=2,
                          column="试点", value="试试", expected="是/否"), id="pilot-unknown"),
    pytest.param(CellCase(communities=changed(COMMUNITIES, 0, households="-5"), code="invalid_number", file="社区.csv",
                          row=2, column="户数", value="-5", expected="非负数"), id="households-negative"),
    pytest.param(CellCase(communities=changed(COMMUNITIES, 1, households="abc"), code="invalid_number", file="社区.csv",
                          row=3, column="户数", value="abc", expected="非负数"), id="households-abc"),
    pytest.param(CellCase(communities=changed(COMMUNITIES, 1, population="很多"), code="invalid_number", file="社区.csv",
                          row=3, column="人口", value="很多", expected="非负数"), id="population-text"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 4, monthly_pay_yuan="三千"), code="invalid_number",
                          file="人员.csv", row=6, column="月工资(元)", value="三千", expected="非负数"), id="pay-text"),
    pytest.param(CellCase(regions=changed(REGIONS, 0, min_wage_monthly_yuan="-1"), code="invalid_number", file="区域.csv",
                          row=2, column="最低工资(元/月)", value="-1", expected="非负数"), id="min_wage-negative"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 3, start="2024-13-45"), code="invalid_date", file="人员.csv",
                          row=5, column="任职开始", value="2024-13-45", expected="2024-01-01"), id="start-2024-13-45"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 9, end="明年"), code="invalid_date", file="人员.csv", row=11,
                          column="任职结束", value="明年", expected="2024-01-01"), id="end-text"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 3, unit="财务室"), code="unknown_unit", file="人员.csv", row=5,
                          column="机构", value="财务室", expected="综治办"), id="unit-财务室"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 3, unit="服务站", role="调解员"), code="role_not_in_unit",
                          file="人员.csv", row=5, column="职务", value="调解员"), id="mediator-in-服务站"),
    pytest.param(CellCase(appointments=changed(APPOINTMENTS, 3, community="C9"), code="unknown_community", file="人员.csv",
                          row=5, column="社区编码", value="C9", expected="社区"), id="appointment-community-C9"),
    pytest.param(CellCase(communities=changed(COMMUNITIES, 1, region="999"), code="unknown_region", file="社区.csv", row=3,
                          column="所属区域编码", value="999", expected="区域"), id="community-region-999"),
    pytest.param(CellCase(regions=changed(REGIONS, 1, parent="999"), code="unknown_region", file="区域.csv", row=3,
                          column="上级编码", value="999", expected="区域"), id="region-parent-999"),
    pytest.param(CellCase(communities=[*COMMUNITIES, dict(COMMUNITIES[0], name="又一个虹桥")], code="duplicate_id",
                          file="社区.csv", row=4, column="社区编码", value="C1"), id="community-id-twice"),
]


@pytest.mark.parametrize("case", CELL_CASES)
def test_cell_error_is_located(tmp_path: Path, case: CellCase) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(case.communities, case.appointments, case.regions))
    error = only_error(folder, case.code)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (
        case.file, None, case.row, case.column, case.value)
    assert_row_in_messages(error)
    assert_messages_name(error, case.value)
    if case.expected is not None:
        assert error.expected and case.expected in error.expected, error.expected


def test_role_not_in_unit_says_where_the_role_belongs(tmp_path: Path) -> None:
    """“What to do” (formats.md §3): 调解员 belongs in 综治办, so the error should say so."""
    appointments = changed(APPOINTMENTS, 3, unit="服务站", role="调解员")
    error = only_error(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)), "role_not_in_unit")
    assert error.expected, "expected is empty"
    assert "综治办" in error.expected or "governance_office" in error.expected, error.expected


@pytest.mark.parametrize(("table", "index", "column", "header", "file", "row"), [
    pytest.param("appointments", 3, "role", "职务", "人员.csv", 5, id="职务-blank"),
    pytest.param("appointments", 5, "person", "人员编号", "人员.csv", 7, id="人员编号-blank"),
    pytest.param("regions", 1, "level", "层级", "区域.csv", 3, id="层级-blank"),
])
def test_blank_required_cell(tmp_path: Path, table: str, index: int, column: str, header: str, file: str, row: int) -> None:
    tables: dict[str, Records] = {"communities": COMMUNITIES, "appointments": APPOINTMENTS, "regions": REGIONS}
    tables[table] = changed(tables[table], index, **{column: ""})
    error = only_error(write_folder(tmp_path / "roster", roster_tables(**tables)), "required_value")
    assert (error.file, error.sheet, error.row, error.column, error.value) == (file, None, row, header, None)
    assert_row_in_messages(error)
    assert_messages_name(error, header)


@pytest.mark.parametrize(("file", "text", "code", "row", "column", "value"), [
    pytest.param("机构.csv", "社区编码,机构,名称\nC1,业委会,虹桥业委会\nC9,业委会,某业委会\n",
                 "unknown_community", 3, "社区编码", "C9", id="机构-community-C9"),
    pytest.param("机构.csv", "社区编码,机构,名称\nC1,业委会,虹桥业委会\nC1,财务室,财务\n", "unknown_unit", 3, "机构", "财务室",
                 id="机构-unit-财务室"),
    pytest.param("关系.csv", "社区编码,来自,指向,类型\nC1,政府:街道办,居委会,指导\nC1,政府:街道办,居委会,命令\n", "invalid_value",
                 3, "类型", "命令", id="关系-type-命令"),
    pytest.param("关系.csv", "社区编码,来自,指向,类型\nC1,街道办,居委会,指导\n", "invalid_value", 2, "来自", "街道办",
                 id="关系-from-not-a-unit"),
    pytest.param("事项.csv", "社区编码,事项编号,事项名称,交办单位,类别\nC1,T1,议事,街道,自治本职\nC9,T2,普查,统计局,协助政府\n",
                 "unknown_community", 3, "社区编码", "C9", id="事项-community-C9"),
    pytest.param("事项.csv", "社区编码,事项编号,事项名称,交办单位,类别,准入批准\nC1,T1,普查,统计局,协助政府,也许\n",
                 "invalid_value", 2, "准入批准", "也许", id="事项-approved-也许"),
])
def test_optional_table_error_is_located(tmp_path: Path, file: str, text: str, code: str, row: int, column: str,
                                         value: str) -> None:
    folder = write_folder(tmp_path / "roster", {**roster_tables(), file: text})
    error = only_error(folder, code)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (file, None, row, column, value)
    assert_row_in_messages(error)
    assert_messages_name(error, value)


def test_unknown_task_category_is_a_finding_not_an_input_error(tmp_path: Path) -> None:
    """domain.md §4 T1: a blank or unknown category is a finding, not an input error."""
    tasks = "社区编码,事项编号,事项名称,交办单位,类别\nC1,T1,普查,统计局,随便\nC1,T2,创卫,城管局,\n"
    assert input_errors(write_folder(tmp_path / "roster", {**roster_tables(), "事项.csv": tasks})) == []


# --- a person on several rows ---------------------------------------------------------------
# P04 (赵敏) is on line 5 (C1 站长) and line 10 (C2 主任).


def test_conflicting_person_names_both_rows(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=changed(APPOINTMENTS, 8, education="硕士")))
    error = only_error(folder, "conflicting_person")
    assert (error.file, error.sheet, error.row, error.column) == ("人员.csv", None, 10, "学历")
    assert error.value == "P04"
    assert_row_in_messages(error)
    assert_messages_name(error, "P04")
    assert "5" in (error.expected or ""), "the error names the other row"
    assert "第5行" in error.message_zh


def test_conflicting_person_english_message_names_the_other_row_in_english(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=changed(APPOINTMENTS, 8, education="硕士")))
    error = only_error(folder, "conflicting_person")
    assert "row 5" in error.message_en, error.message_en


@pytest.mark.parametrize(("cells", "why"), [
    pytest.param({"education": ""}, "a blank never conflicts", id="blank-education"),
    pytest.param({"monthly_pay_yuan": "", "gender": "", "name": ""}, "blanks never conflict", id="blank-several"),
    pytest.param({"education": "大学本科"}, "本科 and 大学本科 are both bachelor", id="same-education-other-spelling"),
    pytest.param({"police_officer": "N", "political_legal_officer": "0"}, "否, N and 0 all say no",
                 id="same-yes-no-other-spelling"),
    pytest.param({"monthly_pay_yuan": "3000.0"}, "the same number", id="same-pay-other-spelling"),
])
def test_same_person_without_conflict(tmp_path: Path, cells: dict[str, str], why: str) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=changed(APPOINTMENTS, 8, **cells)))
    assert input_errors(folder) == [], why


def test_conflict_with_a_blank_row_between(tmp_path: Path) -> None:
    """Three rows of one person: 本科, blank, 硕士 — the blank does not hide the conflict."""
    appointments = [*APPOINTMENTS, dict(APPOINTMENTS[3], role="委员", unit="居委会", education="")]
    appointments = changed(appointments, 8, education="硕士")
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert [(e.code, e.row, e.column, e.value) for e in errors] == [("conflicting_person", 10, "学历", "P04")]


# --- file-level errors ------------------------------------------------------------------------


def test_missing_table(tmp_path: Path) -> None:
    files = roster_tables()
    del files["人员.csv"]
    error = only_error(write_folder(tmp_path / "roster", files), "missing_table")
    assert error.file == "roster"
    assert error.row is None
    assert "人员" in (error.column or "")
    assert_messages_name(error, "人员")


def test_without_a_communities_table_the_communities_are_those_the_people_name(tmp_path: Path) -> None:
    """formats.md §2: the 社区 table is optional; what no one gave (户数, 人口) is missing."""
    files = roster_tables()
    del files["社区.csv"]
    folder = write_folder(tmp_path / "roster", files)
    assert input_errors(folder) == []
    report = report_of(folder)
    assert report["summary"]["communities"] == 2
    missing = {(f["community_id"], f["rule_id"], f["missing_field"]) for f in report["findings"] if f["missing_field"]}
    assert {("C1", "S5", "households"), ("C2", "S5", "households"), ("C1", "F1", "population")} <= missing


def test_without_a_unit_column_only_posts_of_several_units_need_one(tmp_path: Path) -> None:
    """domain.md §3: without 机构, a post goes to the unit its role belongs to; 委员 alone sits
    in four bodies, so those rows (and only those) are errors asking for the unit."""
    headers = {k: v for k, v in APPOINTMENT_HEADERS.items() if k != "unit"}
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(appointment_headers=headers)))
    assert [(e.code, e.row, e.column) for e in errors] == [("unit_needed", 3, "职务"), ("unit_needed", 4, "职务")]
    assert "委员" in errors[0].message_zh and "row" not in errors[0].message_zh


@pytest.mark.parametrize(("column", "header"), [
    pytest.param("role", "职务", id="职务"),
    pytest.param("community", "社区编码", id="社区编码"),
])
def test_missing_column(tmp_path: Path, column: str, header: str) -> None:
    headers = {k: v for k, v in APPOINTMENT_HEADERS.items() if k != column}
    folder = write_folder(tmp_path / "roster", roster_tables(appointment_headers=headers))
    error = only_error(folder, "missing_column")
    assert (error.file, error.sheet, error.row, error.column) == ("人员.csv", None, None, header)
    assert_messages_name(error, header, "人员.csv")


def _communities_without_id() -> dict[str, str]:
    """The roster with its 社区 table headed in English and the id column left out."""
    english = {"name": "name", "region": "region", "kind": "kind", "households": "households", "population": "population",
               "pilot": "pilot", "office_activity_yuan": "office_activity_yuan"}
    files = roster_tables()
    rows = [[c.get(k, "") for k in english] for c in COMMUNITIES]
    files["社区.csv"] = "\n".join([",".join(english.values()), *(",".join(r) for r in rows)]) + "\n"
    return files


def test_missing_column_in_an_english_table(tmp_path: Path) -> None:
    errors = input_errors(write_folder(tmp_path / "roster", _communities_without_id()))
    missing = [e for e in errors if e.code == "missing_column"]
    assert len(missing) == 1
    assert (missing[0].file, missing[0].row) == ("社区.csv", None)
    assert missing[0].column in ("社区编码", "id")
    assert "name" in (missing[0].value or "") and "orgmodel template" in missing[0].message_zh


def test_missing_column_does_not_make_every_community_unknown(tmp_path: Path) -> None:
    """C1 and C2 are listed in 社区.csv; only its id column is missing. Telling the user
    that every 人员 row names an unlisted community would send them looking for the wrong thing."""
    errors = input_errors(write_folder(tmp_path / "roster", _communities_without_id()))
    assert [e.code for e in errors] == ["missing_column"], [e.message_en for e in errors]


def test_a_blank_kind_is_read_from_the_name(tmp_path: Path) -> None:
    """domain.md §3: with no 类型, a community named …村 is rural, any other urban."""
    communities = [{**c, "kind": ""} for c in COMMUNITIES]
    report = report_of(write_folder(tmp_path / "roster", roster_tables(communities=communities)))
    sizes = {f["community_id"]: f["required_max"] for f in report["findings"] if f["rule_id"] == "S3"}
    assert sizes == {"C1": 9, "C2": 7}  # 虹桥社区 urban (5-9), 北村 rural (5-7)


REGION_CYCLES = [
    pytest.param({0: "320602001"}, {"320602", "320602001"}, id="two-regions"),  # 320602 ⇄ 320602001
    pytest.param({1: "320602001"}, {"320602001"}, id="own-parent"),
]
LINE_OF_REGION = {"320602": 2, "320602001": 3}


def _regions_with_parents(parents: dict[int, str]) -> Records:
    regions = copy.deepcopy(REGIONS)
    for index, parent in parents.items():
        regions[index]["parent"] = parent
    return regions


@pytest.mark.parametrize(("parents", "in_cycle"), REGION_CYCLES)
def test_region_cycle(tmp_path: Path, parents: dict[int, str], in_cycle: set[str]) -> None:
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(regions=_regions_with_parents(parents))))
    assert errors, "a cycle is an error"
    assert {e.code for e in errors} == {"region_cycle"}
    assert {e.value for e in errors} <= in_cycle
    for error in errors:
        assert (error.file, error.sheet, error.column) == ("区域.csv", None, "上级编码")
        assert_messages_name(error, error.value or "")


@pytest.mark.parametrize(("parents", "in_cycle"), REGION_CYCLES)
def test_region_cycle_names_the_row(tmp_path: Path, parents: dict[int, str], in_cycle: set[str]) -> None:
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(regions=_regions_with_parents(parents))))
    assert errors
    for error in errors:
        assert error.row == LINE_OF_REGION[error.value or ""], error
        assert_row_in_messages(error)


def test_no_communities_in_tables(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(communities=[], appointments=[]))
    error = only_error(folder, "no_communities")
    assert error.file == "roster"


def test_no_communities_in_document(tmp_path: Path) -> None:
    error = only_error(write_json(tmp_path / "roster.json", {"format": "orgmodel.roster/1", "communities": []}),
                       "no_communities")
    assert error.file == "roster.json"


@pytest.mark.parametrize(("name", "content", "shown"), [
    pytest.param("roster.txt", "社区编码,社区名称\n", "roster.txt", id="suffix-txt"),
    pytest.param("roster.docx", "", "roster.docx", id="suffix-docx"),
    pytest.param("roster.json", json.dumps({"format": "orgmodel.report/1", "communities": []}), "orgmodel.report/1",
                 id="json-other-format"),
    pytest.param("roster.yaml", "format: something/2\ncommunities: []\n", "something/2", id="yaml-other-format"),
])
def test_unknown_format(tmp_path: Path, name: str, content: str, shown: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    error = only_error(path, "unknown_format")
    assert error.file == name
    assert shown in (error.value or "")
    assert error.expected
    assert_messages_name(error, shown)


# --- roster documents (JSON / YAML) ---------------------------------------------------------


def mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = roster_document()
    change(document)
    return document


def set_at(*keys: str | int, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


def append_at(*keys: str | int, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in keys:
            target = target[key]
        target.append(copy.deepcopy(value))
    return change


# C1 lists P01..P08 (people[0..7]), C2 lists P09, P10 (P04 is listed under C1 only).
DOCUMENT_CASES = [
    pytest.param(set_at("communities", 0, "households", value="many"), "bad_document", "communities[0].households", "many",
                 id="households-many"),
    pytest.param(set_at("communities", 1, "budget", value=[18000]), "bad_document", "communities[1].budget", None,
                 id="budget-is-a-list"),
    pytest.param(set_at("communities", 0, "appointments", 1, value=["P02", "党委", "委员"]), "bad_document",
                 "communities[0].appointments[1]", None, id="appointment-is-a-list"),
    pytest.param(set_at("communities", 0, "people", value={"id": "P01"}), "bad_document", "communities[0].people", None,
                 id="people-is-an-object"),
    pytest.param(set_at("communities", 1, "appointments", 0, "person", value="P0099"), "unknown_person",
                 "communities[1].appointments[0].person", "P0099", id="appointment-names-unlisted-person"),
    pytest.param(append_at("communities", 1, "people", value={"id": "P02", "name": "李秀英"}), "duplicate_id",
                 "communities[1].people[2]", "P02", id="person-id-twice"),
    pytest.param(append_at("communities", value={"id": "C1", "name": "虹桥社区", "kind": "urban"}), "duplicate_id",
                 "communities[2]", "C1", id="community-id-twice"),
    pytest.param(set_at("communities", 0, "appointments", 4, "unit", value="service_station"), "role_not_in_unit",
                 "communities[0].appointments[4].role", "调解员", id="mediator-in-service_station"),
    pytest.param(set_at("communities", 0, "appointments", 4, "unit", value="财务室"), "unknown_unit",
                 "communities[0].appointments[4].unit", "财务室", id="unit-财务室"),
    pytest.param(set_at("communities", 0, "appointments", 2, "start", value="2024-13-45"), "invalid_date",
                 "communities[0].appointments[2].start", "2024-13-45", id="start-2024-13-45"),
    pytest.param(set_at("communities", 1, "kind", value="郊区"), "invalid_value", "communities[1].kind", "郊区",
                 id="kind-郊区"),
    pytest.param(set_at("regions", 1, "level", value="村民小组"), "invalid_value", "regions[1].level", "村民小组",
                 id="level-unknown"),
    pytest.param(set_at("communities", 0, "region", value="999"), "unknown_region", "communities[0].region", "999",
                 id="community-region-999"),
]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(("change", "code", "path", "value"), DOCUMENT_CASES)
def test_document_error_is_located(tmp_path: Path, fmt: str, change: Callable[[dict[str, Any]], None], code: str,
                                   path: str, value: str | None) -> None:
    name = f"roster.{fmt}"
    writer = write_json if fmt == "json" else write_yaml
    error = only_error(writer(tmp_path / name, mutate(change)), code)
    assert error.file == name
    assert error.row is None
    assert error.path is not None and error.path.startswith(path), error.path
    assert_messages_name(error, error.path)
    if value is not None:
        assert value in (error.value or "")
        assert_messages_name(error, value)


@pytest.mark.parametrize(("name", "text"), [
    pytest.param("roster.json", '{"format": "orgmodel.roster/1", "communities": [}', id="json"),
    pytest.param("roster.yaml", "format: orgmodel.roster/1\ncommunities: [a, b\n  - : :\n", id="yaml"),
    pytest.param("roster.json", "\ufffe{not json", id="json-garbage"),
])
def test_document_syntax_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    error = only_error(path, "bad_document")
    assert error.file == name
    assert error.value, "the parser's message says where"
    assert "行" in (error.value or "") and "行" in error.message_zh  # where, in the message's own language
    assert "line" in error.message_en.lower()


def test_bad_document_lists_every_shape_error(tmp_path: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        document["communities"][0]["households"] = "many"
        document["communities"][1]["population"] = "lots"
        document["communities"][1]["appointments"][0] = "P09"
    errors = input_errors(write_json(tmp_path / "roster.json", mutate(change)))
    assert sorted((e.code, e.path) for e in errors) == [
        ("bad_document", "communities[0].households"),
        ("bad_document", "communities[1].appointments[0]"),
        ("bad_document", "communities[1].population"),
    ]


def test_a_person_listed_in_one_community_may_be_appointed_in_another(tmp_path: Path) -> None:
    """P04 is listed under C1 and appointed in C2 too: people are document-wide."""
    document = roster_document()
    assert "P04" not in [p["id"] for p in document["communities"][1]["people"]]
    assert "P04" in [a["person"] for a in document["communities"][1]["appointments"]]
    assert input_errors(write_json(tmp_path / "roster.json", document)) == []


# --- all errors of a file come together -----------------------------------------------------


def test_three_bad_rows_give_three_errors(tmp_path: Path) -> None:
    appointments = changed(APPOINTMENTS, 1, full_time="maybe")
    appointments = changed(appointments, 4, unit="财务室")
    appointments = changed(appointments, 9, start="2024-13-45")
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert sorted((e.code, e.file, e.row, e.column, e.value) for e in errors) == [
        ("invalid_date", "人员.csv", 11, "任职开始", "2024-13-45"),
        ("invalid_value", "人员.csv", 3, "专职", "maybe"),
        ("unknown_unit", "人员.csv", 6, "机构", "财务室"),
    ]


def test_the_same_mistake_on_several_rows_gives_one_error_per_row(tmp_path: Path) -> None:
    appointments = [dict(a, full_time="maybe") if a["community"] == "C1" else a for a in APPOINTMENTS]
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert [(e.code, e.row) for e in errors] == [("invalid_value", row) for row in range(2, 10)]


def test_errors_of_every_file_come_together(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(
        communities=changed(COMMUNITIES, 0, households="abc"),
        appointments=changed(APPOINTMENTS, 2, unit="财务室"),
        regions=changed(REGIONS, 1, level="村民小组"),
    ))
    errors = input_errors(folder)
    assert sorted((e.file, e.row, e.code) for e in errors) == [
        ("人员.csv", 4, "unknown_unit"), ("区域.csv", 3, "invalid_value"), ("社区.csv", 2, "invalid_number")]


def test_document_errors_come_together(tmp_path: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        document["communities"][0]["kind"] = "郊区"
        document["communities"][0]["appointments"][0]["person"] = "P0099"
        document["communities"][1]["appointments"][1]["start"] = "2024-13-45"
    errors = input_errors(write_json(tmp_path / "roster.json", mutate(change)))
    assert sorted((e.code, e.path) for e in errors) == [
        ("invalid_date", "communities[1].appointments[1].start"),
        ("invalid_value", "communities[0].kind"),
        ("unknown_person", "communities[0].appointments[0].person"),
    ]


# --- every error at once, once each, in order (formats.md §3) ----------------------------------

def test_a_document_reports_four_kinds_of_error_together(tmp_path: Path) -> None:
    """A negative 户数 does not hide the unknown person, the unknown unit and the misplaced role
    further down (issue 9: the JSON reader used to stop at the first shape error)."""
    document = roster_document()
    first = document["communities"][0]
    first["households"] = -600
    first["appointments"][1]["person"] = "P99"
    first["appointments"][2]["unit"] = "财务室"
    first["appointments"][3]["role"] = "调解员"  # in the 服务站
    errors = input_errors(write_json(tmp_path / "roster.json", document))
    assert [(e.code, e.path) for e in errors] == [
        ("unknown_person", "communities[0].appointments[1].person"),
        ("unknown_unit", "communities[0].appointments[2].unit"),
        ("role_not_in_unit", "communities[0].appointments[3].role"),
        ("bad_document", "communities[0].households"),
    ]
    for error in errors:
        assert not any("a" <= ch <= "z" for ch in error.message_zh.replace("communities", "").replace("appointments", "")
                       .replace("households", "").replace("person", "").replace("unit", "").replace("role", "")
                       .replace("roster.json", "")), error.message_zh


def test_one_bad_cell_is_one_error_and_errors_come_in_row_order(tmp_path: Path) -> None:
    """A person's 月工资 is read for the person and again for their other rows: still one error.
    Errors of several columns and rows come sorted by row, then by column from left to right."""
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[3]["monthly_pay_yuan"] = "很多"  # row 5: 赵敏, who is on row 10 too
    appointments[2]["start"] = "明年"  # row 4
    appointments[2]["monthly_pay_yuan"] = "-1"  # row 4, a column left of 任职开始
    appointments[0]["full_time"] = "也许"  # row 2
    errors = input_errors(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert [(e.row, e.column) for e in errors] == [(2, "专职"), (4, "月工资(元)"), (4, "任职开始"), (5, "月工资(元)")]
    for error in errors:
        assert "row" not in error.message_zh and f"第{error.row}行" in error.message_zh
