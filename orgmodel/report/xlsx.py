"""`check --format xlsx`: the report as a workbook a district can read, filter, print and send up.

Sheets: 汇总 (per region), 招聘需求 (the hiring plan, the sheet forwarded to an HR office),
问题清单 (every finding, filterable, severity coloured), 区域级问题 (the findings of no
community, LG1–LG4 and C1, when there are any), 社区明细 (per community, each count
against what is required) and 读取说明 (how the roster was read). Every sheet prints as an
office sends a table up (上报): A4 landscape, one page wide, a title and a 填报单位 line above
the header, the header repeated on every page, 第 N 页 共 M 页 in the footer; columns are as
wide as their Chinese text, long text wraps; codes for machines sit in the last columns,
outside the printed area.

Written row by row in xlsxwriter's constant-memory mode: a province's findings never sit in
memory as cell objects. Text is only ever written as text (`injection`), numbers as numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from orgmodel.check import CheckResult, today_in_china
from orgmodel.injection import is_dangerous
from orgmodel.report.json import ReportParts
from orgmodel.report.tables import (
    MACHINE_COLUMNS,
    NOT_PRINTED,
    REGIONAL_HEADING,
    community_detail,
    findings_table,
    hiring_plan,
    reading_notes,
    regional_findings,
    report_scope,
    summary_table,
)

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
SEVERITY_COLOURS = {"错误": "#F8CBAD", "警告": "#FFE699", "提示": "#DDEBF7"}
TITLE_ROWS = 2  # the title and the 填报单位 line; the header is the row below them
HEADER_ROW = TITLE_ROWS
FOOTER = "&C第 &P 页 共 &N 页&R&A"
A4 = 9
WIDTH_SAMPLE = 20_000  # rows read to size a column: the widest of a province's names are among them
CELL: dict[str, Any] = {"valign": "top", "border": 1, "border_color": "#BFBFBF"}
# Columns that wrap, and how wide they may grow (in Excel's units, about one Latin character).
WRAPPED = {"问题描述": 44, "依据": 26, "规则名称": 18, "豁免": 18, "读取说明": 100, "社区名称": 14, "区域名称": 14,
           "上级区域": 12, "机构": 9, "职务": 11, "情形": 16, "缺少字段": 9, "文件": 16, "工作表": 12}
MAX_WIDTH = 30
LINE_HEIGHT = 14.5  # points per line of 11-point text


@dataclass(frozen=True)
class PageTitle:
    """What every sheet of a workbook says above its table, so a printed page stands alone."""

    heading: str  # 崇川区社区配备检查报告
    details: str  # 检查日期 2026-11-25  规则包 nantong v1  填报日期 2026-11-27

    def line(self) -> str:
        return f"填报单位(盖章):{' ' * 24}{self.details}"


def report_title(result: CheckResult, parts: ReportParts, written: dt.date | None = None) -> PageTitle:
    ruleset: dict[str, Any] = parts.head["ruleset"]  # type: ignore[assignment]
    day = written or today_in_china()
    return PageTitle(f"{report_scope(result)}社区配备检查报告",
                     f"检查日期:{parts.head['as_of']}    规则包:{ruleset['id']} v{ruleset['version']}    "
                     f"填报日期:{day.isoformat()}")


def display_width(text: str) -> float:
    """How wide a text prints, in Excel's column units: a Chinese character about two."""
    return sum(2.05 if ord(ch) > 0x2E7F else 1.05 for ch in text)


