"""Reports for people (issue 3 §3): the xlsx workbook, the findings CSV and the HTML page, all
from the same check, with the same figures as the JSON report."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from orgmodel.check import CheckResult
from orgmodel.csv_report import write_csv_report
from orgmodel.html_report import render_html
from orgmodel.report import build_report
from orgmodel.report_tables import FINDING_COLUMNS, community_detail, plan_label
from orgmodel.rules.messages import readable
from orgmodel.xlsx_report import HEADER_ROW, write_xlsx_report

from ._workbooks import DISTRICT_CSV, checked

SHEETS = ["汇总", "招聘需求", "问题清单", "社区明细", "读取说明"]


@cache
def district() -> tuple[CheckResult, dict[str, Any]]:
    result = checked(DISTRICT_CSV)
    return result, json.loads(build_report(result).to_bytes())


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    result, _ = district()
    path = tmp_path_factory.mktemp("report") / "检查结果.xlsx"
    write_xlsx_report(result, build_report(result), path)
    return openpyxl.load_workbook(path)


def rows(sheet: Any) -> list[tuple[Any, ...]]:
    """The table of a sheet: its header row, then the rows below it (not the title above)."""
    return [r for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if any(v is not None for v in r)]


def test_xlsx_has_the_four_sheets(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == SHEETS


def test_findings_sheet(workbook: openpyxl.Workbook) -> None:
    _, report = district()
    sheet = workbook["问题清单"]
    table = rows(sheet)
    assert list(table[0]) == list(FINDING_COLUMNS.values())
    assert len(table) - 1 == len(report["findings"])
    top = HEADER_ROW + 1
    assert sheet.freeze_panes == f"C{top + 1}"
    assert sheet.auto_filter.ref == f"A{top}:T{top + len(table) - 1}"
    by_header = dict(zip(table[0], zip(*table[1:], strict=True), strict=True))
    assert list(by_header["规则"]) == [f["rule_id"] for f in report["findings"]]
    assert list(by_header["问题描述"]) == [readable(f["message"]) for f in report["findings"]]
    assert list(by_header["缺额(人)"]) == [f["shortfall"] for f in report["findings"]]
    severity = table[0].index("严重程度") + 1
    fills = {sheet.cell(row=i, column=severity).value: sheet.cell(row=i, column=severity).fill.fgColor.rgb
             for i in range(top + 1, top + len(table))}
    assert fills["错误"] != fills["警告"] != fills["提示"]


def test_summary_sheet(workbook: openpyxl.Workbook) -> None:
    _, report = district()
    table = rows(workbook["汇总"])
    header, total = table[0], dict(zip(table[0], table[1], strict=True))
    assert header[:9] == ("层级", "区域编码", "区域名称", "上级编码", "社区数", "合规", "资料不全", "存在问题", "合规率")
    summary = report["summary"]
    assert (total["社区数"], total["合规"], total["错误"], total["警告"]) == (
        summary["communities"], summary["compliant"], summary["findings"]["error"], summary["findings"]["warning"])
    assert total["合规率"] == pytest.approx(summary["compliant"] / summary["communities"])
    streets = [dict(zip(header, r, strict=True)) for r in table[2:] if r[0] == "街道乡镇"]
    assert sum(s["社区数"] for s in streets) == summary["communities"]
    regional = sum(f["severity"] == "error" and f["community_id"] is None for f in report["findings"])
    assert regional == 1  # LG3: 南通市's group lacks a deputy; a city's finding, in no street
    assert sum(s["错误"] for s in streets) == summary["findings"]["error"] - regional


def test_hiring_plan_totals_are_the_reports(workbook: openpyxl.Workbook) -> None:
    _, report = district()
    table = rows(workbook["招聘需求"])
    totals = dict(zip(table[0], table[-1], strict=True))
    assert totals["区域编码"] == "合计"
    expected = {plan_label(k): v for k, v in report["summary"]["shortfall_by_role"].items()}
    assert {k: totals[k] for k in expected} == expected
    assert totals["合计"] == sum(expected.values())
    streets = {r[0] for r in table[1:-1]}
    assert streets == {r["id"] for r in report["regions"] if r["level"] == "street"}


def test_community_detail_counts_are_the_findings() -> None:
    """Wherever a counting rule made a finding, the detail shows the count it was made from."""
    result, report = district()
    frame, measures = community_detail(result)
    assert frame.height == report["summary"]["communities"]
    by_rule: dict[str, list[Any]] = {}
    for m in measures:
        by_rule.setdefault(m.rule_id, []).append(m)
    detail = {r["社区编码"]: r for r in frame.iter_rows(named=True)}
    compared = 0
    for f in report["findings"]:
        if f["rule_id"] not in by_rule or f["actual"] is None or f["detail"] == "part_time" or f["missing_field"]:
            continue
        candidates = by_rule[f["rule_id"]]
        row = detail[f["community_id"]]
        assert any(row[m.actual] == f["actual"] for m in candidates), (f, [row[m.actual] for m in candidates])
        if f["required_min"] is not None:
            assert any(row[m.minimum] == f["required_min"] for m in candidates), f
        compared += 1
    assert compared > 20


def test_community_detail_sheet_marks_the_short(workbook: openpyxl.Workbook) -> None:
    """Two header rows: each measure's label over its 现有 | 应有 pair."""
    sheet = workbook["社区明细"]
    labels, header = ([c.value for c in sheet[HEADER_ROW + 1]], [c.value for c in sheet[HEADER_ROW + 2]])
    assert header[:6] == ["社区编码", "社区名称", "区域编码", "类型", "户数", "状态"]
    column = labels.index(next(h for h in labels if h and h.startswith("G3"))) + 1
    assert (header[column - 1], header[column]) == ("现有", "应有")
    required = column + 1
    marked = [sheet.cell(row=i, column=column).fill.fgColor.rgb for i in range(HEADER_ROW + 3, sheet.max_row + 1)
              if isinstance(sheet.cell(row=i, column=column).value, int)
              and sheet.cell(row=i, column=column).value < int(str(sheet.cell(row=i, column=required).value).lstrip("≥"))]
    assert marked and all(rgb.endswith("F8CBAD") for rgb in marked)


def test_csv_is_utf8_with_bom_and_the_findings(tmp_path: Path) -> None:
    result, report = district()
    path = tmp_path / "findings.csv"
    write_csv_report(result, build_report(result), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == list(FINDING_COLUMNS.values())
    assert len(table) - 1 == len(report["findings"])
    shortfall = table[0].index("缺额(人)")
    assert [r[shortfall] for r in table[1:]] == [str(f["shortfall"]) for f in report["findings"]]


def test_html_is_self_contained_chinese_with_a_filter() -> None:
    result, report = district()
    page = render_html(result, build_report(result))
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # no external request
    assert "@import" not in page and "url(" not in page
    assert 'id="filter"' in page and "applyFilter" in page
    assert page.count('class="community ') == report["summary"]["communities"]
    for f in report["findings"][:20]:
        assert f["message"].replace("“", "“") in page
    for key in report["summary"]["shortfall_by_role"]:
        assert plan_label(key) in page


def test_html_escapes_roster_text(tmp_path: Path) -> None:
    from orgmodel.html_report import _e

    assert _e('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
