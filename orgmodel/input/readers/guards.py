"""What reading an input will cost, measured before a parser is given it.

A few kilobytes can ask a parser for gigabytes: a workbook with one cell at XFD3 and one at
A1048576 makes a dense grid of 17 billion cells; one shared string of a megabyte referenced
by 2,000 cells is copied into each; a CSV that is not UTF-8 is held as Python text (at up to
4 bytes a character) before it is re-encoded; YAML aliases multiply a node without writing it
again. Each cost is measured here the way the parser will meet it — the cells a sheet's cell
references span (never the `<dimension>` it declares), the shared-string bytes its cells
reference, the decoded text, the nodes aliases stand for — and refused (`TooCostly`, an
input error) past its limit. Measuring streams the archive's members in slices, so it costs
at most a slice of memory whatever the file holds.

Deeply nested JSON and YAML are refused as malformed documents (a parser's recursion is not
a place to find out).
"""

from __future__ import annotations

import codecs
import io
import json
import posixpath
import re
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

import yaml

from orgmodel.errors import RosterInputError, input_error

MAX_DEPTH = 32  # a roster document is 6 deep (communities[i].appointments[j].field)
ALIAS_FACTOR = 10  # aliases may make a YAML document at most this many times the nodes it writes …
ALIAS_MIN_NODES = 1_000_000  # … or this many nodes, whichever is more (merge keys `<<: *base` expand too)


@dataclass(frozen=True)
class Limits:
    """What one input may cost its reader."""

    cells: int = 50_000_000  # grid cells of all sheets: each sheet's highest row × highest column
    string_bytes: int = 500_000_000  # shared-string bytes, once per cell that references them
    decoded_bytes: int = 1_000_000_000  # CSV text decoded (the Python text and its UTF-8 copy)


class TooCostly(RosterInputError):
    """An input that would cost more to read than its limit; its errors say where and how much."""


def _count(n: int) -> str:
    return f"{n:,}"  # thousands separators: a long number is never taken for a phone number and masked


def _too_costly(file: str, cost: str, limit: str, *, sheet: str | None = None) -> TooCostly:
    """`cost`: what reading would take; `limit`: the limit and its unit, `中文 / English`."""
    return TooCostly([input_error("too_costly", file=file, sheet=sheet, value=cost, expected=limit)])


# --- streaming an archive member ------------------------------------------------------------

_SLICE = 1 << 20


