"""Rows of an upload, counted before it is parsed (a parser given a million-row sheet would
spend its memory before any limit could stop it).

Counting stops as soon as the limit is passed, so a hostile file costs at most the limit.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+:?[A-Z]*([0-9]*)"')
_ROW_TAGS = (b"<row ", b"<row>", b"<table:table-row ", b"<table:table-row>")
_CHUNK = 1 << 20


def _count_streamed(stream: IO[bytes], needles: tuple[bytes, ...], limit: int) -> int:
    keep = max(len(needle) for needle in needles) - 1  # too short to hold a whole needle: none counted twice
    count, tail = 0, b""
    while count <= limit:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        window = tail + chunk
        count += sum(window.count(needle) for needle in needles)
        tail = window[-keep:] if keep else b""
    return count


def _sheet_rows(archive: zipfile.ZipFile, member: str, limit: int) -> int:
    with archive.open(member) as stream:
        head = stream.read(4096)
        declared = _DIMENSION.search(head)
        if declared is not None and declared.group(1):
            return int(declared.group(1))
    with archive.open(member) as stream:
        return _count_streamed(stream, _ROW_TAGS, limit)


def archive_rows(archive: zipfile.ZipFile, limit: int) -> int:
    """Rows of all sheets of an .xlsx/.ods, or lines of all CSV files of a .zip."""
    total = 0
    for member in archive.namelist():
        lower = member.lower()
        if (lower.startswith("xl/worksheets/") and lower.endswith(".xml")) or lower == "content.xml":
            total += _sheet_rows(archive, member, limit - total)
        elif lower.endswith((".csv", ".tsv", ".txt")):
            with archive.open(member) as stream:
                total += _count_streamed(stream, (b"\n",), limit - total)
        if total > limit:
            break
    return total


def text_rows(data: bytes, name: str) -> int:
    """Lines of a CSV upload; 0 for a document (JSON/YAML), whose size the body limit bounds."""
    return data.count(b"\n") if name.lower().endswith((".csv", ".tsv", ".txt")) else 0
