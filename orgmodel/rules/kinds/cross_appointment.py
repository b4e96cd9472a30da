"""cross_appointment: how many members of a unit also sit in a partner unit (交叉任职, X2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from pydantic import Field

from orgmodel import vocabulary
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    Finding,
    Params,
    RuleSpec,
    Severity,
    UnitCode,
    counts,
    finding,
    findings,
    kind,
    message,
    per_community,
    scope,
    unit_filter,
    with_counts,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

CROSSED = "{label}成员中有{actual}名与{partner}交叉任职"
NOT_CROSSED = "{label}成员无人与{partner}交叉任职"


def partner_label(unit_labels: list[str]) -> str:
    return "或".join(unit_labels)


class CrossAppointmentParams(Params):
    unit: UnitCode
    partner_units: list[UnitCode] = Field(min_length=1)
    zero_severity: Severity = "warning"


@kind("cross_appointment", CrossAppointmentParams)
def cross_appointment(rule: RuleSpec, p: CrossAppointmentParams, ctx: Context) -> pl.DataFrame:
    """Where the unit exists: how many of its members also hold a post in a partner unit
    (交叉任职); `zero_severity` when none does."""
    members = ctx.unit_posts([p.unit])
    partners = ctx.unit_posts(p.partner_units, among=members["p"].unique())
    crossed = members.join(partners, on=["c", "p"], how="semi")
    table = with_counts(unit_filter(ctx, scope(rule, ctx), p.unit), counts(crossed))
    label = vocabulary.UNIT_SHORT[p.unit]
    partner = partner_label([vocabulary.UNIT_SHORT[u] for u in p.partner_units])
    common: dict[str, object] = {"unit": p.unit, "measure": "persons", "shortfall": 0}
    return pl.concat([
        findings(table.filter(pl.col("actual") > 0), severity=rule.severity, **common,
                 message_expr=message(CROSSED, label=label, partner=partner)),
        findings(table.filter(pl.col("actual") == 0), severity=p.zero_severity, required_min=1, **common,
                 message_expr=message(NOT_CROSSED, label=label, partner=partner)),
    ])


@per_community("cross_appointment")
def cross_appointment_one(rule: RuleSpec, p: CrossAppointmentParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    partner = partner_label([vocabulary.UNIT_SHORT[u] for u in p.partner_units])
    some, none = [], []
    for s in world.scope(rule.applies_to):
        if p.unit not in s.units:
            continue
        actual = len(s.members([p.unit]) & s.members(p.partner_units))
        figures = {"label": label, "partner": partner, "actual": actual}
        if actual > 0:
            some.append(finding(rule.severity, texts.fill(CROSSED, figures), s.community.id, unit=p.unit,
                                measure="persons", actual=actual))
        else:
            none.append(finding(p.zero_severity, texts.fill(NOT_CROSSED, figures), s.community.id, unit=p.unit,
                                measure="persons", required_min=1, actual=0))
    return some + none
