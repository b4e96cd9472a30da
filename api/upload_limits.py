"""Rows of an upload, counted before it is parsed (a parser given a million-row sheet would
spend its memory before any limit could stop it).

The rows of every sheet are counted while it is inflated — its row tags, the repeat counts of
ODS rows and the row numbers xlsx rows give themselves — never the `<dimension>` a sheet
declares, which a file can forge. Counting stops soon after the limit is passed, so a hostile
file costs at most the limit (and the unpacked size was checked before).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from typing import IO

_ROW_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:table-)?row[\s>/]")  # <row …>, <x:row>, <table:table-row …>
_ROW_NUMBER = re.compile(rb'<(?:[A-Za-z][\w.-]*:)?row\s[^>]*?\br="(\d{1,10})"')  # xlsx: the row a tag says it is
_REPEATED = re.compile(rb'number-rows-repeated="(\d{1,10})"')  # ods: one tag standing for many rows
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
