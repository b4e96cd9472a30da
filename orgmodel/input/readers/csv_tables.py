"""A folder or `.zip` of CSV tables (formats.md §2), in UTF-8, UTF-8 with BOM or GB18030.

The encoding is detected, never asked for. Cells are read as text with polars (the bulk
path must read millions of rows fast); blank rows are dropped after numbering, so row
numbers stay the lines a user sees in the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from orgmodel import vocabulary
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.input.raw import CATEGORICAL, PATH, ROW, Found, RawRoster, RawTable, Reading, cell_dtype
from orgmodel.input.readers import register

HEADER_SEARCH_LINES = 50  # a title row or two may sit above the header, as in a workbook saved as CSV

# Columns read through the vocabulary, which ignores spaces itself: stripping millions of
# such cells here would only cost time. Every other cell (ids, names) is stripped.
INTERPRETED = frozenset({
    "unit", "role", "full_time", "education", "police_officer", "political_legal_officer", "monthly_pay_yuan",
    "start", "end", "gender", "kind", "level", "pilot", "households", "population", "office_activity_yuan",
    "min_wage_monthly_yuan", "type", "category", "approved", "funded", "previous_monthly_pay_yuan", "area_m2",
})


def _utf8(source: bytes | Path, whole: bool = False) -> bytes | Path:
    """The source itself when it is UTF-8 (with or without BOM), else its GB18030 text re-encoded.
    The first 64 KiB decide, unless `whole` (after polars found bad UTF-8 further on)."""
    if isinstance(source, Path):
        with source.open("rb") as f:
            head = f.read() if whole else f.read(65536)
    else:
        head = source if whole else source[:65536]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return source
    except UnicodeDecodeError:
        data = source.read_bytes() if isinstance(source, Path) else source
        return data.decode("gb18030").encode("utf-8")


@dataclass
class _Header:
    """Where a CSV file's header is (0-based line) and what it names."""

    line: int
    cells: list[str]
    columns: dict[str, str]  # canonical column → header as written
    source: dict[str, str] = field(default_factory=dict)  # header as written → the frame's column
    lead: str | None = None  # the frame's column of the file's first column (where footers write)


def _head_lines(source: bytes | Path) -> list[list[str]]:
    if isinstance(source, Path):
        with source.open("rb") as f:
            head = f.read(65536)
    else:
        head = source[:65536]
    text = head.decode("utf-8-sig", errors="replace")
    try:
        return [row for _, row in zip(range(HEADER_SEARCH_LINES), csv.reader(io.StringIO(text, newline="")), strict=False)]
    except csv.Error:  # not a CSV file a person would call one; polars says why when it reads it
        return []


