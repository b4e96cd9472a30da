"""The library's one pipeline: load a roster, load a pack, check, build the report.

Read → normalise → waivers → check → report is strung together here and nowhere else:
`orgmodel check` and the service's `POST /v1/check` both make these calls, so the same input
gives the same report bytes through either shell (formats.md §4, §5).

    loaded = load_roster(Path("花名册.xlsx"))       # or load_roster(data, "花名册.xlsx")
    result = check_roster(loaded, load_pack("nantong"), dt.date(2026, 11, 25))
    report = build_report(result).to_bytes()
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from orgmodel.check import CheckResult, Progress, check
from orgmodel.errors import InputError
from orgmodel.input import normalize, readers
from orgmodel.input.raw import RawRoster, RawTable
from orgmodel.input.readers import BytesReader
from orgmodel.input.readers.json_yaml import from_model
from orgmodel.input.schema import RosterDocument
from orgmodel.report.figures import build_report
from orgmodel.roster import Roster
from orgmodel.rules.pack import Pack, load_pack

__all__ = ["CheckResult", "LoadedRoster", "build_report", "check_roster", "load_pack", "load_roster", "read_roster",
           "report_bytes"]

Source = Path | bytes | RawRoster | RosterDocument


@dataclass(frozen=True)
class LoadedRoster:
    """A roster ready to check.

    `roster.notices` say how each sheet was read (the report's `column_mapping` and unknown-post
    notices); `skipped` are the communities left out with their errors (`skip_invalid`);
    `waivers` is the roster's own 豁免 sheet, validated against the pack when it is checked,
    since only then is it known which rules exist.
    """

    roster: Roster
    skipped: dict[str, list[InputError]] = field(default_factory=dict)
    waivers: tuple[RawTable, ...] = ()


def read_roster(source: Path | bytes, name: str | None = None, *, read: BytesReader | None = None) -> RawRoster:
    """The raw tables of a file or folder, or of bytes whose format comes from `name`'s suffix;
    `read` reads the bytes in place of the reader of that suffix (the service parses in a worker)."""
    if isinstance(source, Path):
        return readers.read_roster(source)
    if name is None:
        raise TypeError("a roster given as bytes needs the file name its format comes from")
    return (read or readers.read_bytes)(source, name)


def load_roster(source: Source, name: str | None = None, *, read: BytesReader | None = None,
                skip_invalid: bool = False) -> LoadedRoster:
    """Read and normalise a roster: a path, bytes with their file name, raw tables, or a
    roster document. Raises `RosterInputError` with every located error unless the input is
    clean, or `skip_invalid` is set and every error belongs to a community that can be left out."""
    if isinstance(source, RosterDocument):
        raw = from_model(source, name or "request")
    elif isinstance(source, RawRoster):
        raw = source
    else:
        raw = read_roster(source, name, read=read)
    roster, skipped = normalize.load(raw, skip_invalid=skip_invalid)
    sheet = raw.tables.get("waivers")
    return LoadedRoster(roster, skipped, () if sheet is None else (sheet,))


def check_roster(loaded: LoadedRoster, pack: Pack, as_of: dt.date | None = None, *, waivers_file: Path | None = None,
                 waivers: bool = True, progress: Progress | None = None) -> CheckResult:
    """Check every community as of a day (default: today in China), with the roster's 豁免 sheet
    and `waivers_file` applied; `waivers=False` leaves the sheet out (`orgmodel diff`, charts).
    A bad waiver is a `RosterInputError`, raised before any rule runs."""
    tables = [*loaded.waivers] if waivers else []
    validated = None
    if tables or waivers_file is not None:
        from orgmodel import waivers as waiving  # YAML and the waiver checks load only when a roster has some

        if waivers_file is not None:
            tables.append(waiving.read_waivers_file(waivers_file))
        validated = waiving.validate(tables, pack, loaded.roster, loaded.skipped)
    result = check(loaded.roster, pack, as_of, skipped=loaded.skipped, progress=progress)
    if validated is not None:
        result = waiving.apply_waivers(result, validated)
    return result


def report_bytes(source: Source, name: str | None, pack: Pack, as_of: dt.date | None = None, *,
                 read: BytesReader | None = None, skip_invalid: bool = False) -> bytes:
    """The JSON report (formats.md §4) of a roster, as `orgmodel check --format json` writes it."""
    result = check_roster(load_roster(source, name, read=read, skip_invalid=skip_invalid), pack, as_of)
    return build_report(result).to_bytes()
