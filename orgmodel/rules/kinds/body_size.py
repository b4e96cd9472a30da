"""body_size: a body has between min and max members, by community kind (S2, S3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import Field

from orgmodel import vocabulary
from orgmodel.roster import KIND
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    CommunityKind,
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
    per_community,
    scope,
    with_counts,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

BODY_SHORT = "{label}成员应为{required_min}-{required_max}名,现有{actual}名,缺{shortfall}名"
BODY_OVER = "{label}成员应为{required_min}-{required_max}名,现有{actual}名,超出{over}名(辖区人口较多、任务较重的社区可适当增加)"


class SizeRange(Params):
    min: int = Field(ge=0)
    max: int | None = Field(None, ge=0)


class BodySizeParams(Params):
    unit: UnitCode
    counted_roles: list[RoleCode] = Field(min_length=1)
    sizes: dict[CommunityKind, SizeRange]
    booked_role: RoleCode = "member"


@kind("body_size", BodySizeParams)
def body_size(rule: RuleSpec, p: BodySizeParams, ctx: Context) -> pl.DataFrame:
    """A body has between min and max members (distinct persons holding the counted posts),
    by community kind. Below min: seats missing, booked as `unit.booked_role`. Above max:
    `over_max_severity`, no shortfall."""
    holders = ctx.holders([(p.unit, r) for r in p.counted_roles])
    sizes = pl.DataFrame(
        {"kind": list(p.sizes), "required_min": [s.min for s in p.sizes.values()],
         "required_max": [s.max for s in p.sizes.values()]},
        schema={"kind": KIND, "required_min": pl.Int64, "required_max": pl.Int64},
    )
    table = with_counts(scope(rule, ctx), counts(holders)).join(sizes, on="kind", how="inner")
    label = vocabulary.UNIT_SHORT[p.unit]
    short = table.filter(pl.col("actual") < pl.col("required_min")).with_columns(
        shortfall=pl.col("required_min") - pl.col("actual"))
    over = table.filter(pl.col("actual") > pl.col("required_max")).with_columns(
        over=pl.col("actual") - pl.col("required_max"))
    return pl.concat([
        findings(short, severity=rule.severity, unit=p.unit, role=p.booked_role, measure="persons",
                 message_expr=message(BODY_SHORT, label=label)),
        findings(over, severity=rule.over_max_severity, unit=p.unit, role=p.booked_role, measure="persons",
                 shortfall=0, detail="over_max",
                 message_expr=message(BODY_OVER, label=label)),
    ])


@per_community("body_size")
def body_size_one(rule: RuleSpec, p: BodySizeParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    posts = [(p.unit, role) for role in p.counted_roles]
    short, over = [], []
    for s in world.scope(rule.applies_to):
        size = p.sizes.get(s.community.kind)  # type: ignore[call-overload]
        if size is None:
            continue
        actual = len(s.holders(posts))
        figures: dict[str, object] = {"label": label, "required_min": size.min, "required_max": size.max,
                                      "actual": actual}
        common: dict[str, Any] = {"unit": p.unit, "role": p.booked_role, "measure": "persons",
                                  "required_min": size.min, "required_max": size.max, "actual": actual}
        if actual < size.min:
            figures["shortfall"] = size.min - actual
            short.append(finding(rule.severity, texts.fill(BODY_SHORT, figures), s.community.id,
                                 shortfall=size.min - actual, **common))
        if size.max is not None and actual > size.max:
            figures["over"] = actual - size.max
            over.append(finding(rule.over_max_severity, texts.fill(BODY_OVER, figures), s.community.id,
                                detail="over_max", **common))
    return short + over


@detail_counts("body_size")
def body_size_detail(ctx: Context, p: BodySizeParams, columns: DetailColumns) -> list[DetailCount]:
    """The body's members against its range for the community's kind."""
    holders = ctx.holders([(p.unit, r) for r in p.counted_roles])
    mins = {k: s.min for k, s in p.sizes.items()}
    ranges = {k: f"{s.min}-{s.max}" if s.max is not None else f"≥{s.min}" for k, s in p.sizes.items()}
    minimum = columns.kind.replace_strict(mins, default=None, return_dtype=pl.Int64)
    required = columns.kind.replace_strict(ranges, default=None, return_dtype=pl.String)
    return [DetailCount(f"{vocabulary.UNIT_SHORT[p.unit]}成员", counted(holders), minimum, required)]
