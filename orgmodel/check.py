"""Check a roster against a rule pack: every rule over every community, in columns.

A rule that crashes becomes an error finding naming the rule; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import polars as pl

from orgmodel.errors import InputError
from orgmodel.roster import Roster
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds import FINDING_SCHEMA, KINDS, findings, message
from orgmodel.rules.pack import Pack

Progress = Callable[[str, int, int], None]  # (what, done, total)


def today_in_china() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@dataclass
class CheckResult:
    pack: Pack
    as_of: dt.date
    roster: Roster
    findings: pl.DataFrame  # FINDING_SCHEMA plus rule_id, citation, rule_order, waiver
    skipped: dict[str, list[InputError]] = field(default_factory=dict)


def _crash(rule_id: str, exc: Exception) -> pl.DataFrame:
    detail = "".join(traceback.format_exception_only(exc)).strip()
    frame = pl.DataFrame({"detail": [detail]})
    return findings(frame, severity="error", shortfall=0,
                    message_expr=message(texts.RULE_CRASHED, rule=rule_id))


PARALLEL_FROM = 100_000  # appointments: below, the rules run one after another (a thread costs more than it saves)


def _rule_threads(roster: Roster) -> int:
    """Side by side on a national roster, where each rule is many polars calls that leave the
    GIL; one after another on a small one."""
    return (os.cpu_count() or 1) if roster.appointments.height >= PARALLEL_FROM else 1


def run_rules(roster: Roster, pack: Pack, as_of: dt.date, progress: Progress | None = None) -> pl.DataFrame:
    """All findings of the pack over the roster, sorted as formats.md §4 says."""
    ctx = Context(roster, as_of)

    def evaluate(order: int) -> pl.DataFrame:
        rule = pack.rules[order]
        try:
            found = KINDS[rule.kind].evaluate(rule.spec(), pack.params(rule), ctx)
        except Exception as exc:
            found = _crash(rule.id, exc)
        return found.with_columns(
            rule_id=pl.lit(rule.id), citation=pl.lit(rule.citation), rule_order=pl.lit(order, pl.Int32))

    parts = []
    pool = ThreadPoolExecutor(max_workers=_rule_threads(roster))
    try:
        results = pool.map(evaluate, range(len(pack.rules)))  # in the pack's order, so the findings are the same
        for order, rule in enumerate(pack.rules):
            if progress:  # may raise (a cancelled job): the rules not yet begun are dropped
                progress(f"{rule.id} {rule.title}", order, len(pack.rules))
            parts.append(next(results))
    finally:
        pool.shutdown(cancel_futures=True)
    if progress:
        progress("", len(pack.rules), len(pack.rules))
    everything = pl.concat(parts) if parts else pl.DataFrame(schema=FINDING_SCHEMA)
    regions = roster.communities.select(pl.col("id").alias("community_id"), pl.col("region").alias("community_region"))
    everything = everything.join(regions, on="community_id", how="left").with_columns(
        region_id=pl.coalesce("region_id", "community_region"), waiver=pl.lit(None, pl.String),
    ).drop("community_region")
    return everything.sort(
        [pl.col("community_id").is_null(), "community_id", "rule_order", "region_id", "unit", "role", "person_id"],
        nulls_last=False, maintain_order=True,
    )


def check(roster: Roster, pack: Pack, as_of: dt.date | None = None, *,
          skipped: dict[str, list[InputError]] | None = None, progress: Progress | None = None) -> CheckResult:
    day = as_of or today_in_china()
    return CheckResult(pack, day, roster, run_rules(roster, pack, day, progress), skipped or {})
