"""The HTML report printed (issue 11): its print stylesheet, and the page printed to PDF by
Chromium headless as a browser would print it: A4, none blank, page numbers, each
community's heading on the page of its findings, the table header on every page of findings.

Bound, stated: the 100-community example district prints on at most 30 A4 pages (15 when
written with 110 findings; 24 since issue 13's rules give it 273: T5's workload figure in every
community, P2, FC1, A3); 3 communities on at most 3.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest

from orgmodel.check import CheckResult, check
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.report.html import render_html
from orgmodel.report.tables import findings_table
from orgmodel.rules.pack import load_pack
from tests.helpers.paths import ROOT
from tests.helpers.printing import A4_PORTRAIT, chromium_pdf, is_size, page_sizes, poppler_texts, squeezed

AS_OF = dt.date(2026, 11, 25)
BOUNDS = {"small": 3, "district": 30}
FOOTER = re.compile(r"第(\d+)页共(\d+)页")


@cache
def result(name: str) -> CheckResult:
    roster = normalize.load(readers.read_roster(ROOT / "examples" / "chongchuan"))[0]
    if name == "small":
        roster = roster.restricted(roster.communities["id"].sort().head(3).to_list())
    return check(roster, load_pack("nantong"), AS_OF)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    out = {}
    for name in BOUNDS:
        page = folder / f"{name}.html"
        page.write_text(render_html(result(name), build_report(result(name))), encoding="utf-8")
        out[name] = chromium_pdf(page, folder / f"{name}.pdf")
    return out


def test_print_stylesheet() -> None:
    page = render_html(result("small"), build_report(result("small")))
    assert "@page{size:A4" in page and "@media print{" in page
    assert "thead{display:table-header-group}" in page
    assert "h1,h2,h3{break-after:avoid" in page
    assert ".community{break-inside:avoid" in page and "h2.findings{break-before:page" in page
    assert ".controls{display:none}" in page and '<p class="controls">' in page
    assert 'counter(page) " 页 共 " counter(pages)' in page


def test_title_text_cannot_leave_the_stylesheet() -> None:
    from orgmodel.report.html import css_string

    text = css_string('崇川区"}</style><script>alert(1)</script>')
    assert text.startswith('"崇川区') and '"' not in text[1:-1] and "<" not in text and "}" not in text


@pytest.mark.parametrize("name", list(BOUNDS))
def test_pages_a4_numbered_none_blank_within_bound(printed: dict[str, Path], name: str) -> None:
    sizes = page_sizes(printed[name])
    assert 1 <= len(sizes) <= BOUNDS[name]
    assert all(is_size(s, A4_PORTRAIT) for s in sizes), sizes
    texts = [squeezed(t) for t in poppler_texts(printed[name])]
    for number, text in enumerate(texts, start=1):
        footer = FOOTER.search(text)
        assert footer and (int(footer[1]), int(footer[2])) == (number, len(texts)), text[:200]
        assert len(FOOTER.sub("", text)) > 100, f"page {number} is nearly blank"


def test_heading_with_its_findings_and_header_on_every_page(printed: dict[str, Path]) -> None:
    data = result("district")
    table = findings_table(data, build_report(data))
    texts = [squeezed(t) for t in poppler_texts(printed["district"])]
    first = {}
    for row in table.iter_rows(named=True):
        first.setdefault(row["社区编码"], squeezed(row["问题描述"])[:12])
    names = dict(data.roster.communities.select("id", "name").iter_rows())
    start = next(i for i, t in enumerate(texts) if "问题清单(按社区)" in t)
    for community, name in names.items():
        heading = squeezed(f"{community} {name}")
        pages = [i for i, t in enumerate(texts) if heading in t and i >= start]
        assert pages, f"{community} has no heading"
        body = first.get(community, "没有发现问题。")
        assert body in texts[pages[0]], f"{community}: its heading and its first finding are on different pages"
    for number, text in enumerate(texts[start:], start=start + 1):
        if "依据" in text or "没有发现问题" in text:
            assert "规则严重程度问题描述" in text, f"page {number} has findings without their header"
