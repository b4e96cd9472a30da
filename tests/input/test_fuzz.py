"""No input, however broken, ends in a traceback (issue 9): real workbooks and CSV files of
tests/fixtures/natural, mutated by hypothesis — cells, headers, rows, encodings, truncated
bytes, deleted or damaged zip members — give a report, or input errors that each carry a
code and a message in both languages. Nothing else may come out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel.check import check
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.helpers.street import FIXTURES

AS_OF = dt.date(2026, 11, 25)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PACK = load_pack("nantong")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def assert_report_or_located_errors(data: bytes, name: str, folder: Path) -> None:
    """The oracle: a JSON report, or RosterInputError whose every error has a code and messages;
    the same with --skip-invalid."""
    path = folder / name
    path.write_bytes(data)
    for skip_invalid in (False, True):
        try:
            roster, skipped = normalize.load(readers.read_roster(path), skip_invalid=skip_invalid)
        except RosterInputError as exc:
            assert exc.errors, "an input error with no errors in it"
            for error in exc.errors:
                assert error.code and error.message_zh and error.message_en, error
            continue
        assert build_report(check(roster, PACK, AS_OF, skipped=skipped)).to_bytes()


# --- what a person might type into a cell ------------------------------------------------------

NASTY = ["", " ", "合计", "小计:3人", "填表人:", "审核人:王立新", "3.20602E+17", "1.10105E+17", "320602198001011234",
         "书记兼", "兼", "、", "/", "委员", "财务室", "综治办主任", "调解员", "社区", "村", "是", "否", "专职", "男性", "-5",
         "1e308", "inf", "nan", "NaN", "2024-13-45", "2021.06", "45292", "０１２３", "2400户", "4,100", "=SUM(A1:A9)",
         '"', '""', ",", "\n", "\r\n", "\t", "\x00", "\ufeff", "\u202e", "\u200b", "𠀀", "a" * 3000, "姓名", "职务",
         "所在社区", "身份证号", "社区编码", "机构", "人员", "<b>", "&amp;", "]]>", "${x}", "NULL"]
CELLS = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
HEADERS = st.sampled_from(["姓名", "职务", "所在社区", "社区编码", "人员编号", "身份证号", "机构", "专职", "是否专职", "学历",
                           "民警", "性别", "月工资(元)", "任职开始", "任职结束", "序号", "", "社区名称", "类型", "户数"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "latin-1", "shift_jis"])


# --- CSV ---------------------------------------------------------------------------------------

CSV_SOURCE = (FIXTURES / "huamingce-gb18030.csv").read_bytes().decode("gb18030")
TEMPLATE_PEOPLE = (FIXTURES / "template" / "人员.csv").read_text(encoding="utf-8")
TEMPLATE_COMMUNITIES = (FIXTURES / "template" / "社区.csv").read_text(encoding="utf-8")


def _mutate_rows(draw: st.DrawFn, rows: list[list[str]], header_row: int) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 4))):
        if not rows:
            break
        op = draw(st.sampled_from(["cell", "header", "drop_row", "dup_row", "drop_column", "ragged", "blank_row"]))
        r = draw(st.integers(0, len(rows) - 1))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELLS)
        elif op == "header" and header_row < len(rows) and rows[header_row]:
            rows[header_row][draw(st.integers(0, len(rows[header_row]) - 1))] = draw(HEADERS)
        elif op == "drop_row":
            del rows[r]
        elif op == "dup_row":
            rows.insert(r, list(rows[r]))
        elif op == "drop_column" and rows[r]:
            j = draw(st.integers(0, len(rows[r]) - 1))
            for row in rows:
                if j < len(row):
                    del row[j]
        elif op == "ragged":
            rows[r] = rows[r][:draw(st.integers(0, len(rows[r])))] + draw(st.lists(CELLS, max_size=3))
        elif op == "blank_row":
            rows.insert(r, [])
    return rows


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # LibreOffice wrote \n; Excel writes \r\n
    return out.getvalue()


def _bytes_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(st.sampled_from(["none", "none", "truncate", "flip", "insert"]))
    if op == "truncate" and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if op == "flip" and data:
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if op == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    return data


def _encode(draw: st.DrawFn, text: str) -> bytes:
    return text.encode(draw(ENCODINGS), errors="replace")


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    rows = list(csv.reader(io.StringIO(CSV_SOURCE, newline="")))
    rows = _mutate_rows(draw, rows, header_row=2)
    return _bytes_mutation(draw, _encode(draw, _csv_text(rows)))


@given(data=mutated_csv(), name=st.sampled_from(["花名册.csv", "人员.csv", "社区.csv", "roster.CSV"]))
@FUZZ
def test_mutated_csv_gives_a_report_or_located_errors(workdir: Path, data: bytes, name: str) -> None:
    assert_report_or_located_errors(data, name, workdir)


@st.composite
def mutated_csv_zip(draw: st.DrawFn) -> bytes:
    """The template's 社区.csv and 人员.csv in a zip: cells, encodings, names (GBK or UTF-8, flagged or
    not), members deleted or doubled, and the archive's bytes."""
    files = {"社区.csv": TEMPLATE_COMMUNITIES, "人员.csv": TEMPLATE_PEOPLE}
    if draw(st.booleans()):
        target = draw(st.sampled_from(sorted(files)))
        rows = _mutate_rows(draw, list(csv.reader(io.StringIO(files[target], newline=""))), header_row=0)
        files[target] = _csv_text(rows)
    if draw(st.booleans()):
        del files[draw(st.sampled_from(sorted(files)))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            member = draw(st.sampled_from([name, f"花名册/{name}", name.upper(), "../" + name, "x/" * 3 + name]))
            archive.writestr(zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0)), _encode(draw, text))
        if draw(st.booleans()):
            archive.writestr("人员.csv.bak/人员.csv" if draw(st.booleans()) else "说明.txt", draw(st.binary(max_size=64)))
    data = buffer.getvalue()
    if draw(st.booleans()):  # the names as GBK bytes without the UTF-8 flag (zip tools on Chinese Windows)
        for name in ("社区.csv", "人员.csv"):
            utf8, gbk = name.encode("utf-8"), name.encode("gbk")
            data = data.replace(utf8, gbk.ljust(len(utf8), b"_"))
        data = data.replace(b"\x00\x08", b"\x00\x00")  # the UTF-8 flag bit, where the general-purpose flags hold it
    return _bytes_mutation(draw, data)


