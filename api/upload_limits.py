"""Rows of an upload, counted before it is parsed (a parser given a million-row sheet would
spend its memory before any limit could stop it).

The row tags of every sheet are counted while it is inflated — never the `<dimension>` a sheet
declares, which a file can forge. Counting stops soon after the limit is passed, so a hostile
file costs at most the limit (and the unpacked size was checked before).
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

_ROW_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:table-)?row[\s>/]")  # <row …>, <x:row>, <table:table-row …>
_LINE = re.compile(rb"\n")
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any tag prefix, so a tag cut by a chunk's end is found whole in the next window


def _count_streamed(stream: IO[bytes], pattern: re.Pattern[bytes], limit: int) -> int:
    count, tail = 0, b""
    while count <= limit:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        window = tail + chunk
        # a match that ends inside the carried-over tail was counted with the previous window
        count += sum(1 for match in pattern.finditer(window) if match.end() > len(tail))
        tail = window[-_OVERLAP:]
    return count


def archive_rows(archive: zipfile.ZipFile, limit: int) -> int:
    """Rows of all sheets of an .xlsx/.ods, or lines of all CSV files of a .zip."""
    total = 0
    for member in archive.namelist():
        lower = member.lower()
        if (lower.startswith("xl/worksheets/") and lower.endswith(".xml")) or lower == "content.xml":
            pattern = _ROW_TAG
        elif lower.endswith((".csv", ".tsv", ".txt")):
            pattern = _LINE
        else:
            continue
        with archive.open(member) as stream:
            total += _count_streamed(stream, pattern, limit - total)
        if total > limit:
            break
    return total


def text_rows(data: bytes, name: str) -> int:
    """Lines of a CSV upload; 0 for a document (JSON/YAML), whose size the body limit bounds."""
    return data.count(b"\n") if name.lower().endswith((".csv", ".tsv", ".txt")) else 0
