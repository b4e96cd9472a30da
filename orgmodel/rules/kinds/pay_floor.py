"""pay_floor: a full-time worker earns at least the region's minimum wage (P1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from pydantic import Field

from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    Finding,
    Params,
    RoleCode,
    RuleSpec,
    finding,
    findings,
    in_scope,
    kind,
    message,
    missing,
    named,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

PAY_BELOW = "专职人员{name}月工资{actual}元,低于当地最低工资{required_min}元"
PAY_BLANK = "专职人员{name}未填写月工资"
PAY_NO_MIN_WAGE = "所属区域未设定最低工资标准,无法核对专职人员工资"


class PayFloorParams(Params):
    exempt_roles: list[RoleCode] = Field([])


@kind("pay_floor", PayFloorParams)
def pay_floor(rule: RuleSpec, p: PayFloorParams, ctx: Context) -> pl.DataFrame:
    """A full-time worker's monthly pay ≥ the minimum wage of the community's region
    (inherited down the region tree); roles paid by their own agencies are exempt."""
    wages = ctx.region_min_wage
    communities = scope(rule, ctx, "region").with_columns(
        pl.col("region").replace_strict(wages, default=None, return_dtype=pl.Float64).alias("required_min"))
    workers = ctx.full_time_workers(p.exempt_roles)
    workers = ctx.with_people(workers, "monthly_pay_yuan").rename({"monthly_pay_yuan": "actual"}).with_columns(
        required_min=ctx.by_community(communities["c"], communities["required_min"]).gather(workers["c"]))
    below = workers.filter(pl.col("required_min").is_not_null()
                           & (pl.col("actual").is_null() | (pl.col("actual") < pl.col("required_min"))))
    workers = named(ctx, in_scope(below, communities))
    common: dict[str, object] = {"measure": "yuan", "shortfall": 0}
    return pl.concat([
        findings(workers.filter(pl.col("actual") < pl.col("required_min")), severity=rule.severity, **common,
                 message_expr=message(PAY_BELOW)),
        missing(workers.filter(pl.col("actual").is_null()), "monthly_pay_yuan", PAY_BLANK, **common),
        missing(communities.filter(pl.col("required_min").is_null()), "min_wage_monthly_yuan",
                PAY_NO_MIN_WAGE, **common),
    ])


@per_community("pay_floor")
def pay_floor_one(rule: RuleSpec, p: PayFloorParams, world: World) -> list[Finding]:
    below, blank, no_wage = [], [], []
    wages = world.region_min_wage
    for s in world.scope(rule.applies_to):
        c = s.community
        required = None if c.region is None else wages.get(c.region)
        if required is None:
            no_wage.append(finding("warning", texts.fill(PAY_NO_MIN_WAGE, {}), c.id, measure="yuan",
                                   missing_field="min_wage_monthly_yuan"))
            continue
        workers = {person for (_, role), held in s.posts.items() if role not in p.exempt_roles
                   for person, full_time in held.items() if full_time}
        for person_id in workers:
            person = world.document.people[person_id]
            pay = person.monthly_pay_yuan
            if pay is None:
                blank.append(finding("warning", texts.fill(PAY_BLANK, {"name": person.name}), c.id,
                                     person=person_id, measure="yuan", required_min=required,
                                     missing_field="monthly_pay_yuan"))
            elif pay < required:
                figures = {"name": person.name, "actual": pay, "required_min": required}
                below.append(finding(rule.severity, texts.fill(PAY_BELOW, figures), c.id, person=person_id,
                                     measure="yuan", required_min=required, actual=pay))
    return below + blank + no_wage
