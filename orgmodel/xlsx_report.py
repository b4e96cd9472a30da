"""`check --format xlsx`: the report as a workbook a district can read, filter and forward.

Sheets: 汇总 (per region), 招聘需求 (the hiring plan, the sheet forwarded to an HR office),
问题清单 (every finding, filterable, severity coloured) and 社区明细 (per community, each
count against what is required). Written row by row in xlsxwriter's constant-memory mode:
a province's findings never sit in memory as cell objects. Text is only ever written as
text (`injection`), numbers as numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from orgmodel.check import CheckResult
from orgmodel.injection import is_dangerous
from orgmodel.report import ReportParts
from orgmodel.report_tables import community_detail, findings_table, hiring_plan, reading_notes, summary_table

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
SEVERITY_COLOURS = {"错误": "#F8CBAD", "警告": "#FFE699", "提示": "#DDEBF7"}


class CellWriter:
    """Cells by type: numbers stay numbers, text is text (quote-prefixed when it could be read
    as a formula), blanks are left empty."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._quoted: dict[int, Format] = {}
        self.header = self.format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"})
        self.plain_quoted = book.add_format({"quote_prefix": True})
        self.percent = self.format({"num_format": "0.0%"})
        self.bold = self.format({"bold": True})
        self.short = self.format({"bg_color": "#F8CBAD"})
        self.severity = {s: self.format({"bg_color": c}) for s, c in SEVERITY_COLOURS.items()}

    def format(self, properties: dict[str, Any]) -> Format:
        """A cell format, and its twin with Excel's quote prefix for text that looks like a formula."""
        fmt = self.book.add_format(properties)
        self._quoted[id(fmt)] = self.book.add_format({**properties, "quote_prefix": True})
        return fmt

    def quoted(self, fmt: Format | None) -> Format:
        return self.plain_quoted if fmt is None else self._quoted[id(fmt)]

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

    def table(self, name: str, frame: pl.DataFrame, *, widths: Mapping[str, float] | None = None,
              row_format: Any = None, formats: dict[str, Any] | None = None, autofilter: bool = True) -> Worksheet:
        """A sheet holding the frame: a frozen header, an autofilter, one row per frame row."""
        sheet = self.book.add_worksheet(name)
        columns = frame.columns
        for j, column in enumerate(columns):
            sheet.write_string(0, j, column, self.header)
            sheet.set_column(j, j, (widths or {}).get(column, _width(column)), (formats or {}).get(column))
        sheet.freeze_panes(1, 0)
        rows = frame.head(MAX_ROWS - 2)
        for i, values in enumerate(rows.iter_rows(), start=1):
            fmt = row_format(values) if row_format else None
            for j, value in enumerate(values):
                self.cell(sheet, i, j, value, fmt)
        last = rows.height
        if frame.height > rows.height:
            last += 1
            sheet.write_string(last, 0, f"……另有{frame.height - rows.height}行未能放入本表,请用 --format json 或 csv 查看全部")
        if autofilter and columns:
            sheet.autofilter(0, 0, max(last, 1), len(columns) - 1)
        return sheet


def _width(header: str, minimum: float = 8) -> float:
    return max(minimum, sum(2.1 if ord(ch) > 0x2E7F else 1.1 for ch in header) + 2)


def _summary(w: CellWriter, result: CheckResult, parts: ReportParts) -> None:
    table = summary_table(result, parts)
    sheet = w.table("汇总", table, widths={"区域名称": 16, "区域编码": 14, "上级编码": 14},
                    formats={"合规率": w.percent})
    head = parts.head
    ruleset: dict = head["ruleset"]  # type: ignore[assignment]
    sheet.write_string(table.height + 2, 0, f"规则包 {ruleset['id']} v{ruleset['version']},检查日期 {head['as_of']}")


def _plan(w: CellWriter, result: CheckResult) -> None:
    plan = hiring_plan(result)
    widths = {c: _width(c, 10) for c in plan.columns}
    widths.update({"区域名称": 16, "上级区域": 14, "区域编码": 14})

    def total_row(values: Sequence[Any]) -> Any:
        return w.bold if values[0] == "合计" else None

    w.table("招聘需求", plan, widths=widths, row_format=total_row, autofilter=False)


def _findings(w: CellWriter, result: CheckResult, parts: ReportParts) -> None:
    table = findings_table(result, parts)
    severity_at = table.columns.index("严重程度")
    widths = {"社区名称": 14, "社区编码": 14, "区域编码": 12, "规则名称": 30, "问题描述": 50, "依据": 40, "豁免": 24}

    def coloured(values: Sequence[Any]) -> Any:
        return w.severity.get(values[severity_at])

    w.table("问题清单", table, widths=widths, row_format=coloured)


def _detail(w: CellWriter, result: CheckResult) -> None:
    frame, measures = community_detail(result)
    shown = [c for c in frame.columns if not c.startswith("_")]
    sheet = w.book.add_worksheet("社区明细")
    for j, column in enumerate(shown):
        sheet.write_string(0, j, column, w.header)
        sheet.set_column(j, j, 14 if j < 6 else 11)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)
    short_columns = {shown.index(m.actual): m.minimum for m in measures}
    for i, record in enumerate(frame.head(MAX_ROWS - 1).iter_rows(named=True), start=1):
        for j, column in enumerate(shown):
            value = record[column]
            minimum = record[short_columns[j]] if j in short_columns else None
            fmt = w.short if minimum is not None and value is not None and value < minimum else None
            w.cell(sheet, i, j, value, fmt)
    sheet.autofilter(0, 0, max(frame.height, 1), len(shown) - 1)


def write_xlsx_report(result: CheckResult, parts: ReportParts, out: Path | IO[bytes]) -> None:
    """The sheets, in the order a reader wants them; 读取说明 last, for who asks why."""
    book = xlsxwriter.Workbook(out if not isinstance(out, Path) else str(out),
                               {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    w = CellWriter(book)
    _summary(w, result, parts)
    _plan(w, result)
    _findings(w, result, parts)
    _detail(w, result)
    _reading(w, parts)
    book.close()


def _reading(w: CellWriter, parts: ReportParts) -> None:
    notes = reading_notes(parts)
    if notes.height:
        w.table("读取说明", notes, widths={"文件": 18, "工作表": 16, "表头行": 8, "读取说明": 120}, autofilter=False)
