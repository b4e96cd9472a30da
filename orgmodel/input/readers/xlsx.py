"""Spreadsheet rosters (formats.md §2): Excel `.xlsx`/`.xlsm`, legacy `.xls`, OpenDocument `.ods`.

Real rosters are kept by hand for years, so a sheet is read the way a person reads it: the
header row is found by its names (a merged title and blank rows may sit above it), footer
rows (合计, 填表人 …) are not data, merged cells below the header are filled down, and
hidden sheets count only when their name is one of our tables. Row numbers are Excel's.

Cells arrive typed. Everything is turned into text here, the way the user sees it, so that
`orgmodel.input.normalize` reads every format alike: a 12-digit code typed as a number comes back
as the same digits, a date cell as ISO text. Two things only a workbook can get wrong are
input errors raised here: an id that Excel stored as a number and so lost digits
(`1.10105E+17`), and a formula whose result was never saved (files written by programs, not
by an office suite).

The library is python-calamine (Rust), chosen for speed: on a 20,000-community workbook
(~630,000 rows, 8.5 million cells) it reads every cell in about 8 s where openpyxl's
read-only mode takes about 75 s, and this whole reader takes about 14 s
(`scripts/bench_xlsx_readers.py`). It reads `.xls` and `.ods` as well, and hands formula
cells over by their saved value; as it does not expose formulas, the `.xlsx` sheets that
hold any are scanned in their XML for formulas without a saved value, and the merged cells
of `.ods` sheets, which it does not report, are read from their XML too.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from orgmodel import vocabulary
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.input.cells import EXCEL_EPOCH, SERIAL_DATES  # an 8-digit 20240101 is left to the date parser
from orgmodel.input.raw import PATH, ROW, SHEET, Found, RawRoster, RawTable, Reading, cell_dtype
from orgmodel.input.readers import register

Cell = Any  # str | float | int | bool | date | datetime | time | timedelta, '' when blank

HEADER_SEARCH_ROWS = 50  # the header is among a sheet's first rows
# Ids: Excel keeps 15 significant digits, so a longer number typed into a General cell is
# already changed when the file is saved (110105199001011234 → 110105199001011000).
ID_COLUMNS: dict[str, frozenset[str]] = {
    "communities": frozenset({"id", "region"}),
    "appointments": frozenset({"community", "person"}),
    "regions": frozenset({"id", "parent"}),
    "units": frozenset({"community"}),
    "relations": frozenset({"community"}),
    "tasks": frozenset({"community", "id"}),
    "facilities": frozenset({"community"}),
    "leadership": frozenset({"region"}),
    "waivers": frozenset({"community"}),
}
DATE_COLUMNS = frozenset({"start", "end", "expires"})
EXACT_DIGITS = 15
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:\.\d+)?[eE][+]?\d+$")

# A row whose first filled cell starts with one of these is not data. Totals may sit between
# blocks of data and are skipped; a signature block ends the table.
TOTAL_WORDS = vocabulary.FOOTER_TOTAL_WORDS
END_WORDS = vocabulary.FOOTER_END_WORDS

# Which table a sheet with a name of its own holds, told by the columns its header has.
# More specific tables first: every 人员 header also names a 机构 column.
TABLE_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("leadership", frozenset({"region", "name", "role"})),  # 领导小组: a region's officials, before any 花名册
    ("appointments", frozenset({"name", "role"})),  # an office's 花名册: who holds which post
    ("appointments", frozenset({"person", "role"})),
    ("relations", frozenset({"community", "from", "to", "type"})),
    ("waivers", frozenset({"rule", "community"})),
    ("tasks", frozenset({"community", "id", "name", "category"})),
    ("regions", frozenset({"id", "level"})),
    ("communities", frozenset({"id", "kind"})),
)


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _general(value: float) -> str:
    """A number as Excel's General format shows it in a narrow cell: 1.10105E+17."""
    return f"{value:.6G}".replace("E+0", "E+")


