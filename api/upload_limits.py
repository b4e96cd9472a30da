"""What an upload may cost, checked before it is parsed (a parser given a million-row sheet would
spend its memory before any limit could stop it) — inside the parsing worker (api.parsing), so
that even the checking of a hostile file costs the service nothing.

First the sizes an archive declares and the rows of its sheets, then the real cost of its
reader (`orgmodel.input.readers.guards`, the same checks `orgmodel check` makes): the cells of each
sheet's grid (rows × columns actually present), the shared-string bytes its cells reference,
the decoded size of its CSV text.

The rows of every sheet are counted while it is inflated — its row tags, the repeat counts of
ODS rows and the row numbers xlsx rows give themselves — never the `<dimension>` a sheet
declares, which a file can forge. Counting stops soon after the limit is passed, so a hostile
file costs at most the limit (and the unpacked size was checked before).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from api.settings import Settings
from orgmodel.input.readers import guards

_ROW_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:table-)?row[\s>/]")  # <row …>, <x:row>, <table:table-row …>
_ROW_NUMBER = re.compile(rb"""<(?:[A-Za-z][\w.-]*:)?row\s[^>]*?\br\s*=\s*["'](\d{1,10})["']""")  # xlsx: the row a tag says
_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["'](\d{1,10})["']""")  # ods: one tag standing for many rows
_LINE = re.compile(rb"\n")
_CHUNK = 1 << 20
_OVERLAP = 256  # longer than any tag's head, so a tag cut by a chunk's end is found whole in the next window


def _sheet_rows(stream: IO[bytes], limit: int) -> int:
    """The rows a parser will make of one sheet: its row tags, an ODS tag's repeat count, and
    an xlsx row's own number (a single cell in row 1,000,000 makes a million rows)."""
    count, highest, tail = 0, 0, b""
    while max(count, highest) <= limit:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        window = tail + chunk
        # a match that ends inside the carried-over tail was counted with the previous window
        count += sum(1 for m in _ROW_TAG.finditer(window) if m.end() > len(tail))
        count += sum(int(m.group(1)) - 1 for m in _REPEATED.finditer(window) if m.end() > len(tail))
        highest = max([highest, *(int(m.group(1)) for m in _ROW_NUMBER.finditer(window))])
        tail = window[-_OVERLAP:]
    return max(count, highest)


def _lines(stream: IO[bytes], limit: int) -> int:
    count = 0
    while count <= limit:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        count += chunk.count(b"\n")
    return count


def archive_rows(archive: zipfile.ZipFile, limit: int) -> int:
    """Rows of all sheets of an .xlsx/.ods (every XML part is read: a workbook may keep its sheets
    anywhere), or lines of all CSV files of a .zip."""
    total = 0
    for member in archive.namelist():
        lower = member.lower()
        if lower.endswith(".xml"):
            count: Callable[[IO[bytes], int], int] = _sheet_rows
        elif lower.endswith((".csv", ".tsv", ".txt")):
            count = _lines
        else:
            continue
        with archive.open(member) as stream:
            total += count(stream, limit - total)
        if total > limit:
            break
    return total


def text_rows(data: bytes, name: str) -> int:
    """Lines of a CSV upload; 0 for a document (JSON/YAML), whose size the body limit bounds."""
    return data.count(b"\n") if name.lower().endswith((".csv", ".tsv", ".txt")) else 0


@dataclass(frozen=True)
class UploadLimits:
    """The service's limits of one upload (a plain value: it travels to the parsing worker)."""

    unzipped_bytes: int
    rows: int
    cost: guards.Limits

    @classmethod
    def of(cls, settings: Settings) -> UploadLimits:
        return cls(settings.max_unzipped_bytes, settings.max_upload_rows,
                   guards.Limits(cells=settings.max_upload_cells, string_bytes=settings.max_upload_string_bytes,
                                 decoded_bytes=settings.max_decoded_bytes))


class UploadTooLarge(Exception):
    """An upload past the unpacked-size or row limit; the message says which (413)."""


def refuse_costly(data: bytes, name: str, limits: UploadLimits) -> None:
    """Raise `UploadTooLarge` or `guards.TooCostly` for an upload that would cost more than its
    limits, a located input error for an archive that is corrupt (a deflate stream, a directory)."""
    workbook = name.lower().endswith((".xlsx", ".xlsm"))
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unzipped = sum(member.file_size for member in archive.infolist())
                if unzipped > limits.unzipped_bytes:
                    raise UploadTooLarge(f"{name} unpacks to {unzipped} bytes, more than the limit of "
                                         f"{limits.unzipped_bytes}")
                if workbook:  # one pass over its sheets measures its rows, cells and shared strings
                    cost = guards.workbook_cost(archive, limits.cost)
                    if cost.rows > limits.rows:
                        raise UploadTooLarge(f"{name} holds more than {limits.rows} rows, the limit of one upload")
                    guards.refuse_workbook(archive, cost, name, limits.cost)
                    return
                rows = archive_rows(archive, limits.rows)
        except guards.ARCHIVE_ERRORS as exc:
            raise guards.unreadable(name, exc) from exc
    else:
        rows = text_rows(data, name)
    if rows > limits.rows:
        raise UploadTooLarge(f"{name} holds more than {limits.rows} rows, the limit of one upload")
    guards.check_cost(data, name, limits.cost)
