"""A folder or `.zip` of CSV tables (formats.md §2), in UTF-8, UTF-8 with BOM or GB18030.

The encoding is detected, never asked for. Cells are read as text with polars (the bulk
path must read millions of rows fast); blank rows are dropped after numbering, so row
numbers stay the lines a user sees in the file.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path, PurePosixPath

import polars as pl

from orgmodel import vocabulary
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.raw import CATEGORICAL, PATH, ROW, RawRoster, RawTable, cell_dtype
from orgmodel.readers import register

# Columns read through the vocabulary, which ignores spaces itself: stripping millions of
# such cells here would only cost time. Every other cell (ids, names) is stripped.
INTERPRETED = frozenset({
    "unit", "role", "full_time", "education", "police_officer", "political_legal_officer", "monthly_pay_yuan",
    "start", "end", "gender", "kind", "level", "pilot", "households", "population", "office_activity_yuan",
    "min_wage_monthly_yuan", "type", "category", "approved", "funded",
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


def _frame(table: str, source: bytes | Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """Parse CSV as text and say which header is which column. A path is handed to polars as it
    is, so a province's file is never copied into Python. Columns read through the vocabulary
    (posts, yes/no, dates …) hold few distinct spellings: they are read as categoricals, which
    keeps a province's 3 million rows in a third of the memory of plain strings."""
    source = _utf8(source)
    header_row = pl.read_csv(source, infer_schema=False, n_rows=0).columns
    headers: dict[str, str] = {}
    for header in header_row:
        column = vocabulary.column_for(table, header)
        if column is not None and column not in headers:
            headers[column] = header
    overrides = {h: cell_dtype(table, c) for c, h in headers.items() if c in CATEGORICAL.get(table, ())}
    wanted = list(dict.fromkeys(headers.values()))
    try:
        frame = pl.read_csv(source, infer_schema=False, truncate_ragged_lines=True, schema_overrides=overrides,
                            columns=wanted or None)
    except pl.exceptions.ComputeError as exc:  # not UTF-8 after all, past the first 64 KiB
        if "utf-8" not in str(exc).lower():
            raise
        frame = pl.read_csv(_utf8(source, whole=True), infer_schema=False, truncate_ragged_lines=True,
                            schema_overrides=overrides, columns=wanted or None)
    return frame, headers


def read_table(table: str, data: bytes | Path, file: str) -> RawTable:
    """One CSV file as a raw table: known headers renamed to their codes, the rest dropped."""
    try:
        frame, headers = _frame(table, data)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        raise RosterInputError([input_error("unreadable_file", file=file, value=f"{file}: {exc}")]) from exc
    frame = frame.select(
        [(pl.col(h) if c in INTERPRETED else pl.col(h).str.strip_chars().replace("", None)).alias(c) for c, h in headers.items()]
    ).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64), pl.lit(None, pl.String).alias(PATH))
    cells = [c for c in frame.columns if c not in (ROW, PATH)]
    if cells:
        frame = frame.filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    return RawTable(table, frame, file=file, headers=headers)


def _tables(files: list[tuple[str, bytes | Path]], source: str) -> RawRoster:
    roster = RawRoster(source)
    errors: list[InputError] = []
    for name, data in sorted(files, key=lambda item: item[0]):
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
    files: list[tuple[str, bytes | Path]] = [
        (p.name, p) for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()]
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
    return RawRoster(name, {table: read_table(table, data, name)})
