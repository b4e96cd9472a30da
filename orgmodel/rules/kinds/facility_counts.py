"""facility_counts: a community has at least so many facilities of each category (FC1,
“五室三站两栏一校一场所”)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl
from pydantic import Field

from orgmodel import vocabulary
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
    no_findings,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

FACILITIES_SHORT = "“{category_label}”类设施应不少于{required_min}个,现有{actual}个"

Category = Literal["room", "station", "board", "school", "venue"]


class FacilityCountsParams(Params):
    minimums: dict[Category, int] = Field(min_length=1)  # category → the fewest a community should have


@kind("facility_counts", FacilityCountsParams)
def facility_counts(rule: RuleSpec, p: FacilityCountsParams, ctx: Context) -> pl.DataFrame:
    """Each category of facility is present at least `minimums[category]` times; one finding per
    category short. Only when the roster records facilities at all (then a community with none
    listed is short of every category); a facility whose category neither its row nor its name
    tells counts for none."""
    if not ctx.roster.has_facilities:
        return no_findings()
    communities = scope(rule, ctx).select("c", "community_id")
    have = ctx.roster.facilities.group_by("community").agg(  # one pass, a count per category
        (pl.col("category") == category).sum().alias(category) for category in p.minimums)
    counted = communities.join(have, left_on="community_id", right_on="community", how="left")
    out = []
    for category, least in p.minimums.items():
        short = (counted.select("c", "community_id", pl.col(category).fill_null(0).alias("actual"))
                 .filter(pl.col("actual") < least))
        out.append(findings(short, severity=rule.severity, measure="facilities", detail=category, required_min=least,
                            shortfall=0, message_expr=message(FACILITIES_SHORT, category_label=_label(category),
                                                             required_min=least)))
    return pl.concat(out)


def _label(category: str) -> str:
    return vocabulary.FACILITY_CATEGORIES[category]


@per_community("facility_counts")
def facility_counts_one(rule: RuleSpec, p: FacilityCountsParams, world: World) -> list[Finding]:
    if not world.document.has_facilities:
        return []
    out = []
    for category, least in p.minimums.items():
        for s in world.scope(rule.applies_to):
            actual = sum(f.category == category for f in s.community.facilities)
            if actual < least:
                figures = {"category_label": _label(category), "required_min": least, "actual": actual}
                out.append(finding(rule.severity, texts.fill(FACILITIES_SHORT, figures), s.community.id,
                                   measure="facilities", detail=category, required_min=least, actual=actual))
    return out
