"""orgmodel: check Chinese grassroots community staffing (一委一居一站一办) against rule packs.

The library in four calls (`orgmodel.pipeline`)::

    import orgmodel

    loaded = orgmodel.load_roster(Path("花名册.xlsx"))   # or (data, "花名册.xlsx"); RosterInputError if malformed
    result = orgmodel.check_roster(loaded, orgmodel.load_pack("nantong"), dt.date(2026, 11, 25))
    orgmodel.build_report(result).to_bytes()            # the JSON report of formats.md §4

The names load on first use, so importing one module of the package (a reader, the
vocabulary) does not import the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgmodel.pipeline import (
        CheckResult,
        LoadedRoster,
        build_report,
        check_roster,
        load_pack,
        load_roster,
        read_roster,
        report_bytes,
    )

__all__ = ["CheckResult", "LoadedRoster", "build_report", "check_roster", "load_pack", "load_roster", "read_roster",
           "report_bytes"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("orgmodel.pipeline"), name)
    raise AttributeError(f"module 'orgmodel' has no attribute {name!r}")
