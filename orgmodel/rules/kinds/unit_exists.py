"""unit_exists: each listed unit exists (S1)."""

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
    UnitCode,
    finding,
    findings,
    kind,
    message,
    per_community,
    scope,
    unit_filter,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

UNIT_MISSING = "缺少{label}"


class UnitExistsParams(Params):
    units: list[UnitCode] = Field(min_length=1)


@kind("unit_exists", UnitExistsParams)
def unit_exists(rule: RuleSpec, p: UnitExistsParams, ctx: Context) -> pl.DataFrame:
    """Each listed unit exists: declared, or with an appointment active on the as-of date."""
    communities = scope(rule, ctx)
    out = []
    for unit in p.units:
        absent = communities.join(unit_filter(ctx, communities, unit), on="community_id", how="anti")
        out.append(findings(
            absent, severity=rule.severity, unit=unit, measure="units", required_min=1, actual=0, shortfall=0,
            message_expr=message(UNIT_MISSING, label=vocabulary.unit_label(unit)),
        ))
    return pl.concat(out)


@per_community("unit_exists")
def unit_exists_one(rule: RuleSpec, p: UnitExistsParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(UNIT_MISSING, {"label": vocabulary.unit_label(unit)}),
                    s.community.id, unit=unit, measure="units", required_min=1, actual=0)
            for unit in p.units for s in world.scope(rule.applies_to) if unit not in s.units]
