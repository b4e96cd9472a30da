"""`orgmodel template` (issue 3 §2): the empty workbook has every sheet, header, drop-down and
the 填表说明, and once filled in reads back without error."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from orgmodel import vocabulary
from orgmodel.cli import main
from orgmodel.input import normalize, readers
from orgmodel.template import GUIDE_SHEET, SHEETS
from tests.helpers.workbooks import checked, input_errors


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "roster.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_every_sheet_with_its_headers(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [GUIDE_SHEET, *(vocabulary.TABLE_NAMES[t][0] for t in SHEETS)]
    for table in SHEETS:
        sheet = book[vocabulary.TABLE_NAMES[table][0]]
        headers = [c.value for c in sheet[1]]
        assert headers == [vocabulary.header_label(table, c) for c in vocabulary.template_columns(table)]
        assert sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])


def test_drop_downs(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["人员"]
    by_column = {str(dv.sqref).split(":")[0][0]: dv for dv in sheet.data_validations.dataValidation}
    headers = {c.value: c.column_letter for c in sheet[1]}
    assert "专职调解员" in by_column[headers["职务"]].formula1
    assert "社区综治办" in by_column[headers["机构"]].formula1
    assert by_column[headers["专职"]].formula1 == '"是,否"'
    assert by_column[headers["专职"]].errorStyle in (None, "stop")  # yes/no refuses anything else
    assert by_column[headers["职务"]].errorStyle == "warning"  # 书记兼主任 and 网格员 must stay possible
    assert "本科" in by_column[headers["学历"]].formula1
    community = openpyxl.load_workbook(template)["社区"]
    kinds = [dv for dv in community.data_validations.dataValidation if "城市" in (dv.formula1 or "")]
    assert kinds and kinds[0].formula1 == '"城市,农村"'


def test_id_columns_are_text_and_dates_are_dates(template: Path) -> None:
    """Typed into a text column, an 18-digit 身份证号 stays as it was typed."""
    sheet = openpyxl.load_workbook(template)["人员"]

    def column_format(index: int) -> str:
        for dimension in sheet.column_dimensions.values():
            if dimension.min is not None and dimension.min <= index <= (dimension.max or dimension.min):
                return str(dimension.number_format)
        return "General"

    headers = [c.value for c in sheet[1]]
    assert column_format(headers.index("人员编号") + 1) == "@"
    assert column_format(headers.index("社区编码") + 1) == "@"
    assert column_format(headers.index("任职开始") + 1) == "yyyy-mm-dd"
    assert column_format(headers.index("姓名") + 1) == "General"


def test_guide_explains_every_column_and_code(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)[GUIDE_SHEET]
    text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    for table in SHEETS:
        for column in vocabulary.template_columns(table):
            assert vocabulary.header_label(table, column) in text
    for code in [*vocabulary.UNITS, *vocabulary.ROLES, *vocabulary.EDUCATION]:
        assert code in text


def test_filled_template_reads_back_without_error(template: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(template)
    book["区域"].append(["320602001", "和平桥街道", "街道乡镇", None, 2280])
    book["社区"].append(["320602001001", "虹桥社区", "320602001", "城市", 600, 1500, "否", 30000])
    people = [("P01", "张建国", "社区党组织", "书记兼主任"), ("P02", "李秀英", "社区党组织", "委员"),
              ("P03", "王伟", "社区综治办", "专职调解员"), ("P04", "110105199001011234", "社区综治办", "网格员")]
    for person, name, unit, role in people:
        book["人员"].append(["320602001001", person, name, unit, role, "是", "本科", "否", "否", 3000, "2024-01-01",
                           None, "女"])
    book["豁免"].append(["G3", "320602001001", "调解员在招", "王立新", "崇民〔2026〕1号", "2026-12-31"])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    assert input_errors(filled) == []
    raw = readers.read_roster(filled)
    assert raw.tables["waivers"].frame.height == 1
    roster, _ = normalize.load(raw)
    assert roster.appointments.height == 5  # 书记兼主任 is two posts
    assert {f for f in checked(filled).findings["rule_id"].to_list()} >= {"S2", "G3"}