def cell_text(value: Cell, kind: str = "text") -> str | None:
    """A typed cell as the text a person reads in it; `kind` is "id", "date" or "text"."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if kind == "date" and SERIAL_DATES[0] <= value < SERIAL_DATES[1] and float(value).is_integer():
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        return _number_text(value)
    return str(value)


def lost_digits(value: Cell) -> str | None:
    """The value as Excel shows it when an id cell lost digits to a number, else None."""
    if isinstance(value, float) and not isinstance(value, bool) and abs(value) >= 10 ** EXACT_DIGITS:
        return _general(value)
    if isinstance(value, str) and _SCIENTIFIC.match(value.strip()):
        return value.strip()
    return None


_TOTALS = tuple(vocabulary.clean(w) for w in TOTAL_WORDS)
_ENDS = tuple(vocabulary.clean(w) for w in END_WORDS)
_FOOTER_INITIALS = frozenset(w[0] for w in _TOTALS + _ENDS)


def _starts_with(value: Cell, words: Sequence[str]) -> bool:
    """Whether a cell's text starts with one of the (cleaned) words; most cells fail on the
    first character, so a province's rows are not cleaned one by one."""
    if type(value) is not str or value.lstrip()[:1] not in _FOOTER_INITIALS:
        return False
    return vocabulary.clean(value).startswith(tuple(words))


def _first_filled(row: Sequence[Cell]) -> Cell:
    for value in row:
        if value != "" and value is not None:
            return value
    return ""


# --- formulas without a saved value (.xlsx only) ---------------------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A formula's text holds no `<` (XML escapes it), so each match ends at its own cell's `</f>`:
# the scan is linear (`.*?` there ran on through every later cell when a formula had its value).
_EMPTY_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)\s*'
    rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - ord("A") + 1)
    return index - 1


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    paths = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and sheet.get(_REL_NS) in targets:
            target = targets[sheet.get(_REL_NS)].lstrip("/")
            paths[sheet.get("name", "")] = target if target.startswith("xl/") else posixpath.join("xl", target)
    return paths


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet's XML holds any formula, read in slices: a province's sheet is hundreds
    of megabytes of XML that mostly holds none."""
    tail = b""
    with archive.open(part) as stream:
        for chunk in iter(lambda: stream.read(1 << 24), b""):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def formulas_without_value(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet: (0-based row, column) → formula text, for formula cells with no saved result."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}
    found: dict[str, dict[tuple[int, int], str]] = {}
    for name, part in _sheet_paths(archive).items():
        try:
            if not _has_formulas(archive, part):
                continue
            xml = archive.read(part)
        except KeyError:
            continue
        cells = {}
        for match in _EMPTY_FORMULA.finditer(xml):
            letters, row, _attributes, text = match.groups()
            formula = (text or b"").decode("utf-8", "replace")
            cells[(int(row) - 1, _column_index(letters))] = "=" + formula if formula else "(共享公式 / shared formula)"
        if cells:
            found[name] = cells
    return found


# --- merged cells of OpenDocument sheets (calamine reports none) ------------------------------

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def ods_merged_ranges(data: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Per sheet: merged ranges ((top, left), (bottom, right)), 0-based, from content.xml."""
    def attribute(element: ElementTree.Element, name: str, default: str = "1") -> str:
        return element.get(f"{{{_TABLE_NS}}}{name}", default)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError):
        return {}
    found: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    sheet, row, column, repeat_row = "", 0, 0, 1
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag.rpartition("}")[2] if element.tag.startswith(f"{{{_TABLE_NS}}}") else ""
            if event == "start" and tag == "table":
                sheet, row = attribute(element, "name", ""), 0
            elif event == "start" and tag == "table-row":
                column, repeat_row = 0, int(attribute(element, "number-rows-repeated"))
            elif event == "end" and tag == "table-row":
                row += repeat_row
                element.clear()
            elif event == "start" and tag == "table-cell":
                rows, cols = int(attribute(element, "number-rows-spanned")), int(attribute(element, "number-columns-spanned"))
                if rows > 1 or cols > 1:
                    found.setdefault(sheet, []).append(((row, column), (row + rows - 1, column + cols - 1)))
            elif event == "end" and tag in ("table-cell", "covered-table-cell"):
                column += int(attribute(element, "number-columns-repeated"))
    except ElementTree.ParseError:
        return found
    return found


# --- one sheet -------------------------------------------------------------------------------

