"""The dashboard and a community page printed and on a phone, in a real Chromium: printed to
PDF on A4 (page.pdf) no word runs past the right margin (pdftotext -bbox reads where each word
is), laid out for print no element is wider than A4's printable width, and in a 375 px window
nothing overflows sideways (document.scrollingElement.scrollWidth ≤ the window's width)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.registry import groups, repository
from orgmodel.input import normalize, readers
from tests.pages.conftest import COUNTY, STREET_COMMUNITIES, Site, roster_zip
from tests.pages.test_browser import Visit

A4_WIDTH_PT = 595.28
MARGIN_PT = 12 / 25.4 * 72  # @page margin 12 mm left and right (api/static/pages.css)
PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)  # A4's printable width in CSS px
NARROW = 375
FACILITIES = [{"name": "党员活动室"}, {"name": "警务室"}, {"name": "卫生计生服务站"}, {"name": "村务公开栏"}]


@pytest.fixture(scope="module")
def stored(site: Site) -> str:
    roster, _ = normalize.load(readers.read_bytes(roster_zip(STREET_COMMUNITIES), "r.zip"))
    with site.sessions() as session:
        repository.import_roster(session, COUNTY, roster, "test")
        groups.replace_facilities(session, COUNTY, STREET_COMMUNITIES[0], FACILITIES,
                                  groups.get_facilities(session, COUNTY, STREET_COMMUNITIES[0]).version, "test")
        groups.replace_group(session, COUNTY, COUNTY, "崇川区“政社互动”领导小组",
                             [{"name": "钱某", "role": "组长", "office_title": "区委书记"}],
                             groups.get_group(session, COUNTY, COUNTY).version, "test")
    return STREET_COMMUNITIES[0]


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Visit]:
    v = Visit(browser, site)
    try:
        yield v
    finally:
        v.context.close()


def pages(community: str) -> list[tuple[str, str]]:
    return [("dashboard", "/dashboard"), ("community", f"/communities/{community}")]


def words_past_the_margin(pdf: Path) -> list[str]:
    """Each word of the PDF whose right edge lies past A4's right margin (or off the page)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    assert abs(width - A4_WIDTH_PT) < 1, width
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    assert len(words) > 20, "the PDF holds text"
    return [f"{text} (x {float(x_max):.1f} > {width - MARGIN_PT:.1f})" for _, x_max, text in words
            if float(x_max) > width - MARGIN_PT + 1.5]


def test_printed_on_a4_nothing_is_cut_at_the_right_edge(visit: Visit, site: Site, stored: str,
                                                         tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: apt-get install -y poppler-utils")
    visit.sign_in(site.keys[(COUNTY, "admin")])
    for name, path in pages(stored):
        visit.go(path)
        visit.page.wait_for_load_state("networkidle")
        pdf = tmp_path / f"{name}.pdf"
        visit.page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        assert words_past_the_margin(pdf) == [], name
        visit.page.emulate_media(media="print")
        visit.page.set_viewport_size({"width": PRINTABLE_PX, "height": 1000})
        wide = visit.page.evaluate("""(limit) => [...document.querySelectorAll('main *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > limit + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                                   PRINTABLE_PX)
        assert wide == [], name
        assert visit.page.evaluate("document.scrollingElement.scrollWidth") <= PRINTABLE_PX, name
        visit.page.emulate_media(media="null")  # back to no emulation: page.pdf prints with print media
        visit.page.set_viewport_size({"width": 1366, "height": 768})


def test_in_a_375_px_window_nothing_overflows_sideways(visit: Visit, site: Site, stored: str) -> None:
    visit.sign_in(site.keys[(COUNTY, "admin")])
    visit.page.set_viewport_size({"width": NARROW, "height": 800})
    for name, path in [*pages(stored), ("upload", "/upload"), ("rules", "/rules"), ("downloads", "/downloads")]:
        visit.go(path)
        visit.page.wait_for_load_state("networkidle")
        width = visit.page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= NARROW, f"{name}: {width} px wide in a {NARROW} px window"
        if name in ("dashboard", "community"):
            visit.shot(f"narrow-{name}")
