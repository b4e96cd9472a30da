"""The spreadsheet reader (formats.md §2, issue 3 §1): a workbook gives the findings of the same
roster as CSV, however an office laid it out, and its errors name Excel's rows."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from orgmodel.input import normalize, readers
from orgmodel.input.readers.xlsx import cell_text, lost_digits
from tests.helpers.workbooks import (
    COMMUNITY,
    COMMUNITY_HEADER,
    DISTRICT_CSV,
    FIXTURES,
    PEOPLE_HEADER,
    input_errors,
    person,
    report_of,
    small_roster,
    write_xlsx,
)

DISTRICT_WORKBOOKS = ["chongchuan.xlsx", "chongchuan-messy.xlsx", "chongchuan-messy.xls", "chongchuan-messy.ods",
                      "chongchuan-wps.xlsx"]


@cache
def district_report(name: str) -> dict[str, Any]:
    return report_of(DISTRICT_CSV if name == "csv" else FIXTURES / name)


def posts_no_rule_counts(report: dict[str, Any]) -> list[str]:
    return [n["value"] for n in report["notices"] if n["code"] == "unknown_post"]


@pytest.mark.parametrize("name", DISTRICT_WORKBOOKS)
def test_district_workbook_gives_the_csv_report(name: str) -> None:
    csv_report, workbook_report = district_report("csv"), district_report(name)
    assert workbook_report["findings"] == csv_report["findings"]
    assert workbook_report["summary"] == csv_report["summary"]
    assert workbook_report["regions"] == csv_report["regions"]
    assert posts_no_rule_counts(workbook_report) == posts_no_rule_counts(csv_report)


@pytest.mark.parametrize("name", ["chongchuan-messy.xlsx", "chongchuan-messy.xls", "chongchuan-messy.ods"])
def test_messy_copy_reads_into_the_same_roster(name: str) -> None:
    """Numbers typed as numbers, codes typed as numbers, dates in five spellings and formulas
    all come back as the CSV's values."""
    csv_roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    workbook_roster, _ = normalize.load(readers.read_roster(FIXTURES / name))
    for table in ("communities", "appointments", "people", "regions", "units", "relations", "tasks"):
        assert getattr(workbook_roster, table).equals(getattr(csv_roster, table)), table


def test_messy_copy_row_numbers_are_excels() -> None:
    """Every notice names the row where Excel shows the post (the header is on row 4, a blank
    row sits in the data, community codes are merged down their block)."""
    notices = [n for n in district_report("chongchuan-messy.xlsx")["notices"] if n["code"] == "unknown_post"]
    assert notices
    sheet = openpyxl.load_workbook(FIXTURES / "chongchuan-messy.xlsx", read_only=True)["2024年三季度花名册"]
    rows = {i: row for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)}
    role_column = rows[4].index("职务")
    for notice in notices:
        assert rows[notice["row"]][role_column] == notice["value"], notice


def test_messy_copy_sheets_found_by_name_and_header() -> None:
    raw = readers.read_roster(FIXTURES / "chongchuan-messy.xlsx")
    assert raw.tables["appointments"].sheet == "2024年三季度花名册"  # no table name: found by its header
    assert raw.tables["regions"].sheet == "区域"  # hidden, but one of ours
    assert "旧花名册" not in {t.sheet for t in raw.tables.values()}  # hidden and not ours: ignored
    assert raw.tables["communities"].frame["id"][0] == "320602001001"  # typed as a number
    assert raw.tables["communities"].frame.height == 100  # the 合计 row is not a community


def test_wps_fixture_has_the_quirks_it_stands_for() -> None:
    with zipfile.ZipFile(FIXTURES / "chongchuan-wps.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml").decode()
    assert '<dimension ref="A1:A1"/>' in sheet
    assert 't="inlineStr"' in sheet and 't="s"' not in sheet


# --- cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "kind", "text"), [
    (320602001001.0, "id", "320602001001"),
    (4000.0, "text", "4000"),
    (4200.5, "text", "4200.5"),
    (dt.date(2024, 1, 1), "date", "2024-01-01"),
    (dt.datetime(2024, 1, 1), "date", "2024-01-01"),
    (45292.0, "date", "2024-01-01"),  # a date typed into a cell without a date format
    (20240101.0, "date", "20240101"),
    ("  2024.1.1 ", "date", "2024.1.1"),
    (True, "text", "true"),
    ("", "text", None),
    ("  ", "text", None),
])
def test_cell_text(value: object, kind: str, text: str | None) -> None:
    assert cell_text(value, kind) == text


