"""pilot_count: each region of a level runs between min and max pilot communities (C1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

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
    per_community,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

PILOTS = "{name}试点社区应为{lo}-{hi}个,现有{actual}个"


class PilotCountParams(Params):
    level: Literal["province", "city", "county", "street"]
    min: int = Field(ge=0)
    max: int = Field(ge=0)


@kind("pilot_count", PilotCountParams)
def pilot_count(rule: RuleSpec, p: PilotCountParams, ctx: Context) -> pl.DataFrame:
    """Each region of `level` runs between min and max pilot communities; a region-level
    finding, only when the roster marks any community as a pilot."""
    communities = ctx.communities_of(rule.applies_to)
    if not communities["pilot"].any():
        return findings(communities.clear(), message_expr=pl.lit(""))
    levels = dict(ctx.roster.regions.select("id", "level").iter_rows())
    names = dict(ctx.roster.regions.select("id", "name").iter_rows())
    at_level = {region: next((a for a in chain if levels.get(a) == p.level), None)
                for region, chain in ctx.region_ancestors.items()}
    tally = dict(communities.select(pl.col("region").replace_strict(at_level, default=None, return_dtype=pl.String)
                                    .alias("r"), "pilot").drop_nulls("r").group_by("r").agg(pl.col("pilot").sum()).iter_rows())
    rows = [{"region_id": r, "actual": n, "name": names.get(r) or r}
            for r, n in sorted(tally.items()) if not p.min <= n <= p.max]
    frame = pl.DataFrame(rows, schema={"region_id": pl.String, "actual": pl.Int64, "name": pl.String})
    return findings(frame, severity=rule.severity, measure="communities", required_min=p.min, required_max=p.max,
                    shortfall=0, message_expr=message(PILOTS, lo=p.min, hi=p.max))


@per_community("pilot_count")
def pilot_count_one(rule: RuleSpec, p: PilotCountParams, world: World) -> list[Finding]:
    sites = world.scope(rule.applies_to)
    if not any(s.community.pilot for s in sites):
        return []
    regions = world.document.regions
    at_level = {region: next((a for a in chain if regions[a].level == p.level), None)
                for region, chain in world.region_ancestors.items()}
    tally: dict[str, int] = {}
    for s in sites:
        region = None if s.community.region is None else at_level.get(s.community.region)
        if region is not None:
            tally[region] = tally.get(region, 0) + s.community.pilot
    out = []
    for region, count in sorted(tally.items()):
        if not p.min <= count <= p.max:
            figures = {"name": regions[region].name or region, "lo": p.min, "hi": p.max, "actual": count}
            out.append(finding(rule.severity, texts.fill(PILOTS, figures), region=region, measure="communities",
                               required_min=p.min, required_max=p.max, actual=count))
    return out
