"""The xlsx report printed (issue 11): converted to PDF by LibreOffice headless as an office
would print it, every page A4 landscape, none blank, each sheet's header on each of its pages,
page numbers in the footer, and few pages.

Bounds, stated: a small roster (3 communities of one street) prints on exactly 6 pages, one
per sheet (汇总, 招聘需求, 问题清单, 区域级问题, 社区明细, 读取说明: 南通市's group lacks a deputy in
both). The 100-community example district prints on at most 19 (it printed on 44 before the
page setup: portrait, nothing fitted, mostly blank pages of cut-off columns): 1 汇总, 1 招聘需求,
at most 12 问题清单 (273 findings since issue 13's rules, 100 of them T5's one line per
community; 110 findings printed on 6), 1 区域级问题, at most 3 社区明细, 1 读取说明.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from orgmodel.check import check
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.report.xlsx import HEADER_ROW, write_xlsx_report
from orgmodel.roster import Roster
from orgmodel.rules.pack import load_pack
from tests.helpers.paths import ROOT
from tests.helpers.printing import A4_LANDSCAPE, is_size, page_sizes, page_texts, soffice_pdf, squeezed

DISTRICT = ROOT / "examples" / "chongchuan"
AS_OF = dt.date(2026, 11, 25)
SMALL = 3
PAGE_BOUNDS = {"small": {"汇总": 1, "招聘需求": 1, "问题清单": 1, "区域级问题": 1, "社区明细": 1, "读取说明": 1},
               "district": {"汇总": 1, "招聘需求": 1, "问题清单": 12, "区域级问题": 1, "社区明细": 3, "读取说明": 1}}
FOOTER = re.compile(r"第 (\d+) 页 共 (\d+) 页 (\S+)")


@cache
def _roster() -> Roster:
    return normalize.load(readers.read_roster(DISTRICT))[0]


def write_report(path: Path, communities: int | None) -> Path:
    roster = _roster()
    if communities is not None:
        roster = roster.restricted(roster.communities["id"].sort().head(communities).to_list())
    result = check(roster, load_pack("nantong"), AS_OF)
    write_xlsx_report(result, build_report(result), path, written=AS_OF)
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name → (workbook, its PDF), both printed in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("print")
    books = {"small": write_report(folder / "small.xlsx", SMALL), "district": write_report(folder / "district.xlsx", None)}
    pdfs = soffice_pdf(list(books.values()), folder)
    return {name: (book, pdf) for (name, book), pdf in zip(books.items(), pdfs, strict=True)}


def headers(book: Path) -> dict[str, list[str]]:
    """Each sheet's printed header labels, as the workbook holds them (two rows on 社区明细)."""
    workbook = openpyxl.load_workbook(book)
    out = {}
    for sheet in workbook.worksheets:
        area = sheet.print_area[0] if isinstance(sheet.print_area, list) else sheet.print_area
        last_col = openpyxl.utils.cell.range_boundaries(area.split("!")[-1].replace("$", ""))[2]
        rows = [HEADER_ROW + 1] + ([HEADER_ROW + 2] if sheet.title == "社区明细" else [])
        out[sheet.title] = [str(sheet.cell(row=r, column=c).value) for r in rows for c in range(1, last_col + 1)
                            if sheet.cell(row=r, column=c).value is not None]
    return out


def sheets_of(texts: list[str]) -> list[str]:
    """The sheet each page belongs to, from its footer (第 N 页 共 M 页, then the sheet's name)."""
    names = []
    for number, text in enumerate(texts, start=1):
        footer = FOOTER.search(text)
        assert footer, f"page {number} has no 第 N 页 共 M 页 footer: {text[:200]!r}"
        assert (int(footer[1]), int(footer[2])) == (number, len(texts))
        names.append(footer[3])
    return names


@pytest.mark.parametrize("name", ["small", "district"])
def test_every_page_is_a4_landscape(printed: dict[str, tuple[Path, Path]], name: str) -> None:
    sizes = page_sizes(printed[name][1])
    assert sizes and all(is_size(s, A4_LANDSCAPE) for s in sizes), sizes


@pytest.mark.parametrize("name", ["small", "district"])
def test_page_count_within_the_stated_bound(printed: dict[str, tuple[Path, Path]], name: str) -> None:
    per_sheet: dict[str, int] = {}
    for sheet in sheets_of(page_texts(printed[name][1])):
        per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
    assert set(per_sheet) == set(PAGE_BOUNDS[name])
    assert all(per_sheet[s] <= bound for s, bound in PAGE_BOUNDS[name].items()), per_sheet


@pytest.mark.parametrize("name", ["small", "district"])
def test_header_row_on_every_page_and_no_blank_page(printed: dict[str, tuple[Path, Path]], name: str) -> None:
    book, pdf = printed[name]
    labels = headers(book)
    texts = page_texts(pdf)
    for number, (sheet, text) in enumerate(zip(sheets_of(texts), texts, strict=True), start=1):
        page = squeezed(text)
        missing = [h for h in labels[sheet] if squeezed(h) not in page]
        assert not missing, f"page {number} ({sheet}) lacks the header labels {missing}"
        body = squeezed(FOOTER.sub("", text))
        for label in sorted(set(labels[sheet]), key=len, reverse=True):
            body = body.replace(squeezed(label), "")
        assert len(body) > 20, f"page {number} ({sheet}) is blank but for its header and footer: {body!r}"


def test_title_and_reporting_line_on_each_sheets_first_page(printed: dict[str, tuple[Path, Path]]) -> None:
    texts = page_texts(printed["small"][1])
    for sheet, text in zip(sheets_of(texts), texts, strict=True):
        page = squeezed(text)
        assert f"和平桥街道社区配备检查报告——{sheet}" in page
        assert "填报单位(盖章):" in page and "检查日期:2026-11-25" in page and "规则包:nantongv1" in page
        assert "填报日期:2026-11-25" in page