@dataclass
class _Sheet:
    """A sheet's cells (a full grid from A1: row i is Excel row i + 1) and where its table is."""

    name: str
    rows: list[list[Cell]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    empty_formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def header(self, table: str) -> tuple[int, dict[str, int]] | None:
        """The header row (0-based) and canonical column → column index: the first of the top
        rows that names the most columns of the table (at least two, or one for a one-column sheet)."""
        best: tuple[int, dict[str, int]] | None = None
        for i, row in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            columns: dict[str, int] = {}
            for j, value in enumerate(row):
                if isinstance(value, str) and value.strip():
                    column = vocabulary.column_for(table, value)
                    if column is not None and column not in columns:
                        columns[column] = j
            if columns and (best is None or len(columns) > len(best[1])):
                best = (i, columns)
        if best is None or (len(best[1]) < 2 and len(vocabulary.HEADERS[table]) > 1):
            return None
        return best

    def fill_merged(self, below: int) -> None:
        """A cell merged over several data rows (社区编码 written once per community) holds its
        value in every row it covers, as the person reading the sheet sees it. Only rows that
        hold something are filled (a blank row stays blank), so a merge down to row 1,048,576
        costs the rows the sheet really has; merged ranges that overlap, which no office
        writes, are refused rather than filled over and over."""
        from bisect import bisect_left, bisect_right

        merges = [m for m in self.merged if m[0][0] > below]
        if not merges:
            return
        present = [i for i in range(below + 1, len(self.rows)) if _first_filled(self.rows[i]) != ""]
        budget = sum(len(self.rows[i]) for i in present)  # cells of the filled rows: what disjoint merges can cover
        for (top, left), (bottom, right) in merges:
            value = self.rows[top][left] if top < len(self.rows) and left < len(self.rows[top]) else ""
            for r in present[bisect_left(present, top):bisect_right(present, bottom)]:
                row = self.rows[r]
                end = min(right, len(row) - 1) + 1
                budget -= max(0, end - left)
                if budget < 0:
                    where = f"{_cell_name(top, left)}:{_cell_name(bottom, right)}"
                    raise RosterInputError([input_error("unreadable_file", sheet=self.name,
                                                        value=f"[{self.name}]: merged ranges overlap ({where})")])
                row[left:end] = [value] * max(0, end - left)


def _cell_name(row: int, column: int) -> str:
    """(0, 0) → A1."""
    letters, column = "", column + 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _infer_table(sheet: _Sheet) -> str | None:
    """The table a sheet named otherwise (Sheet1, 2024年花名册) holds, from its header."""
    for table, needed in TABLE_SIGNATURES:
        found = sheet.header(table)
        if found is not None and needed <= set(found[1]):
            return table
    return None


def _numbers_as_text(name: str, values: list[Cell], kind: str) -> pl.Series:
    """A column of numbers (and blanks) as `cell_text` would write them, in polars."""
    number = pl.Series(name, [None if v == "" else v for v in values], dtype=pl.Float64)
    whole = (number == number.floor()) & (number.abs() < 1e16)
    text = pl.select(pl.when(whole).then(number.cast(pl.Int64, strict=False).cast(pl.String))
                     .otherwise(number.cast(pl.String)).alias(name)).to_series()
    if kind == "date":
        serial = whole & (number >= SERIAL_DATES[0]) & (number < SERIAL_DATES[1])
        if serial.any():
            days = pl.lit(number.cast(pl.Int64, strict=False))
            dates = (pl.lit(EXCEL_EPOCH) + pl.duration(days=days)).cast(pl.String)
            text = pl.select(pl.when(serial).then(dates).otherwise(text).alias(name)).to_series()
    return text


def _column_series(name: str, values: list[Cell], kind: str, dtype: pl.DataType) -> pl.Series:
    types = {type(v) for v in values}
    if types <= {str}:
        series = pl.Series(name, values, dtype=pl.String).str.strip_chars().replace("", None)
    elif types <= {str, float, int} and all(v == "" for v in values if type(v) is str):
        series = _numbers_as_text(name, values, kind)
    else:
        series = pl.Series(name, [cell_text(v, kind) for v in values], dtype=pl.String)
    return series.cast(dtype)


# A title row naming the community: [year] [… street/town] [year] 桂花苑社区 …, as in
# “2024年度城东街道桂花苑社区工作人员花名册”; the year is not part of the name.
_TITLE_YEAR = r"(?:\d{4}年度?(?:第?[一二三四1-4]季度)?)?"
_COMMUNITY_NAME = re.compile(rf"^{_TITLE_YEAR}(?:.*?(?:街道|镇|乡))?{_TITLE_YEAR}(.+?(?:社区|村|居委会))")


def sheet_community(sheet: _Sheet, header_index: int) -> str | None:
    """The community a sheet without a community column stands for: its name (桂花苑社区), or
    the one its title row names (桂花苑社区工作者花名册)."""
    name = sheet.name.strip()
    if name.endswith(("社区", "村", "居委会")):
        return name
    for row in sheet.rows[:header_index]:
        title = "".join(str(v).strip() for v in row if isinstance(v, str))
        match = _COMMUNITY_NAME.match(vocabulary.clean(title)) if title else None
        if match:
            return match.group(1)
    return None


def read_sheet(table: str, sheet: _Sheet, file: str, errors: list[InputError],
               readings: list[Reading] | None = None) -> RawTable:
    """One sheet as a raw table: header found, footers and blank rows dropped, cells as text."""
    found = sheet.header(table)
    if found is None:
        frame = pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64), PATH: pl.Series([], dtype=pl.String)})
        return RawTable(table, frame, file=file, sheet=sheet.name)
    header_index, columns = found
    header_row = sheet.rows[header_index]
    headers = {c: str(header_row[j]).strip() for c, j in columns.items()}
    all_headers = tuple(str(v).strip() for v in header_row if v not in ("", None) and str(v).strip())
    community = None
    if table == "appointments" and not {"community", "community_name"} & set(columns):
        community = sheet_community(sheet, header_index)
    sheet.fill_merged(header_index)
    numbers: list[int] = []
    data: list[list[Cell]] = []
    for i in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[i]
        first = _first_filled(row)
        if first == "":
            continue
        if _starts_with(first, _ENDS):
            break
        if _starts_with(first, _TOTALS):
            continue
        numbers.append(i)
        data.append(row)
    width = max(columns.values()) + 1
    grid = [row if len(row) >= width else row + [""] * (width - len(row)) for row in data]
    by_column = list(zip(*grid, strict=True)) if grid else [() for _ in range(width)]
    ids = ID_COLUMNS.get(table, frozenset())
    series = []
    for column, j in columns.items():
        kind = "id" if column in ids else "date" if column in DATE_COLUMNS else "text"
        values = list(by_column[j])
        if kind == "id":
            _check_ids(values, numbers, headers[column], sheet, file, errors)
        series.append(_column_series(column, values, kind, cell_dtype(table, column)))
    frame = pl.DataFrame(series).with_columns(
        pl.Series(ROW, [i + 1 for i in numbers], dtype=pl.Int64), pl.lit(None, pl.String).alias(PATH))
    if community is not None:
        frame = frame.with_columns(pl.lit(community, pl.String).alias("community_name"))
        headers["community_name"] = "所在社区(取自表名)" if community == sheet.name.strip() else "所在社区(取自标题行)"
    if sheet.empty_formulas:
        _check_formulas(numbers, columns, headers, sheet, file, errors)
    cells = [c for c in frame.columns if c not in (ROW, PATH, "community_name")]
    if cells:
        frame = frame.filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    if readings is not None:
        used = {str(header_row[j]).strip() for j in columns.values()}
        readings.append(Reading(table, file, sheet.name, header_index + 1,
                                {str(header_row[j]).strip(): c for c, j in columns.items()},
                                tuple(h for h in all_headers if h not in used), community))
    return RawTable(table, frame, file=file, sheet=sheet.name, headers=headers, found_headers=all_headers)


