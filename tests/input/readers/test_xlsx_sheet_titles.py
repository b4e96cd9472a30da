"""One sheet per community, named Sheet1…: the title row names the community (formats.md §2).
Titles carry a year as often as not (2024年度…花名册); the year is no part of the name."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from orgmodel.input import normalize, readers
from orgmodel.input.readers.xlsx import _Sheet, sheet_community

TITLES = [
    ("城东街道桂花苑社区工作者花名册", "桂花苑社区"),
    ("桂花苑社区工作人员名单", "桂花苑社区"),
    ("2024年度桂花苑社区工作人员花名册", "桂花苑社区"),
    ("2024年桂花苑社区花名册", "桂花苑社区"),
    ("2024年第三季度严家村村干部花名册", "严家村"),
    ("城东街道2024年桂花苑社区花名册", "桂花苑社区"),
    ("XX镇2024年度陈桥村工作人员名单", "陈桥村"),
    ("２０２４年度幸福里社区花名册", "幸福里社区"),
    ("南通市崇川区城东街道桂花苑社区花名册", "桂花苑社区"),
    ("桂花苑社区2024年花名册", "桂花苑社区"),
    ("东港社区居委会工作人员名单", "东港社区"),
    ("陈桥村委会成员名单", "陈桥村"),
    ("社区工作者花名册", None),  # names no community: a missing column, said as such
]


@pytest.mark.parametrize(("title", "community"), TITLES, ids=[t for t, _ in TITLES])
def test_title_row_names_the_community(title: str, community: str | None) -> None:
    sheet = _Sheet("Sheet1", [[title, "", ""], ["姓名", "职务", "是否专职"], ["张三", "书记", "专职"]], [])
    assert sheet_community(sheet, 1) == community


def test_sheets_titled_with_a_year_are_their_communities(tmp_path: Path) -> None:
    path = tmp_path / "2024年花名册.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for title, name in (("2024年度桂花苑社区工作人员花名册", "张建国"), ("2024年度严家村工作人员花名册", "严卫东")):
        sheet = book.add_worksheet()
        sheet.merge_range(0, 0, 0, 2, title)
        sheet.write_row(1, 0, ["姓名", "职务", "是否专职"])
        sheet.write_row(2, 0, [name, "党支部书记", "专职"])
    book.close()
    roster, _ = normalize.load(readers.read_roster(path))
    assert roster.communities["id"].to_list() == ["桂花苑社区", "严家村"]
    assert roster.communities["kind"].to_list() == ["urban", "rural"]
