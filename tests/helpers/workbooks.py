"""Shared by the tests that read or write workbooks: the committed fixtures, small workbooks made on the fly, and
the report of a roster read through the same library calls the command line uses.

The fixtures under tests/fixtures/xlsx are saved by LibreOffice (`scripts/make_xlsx_fixtures.py`
says how to make them again); small cases are written here with xlsxwriter, a library that
shares no code with the reader.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import xlsxwriter

from orgmodel.check import CheckResult, check
from orgmodel.errors import InputError, RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "xlsx"
DISTRICT_CSV = ROOT / "examples" / "chongchuan"
AS_OF = dt.date(2026, 11, 25)

COMMUNITY_HEADER = ["社区编码", "社区名称", "类型", "户数", "人口"]
PEOPLE_HEADER = ["社区编码", "人员编号", "姓名", "机构", "职务", "专职", "月工资(元)", "任职开始"]
COMMUNITY = ["320602001001", "虹桥社区", "城市", 600, 1500]


def person(number: int, unit: str = "党组织", role: str = "委员", start: object = "2024-01-01") -> list[object]:
    return ["320602001001", f"P{number:02d}", f"姓名{number}", unit, role, "是", 3000, start]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], *, hidden: tuple[str, ...] = (),
               merges: dict[str, list[tuple[int, int, int, int, object]]] | None = None) -> Path:
    """A workbook with one sheet per entry; None leaves a cell blank; dates become date cells;
    a string starting with '=' is written as a formula (its saved value 0 unless given)."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                elif isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        for r0, c0, r1, c1, value in (merges or {}).get(name, []):
            sheet.merge_range(r0, c0, r1, c1, value)  # type: ignore[arg-type]
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def small_roster(path: Path, people: list[list[object]], *, above: list[list[object]] | None = None,
                 below: list[list[object]] | None = None, people_sheet: str = "人员") -> Path:
    """One community; the 人员 sheet holds `above` rows, the header, `people`, then `below`."""
    return write_xlsx(path, {"社区": [COMMUNITY_HEADER, COMMUNITY],
                             people_sheet: [*(above or []), PEOPLE_HEADER, *people, *(below or [])]})


def input_errors(path: Path) -> list[InputError]:
    try:
        normalize.load(readers.read_roster(path))
    except RosterInputError as exc:
        return exc.errors
    return []


def checked(path: Path) -> CheckResult:
    roster, skipped = normalize.load(readers.read_roster(path))
    return check(roster, load_pack("nantong"), AS_OF, skipped=skipped)


def report_of(path: Path) -> dict[str, Any]:
    return json.loads(build_report(checked(path)).to_bytes())


FULL_STAFF = [person(1, role="书记"), *(person(i, "党组织", "委员") for i in range(2, 6)),
              person(6, "居委会", "主任"), *(person(i, "居委会", "委员") for i in range(7, 11)),
              person(11, "服务站", "站长"), person(12, "服务站", "专职工作人员"),
              person(13, "综治办", "综治专干"), person(14, "综治办", "社区民警"), person(15, "综治办", "调解员"),
              person(16, "综治办", "保安"), person(17, "综治办", "保安"), person(18, "综治办", "大学生综治社工"),
              person(19, "综治办", "综治特派员"), person(20, "居委会", "大学生村官")]  # one mediator short: G3


def _complete(row: list[object]) -> list[object]:
    police = "是" if row[4] == "社区民警" else "否"
    legal = "是" if row[4] == "综治特派员" else "否"
    return [*row, "本科", police, legal]


def staffed_roster(path: Path, people: dict[str, list[list[object]]], *,
                   waivers: list[list[object]] | None = None) -> Path:
    """Communities with complete data (region, budget, education, police flags), each with the
    given rows (their community column is set to the community's id); a 豁免 sheet when given."""
    sheets: dict[str, list[list[object]]] = {
        "社区": [[*COMMUNITY_HEADER, "年度办公活动经费(元)", "所属区域编码"],
                 *([c, f"社区{c[-3:]}", "城市", 600, 1500, 40000, "320602"] for c in people)],
        "区域": [["区域编码", "层级", "最低工资(元/月)"], ["320602", "区县", 2280]],
        "人员": [[*PEOPLE_HEADER, "学历", "民警", "政法干警"],
                 *(_complete([c, *row[1:]]) for c, rows in people.items() for row in rows)]}
    if waivers is not None:
        sheets["豁免"] = [["规则", "社区编码", "理由", "批准人", "批准文号", "有效期至"], *waivers]
    return write_xlsx(path, sheets)
