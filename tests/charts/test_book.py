"""The book of a region: one PDF, the overview first, then one A4-sized page per community."""

from __future__ import annotations

import io

import polars as pl
from pypdf import PdfReader

from orgmodel.charts import region_book

from ._charts import DISTRICT, checked

A4 = (595.28, 841.89)  # 210 × 297 mm in points


def test_a_street_book_has_the_overview_then_a_page_per_community() -> None:
    result = checked(DISTRICT)
    book = PdfReader(io.BytesIO(region_book(result, "320602001")))
    communities = result.roster.communities.filter(pl.col("region") == "320602001").sort("id")
    assert len(book.pages) == 1 + communities.height
    assert "和平桥街道 社区配备概览" in book.pages[0].extract_text()
    for page, (cid, name) in zip(book.pages[1:], communities.select("id", "name").iter_rows(), strict=True):
        text = page.extract_text()
        assert f"{name} 组织架构图" in text and cid in text
        assert float(page.mediabox.width) <= A4[0] + 0.01 and float(page.mediabox.height) <= A4[1] + 0.01


def test_every_page_of_a_book_is_a_sheet_of_a4() -> None:
    """Issue 11: pages came in a dozen sizes (363×792 pt, 368×792 pt …); now each community is
    on A4 portrait, centred, and the overview on A4 turned to its shape."""
    from orgmodel.charts.book import A4 as PAPER

    book = PdfReader(io.BytesIO(region_book(checked(DISTRICT), "320602001")))
    sizes = [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in book.pages]
    a4 = (round(PAPER[0], 1), round(PAPER[1], 1))
    assert set(sizes[1:]) == {a4}
    assert sizes[0] in (a4, a4[::-1])


def test_an_overview_too_big_for_a4_goes_on_a3_landscape() -> None:
    from pypdf import PageObject

    from orgmodel.charts.book import A3, MARGIN, on_paper, overview_paper
    from orgmodel.charts.book import A4 as PAPER

    district = PageObject.create_blank_page(width=1581, height=1407)  # the 100-community overview's drawing
    assert overview_paper(district) == A3
    sheet = on_paper(district, A3)
    assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (round(A3[1]), round(A3[0]))
    street = PageObject.create_blank_page(width=500, height=300)
    assert overview_paper(street) == PAPER
    small = on_paper(street, PAPER)  # never scaled up: the drawing keeps its size, centred
    assert float(small.mediabox.width) > float(small.mediabox.height)
    assert float(small.mediabox.width) >= 500 + 2 * MARGIN
