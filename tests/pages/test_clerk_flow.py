"""The clerk's whole flow in a real Chromium with the office's own file: the natural one-sheet
花名册 (tests/fixtures/natural/huamingce.xlsx: no codes, the unit written in the post title)
uploaded with errors (LibreOffice's GB18030 CSV of it, two cells mistyped) → the located errors
→ the fixed workbook → how it was read (读取说明: the column mapping) → preview → confirm → the
dashboard and a community page show it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.pages.conftest import STREET, Site
from tests.pages.test_browser import Visit

HUAMINGCE = Path(__file__).parents[1] / "fixtures" / "natural" / "huamingce.xlsx"
HUAMINGCE_CSV = Path(__file__).parents[1] / "fixtures" / "natural" / "huamingce-gb18030.csv"


def mistyped() -> bytes:
    """The office's CSV with 学历 and 是否专职 mistyped on the 4th and 5th people (lines 7 and 8)."""
    text = HUAMINGCE_CSV.read_bytes().decode("gb18030")
    text = text.replace('"刘芳","女","1986.07","中共党员","本科"', '"刘芳","女","1986.07","中共党员","研究僧"', 1)
    text = text.replace('"党总支委员","兼职",13905186945', '"党总支委员","大概",13905186945', 1)
    return text.encode("gb18030")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Visit]:
    v = Visit(browser, site)
    try:
        yield v
    finally:
        v.context.close()


def test_the_natural_huamingce_from_upload_to_the_community_page(visit: Visit, site: Site) -> None:
    page = visit.page
    visit.sign_in(site.keys[("320602", "editor")])
    visit.go("/upload")
    page.set_input_files("#file", files=[{"name": "花名册.csv", "mimeType": "text/csv", "buffer": mistyped()}])
    page.select_option("#region", STREET)
    page.click("main button[type=submit]")
    errors = page.inner_text("main table")
    for where in (("学历", "研究僧", "7"), ("是否专职", "大概", "8")):
        line = next((row for row in errors.splitlines() if where[1] in row), "")
        assert "花名册.csv" in line and where[0] in line and f"\t{where[2]}\t" in line, (where, errors)
    assert "预览" not in page.inner_text("h1")
    visit.shot("natural-errors")
    visit.go("/upload")
    page.set_input_files("#file", files=[{"name": "花名册.xlsx", "mimeType": XLSX, "buffer": HUAMINGCE.read_bytes()}])
    page.select_option("#region", STREET)
    page.click("main button[type=submit]")
    assert "预览" in page.inner_text("h1")
    main = page.inner_text("main")
    # how the file was read: the header row, the columns mapped, the post titles split by unit
    assert "读取说明" in main
    notes = page.locator("h2:has-text('读取说明') + section").inner_text()
    assert "第3行为表头" in notes and "所在社区" in notes and "职务" in notes
    assert "党总支书记兼居委会主任 → 党组织·书记 + 居(村)委会·主任" in notes
    assert "将新增 5 个社区" in main
    visit.shot("natural-preview")
    page.click("text=确认导入")
    assert "已导入" in page.inner_text("h1")

    visit.go("/dashboard")
    chips = page.locator("a.chip")
    names = [chips.nth(i).inner_text() for i in range(chips.count())]
    for name in ("桂花苑社区", "幸福里社区", "东港社区", "严家村", "陈桥村"):
        assert any(name in shown for shown in names), (name, names)
    visit.shot("natural-dashboard")

    page.locator("a.chip", has_text="桂花苑社区").first.click()
    page.wait_for_url("**/communities/*")
    assert "桂花苑社区" in page.inner_text("h1")
    assert page.locator(".chart svg").count() == 1
    people = page.inner_text("main")
    assert "党组织" in people or "书记" in people
    visit.shot("natural-community")
    assert f"/communities/{quote('桂花苑社区')}" in page.url
    assert visit.foreign() == []
