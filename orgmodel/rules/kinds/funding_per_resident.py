"""funding_per_resident: yearly office and activity funding per resident (F1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from pydantic import Field

from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    Finding,
    Params,
    RuleSpec,
    finding,
    findings,
    kind,
    message,
    missing,
    per_community,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

FUNDING_SHORT = "年度办公活动经费{actual}元,低于每人{rate}元×{population}人={required_min}元"
FUNDING_NO_POPULATION = "未填写人口,无法核定办公活动经费"
FUNDING_NO_BUDGET = "未填写年度办公活动经费"


class FundingParams(Params):
    yuan_per_resident: float = Field(gt=0)


@kind("funding_per_resident", FundingParams)
def funding_per_resident(rule: RuleSpec, p: FundingParams, ctx: Context) -> pl.DataFrame:
    """Yearly office and activity funding ≥ `yuan_per_resident` × population (in yuan)."""
    table = ctx.communities_of(rule.applies_to).select(
        pl.col("id").alias("community_id"), "population", pl.col("office_activity_yuan").alias("actual"))
    known = table.filter(pl.col("population").is_not_null() & pl.col("actual").is_not_null()).with_columns(
        required_min=pl.col("population") * p.yuan_per_resident)
    return pl.concat([
        findings(known.filter(pl.col("actual") < pl.col("required_min")), severity=rule.severity, measure="yuan",
                 shortfall=0, message_expr=message(FUNDING_SHORT, rate=f"{p.yuan_per_resident:g}")),
        missing(table.filter(pl.col("population").is_null()), "population",
                FUNDING_NO_POPULATION, measure="yuan"),
        missing(table.filter(pl.col("actual").is_null()), "office_activity_yuan",
                FUNDING_NO_BUDGET, measure="yuan"),
    ])


@per_community("funding_per_resident")
def funding_per_resident_one(rule: RuleSpec, p: FundingParams, world: World) -> list[Finding]:
    short, no_population, no_budget = [], [], []
    rate = f"{p.yuan_per_resident:g}"
    for s in world.scope(rule.applies_to):
        c = s.community
        population, actual = c.population, c.office_activity_yuan
        if population is not None and actual is not None:
            required = population * p.yuan_per_resident
            if actual < required:
                figures = {"actual": actual, "rate": rate, "population": population, "required_min": required}
                short.append(finding(rule.severity, texts.fill(FUNDING_SHORT, figures), c.id, measure="yuan",
                                     required_min=required, actual=actual))
        if population is None:
            no_population.append(finding("warning", texts.fill(FUNDING_NO_POPULATION, {}), c.id, measure="yuan",
                                         actual=actual, missing_field="population"))
        if actual is None:
            no_budget.append(finding("warning", texts.fill(FUNDING_NO_BUDGET, {}), c.id, measure="yuan",
                                     missing_field="office_activity_yuan"))
    return short + no_population + no_budget