def _check_ids(values: list[Cell], numbers: list[int], header: str, sheet: _Sheet, file: str,
               errors: list[InputError]) -> None:
    """Ids that Excel turned into numbers too long to keep; their text becomes what Excel shows."""
    for k, value in enumerate(values):
        if type(value) is str and "e" not in value and "E" not in value:
            continue
        shown = lost_digits(value)
        if shown is None:
            continue
        # every such cell looks alike (3.20602E+17): kept apart, so that one bad cell is one error
        values[k] = f"{shown}#{sheet.name}!{numbers[k] + 1}"
        errors.append(input_error(
            "number_lost_digits", file=file, sheet=sheet.name, row=numbers[k] + 1, column=header, value=shown,
            expected="文本格式的编号 / an id in a cell formatted as text"))


def _check_formulas(numbers: list[int], columns: dict[str, int], headers: dict[str, str], sheet: _Sheet, file: str,
                    errors: list[InputError]) -> None:
    wanted = {j: c for c, j in columns.items()}
    rows = set(numbers)
    for (r, j), formula in sorted(sheet.empty_formulas.items()):
        if r in rows and j in wanted:
            errors.append(input_error(
                "formula_without_value", file=file, sheet=sheet.name, row=r + 1, column=headers[wanted[j]],
                value=formula, expected="公式的计算结果 / the formula's saved result"))


# --- the workbook ----------------------------------------------------------------------------