def _columns_of(table: str, cells: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for header in cells:
        column = vocabulary.column_for(table, header) if header else None
        if column is not None and column not in columns:
            columns[column] = header
    return columns


def find_header(table: str, lines: list[list[str]]) -> _Header:
    """The first of the top lines that names the most columns of the table (line 1 in the template)."""
    best = _Header(0, lines[0] if lines else [], _columns_of(table, lines[0]) if lines else {})
    for i, cells in enumerate(lines[1:], start=1):
        columns = _columns_of(table, cells)
        if len(columns) > len(best.columns):
            best = _Header(i, cells, columns)
    return best


def _frame(table: str, source: bytes | Path) -> tuple[pl.DataFrame, _Header]:
    """Parse CSV as text and say which header is which column. A path is handed to polars as it
    is, so a province's file is never copied into Python. Columns read through the vocabulary
    (posts, yes/no, dates …) hold few distinct spellings: they are read as categoricals, which
    keeps a province's 3 million rows in a third of the memory of plain strings."""
    source = _utf8(source)
    header = find_header(table, _head_lines(source))
    if header.line == 0:
        header.cells = pl.read_csv(source, infer_schema=False, n_rows=0).columns  # as polars names them
        header.columns = _columns_of(table, header.cells)
    headers = header.columns
    overrides = {h: cell_dtype(table, c) for c, h in headers.items() if c in CATEGORICAL.get(table, ())}
    options: dict[str, object] = {"infer_schema": False, "truncate_ragged_lines": True}
    if header.line == 0:
        header.source = {h: h for h in headers.values()}
        header.lead = header.cells[0] if header.cells else None
    else:  # a file with title lines above its header is read by position
        names = [f"_c{j}" for j in range(max(len(header.cells), 1))]
        header.source = {h: names[header.cells.index(h)] for h in headers.values()}
        header.lead = names[0]
        options |= {"skip_rows": header.line + 1, "has_header": False}
    # the file's first column too, where footers (合计, 填表人 …) write their word
    names_wanted = list(dict.fromkeys([*header.source.values(), *([header.lead] if header.lead else [])]))
    wanted: list[str] | list[int] = names_wanted
    if header.line:
        wanted = sorted({int(name[2:]) for name in names_wanted})
        overrides = {}  # positional columns: the categoricals are cast after reading
    try:
        frame = pl.read_csv(source, schema_overrides=overrides, columns=wanted or None, **options)  # type: ignore[arg-type]
    except pl.exceptions.ComputeError as exc:  # not UTF-8 after all, past the first 64 KiB
        if "utf-8" not in str(exc).lower():
            raise
        frame = pl.read_csv(_utf8(source, whole=True), schema_overrides=overrides, columns=wanted or None,
                            **options)  # type: ignore[arg-type]
    if header.line:
        frame = frame.rename(dict(zip(frame.columns, [f"_c{j}" for j in wanted], strict=True)))
        frame = frame.with_columns(pl.col(header.source[h]).cast(cell_dtype(table, c))
                                   for c, h in headers.items() if c in CATEGORICAL.get(table, ()))
    return frame, header


def _words(words: tuple[str, ...]) -> str:
    return "^\\s*(?:" + "|".join(re.escape(w) for w in words) + ")"


_ENDS = _words(vocabulary.FOOTER_END_WORDS)
_TOTALS = _words(vocabulary.FOOTER_TOTAL_WORDS)
_FOOTER_WORDS = [*vocabulary.FOOTER_END_WORDS, *vocabulary.FOOTER_TOTAL_WORDS]


def _data_rows(frame: pl.DataFrame, lead: str | None) -> pl.DataFrame:
    """Drop footers: a 合计 row is skipped, a signature block (填表人 …) ends the table. One
    pass of one pattern over the first column: a province's file has millions of rows."""
    if lead is None or lead not in frame.columns:
        return frame
    text = frame[lead].cast(pl.String)
    if not text.str.contains_any(_FOOTER_WORDS).any():  # most files: a quick look for the words, no pattern
        return frame
    ends, totals = text.str.contains(_ENDS).fill_null(False), text.str.contains(_TOTALS).fill_null(False)
    if not ends.any() and not totals.any():
        return frame
    keep = ~totals
    first_end = ends.arg_true()
    if first_end.len():
        keep = keep & (pl.int_range(frame.height, eager=True) < first_end[0])
    return frame.filter(keep)


def _blank_as_null(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Stripped cells that are left empty (only spaces were written) become null. Such cells are
    rare: a quick look finds the columns that have one, and only those are rewritten."""
    if not columns:
        return frame
    empty = frame.select((pl.col(c).str.len_bytes() == 0).any() for c in columns).row(0)
    blank = [c for c, found in zip(columns, empty, strict=True) if found]
    return frame.with_columns(pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c) for c in blank)


def _blank_rows(frame: pl.DataFrame, cells: list[str]) -> pl.Series | None:
    """Mask of the rows with a cell filled, or None when every row has one (a column without a
    null says so at once: polars counts nulls as it reads)."""
    if not cells or any(frame[c].null_count() == 0 for c in cells):
        return None
    filled = frame.select(pl.any_horizontal(pl.col(cells).is_not_null()))[:, 0]
    return None if filled.all() else filled


def read_table(table: str, data: bytes | Path, file: str, readings: list[Reading] | None = None) -> RawTable:
    """One CSV file as a raw table: known headers renamed to their codes, the rest dropped."""
    try:
        frame, header = _frame(table, data)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        raise RosterInputError([input_error("unreadable_file", file=file, value=f"{file}: {exc}")]) from exc
    headers = header.columns
    source_of = header.source
    frame = frame.with_row_index(ROW, offset=header.line + 2)
    frame = _data_rows(frame, header.lead)
    frame = frame.select(
        *[(pl.col(source_of[h]) if c in INTERPRETED else pl.col(source_of[h]).str.strip_chars()).alias(c)
          for c, h in headers.items()], pl.col(ROW).cast(pl.Int64), pl.lit(None, pl.String).alias(PATH))
    frame = _blank_as_null(frame, [c for c in headers if c not in INTERPRETED])
    filled = _blank_rows(frame, [c for c in frame.columns if c not in (ROW, PATH)])
    if filled is not None:  # blank rows are rare: a province's file is not copied to drop none
        frame = frame.filter(filled)
    found = tuple(str(h) for h in header.cells if str(h).strip())
    if readings is not None:
        used = set(headers.values())
        readings.append(Reading(table, file, None, header.line + 1, {h: c for c, h in headers.items()},
                                tuple(h for h in found if h not in used)))
    return RawTable(table, frame, file=file, headers=headers, found_headers=found)


def _tables(files: list[tuple[str, bytes | Path]], source: str) -> RawRoster:
    """The CSV files named as tables; without a 人员 file, one whose header is a roster's."""
    roster = RawRoster(source)
    errors: list[InputError] = []
    unnamed: list[tuple[str, bytes | Path]] = []
    named: dict[str, tuple[str, bytes | Path]] = {}
    for name, data in sorted(files, key=lambda item: item[0]):
        table = vocabulary.table_for(PurePosixPath(name).stem)
        if table is None:
            unnamed.append((name, data))
        else:
            named.setdefault(table, (name, data))
    for table, (outcome, readings) in zip(named, _read_together(named), strict=True):
        if isinstance(outcome, RosterInputError):
            errors.extend(outcome.errors)
        else:
            roster.tables[table] = outcome
        roster.readings.extend(readings)
    for name, data in unnamed:
        try:
            head = _head_lines(_utf8(data))
        except (UnicodeDecodeError, OSError):
            continue
        header = find_header("appointments", head)
        if "appointments" not in roster.tables and {"name", "role"} <= set(header.columns):
            roster.tables["appointments"] = read_table("appointments", data, PurePosixPath(name).name, roster.readings)
        else:
            roster.unread.append(Found(PurePosixPath(name).name, None, tuple(c for c in header.cells if c)))
    if errors:
        raise RosterInputError(errors)
    return roster


def _read_together(named: dict[str, tuple[str, bytes | Path]]) -> list[tuple[RawTable | RosterInputError, list[Reading]]]:
    """Read the tables side by side: polars parses a file without holding the GIL, so the small
    files (units, facilities, tasks …) take the core the 人员 file leaves idle. Each table's
    outcome (the table, or its errors) and readings come back in the files' order: the raw
    roster is the one a reading one after another gives."""
    def read(item: tuple[str, tuple[str, bytes | Path]]) -> tuple[RawTable | RosterInputError, list[Reading]]:
        table, (name, data) = item
        readings: list[Reading] = []
        try:
            return read_table(table, data, PurePosixPath(name).name, readings), readings
        except RosterInputError as exc:
            return exc, readings

    if len(named) < 2:
        return [read(item) for item in named.items()]
    with ThreadPoolExecutor(max_workers=min(len(named), os.cpu_count() or 1)) as pool:
        return list(pool.map(read, named.items()))


def read_directory(path: Path) -> RawRoster:
    files: list[tuple[str, bytes | Path]] = [
        (p.name, p) for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()]
    return _tables(files, path.name)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker meant it: the UTF-8 flag says so; without it, Info-ZIP (Linux,
    macOS) still writes UTF-8, and zip tools on Chinese Windows write GBK. Python reads both as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


@register(".zip", directory=read_directory)
def read_zip(data: bytes, name: str) -> RawRoster:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RosterInputError([input_error("unreadable_file", file=name, value=f"{name}: {exc}")]) from exc
    files: list[tuple[str, bytes | Path]] = [
        (_member_name(info), archive.read(info))
        for info in archive.infolist()
        if not info.is_dir() and _member_name(info).lower().endswith(".csv")
    ]
    return _tables(files, name)


@register(".csv")
def read_single_csv(data: bytes, name: str) -> RawRoster:
    """A lone CSV file is taken as the 人员 table when its name says nothing else."""
    table = vocabulary.table_for(PurePosixPath(name).stem) or "appointments"
    roster = RawRoster(name)
    roster.tables[table] = read_table(table, data, name, roster.readings)
    return roster
