"""Make the workbook fixtures of tests/excel with a real office suite (LibreOffice headless).

    apt-get install libreoffice-calc-nogui      # once; only this script needs it
    .venv/bin/python scripts/make_xlsx_fixtures.py

Each workbook is first written as a flat OpenDocument spreadsheet (`.fods`, plain XML that
says exactly which cell is text, number, date or formula, which cells are merged and which
sheet is hidden); LibreOffice then saves it as `.xlsx`, `.xls` and `.ods`, the way an office
writes its roster. Two quirks that only other programs produce are then made from
LibreOffice's own `.xlsx` by rewriting its XML, as those programs write it: WPS's
`<dimension ref="A1:A1"/>` with inline strings instead of shared ones, and a formula whose
result was never saved.

Written to tests/fixtures/xlsx/:

* chongchuan.xlsx — the example district (examples/chongchuan), one sheet per table,
  numbers as numbers, dates as dates: the same roster as the CSV folder.
* chongchuan-messy.xlsx/.xls/.ods — the same roster as offices keep it: a merged title row,
  blank rows above the header, extra and reordered columns, codes typed as numbers,
  community codes merged down their block, dates in four spellings, formulas, 合计 rows and a
  填表人 footer, the 人员 sheet under a name of its own, the 区域 sheet hidden, and a hidden
  old roster that must be ignored.
* chongchuan-wps.xlsx — chongchuan.xlsx with WPS's dimension and inline strings.
* id-as-number.xlsx — a small roster whose 身份证号 was typed as a number (Excel keeps 15
  digits: it shows 1.10105E+17).
* formula-without-value.xlsx — a small roster with a formula cell that has no saved value.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "chongchuan"
OUT = ROOT / "tests" / "fixtures" / "xlsx"
NUMERIC = {"户数", "人口", "年度办公活动经费(元)", "月工资(元)", "最低工资(元/月)", "上年月工资(元)", "面积(平方米)"}
DATES = {"任职开始", "任职结束"}
TABLES = ("社区", "人员", "区域", "机构", "关系", "事项", "设施", "领导小组")


@dataclass(frozen=True)
class Formula:
    """A formula cell with the value an office suite saves beside it (`of:` syntax)."""

    text: str
    value: float


Cell = str | float | int | dt.date | Formula | None


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    hidden: bool = False


def read_csv(name: str) -> list[list[str]]:
    with (EXAMPLE / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def typed(header: list[str], row: list[str]) -> list[Cell]:
    """A CSV row with numbers as numbers and dates as dates, as an office would type them."""
    cells: list[Cell] = []
    for h, value in zip(header, row, strict=True):
        if value == "":
            cells.append(None)
        elif h in NUMERIC:
            number = float(value)
            cells.append(int(number) if number.is_integer() else number)
        elif h in DATES:
            cells.append(dt.date.fromisoformat(value))
        else:
            cells.append(value)
    return cells


# --- flat ODS --------------------------------------------------------------------------------

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="N_date"><number:year number:style="long"/><number:text>-</number:text>
  <number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <style:style style:name="ce_date" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_date"/>
 <style:style style:name="ta_shown" style:family="table"><style:table-properties table:display="true"/></style:style>
 <style:style style:name="ta_hidden" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
"""
TAIL = "</office:spreadsheet></office:body></office:document>\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _cell(value: Cell, span: str) -> str:
    if value is None:
        return f"<table:table-cell{span}/>"
    if isinstance(value, Formula):
        return (f'<table:table-cell{span} table:formula={quoteattr("of:" + value.text)} office:value-type="float" '
                f'office:value="{_number(value.value)}"><text:p>{_number(value.value)}</text:p></table:table-cell>')
    if isinstance(value, dt.date):
        iso = value.isoformat()
        return (f'<table:table-cell{span} table:style-name="ce_date" office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell{span} office:value-type="float" office:value="{_number(value)}">'
                f"<text:p>{_number(value)}</text:p></table:table-cell>")
    return f'<table:table-cell{span} office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def fods(sheets: list[Sheet]) -> str:
    parts = [HEAD]
    for sheet in sheets:
        style = "ta_hidden" if sheet.hidden else "ta_shown"
        parts.append(f"<table:table table:name={quoteattr(sheet.name)} table:style-name=\"{style}\">\n")
        covered = {(r, c) for r0, c0, r1, c1 in sheet.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0)}
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in sheet.merges}
        for r, row in enumerate(sheet.rows):
            cells = []
            for c, value in enumerate(row):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                rows, cols = spans.get((r, c), (1, 1))
                span = (f' table:number-rows-spanned="{rows}" table:number-columns-spanned="{cols}"'
                        if (rows, cols) != (1, 1) else "")
                cells.append(_cell(value, span))
            parts.append("<table:table-row>" + "".join(cells) + "</table:table-row>\n")
        parts.append("</table:table>\n")
    parts.append(TAIL)
    return "".join(parts)


