"""The book of a region: one PDF, the overview first, then one A4-sized page per community."""

from __future__ import annotations

import io

import polars as pl
from pypdf import PdfReader

from orgmodel.charts import region_book

from ._charts import DISTRICT, checked

A4 = (8.27 * 72, 11.69 * 72)


def test_a_street_book_has_the_overview_then_a_page_per_community() -> None:
    result = checked(DISTRICT)
    book = PdfReader(io.BytesIO(region_book(result, "320602001")))
    communities = result.roster.communities.filter(pl.col("region") == "320602001").sort("id")
    assert len(book.pages) == 1 + communities.height
    assert "和平桥街道 社区配备概览" in book.pages[0].extract_text()
    for page, (cid, name) in zip(book.pages[1:], communities.select("id", "name").iter_rows(), strict=True):
        text = page.extract_text()
        assert f"{name} 组织架构图" in text and cid in text
        assert float(page.mediabox.width) <= A4[0] and float(page.mediabox.height) <= A4[1]