@given(data=mutated_csv_zip())
@FUZZ
def test_mutated_zip_of_csv_gives_a_report_or_located_errors(workdir: Path, data: bytes) -> None:
    assert_report_or_located_errors(data, "roster.zip", workdir)


# --- workbooks ---------------------------------------------------------------------------------

XlsxEdit = Callable[[st.DrawFn, dict[str, bytes]], None]


def _edit_xml(pattern: bytes, make: Callable[[st.DrawFn, re.Match[bytes]], bytes]) -> XlsxEdit:
    def edit(draw: st.DrawFn, members: dict[str, bytes]) -> None:
        candidates = sorted(name for name, data in members.items() if re.search(pattern, data))
        if not candidates:
            return
        name = draw(st.sampled_from(candidates))
        matches = list(re.finditer(pattern, members[name]))
        match = matches[draw(st.integers(0, len(matches) - 1))]
        data = members[name]
        members[name] = data[:match.start()] + make(draw, match) + data[match.end():]
    return edit


def _text(draw: st.DrawFn, match: re.Match[bytes]) -> bytes:
    value = draw(CELLS)
    escaped = escape(value) if draw(st.integers(0, 9)) else value  # now and then not escaped: broken XML
    return match.group(1) + escaped.encode("utf-8", "replace") + match.group(3)


def _number(draw: st.DrawFn, match: re.Match[bytes]) -> bytes:
    value = draw(st.one_of(st.sampled_from(["3.20602198001011E+17", "1E+308", "-1", "NaN", "", "abc", "45292.5",
                                            "99999999999999999999"]),
                           st.floats(allow_nan=True, allow_infinity=True).map(repr)))
    return match.group(1) + value.encode() + match.group(3)


def _delete_member(draw: st.DrawFn, members: dict[str, bytes]) -> None:
    if members:
        del members[draw(st.sampled_from(sorted(members)))]


def _truncate_member(draw: st.DrawFn, members: dict[str, bytes]) -> None:
    name = draw(st.sampled_from(sorted(members))) if members else None
    if name and members[name]:
        members[name] = members[name][:draw(st.integers(0, len(members[name]) - 1))]


def _garble_member(draw: st.DrawFn, members: dict[str, bytes]) -> None:
    name = draw(st.sampled_from(sorted(members))) if members else None
    if name:
        members[name] = _bytes_mutation(draw, members[name]) if draw(st.booleans()) else draw(st.binary(max_size=200))