def libreoffice(sheets: list[Sheet], stem: str, formats: tuple[str, ...], workdir: Path) -> None:
    """Save the sheets with LibreOffice in each format, into OUT."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    source = workdir / f"{stem}.fods"
    source.write_text(fods(sheets), encoding="utf-8")
    for fmt in formats:
        filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{workdir}/profile", "--convert-to",
                        filters[fmt], "--outdir", str(workdir), str(source)], check=True, capture_output=True)
        shutil.copyfile(workdir / f"{stem}.{fmt}", OUT / f"{stem}.{fmt}")


# --- the workbooks ---------------------------------------------------------------------------

def clean_sheets() -> list[Sheet]:
    sheets = []
    for name in TABLES:
        header, *rows = read_csv(name)
        sheets.append(Sheet(name, [list[Cell](header), *(typed(header, row) for row in rows)]))
    return sheets


def _date_spellings(value: Cell, i: int) -> Cell:
    """Dates as offices type them: date cells, ISO text, 2024.1.1, 2024年1月1日, a bare serial."""
    if not isinstance(value, dt.date):
        return value
    kind = i % 5
    if kind == 1:
        return value.isoformat()
    if kind == 2:
        return f"{value.year}.{value.month}.{value.day}"
    if kind == 3:
        return f"{value.year}年{value.month}月{value.day}日"
    if kind == 4:
        return (value - dt.date(1899, 12, 30)).days
    return value


def _code(value: str) -> Cell:
    """A code typed into a General cell: Excel stores it as a number."""
    return int(value) if value.isdigit() and not value.startswith("0") else value


def messy_sheets() -> list[Sheet]:
    """The example district as an office keeps it (see the module docstring)."""
    sheets = []
    # 社区: title, blank row, header on row 3, codes as numbers, formulas, a 合计 row of SUMs.
    header, *rows = read_csv("社区")
    body: list[list[Cell]] = []
    for i, row in enumerate(rows):
        cells = typed(header, row)
        cells[0] = _code(row[0])
        cells[2] = _code(row[2])
        if i % 7 == 0 and isinstance(cells[4], int):
            cells[4] = Formula(f"={cells[4] - 100}+100", cells[4])  # 户数 by a formula
        body.append(cells)
    first, last = 4, 3 + len(body)
    total: list[Cell] = ["合计", None, None, None,
                         Formula(f"=SUM([.E{first}:.E{last}])", sum(float(r[4].value if isinstance(r[4], Formula)
                                                                          else r[4] or 0) for r in body)),
                         Formula(f"=SUM([.F{first}:.F{last}])", sum(float(r[5] or 0) for r in body)), None, None]
    width = len(header)
    sheets.append(Sheet("社区", [["崇川区社区基本情况表"] + [None] * (width - 1), [None] * width, list[Cell](header),
                                 *body, total], merges=[(0, 0, 0, width - 1)]))
    # 人员: its own sheet name, a title, a 填报单位 line, extra and reordered columns, codes
    # merged down each community's first block, dates spelt five ways, blank rows, footers.
    header, *rows = read_csv("人员")
    order = ["社区编码", "姓名", "人员编号", "性别", "机构", "职务", "专职", "学历", "民警", "政法干警",
             "月工资(元)", "上年月工资(元)", "任职开始", "任职结束"]
    new_header: list[Cell] = ["序号", *order, "联系电话"]
    width = len(new_header)
    grid: list[list[Cell]] = [["崇川区社区工作人员花名册(2024年第三季度)"] + [None] * (width - 1),
                              ["填报单位:崇川区民政局"] + [None] * (width - 1), [None] * width, new_header]
    merges = [(0, 0, 0, width - 1), (1, 0, 1, width - 1)]
    block_start: dict[str, int] = {}
    n = 0
    for i, row in enumerate(rows):
        record = dict(zip(header, typed(header, row), strict=True))
        record = {k: _date_spellings(v, i) if k in DATES else v for k, v in record.items()}
        record["社区编码"] = _code(row[0])
        n += 1
        if i and i % 500 == 0:
            grid.append([None] * width)  # a blank row in the middle of the data
        grid.append([n, *(record[h] for h in order), None])
        block_start.setdefault(row[0], len(grid) - 1)
    for code, start in list(block_start.items())[:10]:  # the first ten communities' codes merged down their rows
        end = start
        while end + 1 < len(grid) and grid[end + 1][1] == _code(code):
            end += 1
        for r in range(start + 1, end + 1):
            grid[r][1] = None
        merges.append((start, 1, end, 1))
    grid.append(["合计", f"共{n}人"] + [None] * (width - 2))
    grid.append(["填表人:张敏        审核人:王立新        填表日期:2024年9月30日"] + [None] * (width - 1))
    merges.append((len(grid) - 1, 0, len(grid) - 1, width - 1))
    grid.append(["2024年9月30日"] + [None] * (width - 1))  # after the signature block: not data
    sheets.append(Sheet("2024年三季度花名册", grid, merges=merges))
    # The other tables as they are; 区域 hidden (it is one of ours, so it is read).
    for name in ("机构", "关系", "事项", "区域", "设施", "领导小组"):
        header, *rows = read_csv(name)
        sheets.append(Sheet(name, [list[Cell](header), *(typed(header, row) for row in rows)], hidden=name == "区域"))
    # A hidden old roster with the 人员 headers and rows that would fail: it must be ignored.
    old_header, *old_rows = read_csv("人员")
    stale = [typed(old_header, row) for row in old_rows[:20]]
    for cells in stale:
        cells[3] = "财务室"  # an unknown unit
    sheets.append(Sheet("旧花名册", [list[Cell](old_header), *stale], hidden=True))
    return sheets


def small_roster(person_cell: Cell, pay_cell: Cell = 3000) -> list[Sheet]:
    """A one-community roster whose 人员 sheet is headed 身份证号; the first person's cells vary."""
    community = ["社区编码", "社区名称", "类型", "户数", "人口"]
    people = ["社区编码", "身份证号", "姓名", "机构", "职务", "专职", "月工资(元)"]
    return [
        Sheet("社区", [list[Cell](community), ["320602001001", "虹桥社区", "城市", 600, 1500]]),
        Sheet("人员", [list[Cell](people),
                       ["320602001001", person_cell, "张建国", "党组织", "书记", "是", pay_cell],
                       ["320602001001", "320602198801012345", "李秀英", "居委会", "主任", "是", 3200]]),
    ]


