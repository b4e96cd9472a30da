"""households_ratio: one worker per so many households (S5)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import Field

from orgmodel import vocabulary
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    DetailColumns,
    DetailCount,
    Finding,
    Params,
    RoleCode,
    RuleSpec,
    UnitCode,
    counted,
    counts,
    detail_counts,
    finding,
    findings,
    kind,
    message,
    missing,
    per_community,
    scope,
    with_counts,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

RATIO_SHORT = "{label}按{households}户应配备专职工作人员{required_min}名,现有{actual}名,缺{shortfall}名"
RATIO_NO_HOUSEHOLDS = "未填写户数,无法核定服务站专职工作人员数"


class HouseholdsRatioParams(Params):
    unit: UnitCode
    households_per_worker: int = Field(gt=0)
    minimum: int = Field(1, ge=0)
    full_time: bool = True
    booked_role: RoleCode = "staff"


def _required(p: HouseholdsRatioParams, households: pl.Expr) -> pl.Expr:
    """max(minimum, round-half-up(households / households_per_worker)), in columns."""
    return pl.max_horizontal(pl.lit(p.minimum), (households / p.households_per_worker + 0.5).floor())


@kind("households_ratio", HouseholdsRatioParams)
def households_ratio(rule: RuleSpec, p: HouseholdsRatioParams, ctx: Context) -> pl.DataFrame:
    """One worker per `households_per_worker` households: required = max(minimum,
    round-half-up(households / households_per_worker)); every (full-time) person of the unit counts."""
    staff = ctx.unit_posts([p.unit], full_time=p.full_time)
    table = with_counts(scope(rule, ctx, "households"), counts(staff))
    label = vocabulary.UNIT_SHORT[p.unit]
    known = table.filter(pl.col("households").is_not_null()).with_columns(
        required_min=_required(p, pl.col("households")).cast(pl.Int64))
    short = known.filter(pl.col("actual") < pl.col("required_min")).with_columns(
        shortfall=pl.col("required_min") - pl.col("actual"))
    return pl.concat([
        findings(short, severity=rule.severity, unit=p.unit, role=p.booked_role, measure="persons",
                 message_expr=message(RATIO_SHORT, label=label)),
        missing(table.filter(pl.col("households").is_null()), "households",
                RATIO_NO_HOUSEHOLDS, unit=p.unit, role=p.booked_role, measure="persons"),
    ])


@per_community("households_ratio")
def households_ratio_one(rule: RuleSpec, p: HouseholdsRatioParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    common: dict[str, Any] = {"unit": p.unit, "role": p.booked_role, "measure": "persons"}
    short, blank = [], []
    for s in world.scope(rule.applies_to):
        actual = len(s.members([p.unit], full_time=p.full_time))
        households = s.community.households
        if households is None:
            blank.append(finding("warning", texts.fill(RATIO_NO_HOUSEHOLDS, {}), s.community.id, actual=actual,
                                 missing_field="households", **common))
            continue
        required = max(p.minimum, math.floor(households / p.households_per_worker + 0.5))
        if actual < required:
            figures = {"label": label, "households": households, "required_min": required, "actual": actual,
                       "shortfall": required - actual}
            short.append(finding(rule.severity, texts.fill(RATIO_SHORT, figures), s.community.id,
                                 required_min=required, actual=actual, shortfall=required - actual, **common))
    return short + blank


@detail_counts("households_ratio")
def households_ratio_detail(ctx: Context, p: HouseholdsRatioParams, columns: DetailColumns) -> list[DetailCount]:
    """The unit's (full-time) people against what the community's households require."""
    staff = ctx.unit_posts([p.unit], full_time=p.full_time)
    minimum = pl.when(columns.households.is_not_null()).then(_required(p, columns.households).cast(pl.Int64))
    label = f"{vocabulary.UNIT_SHORT[p.unit]}专职人员(每{p.households_per_worker}户1名)"
    return [DetailCount(label, counted(staff), minimum, pl.format("≥{}", minimum))]