@pytest.mark.parametrize(("value", "shown"), [
    (110105199001011000.0, "1.10105E+17"),
    ("1.10105E+17", "1.10105E+17"),
    (320602001001.0, None),
    ("P0001", None),
])
def test_lost_digits(value: object, shown: str | None) -> None:
    assert lost_digits(value) == shown


@pytest.mark.parametrize("start", [dt.date(2024, 1, 1), "2024-01-01", "2024.1.1", "2024年1月1日", 45292])
def test_dates_in_every_spelling(tmp_path: Path, start: object) -> None:
    path = small_roster(tmp_path / "r.xlsx", [person(1, start=start)])
    roster, _ = normalize.load(readers.read_roster(path))
    assert roster.appointments["start"].to_list() == [dt.date(2024, 1, 1)]


def test_numbers_typed_as_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {
        "社区": [COMMUNITY_HEADER, [320602001001, "虹桥社区", "城市", 4000, 10000.0]],
        "人员": [PEOPLE_HEADER, [320602001001, 1001, "张三", "党组织", "书记", "是", 4000.0, "2024-01-01"]]})
    roster, _ = normalize.load(readers.read_roster(path))
    assert roster.communities.select("id", "households").row(0) == ("320602001001", 4000.0)
    assert roster.appointments.select("community", "person").row(0) == ("320602001001", "1001")
    assert roster.people["monthly_pay_yuan"].to_list() == [4000.0]


# --- layout -----------------------------------------------------------------------------------

def test_title_rows_footers_and_row_numbers(tmp_path: Path) -> None:
    title = [["XX街道社区工作人员花名册"], [None], ["填报单位:XX街道"]]
    people = [person(1), person(2), ["小计", "2人"], person(3, unit="财务室"), [None], person(4)]
    footer = [["合计", "4人"], ["填表人:张三", None, "审核人:李四"], ["2024年9月30日"], person(5, unit="不是数据")]
    path = small_roster(tmp_path / "r.xlsx", people, above=title, below=footer)
    errors = input_errors(path)
    assert [(e.code, e.sheet, e.row, e.column, e.value) for e in errors] == [("unknown_unit", "人员", 8, "机构", "财务室")]


def test_merged_title_and_merged_codes(tmp_path: Path) -> None:
    people = [person(1), [None, *person(2)[1:]], [None, *person(3)[1:]]]
    path = write_xlsx(tmp_path / "r.xlsx", {"社区": [COMMUNITY_HEADER, COMMUNITY],
                                            "人员": [["花名册"], PEOPLE_HEADER, *people]},
                      merges={"人员": [(0, 0, 0, 7, "XX街道社区工作人员花名册"), (2, 0, 4, 0, "320602001001")]})
    roster, _ = normalize.load(readers.read_roster(path))
    assert roster.appointments["community"].to_list() == ["320602001001"] * 3


def test_header_by_name_in_any_order_and_language(tmp_path: Path) -> None:
    english = ["role", "unit", "person", "community", "note", "full_time"]
    path = write_xlsx(tmp_path / "r.xlsx", {
        "communities": [["kind", "id"], ["urban", "C1"]],
        "Sheet1": [english, ["secretary", "party_org", "P1", "C1", "x", "yes"]]})
    roster, _ = normalize.load(readers.read_roster(path))
    assert roster.appointments.select("community", "person", "role").row(0) == ("C1", "P1", "secretary")


def test_hidden_sheets_count_only_when_ours(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {
        "社区": [COMMUNITY_HEADER, COMMUNITY], "人员": [PEOPLE_HEADER, person(1)],
        "区域": [["区域编码", "层级"], ["320602", "区县"]],
        "备份": [PEOPLE_HEADER, person(2, unit="财务室")]}, hidden=("区域", "备份"))
    raw = readers.read_roster(path)
    assert set(raw.tables) == {"communities", "appointments", "regions"}
    assert input_errors(path) == []