# --- quirks of other writers, by rewriting LibreOffice's xlsx ---------------------------------

def rewrite_xlsx(source: Path, target: Path, rewrite_sheet: object) -> None:
    """Copy an xlsx, passing each worksheet's XML (and the shared strings) through `rewrite_sheet`."""
    with zipfile.ZipFile(source) as zin:
        strings = _shared_strings(zin)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                    data = rewrite_sheet(data, strings)  # type: ignore[operator]
                out = zipfile.ZipInfo(info.filename, date_time=(2024, 9, 30, 0, 0, 0))
                out.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(out, data)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.iter(f"{ns}si")]


def wps_sheet(data: bytes, strings: list[str]) -> bytes:
    """WPS: the dimension says A1:A1, and text is written inline in each cell."""
    text = data.decode("utf-8")
    text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:A1"/>', text)

    def inline(match: re.Match[str]) -> str:
        attributes, index = match.group(1), int(match.group(2))
        attributes = attributes.replace(' t="s"', ' t="inlineStr"')
        return f"<c{attributes}><is><t>{escape(strings[index])}</t></is></c>"

    text = re.sub(r'<c([^>]*? t="s"[^>]*)><v>(\d+)</v></c>', inline, text)
    return text.encode("utf-8")


def drop_formula_values(data: bytes, _strings: list[str]) -> bytes:
    """A program that writes formulas but never computes them leaves out `<v>`."""
    return re.sub(rb"(<f[^>]*>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        libreoffice(clean_sheets(), "chongchuan", ("xlsx",), work)
        libreoffice(messy_sheets(), "chongchuan-messy", ("xlsx", "xls", "ods"), work)
        libreoffice(small_roster(110105199001011234), "id-as-number", ("xlsx",), work)
        libreoffice(small_roster("110105199001011234", Formula("=3000+0", 3000)), "formula", ("xlsx",), work)
        rewrite_xlsx(OUT / "formula.xlsx", OUT / "formula-without-value.xlsx", drop_formula_values)
        (OUT / "formula.xlsx").unlink()
    rewrite_xlsx(OUT / "chongchuan.xlsx", OUT / "chongchuan-wps.xlsx", wps_sheet)
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
