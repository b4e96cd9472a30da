"""The small path: the report of a roster document of a few communities, in plain Python.

The library's pipeline (`readers` → `normalize` → `check` → `report`) works in columns, built
for a country's roster; for one community its fixed cost (a few hundred polars calls) is most
of an HTTP request's time. This package gives the same bytes for the common small case in a
fraction of a millisecond, and declines (None) everything else: the caller then runs the full
pipeline, which also locates any input error.

    document.py   a decoded document → records, or `Outside`
    staffing.py   who holds what as of a date (the counterpart of `rules.context`)
    evaluate.py   each kind's per-community evaluation (beside its columnar twin in `rules.kinds`)
    plan.py       what a pack needs, worked out once per pack
    report.py     sorting, status, roll-up and the JSON text (the counterpart of `report`)
"""

from __future__ import annotations

import datetime as dt

from orgmodel.check import today_in_china
from orgmodel.rules.messages import NotWritable
from orgmodel.rules.pack import Pack
from orgmodel.small import records as small_records
from orgmodel.small.plan import plan_for
from orgmodel.small.report import Found, build, to_bytes
from orgmodel.small.staffing import World


def report_bytes(document: object, pack: Pack, as_of: dt.date | None) -> bytes | None:
    """The report bytes of `orgmodel check --format json` for a small roster document (a decoded
    JSON object), or None when the document is outside what the fast path handles — then the
    caller runs the full pipeline, which also produces the located input errors."""
    plan = plan_for(pack)
    if plan is None:
        return None
    try:
        records = small_records.read(document)
        day = as_of or today_in_china()
        world = World(records, day)
        found: list[Found] = [(rule.order, rule.id, rule.citation, f)
                              for rule in plan.rules for f in rule.evaluate(rule.spec, rule.params, world)]
        return to_bytes(build(plan, records, day, found))
    except (small_records.Outside, NotWritable, UnicodeEncodeError):
        return None
