"""Reports for people (issue 3 §3): the xlsx workbook, the findings CSV and the HTML page, all
from the same check, with the same figures as the JSON report."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import statistics
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from orgmodel import vocabulary
from orgmodel.check import CheckResult, check
from orgmodel.report.csv import write_csv_report
from orgmodel.report.figures import build_report
from orgmodel.report.html import render_html
from orgmodel.report.tables import (
    FINDING_COLUMNS,
    REGIONAL_HEADING,
    WORKLOAD_COLUMNS,
    community_detail,
    hiring_plan,
    plan_label,
    summary_table,
)
from orgmodel.report.xlsx import HEADER_ROW, write_xlsx_report
from orgmodel.rules.messages import readable
from tests.helpers.workbooks import DISTRICT_CSV, checked

SHEETS = ["汇总", "招聘需求", "问题清单", REGIONAL_HEADING, "社区明细", "读取说明"]


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


def test_xlsx_has_its_sheets(workbook: openpyxl.Workbook) -> None:
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
    from orgmodel.report.html import _e

    assert _e('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _regional_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["community_id"] is None]


def _region_names(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["name"] for r in report["regions"]}


def test_xlsx_region_level_findings_have_their_own_sheet(workbook: openpyxl.Workbook) -> None:
    """LG3 of 南通市's group is no community's: a sheet 区域级问题 after 问题清单, its region named,
    printed as the other sheets (A4 landscape, one page wide, the header repeated)."""
    _, report = district()
    regional = _regional_findings(report)
    assert regional
    assert workbook.sheetnames.index(REGIONAL_HEADING) == workbook.sheetnames.index("问题清单") + 1
    sheet = workbook[REGIONAL_HEADING]
    table = rows(sheet)
    by_header = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    names = _region_names(report)
    assert [(r["区域编码"], r["区域名称"], r["规则"], r["问题描述"]) for r in by_header] == [
        (f["region_id"], names[f["region_id"]], f["rule_id"], readable(f["message"])) for f in regional]
    assert [r["情形代码"] for r in by_header] == [f["detail"] for f in regional]
    assert all(r["情形"] == vocabulary.OFFICES[r["情形代码"]] for r in by_header if r["规则"].startswith("LG"))
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == f"${HEADER_ROW + 1}:${HEADER_ROW + 1}"
    assert sheet.cell(row=1, column=1).value.endswith(f"——{REGIONAL_HEADING}")


def test_xlsx_without_region_level_findings_has_no_such_sheet(tmp_path: Path) -> None:
    result, _ = district()
    roster = result.roster.restricted(result.roster.communities["id"].head(3).to_list())
    roster = dataclasses.replace(roster, leadership=roster.leadership.clear())
    small = check(roster, result.pack, result.as_of)
    assert small.findings.filter(pl.col("community_id").is_null()).is_empty()
    path = tmp_path / "small.xlsx"
    write_xlsx_report(small, build_report(small), path)
    assert REGIONAL_HEADING not in openpyxl.load_workbook(path).sheetnames


def test_summary_sheet_workload_per_region(workbook: openpyxl.Workbook) -> None:
    """工作事项数 最少/中位/最多 per region: the roll-up's `tasks_per_community`."""
    result, report = district()
    table = rows(workbook["汇总"])
    header = table[0]
    assert list(header[-3:]) == list(WORKLOAD_COLUMNS.values())
    by_region = {r[1]: dict(zip(header, r, strict=True)) for r in table[1:]}
    for region in report["regions"]:
        figures = region["tasks_per_community"]
        assert [by_region[region["id"]][h] for h in WORKLOAD_COLUMNS.values()] == [
            figures[k] for k in WORKLOAD_COLUMNS], region["id"]
    handed = Counter(result.roster.tasks["community"].to_list())
    counts = [handed.get(c, 0) for c in result.roster.communities["id"].to_list()]
    total = by_region[None]
    assert (total["工作事项数 最少"], total["工作事项数 最多"]) == (min(counts), max(counts))
    assert total["工作事项数 中位"] == statistics.median(counts)


def test_summary_without_tasks_has_no_workload_columns() -> None:
    result, _ = district()
    roster = dataclasses.replace(result.roster, tasks=result.roster.tasks.clear())
    bare = check(roster, result.pack, result.as_of)
    assert not set(WORKLOAD_COLUMNS.values()) & set(summary_table(bare, build_report(bare)).columns)


def test_html_region_level_section_and_workload() -> None:
    result, report = district()
    page = render_html(result, build_report(result))
    names = _region_names(report)
    regional = _regional_findings(report)
    blocks = re.findall(r'<div class="regional" data-region="([^"]+)"><h3>(.*?)</h3>(.*?)</div>', page)
    assert [b[0] for b in blocks] == sorted({f["region_id"] for f in regional})
    for region, heading, body in blocks:
        assert heading.startswith(f"{REGIONAL_HEADING} · {names[region]}")
        assert [m for m in re.findall(r"<tr class=\"\w+\"[^>]*><td>(\w+)</td>", body)] == [
            f["rule_id"] for f in regional if f["region_id"] == region]
    assert page.index(f'<h2 class="regional-findings">{REGIONAL_HEADING}</h2>') > page.rindex('class="community ')
    summary = page.split("<h2>汇总</h2>", 1)[1].split("<h2>", 1)[0]
    for header in WORKLOAD_COLUMNS.values():
        assert f"<th>{header}</th>" in summary
    district_row = re.search(r"<tr><td class=\"k\">区县</td><td class=\"k\">320602</td>.*?</tr>", summary)
    assert district_row
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", district_row[0])
    figures = next(r for r in report["regions"] if r["id"] == "320602")["tasks_per_community"]
    assert cells[-3:] == [str(figures[k]) for k in WORKLOAD_COLUMNS]


def test_officials_and_facilities_never_enter_the_hiring_plan() -> None:
    """The leadership group's officials and the facilities are no post of any community: with or
    without them, `shortfall_by_role` and the 招聘需求 are the same, and name no group role."""
    result, report = district()
    assert result.roster.leadership.height and result.roster.facilities.height
    roster = dataclasses.replace(result.roster, leadership=result.roster.leadership.clear(),
                                 facilities=result.roster.facilities.clear(), has_facilities=False)
    bare = check(roster, result.pack, result.as_of)
    bare_report = json.loads(build_report(bare).to_bytes())
    plan = report["summary"]["shortfall_by_role"]
    assert plan == bare_report["summary"]["shortfall_by_role"]
    assert [r["shortfall_by_role"] for r in report["regions"]] == [r["shortfall_by_role"] for r in bare_report["regions"]]
    assert hiring_plan(result).equals(hiring_plan(bare))
    assert {key.partition(".")[0] for key in plan} <= set(vocabulary.UNITS)  # community units only
    assert any(f["rule_id"] in ("FC1", "LG3") for f in report["findings"])
    assert not [f for f in report["findings"] if f["rule_id"] in ("FC1", "LG1", "LG2", "LG3", "LG4") and f["shortfall"]]
