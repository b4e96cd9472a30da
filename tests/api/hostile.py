"""Hostile uploads, built by code: each one was seen to kill or freeze the service (issue 14).

Every builder writes the raw bytes itself (zip members, sheet XML), so a fixture is exactly
the attack and no library tidies it up. `scripts/hostile_files.py` sends the same files to
the parsing worker and writes docs/reliability.md.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

PEOPLE_HEADER = ("社区编码", "人员编号", "姓名", "机构", "职务", "专职")


def _column(index: int) -> str:
    """0 → A, 16383 → XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{_escape(text)}</t></is></c>'


def header_row(row: int = 1, header: tuple[str, ...] = PEOPLE_HEADER) -> str:
    cells = "".join(inline_cell(f"{_column(j)}{row}", h) for j, h in enumerate(header))
    return f'<row r="{row}">{cells}</row>'


def sheet_xml(rows: str, merges: list[str] | None = None) -> str:
    merged = "" if not merges else (f'<mergeCells count="{len(merges)}">'
                                    + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheetData>{rows}</sheetData>{merged}</worksheet>")


def workbook(sheets: dict[str, str], shared_strings: list[str] | None = None, *,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An .xlsx of these sheets (name → sheet XML), as the parts a reader looks for, written by hand."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    if shared_strings is not None:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    entries = "".join(f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, start=1))
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{entries}</sheets></workbook>")
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    if shared_strings is not None:
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    book_rels = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i, xml in enumerate(sheets.values(), start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            items = "".join(f"<si><t>{_escape(s)}</t></si>" for s in shared_strings)
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" '
                                               f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">'
                                               f"{items}</sst>")
    return out.getvalue()


# --- the attacks -------------------------------------------------------------------------------

def wide_and_tall_grid() -> bytes:
    """One cell at XFD3 and one at A1048576: a parser that makes a dense grid asks for
    16,384 × 1,048,576 cells (calamine: ~550 GB, then SIGABRT)."""
    rows = header_row() + '<row r="3"><c r="XFD3"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    return workbook({"人员": sheet_xml(rows)})


def shared_string_bomb(string_bytes: int = 1 << 20, references: int = 2000) -> bytes:
    """One shared string of `string_bytes`, referenced by `references` cells: a few KB that a
    parser copies into every cell (1 MB × 2,000 peaks at 2.3 GB)."""
    cells = "".join(f'<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>' for r in range(2, references + 2))
    return workbook({"人员": sheet_xml(header_row() + cells)}, shared_strings=["x" * string_bytes])


def formula_cells(count: int = 4000, *, without_value: tuple[int, ...] = ()) -> bytes:
    """A sheet of `count` people whose 姓名 is a formula with its saved value; the rows listed in
    `without_value` (0-based among the people) have a formula with no saved result."""
    rows = [header_row()]
    for i in range(count):
        r = i + 2
        value = "" if i in without_value else f"<v>姓名{i}</v>"
        kind = "" if i in without_value else ' t="str"'
        rows.append(f'<row r="{r}">{inline_cell(f"A{r}", "320602001001")}{inline_cell(f"B{r}", f"P{i}")}'
                    f'<c r="C{r}"{kind}><f>CONCATENATE("姓名",{i})</f>{value}</c>'
                    f'{inline_cell(f"D{r}", "党组织")}{inline_cell(f"E{r}", "委员")}{inline_cell(f"F{r}", "是")}</row>')
    return workbook({"人员": sheet_xml("".join(rows))})


def tall_merges(merges: int = 40) -> bytes:
    """A few people, a last cell at row 1,048,576 and `merges` merged ranges down the whole
    sheet: filling each merge row by row costs ~0.55 s."""
    rows = [header_row()]
    for r in range(2, 12):
        rows.append(f'<row r="{r}">{inline_cell(f"A{r}", "320602001001")}{inline_cell(f"B{r}", f"P{r}")}'
                    f'{inline_cell(f"D{r}", "党组织")}{inline_cell(f"E{r}", "委员")}</row>')
    rows.append('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    spans = [f"{_column(6 + k)}2:{_column(6 + k)}1048575" for k in range(merges)]
    return workbook({"人员": sheet_xml("".join(rows), spans)})


def gb18030_csv_zip(megabytes: int = 8, line_bytes: int = 48) -> bytes:
    """A zip of one 人员.csv that is not UTF-8 (a GB18030 character outside the BMP in its
    header): it is transcoded before parsing, and Python holds the text at 4 bytes a character
    (a CSV zip decoded as GB18030 costs ~15× its unpacked size). Lines are padded to
    `line_bytes` with a column no table has."""
    line = b"320602001001,P1,Zhang San,party_org,member,yes,"
    line += b"x" * max(0, line_bytes - len(line) - 1) + b"\n"
    body = "社区编码,人员编号,姓名𠀀,机构,职务,专职,备注\n".encode("gb18030")
    body += line * (megabytes * (1 << 20) // len(line))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("人员.csv", body)
    return out.getvalue()


def yaml_aliases(appointments: int = 1000, communities: int = 1000) -> bytes:
    """Aliases as a multiplier: one appointment written once, a list of `appointments` aliases
    of it, and `communities` aliases of a community holding that list — a million
    appointments in a few KB, which a reader walks one by one (6 KB → 1.1 GB, 16 s)."""
    lines = ["format: orgmodel.roster/1",
             "x-appointment: &a {person: P1, unit: party_org, role: member, full_time: true}",
             "x-appointments: &as [" + ", ".join(["*a"] * appointments) + "]",
             "x-community: &c {id: '320602001001', name: 虹桥社区, kind: urban, appointments: *as}",
             "communities: [" + ", ".join(["*c"] * communities) + "]"]
    return ("\n".join(lines) + "\n").encode()


def yaml_laughs(levels: int = 9, width: int = 9) -> bytes:
    """Billion laughs: each level a list of `width` aliases of the one below (9^9 leaves)."""
    lines = ["format: orgmodel.roster/1", "l0: &l0 [lol]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    lines.append(f"communities: [{{id: '1', name: x, kind: urban, tasks: *l{levels}}}]")
    return ("\n".join(lines) + "\n").encode()


def nested_json(depth: int = 100_000) -> bytes:
    """A document nested deeper than any parser's recursion allows."""
    return b'{"format": "orgmodel.roster/1", "communities": ' + b"[" * depth + b"]" * depth + b"}"


def nested_yaml(depth: int = 100_000) -> bytes:
    return b"format: orgmodel.roster/1\ncommunities: " + b"[" * depth + b"]" * depth + b"\n"


def corrupt_deflate_zip() -> bytes:
    """A .zip whose member's deflate stream is garbage (sizes and CRC look fine): reading it
    raises zlib.error, not BadZipFile."""
    text = ("社区编码,人员编号\n" + "320602001001,P1\n" * 200).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("人员.csv", text)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = bytes(b ^ 0xFF for b in data[start:start + info.compress_size])
    return bytes(data)


def corrupt_deflate_workbook() -> bytes:
    """An .xlsx whose sheet's deflate stream is garbage."""
    data = bytearray(formula_cells(50))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 8:start + info.compress_size] = bytes(b ^ 0x5A for b in data[start + 8:start + info.compress_size])
    return bytes(data)


def slow_csv_zip(megabytes: int = 60) -> bytes:
    """A legitimate-looking, large roster zip that takes the worker a while to read: the probe's
    companion (it is no attack, just slow)."""
    line = b"320602001001,P1,Zhang San,party_org,member,yes\n"
    body = "社区编码,人员编号,姓名,机构,职务,专职\n".encode() + line * (megabytes * (1 << 20) // len(line))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("人员.csv", body)
    return out.getvalue()


@dataclass(frozen=True)
class Hostile:
    """A hostile file: its name (its suffix picks the reader), how to build it, and the status
    the service must answer with."""

    label: str
    name: str
    build: Callable[[], bytes]
    status: int
    what: str


HOSTILE: tuple[Hostile, ...] = (
    Hostile("wide-grid", "grid.xlsx", wide_and_tall_grid, 413, "cells at XFD3 and A1048576 (a 17-billion-cell grid)"),
    Hostile("shared-string-bomb", "strings.xlsx", shared_string_bomb, 413,
            "one 1 MB shared string referenced by 2,000 cells"),
    Hostile("shared-string-bomb-45k", "strings45.xlsx", lambda: shared_string_bomb(1 << 20, 12_000), 413,
            "one 1 MB shared string referenced by 12,000 cells"),
    Hostile("gb18030-zip", "roster.zip", gb18030_csv_zip, 413, "8 MB of GB18030 CSV with one astral character"),
    Hostile("ods-repeated-grid", "grid.ods", lambda: ods_repeated_grid(), 413,
            "an ODS row of 1,024 cells repeated 1,048,000 times"),
    Hostile("yaml-aliases", "roster.yaml", yaml_aliases, 413,
            "one appointment aliased 1,000 times in a community aliased 1,000 times (a million appointments)"),
    Hostile("yaml-laughs", "roster.yaml", yaml_laughs, 413, "billion laughs: aliases 9 deep, 9 wide (9^9 nodes)"),
    Hostile("nested-json", "roster.json", nested_json, 422, "JSON nested 100,000 deep"),
    Hostile("nested-yaml", "roster.yaml", nested_yaml, 422, "YAML nested 100,000 deep"),
    Hostile("corrupt-deflate-zip", "roster.zip", corrupt_deflate_zip, 422, "a zip member whose deflate stream is corrupt"),
    Hostile("corrupt-deflate-xlsx", "roster.xlsx", corrupt_deflate_workbook, 422,
            "a workbook whose sheet's deflate stream is corrupt"),
)


def document_json(communities: int = 1) -> bytes:
    """A tiny valid document (for requests that must still be answered)."""
    return json.dumps({"format": "orgmodel.roster/1", "communities": [
        {"id": f"32060200100{i}", "name": f"社区{i}", "kind": "urban"} for i in range(communities)]}).encode()


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods(tables: dict[str, str]) -> bytes:
    """An .ods of these tables (name → the rows' XML), written by hand."""
    body = "".join(f'<table:table table:name="{_escape(name)}">{rows}</table:table>' for name, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def ods_text_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{_escape(text)}</text:p></table:table-cell>'


def ods_header() -> str:
    return "<table:table-row>" + "".join(ods_text_cell(h) for h in PEOPLE_HEADER) + "</table:table-row>"


def ods_repeated_grid(rows: int = 1_048_000, columns: int = 1024) -> bytes:
    """An ODS row of `columns` repeated text cells, itself repeated `rows` times: a few hundred
    bytes standing for a billion filled cells."""
    return ods({"人员": ods_header() + f'<table:table-row table:number-rows-repeated="{rows}">'
                                     f"{ods_text_cell('x', columns)}</table:table-row>"})


def ods_trailing_blank() -> bytes:
    """What LibreOffice writes: a few rows, then the sheet's empty rest as repeated blank cells
    and rows (not data: a reader must not take it as a million rows of 1,024 cells)."""
    data = "".join("<table:table-row>" + "".join(ods_text_cell(v) for v in (
        "320602001001", f"P{i}", f"姓名{i}", "党组织", "委员", "是")) + '<table:table-cell table:number-columns-repeated="1018"/>'
        "</table:table-row>" for i in range(3))
    blank = ('<table:table-row table:number-rows-repeated="1048572">'
             '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    return ods({"人员": ods_header() + data + blank})
