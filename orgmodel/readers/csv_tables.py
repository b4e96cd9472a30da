"""A folder or `.zip` of CSV tables (formats.md §2), in UTF-8, UTF-8 with BOM or GB18030.

The encoding is detected, never asked for. Cells are read as text with polars (the bulk
path must read millions of rows fast); blank rows are dropped after numbering, so row
numbers stay the lines a user sees in the file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

import polars as pl

from orgmodel import vocabulary
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.raw import PATH, ROW, RawRoster, RawTable
from orgmodel.readers import register

BOM = b"\xef\xbb\xbf"
# Columns read through the vocabulary, which ignores spaces itself: stripping millions of
# such cells here would only cost time. Every other cell (ids, names) is stripped.
INTERPRETED = frozenset({
    "unit", "role", "full_time", "education", "police_officer", "political_legal_officer", "monthly_pay_yuan",
    "start", "end", "gender", "kind", "level", "pilot", "households", "population", "office_activity_yuan",
    "min_wage_monthly_yuan", "type", "category", "approved", "funded",
})


def _frame(data: bytes) -> pl.DataFrame:
    """Parse CSV bytes as text columns, trying UTF-8 first and GB18030 when that fails."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return pl.read_csv(data, infer_schema=False, truncate_ragged_lines=True)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower():
            raise
    text = data.decode("gb18030")
    return pl.read_csv(text.encode("utf-8"), infer_schema=False, truncate_ragged_lines=True)


def read_table(table: str, data: bytes, file: str) -> RawTable:
    """One CSV file as a raw table: known headers renamed to their codes, the rest dropped."""
    try:
        frame = _frame(data)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise RosterInputError([input_error("unreadable_file", file=file, value=f"{file}: {exc}")]) from exc
    headers: dict[str, str] = {}
    for header in frame.columns:
        column = vocabulary.column_for(table, header)
        if column is not None and column not in headers:
            headers[column] = header
    frame = frame.select(
        [(pl.col(h) if c in INTERPRETED else pl.col(h).str.strip_chars().replace("", None)).alias(c) for c, h in headers.items()]
    ).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64), pl.lit(None, pl.String).alias(PATH))
    cells = [c for c in frame.columns if c not in (ROW, PATH)]
    if cells:
        frame = frame.filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    return RawTable(table, frame, file=file, headers=headers)


def _tables(files: list[tuple[str, bytes]], source: str) -> RawRoster:
    roster = RawRoster(source)
    errors: list[InputError] = []
    for name, data in sorted(files):
        table = vocabulary.table_for(PurePosixPath(name).stem)
        if table is None or table in roster.tables:
            continue
        try:
            roster.tables[table] = read_table(table, data, PurePosixPath(name).name)
        except RosterInputError as exc:
            errors.extend(exc.errors)
    if errors:
        raise RosterInputError(errors)
    return roster


def read_directory(path: Path) -> RawRoster:
    files = [(p.name, p.read_bytes()) for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()]
    return _tables(files, path.name)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store names in GBK without saying so; Python reads them as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


@register(".zip", directory=read_directory)
def read_zip(data: bytes, name: str) -> RawRoster:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RosterInputError([input_error("unreadable_file", file=name, value=f"{name}: {exc}")]) from exc
    files = [
        (_member_name(info), archive.read(info))
        for info in archive.infolist()
        if not info.is_dir() and _member_name(info).lower().endswith(".csv")
    ]
    return _tables(files, name)


@register(".csv")
def read_single_csv(data: bytes, name: str) -> RawRoster:
    """A lone CSV file is taken as the 人员 table when its name says nothing else."""
    table = vocabulary.table_for(PurePosixPath(name).stem) or "appointments"
    return RawRoster(name, {table: read_table(table, data, name)})
