"""The command line with workbooks (formats.md §5): a workbook in, a workbook, CSV or page out."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from orgmodel.cli import main
from tests.helpers.workbooks import FIXTURES, person, small_roster

AS_OF = "2026-11-25"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_a_workbook_as_json() -> None:
    result = run("check", FIXTURES / "chongchuan.xlsx", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["summary"]["communities"] == 100


def test_check_writes_an_xlsx_report(tmp_path: Path) -> None:
    output = tmp_path / "检查结果.xlsx"
    result = run("check", FIXTURES / "chongchuan-messy.xlsx", "--as-of", AS_OF, "--format", "xlsx", "-o", output)
    assert result.exit_code == 1, result.output
    assert openpyxl.load_workbook(output, read_only=True).sheetnames == ["汇总", "招聘需求", "问题清单", "区域级问题", "社区明细",
                                                                       "读取说明"]


def test_xlsx_report_needs_an_output_file() -> None:
    result = run("check", FIXTURES / "chongchuan.xlsx", "--format", "xlsx")
    assert result.exit_code == 2
    assert "--format xlsx 生成工作簿,请用 -o 指定文件" in result.output


def test_csv_and_html_to_stdout() -> None:
    csv_result = run("check", FIXTURES / "chongchuan.xlsx", "--as-of", AS_OF, "--format", "csv")
    assert csv_result.exit_code == 1
    assert csv_result.stdout_bytes.startswith(b"\xef\xbb\xbf\xe7\xa4\xbe\xe5\x8c\xba\xe7\xbc\x96\xe7\xa0\x81")  # BOM 社区编码
    html_result = run("check", FIXTURES / "chongchuan.xlsx", "--as-of", AS_OF, "--format", "html")
    assert html_result.exit_code == 1
    assert html_result.stdout.startswith("<!DOCTYPE html>")


def test_workbook_input_errors_exit_2_with_sheet_and_row(tmp_path: Path) -> None:
    path = small_roster(tmp_path / "r.xlsx", [person(1, unit="财务室")], above=[["花名册"], [None]])
    result = run("check", path, "--format", "json")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["input_errors"]
    assert [(e["code"], e["file"], e["sheet"], e["row"], e["column"]) for e in errors] == [
        ("unknown_unit", "r.xlsx", "人员", 4, "机构")]


def test_template_command(tmp_path: Path) -> None:
    output = tmp_path / "roster.xlsx"
    assert run("template", "-o", output).exit_code == 0
    assert "人员" in openpyxl.load_workbook(output, read_only=True).sheetnames
