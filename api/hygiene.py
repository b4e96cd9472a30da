"""Text the registry refuses before it stores anything, as located input errors (formats.md §3).

Two codes, the same on every database: `invalid_text` — a control, bidi or zero-width
character (`orgmodel.text_hygiene`) — and `text_too_long` — more characters than the column
that would hold the value (`api.registry.models.text_caps`; PostgreSQL would refuse it,
SQLite keep it). Request bodies are checked by their models (`api.schemas.body`); an imported
roster's cells here, where each still knows its file, sheet, row or document path.
"""

from __future__ import annotations

import polars as pl

from api.registry import models
from orgmodel.errors import InputError
from orgmodel.input.raw import PATH, ROW, RawRoster, RawTable
from orgmodel.text_hygiene import bad_characters, describe

INVALID_TEXT = "invalid_text"
TEXT_TOO_LONG = "text_too_long"
EXPECTED_TEXT = "text without control, bidi or zero-width characters"

# Raw columns stored as written (a name, an id): one line only. The others are read through the
# vocabulary, which drops whitespace, so a line break in them (a wrapped Excel cell) is harmless.
SINGLE_LINE: dict[str, frozenset[str]] = {
    "regions": frozenset({"id", "name", "parent"}),
    "communities": frozenset({"id", "name", "region"}),
    "appointments": frozenset({"community", "community_name", "person", "name"}),
    "people": frozenset({"community", "person", "name"}),
    "units": frozenset({"community", "name"}),
    "relations": frozenset({"community", "from", "to"}),
    "tasks": frozenset({"community", "id", "name", "assigned_by", "category", "authorization", "purchase_contract"}),
}
# Raw columns that become ids; every other stored cell is at most a name's length.
ID_COLUMNS = frozenset({"id", "community", "person", "region", "parent"})
_SUSPECT = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]"  # a superset of what bad_characters refuses, for polars


def _where(row: int | None, path: str | None) -> tuple[str, str]:
    if row is not None:
        return f"第{row}行 ", f"row {row}: "
    if path:
        return f"{path} ", f"{path}: "
    return "", ""


def invalid_text(characters: list[str], *, column: str | None, path: str | None = None, file: str | None = None,
                 sheet: str | None = None, row: int | None = None, community_id: str | None = None) -> InputError:
    names = ", ".join(describe(ch) for ch in characters)
    zh, en = _where(row, path)
    return InputError(code=INVALID_TEXT, file=file, sheet=sheet, row=row, column=column, value=names,
                      expected=EXPECTED_TEXT, path=path, community_id=community_id,
                      message_zh=f"{zh}{column or ''} 含有不可见字符或控制字符({names}),请删除后重新提交".strip(),
                      message_en=f"{en}{column or 'the text'} holds invisible or control characters ({names}); "
                                 "remove them and send it again")


def text_too_long(length: int, cap: int, *, column: str | None, path: str | None = None, file: str | None = None,
                  sheet: str | None = None, row: int | None = None, community_id: str | None = None) -> InputError:
    zh, en = _where(row, path)
    return InputError(code=TEXT_TOO_LONG, file=file, sheet=sheet, row=row, column=column, value=f"{length} characters",
                      expected=f"at most {cap} characters", path=path, community_id=community_id,
                      message_zh=f"{zh}{column or ''} 的值有{length}个字符,最多{cap}个".strip(),
                      message_en=f"{en}{column or 'the text'} has {length} characters, more than the {cap} it may have")


def _table_errors(table: RawTable) -> list[InputError]:
    single_line = SINGLE_LINE.get(table.name, frozenset())
    frame = table.frame
    errors = []
    for column in frame.columns:
        if column in (ROW, PATH) or frame.schema[column] not in (pl.String, pl.Categorical):
            continue
        cap = models.ID if column in ID_COLUMNS else models.NAME
        text = pl.col(column).cast(pl.String).str.strip_chars()
        suspects = frame.select(
            text.alias("value"), *(pl.col(c) if c in frame.columns else pl.lit(None).alias(c)
                                   for c in (ROW, PATH, "community"))
        ).filter(pl.col("value").str.contains(_SUSPECT) | (pl.col("value").str.len_chars() > cap))
        located = {"column": table.header(column), "file": table.file, "sheet": table.sheet}
        for value, row, row_path, community in suspects.iter_rows():
            path = f"{row_path}.{column}" if row_path else None  # as the normaliser locates a document's cells
            bad = bad_characters(value, multiline=column not in single_line)
            if bad:
                errors.append(invalid_text(bad, row=row, path=path, community_id=community, **located))
            if len(value) > cap:
                errors.append(text_too_long(len(value), cap, row=row, path=path, community_id=community, **located))
    return errors


def roster_text_errors(raw: RawRoster) -> list[InputError]:
    """Every refused cell of a roster about to be imported, in file, sheet, row, column order."""
    tables = [*raw.tables.values(), *([raw.people] if raw.people is not None else [])]
    return in_order([error for table in tables for error in _table_errors(table)])


def in_order(errors: list[InputError]) -> list[InputError]:
    """Sorted by file, sheet, row (or document path) and column, as formats.md §3 lists them."""
    return sorted(errors, key=lambda e: (e.file or "", e.sheet or "", e.row or 0, e.path or "", e.column or ""))
