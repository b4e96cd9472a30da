"""pay_growth: a full-time worker's pay rises year by year (P2, 工资自然增长机制)."""

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
    named,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

PAY_FLAT = "专职人员{name}月工资{actual}元,与上年持平,未逐年提高"
PAY_CUT = "专职人员{name}月工资{actual}元,低于上年的{required_min}元"


class PayGrowthParams(Params):
    exempt_roles: list[RoleCode] = Field([])  # paid by their own agencies, as for pay_floor


@kind("pay_growth", PayGrowthParams)
def pay_growth(rule: RuleSpec, p: PayGrowthParams, ctx: Context) -> pl.DataFrame:
    """A full-time worker's monthly pay is above last year's (上年月工资); `detail` says `flat`
    or `cut`. A worker without last year's figure gives nothing: it is not missing data."""
    communities = scope(rule, ctx)
    workers = ctx.with_people(ctx.full_time_workers(p.exempt_roles), "monthly_pay_yuan", "previous_monthly_pay_yuan")
    workers = workers.rename({"monthly_pay_yuan": "actual", "previous_monthly_pay_yuan": "required_min"})
    stalled = named(ctx, in_scope(workers.filter(pl.col("actual") <= pl.col("required_min")), communities))
    common: dict[str, object] = {"severity": rule.severity, "measure": "yuan", "shortfall": 0}
    return pl.concat([
        findings(stalled.filter(pl.col("actual") == pl.col("required_min")), detail="flat", **common,
                 message_expr=message(PAY_FLAT)),
        findings(stalled.filter(pl.col("actual") < pl.col("required_min")), detail="cut", **common,
                 message_expr=message(PAY_CUT)),
    ])


@per_community("pay_growth")
def pay_growth_one(rule: RuleSpec, p: PayGrowthParams, world: World) -> list[Finding]:
    flat: list[Finding] = []
    cut: list[Finding] = []
    for s in world.scope(rule.applies_to):
        workers = {person for (_, role), held in s.posts.items() if role not in p.exempt_roles
                   for person, full_time in held.items() if full_time}
        for person_id in workers:
            person = world.document.people[person_id]
            pay, before = person.monthly_pay_yuan, person.previous_monthly_pay_yuan
            if pay is None or before is None or pay > before:
                continue
            figures = {"name": person.name, "actual": pay, "required_min": before}
            into, template, detail = (flat, PAY_FLAT, "flat") if pay == before else (cut, PAY_CUT, "cut")
            into.append(finding(rule.severity, texts.fill(template, figures), s.community.id, person=person_id,
                                measure="yuan", required_min=before, actual=pay, detail=detail))
    return flat + cut
