"""What a reader hands on: the roster's tables as text, with where each row came from.

Readers only find tables, headers and cells; every meaning (codes, numbers, dates,
references) is read by `orgmodel.input.normalize`, once, for every format alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from orgmodel import vocabulary
from orgmodel.errors import InputError

ROW = "_row"  # the row number the user sees (Excel's, or the CSV line; header = 1)
PATH = "_path"  # or the place in a JSON/YAML document
SHEET = "_sheet"  # the sheet of each row, when a table was gathered from several (one sheet per community)


@dataclass
class RawTable:
    """One sheet or CSV file: canonical columns of text (null = blank) plus `_row` / `_path`."""

    name: str
    frame: pl.DataFrame
    file: str | None = None
    sheet: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # canonical column → header as written
    found_headers: tuple[str, ...] = ()  # every header of the sheet, for a message about a missing column

    def header(self, column: str) -> str:
        return self.headers.get(column) or vocabulary.header_label(self.name, column)

    @property
    def id_numbers(self) -> bool:
        """The person column is headed 身份证号: its values are resident ID numbers."""
        person = self.headers.get("person")
        return person is not None and vocabulary.clean(person) in vocabulary.ID_NUMBER_HEADERS


@dataclass(frozen=True)
class Reading:
    """How one sheet or CSV file was read, for the report's `column_mapping` notice: its header
    row, which header became which column, which columns were kept but not used."""

    table: str
    file: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # header as written → canonical column
    unused: tuple[str, ...] = ()
    community: str | None = None  # the community a sheet stands for (one sheet per community)


@dataclass
class Found:
    """A sheet or file a reader saw and did not take as a table, for a missing-table message."""

    file: str
    sheet: str | None
    headers: tuple[str, ...]


@dataclass
class RawRoster:
    """All tables of one roster input; `people` only when the format lists people apart (JSON)."""

    source: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    people: RawTable | None = None
    errors: list[InputError] = field(default_factory=list)  # what only the reader can see (a lost digit)
    readings: list[Reading] = field(default_factory=list)
    unread: list[Found] = field(default_factory=list)


# Columns of the 人员 table with few distinct spellings (posts, yes/no, dates, pay): readers
# keep them as categoricals, a third of the memory of plain strings for a province. Each has
# its own named category set, so that mapping a column touches only its own spellings.
CATEGORICAL = {"appointments": frozenset({"unit", "role", "full_time", "education", "police_officer",
                                          "political_legal_officer", "monthly_pay_yuan", "start", "end", "gender",
                                          "previous_monthly_pay_yuan"})}


def cell_dtype(table: str, column: str) -> pl.DataType:
    """How a reader should hold a column's cells: text, or text as a categorical."""
    if column in CATEGORICAL.get(table, ()):
        return pl.Categorical(pl.Categories(f"orgmodel.{table}.{column}"))
    return pl.String()


def text_frame(columns: dict[str, list[str | None]], rows: list[int | None], paths: list[str | None]) -> pl.DataFrame:
    """A raw frame from Python lists (the document readers); every column is text."""
    data: dict[str, pl.Series] = {c: pl.Series(c, v, dtype=pl.String) for c, v in columns.items()}
    data[ROW] = pl.Series(ROW, rows, dtype=pl.Int64)
    data[PATH] = pl.Series(PATH, paths, dtype=pl.String)
    return pl.DataFrame(data)
