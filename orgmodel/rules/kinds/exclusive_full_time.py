"""exclusive_full_time: a person is full-time in at most so many communities (X1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
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
    in_scope,
    kind,
    message,
    named,
    per_community,
    person_name,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

EXCLUSIVE = "{name}同时在{actual}个社区专职任职({detail})"


class ExclusiveParams(Params):
    max_communities: int = Field(1, ge=1)


@kind("exclusive_full_time", ExclusiveParams)
def exclusive_full_time(rule: RuleSpec, p: ExclusiveParams, ctx: Context) -> pl.DataFrame:
    """A person is full-time in at most `max_communities` communities (any number of posts
    inside one community is fine). Reported in every community involved."""
    full_time = ctx.unit_posts(list(vocabulary.UNITS), full_time=True)
    persons = full_time["p"].to_numpy()
    communities_per_person = np.bincount(persons, minlength=ctx.np)[persons]
    spread = full_time.with_columns(actual=pl.Series(communities_per_person)).filter(pl.col("actual") > p.max_communities)
    involved = in_scope(spread, ctx.communities_of(None).select("c", community_id="id"))
    where = involved.group_by("p").agg(pl.col("community_id").sort().str.join("、").alias("detail"))
    involved = named(ctx, in_scope(involved.drop("community_id"), scope(rule, ctx)).join(where, on="p"))
    return findings(involved, severity=rule.severity, measure="communities", required_max=p.max_communities,
                    shortfall=0, message_expr=message(EXCLUSIVE))


@per_community("exclusive_full_time")
def exclusive_full_time_one(rule: RuleSpec, p: ExclusiveParams, world: World) -> list[Finding]:
    if len(world.sites) <= p.max_communities:  # nobody can be full-time in more communities than there are
        return []
    full_time = {s.community.id: s.members(vocabulary.UNITS, full_time=True) for s in world.sites}
    where: dict[str, list[str]] = {}
    for community, persons in full_time.items():
        for person in persons:
            where.setdefault(person, []).append(community)
    out = []
    for s in world.scope(rule.applies_to):
        for person in full_time[s.community.id]:
            communities = sorted(where[person])
            if len(communities) > p.max_communities:
                detail = "、".join(communities)
                figures = {"name": person_name(world, person), "actual": len(communities), "detail": detail}
                out.append(finding(rule.severity, texts.fill(EXCLUSIVE, figures), s.community.id, person=person,
                                   measure="communities", required_max=p.max_communities, actual=len(communities),
                                   detail=detail))
    return out
