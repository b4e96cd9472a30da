"""Roster readers: one module per format, found by their file suffixes.

A reader turns bytes into a `RawRoster` (tables of text with row locations) and knows
nothing of rules or codes. A new format is a new module in this package that calls
`register`; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from orgmodel.errors import RosterInputError, input_error
from orgmodel.input.raw import RawRoster
from orgmodel.input.readers import guards

BytesReader = Callable[[bytes, str], RawRoster]
DirectoryReader = Callable[[Path], RawRoster]

_BY_SUFFIX: dict[str, BytesReader] = {}
_DIRECTORY: list[DirectoryReader] = []


def register(*suffixes: str, directory: DirectoryReader | None = None) -> Callable[[BytesReader], BytesReader]:
    """Decorator: `@register(".json")` makes a bytes reader the one for those suffixes."""

    def decorate(reader: BytesReader) -> BytesReader:
        for suffix in suffixes:
            _BY_SUFFIX[suffix.lower()] = reader
        if directory is not None:
            _DIRECTORY.append(directory)
        return reader

    return decorate


def _load_readers() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def suffixes() -> list[str]:
    return sorted(_BY_SUFFIX)


def read_bytes(data: bytes, name: str) -> RawRoster:
    """Read an upload or a file's content; the format comes from the name's suffix."""
    suffix = Path(name).suffix.lower()
    reader = _BY_SUFFIX.get(suffix)
    if reader is None:
        raise RosterInputError([input_error(
            "unknown_format", file=name, value=name,
            expected="、".join(suffixes()) + " 或 CSV 文件夹 / or a folder of CSV files",
        )])
    return reader(data, name)


def read_roster(path: Path, limits: guards.Limits | None = None) -> RawRoster:
    """Read a roster from a file or a folder; a file that would cost its reader more than
    `limits` (the defaults unless given) is an input error before any parser sees it."""
    if path.is_dir():
        if not _DIRECTORY:
            raise RosterInputError([input_error("unknown_format", file=path.name, value=str(path))])
        return _DIRECTORY[0](path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterInputError([input_error("unreadable_file", file=path.name, value=f"{path}: {exc.strerror}")]) from exc
    guards.check_cost(data, path.name, limits or guards.Limits())
    return read_bytes(data, path.name)


_load_readers()