def _printed_width(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """`display_width` of each value, in columns (figures as they print: 2, not 2.0)."""
    if dtype.is_float():
        column = pl.when(column == column.round(0)).then(column.cast(pl.Int64).cast(pl.String)).otherwise(
            column.round(2).cast(pl.String))
    text = column.cast(pl.String).fill_null("")
    return text.str.len_chars() * 1.05 + text.str.count_matches(r"[^\x00-\u2e7f]")


def _widths_of(frame: pl.DataFrame) -> dict[str, float]:
    """The widest value of each column (of the first rows), as it prints."""
    sample = frame.head(WIDTH_SAMPLE)
    if sample.is_empty():
        return {c: 0.0 for c in frame.columns}
    widths = sample.select(_printed_width(pl.col(n), d).max().alias(n) for n, d in sample.schema.items())
    return {k: float(v or 0) for k, v in widths.row(0, named=True).items()}


def _row_heights(frame: pl.DataFrame, wrapped: Mapping[str, float]) -> list[float | None]:
    """The height each row needs for its wrapped columns (None: one line). Set explicitly,
    because neither LibreOffice nor every Excel grows a row for wrapped text on opening."""
    if not wrapped or frame.is_empty():
        return [None] * frame.height
    lines = [(_printed_width(pl.col(c), frame.schema[c]) / max(w - 1.2, 1)).ceil().clip(1)
             + pl.col(c).cast(pl.String).str.count_matches("\n").fill_null(0) for c, w in wrapped.items()]
    most = frame.select(pl.max_horizontal(lines).alias("n"))["n"]
    return [LINE_HEIGHT * n + 3 if n > 1 else None for n in most.to_list()]


def column_width(header: str, content: float, cap: float | None = None) -> tuple[float, bool]:
    """(width, wraps): wide enough for the content and for the header on at most two lines;
    beyond `cap` (a wrapped column) or MAX_WIDTH the text wraps."""
    head = display_width(header)
    needed = max(content, min(head, max(content, math.ceil(head / 2) + 1)), 4.5) + 1.5
    limit = cap if cap is not None else MAX_WIDTH
    return (min(needed, limit), needed > limit)


class CellWriter:
    """Cells by type: numbers stay numbers, text is text (quote-prefixed when it could be read
    as a formula), blanks are left empty; formats made once per combination of properties."""

    def __init__(self, book: xlsxwriter.Workbook, title: PageTitle | None = None):
        self.book = book
        self.title = title
        self._formats: dict[tuple[tuple[str, Any], ...], tuple[Format, Format]] = {}
        self.header = self.format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                   "valign": "vcenter", "align": "center"})
        self.heading = self.format({"bold": True, "font_size": 14, "valign": "vcenter", "text_wrap": True})
        self.details = self.format({"valign": "vcenter", "text_wrap": True})
        self.plain_quoted = self.quoted(self.format({}))
        self.percent = {"num_format": "0.0%"}
        self.bold = {"bold": True}
        self.short = {"bg_color": "#F8CBAD"}
        self.severity = {s: {"bg_color": c} for s, c in SEVERITY_COLOURS.items()}

    def format(self, properties: Mapping[str, Any]) -> Format:
        """A cell format, and its twin with Excel's quote prefix for text that looks like a formula."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = (self.book.add_format(dict(properties)),
                                  self.book.add_format({**properties, "quote_prefix": True}))
        return self._formats[key][0]

    def quoted(self, fmt: Format | None) -> Format:
        if fmt is None:
            return self.plain_quoted
        for plain, quoted in self._formats.values():
            if plain is fmt:
                return quoted
        raise KeyError("a format not made by this writer")

    def cell(self, sheet: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if value is None:
            if fmt is not None:
                sheet.write_blank(row, col, None, fmt)
            return
        if isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt)
        else:
            text = str(value)[:MAX_TEXT]
            sheet.write_string(row, col, text, self.quoted(fmt) if is_dangerous(text) else fmt)

    def sheet_title(self, sheet: Worksheet, name: str, widths: Sequence[float]) -> None:
        """The title and the 填报单位 line, merged across the printed columns (`widths`), wrapped
        onto more lines when the table is narrower than they are."""
        if self.title is None:
            return
        room = max(sum(widths) - 1, 10)
        last_col = max(len(widths) - 1, 0)
        for row, text, fmt, size in ((0, f"{self.title.heading}——{name}", self.heading, 14 / 11),
                                     (1, self.title.line(), self.details, 1.0)):
            lines = math.ceil(display_width(text) * size / room)
            sheet.set_row(row, (LINE_HEIGHT * size * lines) + 6)
            if last_col > 0:
                sheet.merge_range(row, 0, row, last_col, "", fmt)
            self.cell(sheet, row, 0, text, fmt)

    def table(self, name: str, frame: pl.DataFrame, *, caps: Mapping[str, float] | None = None,
              column_formats: Mapping[str, Mapping[str, Any]] | None = None,
              row_format: Callable[[Sequence[Any]], Mapping[str, Any] | None] | None = None,
              autofilter: bool = True, freeze_cols: int = 0, machine: Sequence[str] = (),
              not_printed: Sequence[str] = ()) -> Worksheet:
        """A sheet holding the frame under the title: a frozen, repeated header, an autofilter,
        one row per frame row. `machine` columns (codes, grey header) and the `not_printed`
        ones come last and are left out of the print area."""
        sheet = self.book.add_worksheet(name)
        columns = frame.columns
        top = HEADER_ROW if self.title is not None else 0
        printed = [c for c in columns if c not in machine and c not in not_printed]
        contents = _widths_of(frame)
        sized = [column_width(c, contents[c], {**WRAPPED, **(caps or {})}.get(c)) for c in columns]
        self.sheet_title(sheet, name, [width for c, (width, _) in zip(columns, sized, strict=True) if c in printed])
        styles, wrapped, header_lines = [], {}, 1
        for j, column in enumerate(columns):
            width, wraps = sized[j]
            sheet.set_column(j, j, width)
            styles.append({**CELL, **((column_formats or {}).get(column) or {}), **({"text_wrap": True} if wraps else {})})
            if wraps:
                wrapped[column] = width
            header_lines = max(header_lines, math.ceil(display_width(column) / max(width - 1.2, 1)))
        sheet.set_row(top, LINE_HEIGHT * header_lines + 4)
        for j, column in enumerate(columns):
            sheet.write_string(top, j, column, self.machine_header if column in machine else self.header)
        sheet.freeze_panes(top + 1, freeze_cols)
        rows = frame.head(MAX_ROWS - top - 2)
        heights = _row_heights(rows, wrapped)
        cache: dict[tuple[int, tuple[tuple[str, Any], ...]], Format] = {}
        for i, values in enumerate(rows.iter_rows(), start=top + 1):
            if heights[i - top - 1] is not None:
                sheet.set_row(i, heights[i - top - 1])
            extra = (row_format(values) if row_format else None) or {}
            key = tuple(sorted(extra.items()))
            for j, value in enumerate(values):
                fmt = cache.get((j, key))
                if fmt is None:
                    fmt = cache.setdefault((j, key), self.format({**styles[j], **extra}))
                self.cell(sheet, i, j, value, fmt)
        last = top + rows.height
        if frame.height > rows.height:
            last += 1
            sheet.write_string(last, 0, f"……另有{frame.height - rows.height}行未能放入本表,请用 --format json 或 csv 查看全部")
        if autofilter and columns:
            sheet.autofilter(top, 0, max(last, top + 1), len(columns) - 1)
        page_setup(sheet, (top, top), max(last, top), len(printed) - 1)
        return sheet

    @property
    def machine_header(self) -> Format:
        return self.format({"bold": True, "bg_color": "#EDEDED", "font_color": "#595959", "border": 1,
                            "text_wrap": True, "valign": "vcenter", "align": "center"})


def page_setup(sheet: Worksheet, header_rows: tuple[int, int], last_row: int, last_col: int) -> None:
    """A4 landscape, one page wide, the header rows on every page, page numbers in the footer;
    the print area is the title and the table (not the machine columns, not empty rows)."""
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(*header_rows)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(FOOTER)
    sheet.print_area(0, 0, last_row, max(last_col, 0))


def _summary(w: CellWriter, result: CheckResult, parts: ReportParts) -> None:
    table = summary_table(result, parts)
    w.table("汇总", table, column_formats={"合规率": w.percent})


def _plan(w: CellWriter, result: CheckResult) -> None:
    plan = hiring_plan(result)

    def total_row(values: Sequence[Any]) -> Any:
        return w.bold if values[0] == "合计" else None

    w.table("招聘需求", plan, row_format=total_row, autofilter=False, caps={c: 9 for c in plan.columns[3:]})


def _findings(w: CellWriter, result: CheckResult, parts: ReportParts) -> None:
    table = findings_table(result, parts)
    severity_at = table.columns.index("严重程度")

    def coloured(values: Sequence[Any]) -> Any:
        return w.severity.get(values[severity_at])

    w.table("问题清单", table, row_format=coloured, machine=MACHINE_COLUMNS, not_printed=NOT_PRINTED,
            freeze_cols=2)


def _regional(w: CellWriter, result: CheckResult, parts: ReportParts) -> None:
    """区域级问题: the findings of no community (LG1–LG4, C1), by region, when there are any."""
    regions = regional_findings(result, parts)
    if not regions:
        return
    table = pl.concat([rows for _, _, rows in regions])
    severity_at = table.columns.index("严重程度")

    def coloured(values: Sequence[Any]) -> Any:
        return w.severity.get(values[severity_at])

    w.table(REGIONAL_HEADING, table, row_format=coloured, machine=MACHINE_COLUMNS, freeze_cols=2)


def _detail(w: CellWriter, result: CheckResult) -> None:
    """Per community: the base columns, then each measure as 现有 | 应有 under its label."""
    frame, measures = community_detail(result)
    shown = [c for c in frame.columns if not c.startswith("_")]
    base = shown[: shown.index(measures[0].actual)] if measures else shown
    sheet = w.book.add_worksheet("社区明细")
    top = HEADER_ROW if w.title is not None else 0
    contents = _widths_of(frame.select(shown))
    w.sheet_title(sheet, "社区明细", [column_width(c, contents[c], WRAPPED.get(c))[0] for c in base]
                  + [5.0] * (2 * len(measures)))
    styles, wrapped = [], {}
    sheet.set_row(top, LINE_HEIGHT * 4 + 4)
    for j, column in enumerate(base):  # rows are written in order (constant memory): the labels first
        width, wraps = column_width(column, contents[column], WRAPPED.get(column))
        sheet.set_column(j, j, width)
        styles.append({**CELL, **({"text_wrap": True} if wraps else {})})
        if wraps:
            wrapped[column] = width
        sheet.write_blank(top, j, None, w.header)
    for k, m in enumerate(measures):
        j = len(base) + 2 * k
        sheet.set_column(j, j + 1, 5)
        sheet.merge_range(top, j, top, j + 1, "", w.header)
        sheet.write_string(top, j, f"{m.rule_id} {m.label}", w.header)
        styles += [{**CELL, "align": "right"}, {**CELL, "align": "right"}]
    for j, column in enumerate(base):
        sheet.write_string(top + 1, j, column, w.header)
    for k in range(len(measures)):
        sheet.write_string(top + 1, len(base) + 2 * k, "现有", w.header)
        sheet.write_string(top + 1, len(base) + 2 * k + 1, "应有", w.header)
    sheet.freeze_panes(top + 2, 2)
    short_columns = {shown.index(m.actual): m.minimum for m in measures}
    plain = [w.format(s) for s in styles]
    marked = [w.format({**s, **w.short}) for s in styles]
    rows = frame.head(MAX_ROWS - top - 2)
    heights = _row_heights(rows, wrapped)
    for i, record in enumerate(rows.iter_rows(named=True), start=top + 2):
        if heights[i - top - 2] is not None:
            sheet.set_row(i, heights[i - top - 2])
        for j, column in enumerate(shown):
            value = record[column]
            minimum = record[short_columns[j]] if j in short_columns else None
            short = minimum is not None and value is not None and value < minimum
            w.cell(sheet, i, j, value, marked[j] if short else plain[j])
    last = top + 1 + rows.height
    sheet.autofilter(top + 1, 0, max(last, top + 2), len(shown) - 1)
    page_setup(sheet, (top, top + 1), last, len(shown) - 1)


def _reading(w: CellWriter, parts: ReportParts) -> None:
    notes = reading_notes(parts)
    if notes.height:
        w.table("读取说明", notes, autofilter=False)


def write_xlsx_report(result: CheckResult, parts: ReportParts, out: Path | IO[bytes],
                      written: dt.date | None = None) -> None:
    """The sheets, in the order a reader wants them; 读取说明 last, for who asks why.
    `written`: the 填报日期 of the title (default today in China)."""
    book = xlsxwriter.Workbook(out if not isinstance(out, Path) else str(out),
                               {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    w = CellWriter(book, report_title(result, parts, written))
    _summary(w, result, parts)
    _plan(w, result)
    _findings(w, result, parts)
    _regional(w, result, parts)
    _detail(w, result)
    _reading(w, parts)
    book.close()