def _calamine_failed(exc: BaseException) -> bool:
    """calamine's own errors, and its Rust panics on some damaged files (a truncated `.xls`), which
    pyo3 raises as PanicException, a BaseException that no `except Exception` catches."""
    return isinstance(exc, (CalamineError, ValueError, OSError)) or type(exc).__name__ == "PanicException"


def _open(data: bytes, name: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise RosterInputError([input_error("unreadable_file", file=name, value=f"{name}: {exc}")]) from exc


def _sheets_to_read(book: CalamineWorkbook, load: Callable[[str], _Sheet],
                    unread: list[tuple[str, list[Cell]]]) -> list[tuple[str, _Sheet]]:
    """(table, sheet) pairs: sheets named as a table (hidden ones too), then visible sheets
    whose header shows which table they hold. The first sheet of a table wins, except that
    every 人员 sheet counts (one sheet per community); without a sheet named 人员, the visible
    sheets whose header is a roster's are its sheets. `unread` gets the sheets left aside."""
    chosen: dict[str, _Sheet] = {}
    people: list[_Sheet] = []
    unnamed: list[str] = []
    for meta in book.sheets_metadata:
        table = vocabulary.table_for(meta.name)
        if table == "appointments":
            people.append(load(meta.name))
        elif table is not None:
            if table not in chosen:
                chosen[table] = load(meta.name)
        elif meta.visible == SheetVisibleEnum.Visible:
            unnamed.append(meta.name)
    named_people = bool(people)
    for sheet_name in unnamed:
        sheet = load(sheet_name)
        table = _infer_table(sheet)
        if table == "appointments" and not named_people:
            people.append(sheet)
        elif table is not None and table != "appointments" and table not in chosen:
            chosen[table] = sheet
        else:
            unread.append((sheet_name, _top_row(sheet)))
    return [*(("appointments", sheet) for sheet in people), *chosen.items()]


def _top_row(sheet: _Sheet) -> list[Cell]:
    """The row a person would take for a sheet's header: its first row with two filled cells."""
    for row in sheet.rows[:HEADER_SEARCH_ROWS]:
        if sum(1 for v in row if v not in ("", None)) >= 2:
            return row
    return []


def read_workbook(data: bytes, name: str) -> RawRoster:
    book = _open(data, name)
    suffix = name.lower().rpartition(".")[2]
    empty_formulas = formulas_without_value(data) if suffix in ("xlsx", "xlsm") else {}
    ods_merges = ods_merged_ranges(data) if suffix == "ods" else {}

    def load(sheet_name: str) -> _Sheet:
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or []) or ods_merges.get(sheet_name, [])
        except BaseException as exc:
            if not _calamine_failed(exc):
                raise
            raise RosterInputError([input_error("unreadable_file", file=name, sheet=sheet_name,
                                                value=f"{name} [{sheet_name}]: {exc}")]) from exc
        return _Sheet(sheet_name, rows, merged, empty_formulas.get(sheet_name, {}))

    roster = RawRoster(name)
    unread: list[tuple[str, list[Cell]]] = []
    people: list[RawTable] = []
    for table, sheet in _sheets_to_read(book, load, unread):
        raw_table = read_sheet(table, sheet, name, roster.errors, roster.readings)
        if table == "appointments":
            people.append(raw_table)
        else:
            roster.tables[table] = raw_table
    if len(people) == 1:
        roster.tables["appointments"] = people[0]
    elif people:
        roster.tables["appointments"] = _gathered(people)
    roster.unread = [Found(name, sheet, tuple(str(v).strip() for v in row if v not in ("", None)))
                     for sheet, row in unread]
    return roster


def _gathered(sheets: list[RawTable]) -> RawTable:
    """The 人员 sheets of a workbook kept one per community, as one table; each row keeps its sheet."""
    frames = [t.frame.with_columns(pl.lit(t.sheet, pl.String).alias(SHEET)) for t in sheets]
    headers: dict[str, str] = {}
    found: list[str] = []
    for t in sheets:
        for column, header in t.headers.items():
            headers.setdefault(column, header)
        found.extend(h for h in t.found_headers if h not in found)
    return RawTable("appointments", pl.concat(frames, how="diagonal_relaxed"), file=sheets[0].file,
                    sheet=sheets[0].sheet, headers=headers, found_headers=tuple(found))


@register(".xlsx", ".xlsm", ".xls", ".ods")
def read_spreadsheet(data: bytes, name: str) -> RawRoster:
    return read_workbook(data, name)
