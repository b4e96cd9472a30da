"""No cell of a report becomes a formula because of user text (issue 3 §3): a property test
over names and ids a roster could hold, through the real check and the real writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel.check import check
from orgmodel.injection import TRIGGERS, neutralise
from orgmodel.input import normalize
from orgmodel.input.raw import RawRoster, RawTable, text_frame
from orgmodel.report.csv import write_csv_report
from orgmodel.report.figures import build_report
from orgmodel.report.xlsx import HEADER_ROW, write_xlsx_report
from orgmodel.rules.pack import load_pack

PACK = load_pack("nantong")
# Text as a roster may hold it: any character XML can carry, often starting like a formula.
CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
PLAIN = st.text(CHARACTERS, min_size=1, max_size=20).map(str.strip).filter(bool)
USER_TEXT = st.one_of(
    st.tuples(st.sampled_from(TRIGGERS), st.sampled_from(["1+1", "SUM(A1:A9)", "HYPERLINK(\"http://x\")", "cmd|' /C calc'!A0",
                                                          "2", "", "张三"]), PLAIN).map("".join),
    PLAIN,
).filter(lambda t: t.strip() == t and t != "")


def _table(name: str, columns: dict[str, list[str | None]]) -> RawTable:
    n = len(next(iter(columns.values())))
    return RawTable(name, text_frame(columns, list(range(2, n + 2)), [None] * n), file=f"{name}.csv")


def roster(community_id: str, community_name: str, person: str, person_name: str) -> RawRoster:
    """One community with one underpaid secretary: findings name the community and the person."""
    return RawRoster("roster", {
        "regions": _table("regions", {"id": ["R"], "level": ["街道"], "min_wage_monthly_yuan": ["2280"]}),
        "communities": _table("communities", {"id": [community_id], "name": [community_name], "region": ["R"],
                                              "kind": ["城市"], "households": ["600"]}),
        "appointments": _table("appointments", {"community": [community_id], "person": [person], "name": [person_name],
                                                "unit": ["党组织"], "role": ["书记"], "full_time": ["是"],
                                                "monthly_pay_yuan": ["100"]}),
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(USER_TEXT, USER_TEXT, USER_TEXT, USER_TEXT)
def test_no_formula_from_user_text(community_id: str, community_name: str, person: str, person_name: str) -> None:
    data, _ = normalize.load(roster(community_id, community_name, person, person_name))
    result = check(data, PACK, dt.date(2026, 11, 25))
    parts = build_report(result)
    user_text = {community_id, community_name, person, person_name}

    book_bytes = io.BytesIO()
    write_xlsx_report(result, parts, book_bytes)
    with zipfile.ZipFile(io.BytesIO(book_bytes.getvalue())) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(io.BytesIO(book_bytes.getvalue()))
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)  # stays text when edited
                if cell.value in user_text:
                    seen.add(cell.value)
                    assert cell.data_type == "s"
    assert {community_id, community_name} <= seen  # written unchanged, as text

    csv_bytes = io.BytesIO()
    write_csv_report(result, parts, csv_bytes)
    table = list(csv.reader(io.StringIO(csv_bytes.getvalue().decode("utf-8-sig"))))
    header = table[0]
    for record in table[1:]:
        for value in record:
            assert not value.startswith(TRIGGERS), value
        assert record[header.index("社区编码")] == neutralise(community_id)
        assert record[header.index("社区名称")] == neutralise(community_name)


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    data, _ = normalize.load(roster("C1", "=1+1", "P1", "-张三"))
    result = check(data, PACK, dt.date(2026, 11, 25))
    path = tmp_path / "r.xlsx"
    write_xlsx_report(result, build_report(result), path)
    sheet = openpyxl.load_workbook(path)["问题清单"]
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    body = range(HEADER_ROW + 2, sheet.max_row + 1)
    shortfalls = [sheet.cell(row=i, column=header.index("缺额(人)") + 1) for i in body]
    assert shortfalls and all(c.data_type == "n" for c in shortfalls)
    names = [sheet.cell(row=i, column=header.index("社区名称") + 1) for i in body]
    assert all(c.value == "=1+1" and c.data_type == "s" and c.quotePrefix for c in names)
