"""The service's calls into the library's pipeline (`orgmodel.pipeline`): the report of an
upload, and the check of what the registry holds for a region.

The report is the CLI's bytes (formats.md §4, `build_report(...).to_bytes()`), not a
re-serialised model: the same input gives the same bytes through either shell.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from fastapi import HTTPException
from sqlalchemy.orm import Session

from api.parsing import Reader
from api.registry import repository
from orgmodel import CheckResult, LoadedRoster, build_report, check_roster, load_roster, read_roster, small
from orgmodel.input.schema import RosterDocument
from orgmodel.rules.pack import Pack

Progress = Callable[[str, float], None]  # (step, fraction done), what a job reports
Sessions = Callable[[], Session]

SMALL_DOCUMENT_BYTES = 256 * 1024  # a few communities; larger documents go the columnar way


def report_bytes(read: Reader, data: bytes, name: str, pack: Pack, as_of: dt.date | None, skip_invalid: bool,
                 progress: Progress | None = None) -> bytes:
    """`orgmodel check --format json` of an upload: read, normalise, waivers, check, report."""
    step = progress or (lambda _step, _fraction: None)
    step("reading", 0.05)
    raw = read_roster(data, name, read=read)
    step("normalising", 0.35)
    loaded = load_roster(raw, skip_invalid=skip_invalid)
    del raw
    step("checking", 0.55)
    result = check_roster(loaded, pack, as_of)
    step("writing the report", 0.85)
    return build_report(result).to_bytes()


def small_report(data: bytes, pack: Pack, as_of: dt.date | None) -> bytes | None:
    """The report of a small JSON document in plain Python, in the event loop (it takes well
    under a millisecond, less than a hop to the thread pool), or None: then the full pipeline
    runs, and gives the same bytes or the located input errors."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # nested past the parser's recursion: the full pipeline says so
        return None
    return small.report_bytes(document, pack, as_of)


def stored_result(sessions: Sessions, region_id: str, caller_region: str, pack: Pack,
                  as_of: dt.date | None) -> CheckResult:
    """The check of what the registry holds for the region (the caller's key must see it)."""
    with sessions() as session:
        repository.get_region(session, caller_region, region_id)
        document = repository.roster_as_of(session, region_id, as_of)
    if not document.communities:
        raise HTTPException(404, f"region {region_id} has no communities stored")
    return check_stored(document, region_id, pack, as_of)


def check_stored(document: RosterDocument, region_id: str, pack: Pack, as_of: dt.date | None) -> CheckResult:
    """A document the registry gave for the region, checked (a region stored without a level
    is a notice of the report, not an input error: `repository.checkable_roster`)."""
    return check_roster(LoadedRoster(repository.checkable_roster(document, f"region {region_id}")), pack, as_of)


def region_report(sessions: Sessions, region_id: str, caller_region: str, pack: Pack, as_of: dt.date | None) -> bytes:
    """The report (formats.md §4) of the region's stored roster as of a day."""
    return build_report(stored_result(sessions, region_id, caller_region, pack, as_of)).to_bytes()