TEXT = rb"(<(?:\w+:)?t(?: [^>]*)?>)([^<]*)(</(?:\w+:)?t>)"  # shared and inline strings
ODS_TEXT = rb"(<text:p>)([^<]*)(</text:p>)"
VALUE = rb"(<v>)([^<]*)(</v>)"
DIMENSION = rb'(<dimension ref=")([^"]*)("/>)'
MERGE = rb'(<mergeCell ref=")([^"]*)("/>)'


def _ref(draw: st.DrawFn, match: re.Match[bytes]) -> bytes:
    ref = draw(st.sampled_from(["A1:A1", "A1:XFD1048576", "C4:C1048576", "B2:A1", "A1", "", "ZZZ9:ZZZ99999999", "A0:B0"]))
    return match.group(1) + ref.encode() + match.group(3)


SHEET_NAME = rb'(<sheet name=")([^"]*)(")'
CELL_REF = rb'(<c r=")([A-Z]+[0-9]+)(")'
SHEET_NAMES = st.sampled_from(["人员", "社区", "花名册", "Sheet1", "", "桂花苑社区", "严家村", "区域", "设施", "a" * 40, "人员"])


def _sheet_name(draw: st.DrawFn, match: re.Match[bytes]) -> bytes:
    return match.group(1) + escape(draw(SHEET_NAMES)).encode() + match.group(3)


def _cell_ref(draw: st.DrawFn, match: re.Match[bytes]) -> bytes:
    ref = draw(st.sampled_from(["A1", "XFD1048576", "A1048576", "ZZ3", "B0", "A", "AAAA1", "L4"]))
    return match.group(1) + ref.encode() + match.group(3)


XLSX_EDITS: list[XlsxEdit] = [
    _edit_xml(TEXT, _text), _edit_xml(TEXT, _text), _edit_xml(VALUE, _number), _edit_xml(DIMENSION, _ref),
    _edit_xml(MERGE, _ref), _edit_xml(SHEET_NAME, _sheet_name), _edit_xml(CELL_REF, _cell_ref),
    _delete_member, _truncate_member, _garble_member,
]
ODS_EDITS: list[XlsxEdit] = [_edit_xml(ODS_TEXT, _text), _edit_xml(ODS_TEXT, _text), _delete_member, _truncate_member,
                             _garble_member]
WORKBOOKS = {name: (FIXTURES / name).read_bytes() for name in
             ("huamingce.xlsx", "wps.xlsx", "per-community.xlsx", "per-community-sheet1.xlsx", "with-communities.xlsx",
              "ids-as-numbers.xlsx", "huamingce.ods")}


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@st.composite
def mutated_workbook(draw: st.DrawFn) -> tuple[bytes, str]:
    name = draw(st.sampled_from(sorted(WORKBOOKS)))
    members = _members(WORKBOOKS[name])
    edits = ODS_EDITS if name.endswith(".ods") else XLSX_EDITS
    for _ in range(draw(st.integers(1, 3))):
        draw(st.sampled_from(edits))(draw, members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2024, 9, 30, 0, 0, 0)), data)
    return _bytes_mutation(draw, buffer.getvalue()), name


@given(workbook=mutated_workbook())
@FUZZ
def test_mutated_workbook_gives_a_report_or_located_errors(workdir: Path, workbook: tuple[bytes, str]) -> None:
    data, name = workbook
    assert_report_or_located_errors(data, name, workdir)


XLS = (FIXTURES / "huamingce.xls").read_bytes()


@given(data=st.builds(lambda cut, flips: (cut, flips), st.integers(0, len(XLS)),
                      st.lists(st.tuples(st.integers(0, len(XLS) - 1), st.integers(0, 255)), max_size=12)))
@FUZZ
def test_damaged_xls_gives_a_report_or_located_errors(workdir: Path, data: tuple[int, list[tuple[int, int]]]) -> None:
    """The legacy binary format (OLE2, BIFF8): bytes flipped, the file cut short."""
    cut, flips = data
    damaged = bytearray(XLS)
    for at, value in flips:
        damaged[at] = value
    assert_report_or_located_errors(bytes(damaged[:cut] if cut else damaged), "huamingce.xls", workdir)


def test_truncated_xls_is_an_input_error_not_a_rust_panic(workdir: Path) -> None:
    """calamine panics on this cut of the file (pyo3's PanicException is a BaseException, which
    `except Exception` does not catch); found by the test above."""
    path = workdir / "cut.xls"
    path.write_bytes(XLS[:16384])
    with pytest.raises(RosterInputError) as caught:
        normalize.load(readers.read_roster(path))
    assert [e.code for e in caught.value.errors] == ["unreadable_file"]
    assert caught.value.errors[0].message_zh.startswith("无法读取文件:cut.xls")