def _windows(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in slices that each end just before a `<`, so that no tag is ever cut (a tag
    longer than a slice is gathered whole before it is handed on)."""
    pieces: list[bytes] = []
    while chunk := stream.read(_SLICE):
        cut = chunk.rfind(b"<")
        if cut < 0 or (cut == 0 and not pieces):  # no tag starts here after the first byte: wait for one
            pieces.append(chunk)
            continue
        yield b"".join([*pieces, chunk[:cut]])
        pieces = [chunk[cut:]]
    if pieces:
        yield b"".join(pieces)


# --- workbooks (.xlsx/.xlsm) ----------------------------------------------------------------

_Q = rb"""["']"""  # XML quotes attributes either way
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_CELL_REF = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*" + _Q + rb"([A-Za-z]{1,7})([0-9]{1,10})" + _Q)
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_ROW_REF = re.compile(rb"<(?:[\w.-]+:)?row\s[^>]*?\br\s*=\s*" + _Q + rb"([0-9]{1,10})" + _Q)
_SHARED_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\bt\s*=\s*" + _Q + rb"s" + _Q
                          + rb"[^>]*>\s*<(?:[\w.-]+:)?v(?:\s[^>]*)?>\s*([0-9]{1,10})\s*<")
_SHARED_ITEM = re.compile(rb"<(/?)(?:[\w.-]+:)?si(?=[\s/>])[^>]*?(/?)>|<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)")


def _column_number(letters: bytes) -> int:
    """A → 1, XFD → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


# The way Excel, WPS, LibreOffice and the libraries write a sheet — `<row r="7" …><c r="B7" …>`,
# no prefixes — is measured with byte counts and a few literal searches; any other slice of XML
# (prefixed tags, cells without r, odd quoting) takes the exact scan above, slower but complete.
_PLAIN_ROW = re.compile(rb'<row r="([0-9]{1,10})"')
_PLAIN_WIDE = re.compile(rb'<c r="([A-Z]{2,7})')  # columns past Z
_PLAIN_DEEPER = [re.compile(rb'<c r="[A-Z]{1,7}[0-9]{%d}' % (k + 1)) for k in range(11)]
_PLAIN_SHARED = re.compile(rb' t="s"(?: [^>]*)?><v>([0-9]{1,10})</v>')
_PREFIXED = (b":c", b":row", b":v", b":is")


@dataclass
class _SheetSpan:
    """The grid a sheet's XML makes a parser build (from A1 to its highest row and column), and
    its rows as the row limit counts them."""

    rows: int = 0  # the highest row a row tag or a cell names
    columns: int = 0  # the highest column a cell names
    row_tags: int = 0
    unnumbered_rows: int = 0  # row tags without r: each is the row after the one before
    unnumbered_cells: int = 0  # the most cells of one row, when some cells lack r
    open_row_cells: int = 0
    cells: int = 0  # cell tags
    bounded_rows: int = 0  # plain slices: no cell there is further down than this
    exact: bool = True  # False: `grid` is an upper bound (plain slices bound their cells' rows by digits)

    @property
    def grid(self) -> int:
        return (max(self.rows, self.bounded_rows) + self.unnumbered_rows) * (self.columns + self.unnumbered_cells)

    @property
    def row_count(self) -> int:
        """The rows of the row limit (api.upload_limits counts them the same way)."""
        return max(self.row_tags, self.rows)


def _plain_window(window: bytes, span: _SheetSpan, shared: Counter[bytes] | None) -> bool:
    """Measure a plainly written slice with counts and literal searches; False (and nothing
    measured): it is not plain."""
    if b":" in window and any(prefixed in window for prefixed in _PREFIXED):
        return False
    cells = window.count(b"<c")
    numbered = _PLAIN_ROW.findall(window)
    if cells != window.count(b'<c r="') or window.count(b"<row") != len(numbered):
        return False
    highest = max(span.rows, *map(int, numbered)) if numbered else span.rows
    digits = len(str(highest))
    if cells and _PLAIN_DEEPER[min(digits, 10)].search(window):  # a cell further down than its rows say
        return False
    found = None
    if shared is not None:
        found = _PLAIN_SHARED.findall(window)
        if len(found) != window.count(b't="s"'):
            return False
    if cells:
        # the cells' rows have no more digits than the highest row: bounded, not read one by one
        span.bounded_rows = max(span.bounded_rows, 10 ** digits - 1)
        wide = set(_PLAIN_WIDE.findall(window))
        span.columns = max(span.columns, max(_column_number(letters) for letters in wide) if wide else 26)
        span.exact &= highest == 10 ** digits - 1 and bool(wide)
    if found:
        shared.update(found)  # type: ignore[union-attr]
    span.rows = highest
    span.row_tags += len(numbered)
    span.cells += cells
    span.open_row_cells = 0
    return True


def _exact_window(window: bytes, span: _SheetSpan, shared: Counter[bytes] | None) -> None:
    refs = _CELL_REF.findall(window)
    if refs:
        distinct = set(refs)
        span.columns = max(span.columns, *(_column_number(letters) for letters in {r[0] for r in distinct}))
        span.rows = max(span.rows, *(int(digits) for digits in {r[1] for r in distinct}))
    numbered = _ROW_REF.findall(window)
    if numbered:
        span.rows = max(span.rows, *map(int, set(numbered)))
    row_tags = len(_ROW_TAG.findall(window))
    span.row_tags += row_tags
    span.unnumbered_rows += row_tags - len(numbered)
    cells = len(_CELL_TAG.findall(window))
    span.cells += cells
    if cells > len(refs):  # cells placed by their order: count them row by row
        counts = [len(_CELL_TAG.findall(segment)) for segment in _ROW_TAG.split(window)]
        counts[0] += span.open_row_cells
        span.unnumbered_cells = max(span.unnumbered_cells, *counts)
        span.open_row_cells = counts[-1]
    else:
        span.open_row_cells = 0
    if shared is not None:
        shared.update(_SHARED_CELL.findall(window))


def _sheet_span(stream: IO[bytes], shared: Counter[bytes] | None, *, exact: bool = False) -> _SheetSpan:
    """Measure one XML part; `shared`, when given, counts the cells referencing each shared string."""
    span = _SheetSpan()
    for window in _windows(stream):
        if exact or not _plain_window(window, span, shared):
            _exact_window(window, span, shared)
    return span


def _shared_string_lengths(stream: IO[bytes]) -> array[int]:
    """The byte length of every shared string's text (its `<t>` runs, escapes counted as written)."""
    lengths: array[int] = array("Q")
    current: int | None = None
    for window in _windows(stream):
        for match in _SHARED_ITEM.finditer(window):
            closing, empty, text = match.groups()
            if text is not None:
                if current is not None:
                    current += len(text)
            elif closing:
                if current is not None:
                    lengths.append(current)
                current = None
            elif empty:
                lengths.append(0)
            else:
                current = 0
    return lengths


_SMALLEST_SHARED_CELL = len(b'<c t="s"><v>0</v></c>')


_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part → the sheet's name, to say where a limit was passed (best effort: a workbook part
    too large or malformed to read quickly leaves the part's own name)."""
    try:
        parts = [archive.getinfo(p) for p in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
        if sum(info.file_size for info in parts) > _SLICE:
            return {}
        workbook, rels = (ElementTree.fromstring(archive.read(info)) for info in parts)
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    names = {}
    for sheet in workbook.iter():
        target = targets.get(sheet.get(_REL_ID)) if sheet.tag.endswith("}sheet") else None
        if target:
            target = target.lstrip("/")
            names[target if target.startswith("xl/") else posixpath.join("xl", target)] = sheet.get("name", "")
    return names


@dataclass(frozen=True)
class WorkbookCost:
    cells: int  # grid cells of all parts (an upper bound where `exact` is False)
    rows: int  # rows as the row limit counts them: row tags, or the highest row named
    string_bytes: int  # shared-string bytes once per referencing cell (0: cannot reach the limit)
    exact: bool
    largest_part: str  # the part with the largest grid


def _measure_workbook(archive: zipfile.ZipFile, limits: Limits, exact: bool) -> WorkbookCost:
    xml = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
    strings = [info for info in xml if info.filename.lower().rsplit("/", 1)[-1] == "sharedstrings.xml"]
    lengths: array[int] = array("Q")
    for info in strings:
        with archive.open(info) as stream:
            found = _shared_string_lengths(stream)
        lengths = found if len(found) > len(lengths) else lengths
    # each cell's shared string is counted only when the longest string in every cell could pass the limit
    possible_cells = sum(info.file_size for info in xml) // _SMALLEST_SHARED_CELL
    shared: Counter[bytes] | None = Counter() if max(lengths, default=0) * possible_cells > limits.string_bytes else None
    cells = rows = largest_cells = 0
    largest, all_exact = "", True
    for info in xml:
        if info in strings:
            continue
        with archive.open(info) as stream:
            span = _sheet_span(stream, shared, exact=exact)
        cells += span.grid
        rows += span.row_count
        all_exact &= span.exact
        if span.grid > largest_cells:
            largest, largest_cells = info.filename, span.grid
    string_bytes = 0 if shared is None else sum(lengths[int(i)] * n for i, n in shared.items() if int(i) < len(lengths))
    return WorkbookCost(cells, rows, string_bytes, all_exact, largest)


def workbook_cost(archive: zipfile.ZipFile, limits: Limits, *, exact: bool = False) -> WorkbookCost:
    """What an .xlsx costs its reader: measured quickly (plain slices bound their cells' rows by
    their digits), and exactly, slice by slice, when that bound passes the cell limit (or when
    asked to)."""
    cost = _measure_workbook(archive, limits, exact=exact)
    if cost.cells > limits.cells and not cost.exact:
        cost = _measure_workbook(archive, limits, exact=True)
    return cost


def refuse_workbook(archive: zipfile.ZipFile, cost: WorkbookCost, name: str, limits: Limits) -> None:
    if cost.cells > limits.cells:
        sheet = _sheet_names(archive).get(cost.largest_part, PurePosixPath(cost.largest_part).stem)
        raise _too_costly(name, _count(cost.cells), f"{_count(limits.cells)} 个单元格(各表行数 × 列数之和) / "
                                                    f"{_count(limits.cells)} cells (rows × columns of every sheet)",
                          sheet=sheet)
    if cost.string_bytes > limits.string_bytes:
        raise _too_costly(name, _count(cost.string_bytes),
                          f"{_count(limits.string_bytes)} 字节的共享字符串(每个引用它的单元格计一次) / "
                          f"{_count(limits.string_bytes)} bytes of shared strings (once per cell that references them)")


def check_xlsx(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """The grid cells and the shared-string bytes of every XML part (a workbook may keep its
    sheets anywhere; a part with no cells costs nothing)."""
    refuse_workbook(archive, workbook_cost(archive, limits), name, limits)


# --- OpenDocument (.ods) ----------------------------------------------------------------------

_ODS_TABLE = re.compile(rb"<(?:[\w.-]+:)?table(?=[\s>])")
_ODS_ROW = re.compile(rb"<(?:[\w.-]+:)?table-row(?=[\s/>])([^>]*)>")
_ODS_CELL = re.compile(rb"<(?:[\w.-]+:)?(?:covered-)?table-cell(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*" + _Q + rb"([0-9]{1,10})" + _Q)
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*" + _Q + rb"([0-9]{1,10})" + _Q)
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_ODS_PIECES = re.compile(rb"(?=<(?:[\w.-]+:)?table(?:-row)?[\s/>])")


def _row_width(cells: list[tuple[bytes, bytes]]) -> int:
    """Columns up to the last cell with content (a parser drops a row's trailing blank cells)."""
    width = column = 0
    for attributes, empty in cells:
        repeated = _COLUMNS_REPEATED.search(attributes)
        column += int(repeated.group(1)) if repeated else 1
        if not empty or _VALUE_TYPE.search(attributes):
            width = column
    return width


def _ods_cells(stream: IO[bytes], limit: int) -> int:
    cells = 0
    table_rows = table_columns = row = 0
    pending: list[tuple[bytes, bytes]] = []  # the cells of the row being read
    repeat = 0  # and how many times it stands

    def finish_row() -> None:
        nonlocal row, table_rows, table_columns
        width = _row_width(pending)
        row += repeat
        if width:
            table_rows, table_columns = row, max(table_columns, width)

    for window in _windows(stream):
        for piece in _ODS_PIECES.split(window):
            table, opened = _ODS_TABLE.match(piece), _ODS_ROW.match(piece)
            if table or opened:
                if repeat:
                    finish_row()
                pending, repeat = [], 0
            if table:
                cells += table_rows * table_columns
                table_rows = table_columns = row = 0
            if opened:
                repeated = _ROWS_REPEATED.search(opened.group(1))
                repeat = int(repeated.group(1)) if repeated else 1
            pending.extend(_ODS_CELL.findall(piece))
        if cells + table_rows * table_columns > limit:
            return cells + table_rows * table_columns
    if repeat:
        finish_row()
    return cells + table_rows * table_columns


def check_ods(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """The grid cells of every table of content.xml: its rows up to the last one with content
    (repeats counted) × its widest row; the blank rest of a sheet, which an office writes as
    repeated empty rows and cells, costs nothing (the parser drops it)."""
    try:
        stream = archive.open("content.xml")
    except KeyError:
        return
    with stream:
        cells = _ods_cells(stream, limits.cells)
    if cells > limits.cells:
        raise _too_costly(name, _count(cells), f"{_count(limits.cells)} 个单元格(各表行数 × 列数之和) / "
                                              f"{_count(limits.cells)} cells (rows × columns of every sheet)")


# --- CSV text -----------------------------------------------------------------------------------

def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _SLICE):
            decoder.decode(data[start:start + _SLICE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decoded_size(data: bytes, limit: int | None = None) -> int:
    """The bytes a CSV file takes once decoded: itself when it is UTF-8; otherwise (GB18030) the
    Python text it becomes, at its widest character's width for every character, and that
    text again as UTF-8. With a `limit`, measuring stops once the size is past it."""
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    if _is_utf8(data[start:]):
        return len(data)
    decoder = codecs.getincrementaldecoder("gb18030")(errors="replace")
    characters = encoded = 0
    width = 1
    for offset in range(0, len(data), _SLICE):
        text = decoder.decode(data[offset:offset + _SLICE], final=offset + _SLICE >= len(data))
        characters += len(text)
        encoded += len(text.encode("utf-8", "surrogatepass"))
        if width < 4 and not text.isascii():
            widest = ord(max(text))
            width = max(width, 4 if widest > 0xFFFF else 2)
        if limit is not None and characters * width + encoded > limit:
            break
    return characters * width + encoded


# No byte decodes to more than one character, held at 4 bytes at most, and 3 bytes of UTF-8
# (U+FFFD for a byte that is not GB18030): text this many times its bytes is an upper bound.
_MOST_DECODED_PER_BYTE = 4 + 3


def check_csv(files: list[tuple[str, bytes]], name: str, limits: Limits) -> None:
    if sum(len(data) for _, data in files) * _MOST_DECODED_PER_BYTE <= limits.decoded_bytes:
        return  # under the limit however it decodes: nothing to decode
    total = 0
    for member, data in files:
        total += decoded_size(data, limits.decoded_bytes - total)
        if total > limits.decoded_bytes:
            raise _too_costly(name, f"{member}: {_count(total)}",
                              f"{_count(limits.decoded_bytes)} 字节的解码后文本 / {_count(limits.decoded_bytes)} bytes "
                              "of decoded text")


# --- one input ----------------------------------------------------------------------------------

# What a damaged archive raises while it is read: a bad directory, a corrupt deflate stream
# (zlib.error, not BadZipFile), a truncated member, an unknown method or a password.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, ValueError, OSError)


def unreadable(name: str, exc: Exception) -> RosterInputError:
    """A damaged archive as an input error, saying what is damaged."""
    kind = "zlib.error" if isinstance(exc, zlib.error) else type(exc).__name__
    return RosterInputError([input_error("unreadable_file", file=name, value=f"{name}: {kind}: {exc}")])


def check_cost(data: bytes, name: str, limits: Limits) -> None:
    """Refuse `data` (named `name`: its suffix says what reads it) when reading it would cost more
    than `limits`; a corrupt archive is an input error too (its deflate stream, its directory)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".csv":
        check_csv([(name, data)], name, limits)
        return
    if suffix not in (".xlsx", ".xlsm", ".ods", ".zip") or not zipfile.is_zipfile(io.BytesIO(data)):
        return  # not an archive: its reader says what is wrong with it
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if suffix == ".ods":
                check_ods(archive, name, limits)
            elif suffix == ".zip":
                members = [(info.filename, archive.read(info)) for info in archive.infolist()
                           if not info.is_dir() and info.filename.lower().endswith(".csv")]
                check_csv(members, name, limits)
            else:
                check_xlsx(archive, name, limits)
    except ARCHIVE_ERRORS as exc:
        raise unreadable(name, exc) from exc


# --- documents ----------------------------------------------------------------------------------

def _too_deep(name: str, what: str) -> RosterInputError:
    return RosterInputError([input_error("bad_document", file=name, value=f"{what} nested more than {MAX_DEPTH} deep",
                                         expected=f"嵌套不超过 {MAX_DEPTH} 层 / nested at most {MAX_DEPTH} deep")])


def _depth(value: Any) -> int:
    """How deep a parsed JSON value nests, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


def load_json(text: str, name: str) -> Any:
    """`json.loads`, with a document nested too deep refused (json.JSONDecodeError passes through)."""
    try:
        parsed = json.loads(text)
    except RecursionError as exc:
        raise _too_deep(name, "JSON") from exc
    if _depth(parsed) > MAX_DEPTH:
        raise _too_deep(name, "JSON")
    return parsed


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


_SATURATED = 1 << 62


def _check_yaml_tree(root: yaml.Node, name: str) -> None:
    """The nodes the document stands for once its aliases are expanded, how deep it nests, and
    that no node holds itself — over the composed graph, where an alias is the very node it
    names, so each node is visited once however often it is named."""
    expanded: dict[int, int] = {}
    depth: dict[int, int] = {}
    in_progress: set[int] = set()  # the collections above the one being visited
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _yaml_children(node)
        if children_done:
            in_progress.discard(key)
            expanded[key] = min(1 + sum(expanded[id(c)] for c in children), _SATURATED)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            continue
        if key in expanded:
            continue
        if not isinstance(node, yaml.CollectionNode):
            expanded[key], depth[key] = 1, 0
            continue
        if key in in_progress:
            raise RosterInputError([input_error("bad_document", file=name, value="a YAML alias names a node it is in",
                                                expected="别名不能引用包含它的节点 / no alias inside the node it names")])
        in_progress.add(key)
        if len(in_progress) > MAX_DEPTH:
            raise _too_deep(name, "YAML")
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in expanded)
    written = len(expanded)
    cap = max(ALIAS_FACTOR * written, ALIAS_MIN_NODES)
    if expanded[id(root)] > cap:
        total = expanded[id(root)]
        shown = f"over {_count(_SATURATED)}" if total >= _SATURATED else _count(total)
        raise _too_costly(name, f"{_count(written)} → {shown}",
                          f"别名展开后 {_count(cap)} 个节点 / {_count(cap)} nodes once its aliases are expanded")


def load_yaml(text: str, name: str, loader: type[Any]) -> Any:
    """`yaml.load(text, Loader=loader)`, with the composed document checked before it is
    constructed: alias expansion, depth, a node inside itself (yaml.YAMLError passes through)."""
    composer = loader(text)
    try:
        try:
            node = composer.get_single_node()
        except RecursionError as exc:  # the pure-Python composer, when libyaml is missing
            raise _too_deep(name, "YAML") from exc
        if node is None:
            return None
        _check_yaml_tree(node, name)
        return composer.construct_document(node)
    finally:
        composer.dispose()