def test_sheet_without_a_header_is_a_missing_column_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"社区": [COMMUNITY_HEADER, COMMUNITY], "人员": [["什么都不是"], ["x"]]})
    assert {e.code for e in input_errors(path)} == {"missing_column"}


# --- errors only a workbook can have ---------------------------------------------------------

def test_id_that_excel_turned_into_a_number(tmp_path: Path) -> None:
    """Saved by LibreOffice from a General cell: the file holds 1.10105199001011E+17."""
    errors = input_errors(FIXTURES / "id-as-number.xlsx")
    assert [(e.code, e.sheet, e.row, e.column, e.value) for e in errors] == [
        ("number_lost_digits", "人员", 2, "身份证号", "1.10105E+17")]
    assert "文本" in errors[0].message_zh and "format the column as text" in errors[0].message_en


def test_id_pasted_as_scientific_text_and_other_errors_together(tmp_path: Path) -> None:
    people = [[*person(1)[:1], "1.10105E+17", *person(1)[2:]], person(2, unit="财务室")]
    errors = input_errors(small_roster(tmp_path / "r.xlsx", people))
    assert [(e.code, e.row) for e in errors] == [("number_lost_digits", 2), ("unknown_unit", 3)]


def test_formula_without_a_saved_value() -> None:
    errors = input_errors(FIXTURES / "formula-without-value.xlsx")
    assert [(e.code, e.sheet, e.row, e.column, e.value) for e in errors] == [
        ("formula_without_value", "人员", 2, "月工资(元)", "=3000+0")]


def test_formula_read_by_its_saved_value(tmp_path: Path) -> None:
    path = small_roster(tmp_path / "r.xlsx", [person(1)])
    book = openpyxl.load_workbook(path)
    book["社区"]["D2"] = "=300*2"  # openpyxl saves no value: an error, as the fixture shows
    book.save(path)
    assert [e.code for e in input_errors(path)] == ["formula_without_value"]
    roster, _ = normalize.load(readers.read_roster(FIXTURES / "chongchuan-messy.xlsx"))
    csv_roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    assert roster.communities["households"].equals(csv_roster.communities["households"])  # 户数 by formulas


def test_formula_outside_the_table_is_no_error(tmp_path: Path) -> None:
    path = small_roster(tmp_path / "r.xlsx", [person(1)], below=[["合计", "=COUNTA(B2:B2)"]])
    book = openpyxl.load_workbook(path)
    book["人员"]["I2"] = "=1+1"  # a column of no table
    book.save(path)
    assert input_errors(path) == []


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(b"not a zip")
    errors = input_errors(path)
    assert [e.code for e in errors] == ["unreadable_file"]
    assert errors[0].file == "花名册.xlsx"


def test_error_message_names_file_and_sheet(tmp_path: Path) -> None:
    errors = input_errors(small_roster(tmp_path / "花名册.xlsx", [person(1, unit="财务室")]))
    assert re.match(r"^花名册\.xlsx“人员”表 第2行", errors[0].message_zh), errors[0].message_zh
    assert errors[0].message_en.startswith("花名册.xlsx [人员]: row 2")


def test_appointments_keep_their_order(tmp_path: Path) -> None:
    path = small_roster(tmp_path / "r.xlsx", [person(i) for i in range(1, 6)])
    raw = readers.read_roster(path)
    assert raw.tables["appointments"].frame.select(pl.col("_row")).to_series().to_list() == [2, 3, 4, 5, 6]


def test_a_workbook_without_a_roster_sheet_says_what_it_found(tmp_path: Path) -> None:
    """Issue 9: `缺少“社区”表` alone sent offices looking for the wrong thing; the error names
    each sheet seen and its columns, and points to the template."""
    path = write_xlsx(tmp_path / "r.xlsx", {"说明": [["填表说明", "备注"], ["每人一行", ""]],
                                            "统计": [["街道", "社区数"], ["和平桥", "12"]]})
    errors = input_errors(path)
    assert [e.code for e in errors] == ["missing_table"]
    message = errors[0].message_zh
    assert "“说明”" in message and "“统计”" in message and "社区数" in message and "orgmodel template" in message
