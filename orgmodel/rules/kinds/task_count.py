"""task_count: the workload handed to a community, as a figure (T5, 工作事项数)."""

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

TASKS_HANDED = "社区承担工作事项{actual}项"
TASKS_OVER = "社区承担工作事项{actual}项,多于{required_max}项"
UNCLASSIFIED = "unknown"  # a task whose category is blank or unknown (T1 names it)
CATEGORY_ORDER = (*vocabulary.TASK_CATEGORIES, UNCLASSIFIED)


class TaskCountParams(Params):
    max: int | None = Field(None, ge=0)  # above it, the finding takes the rule's over-max severity


def breakdown(counts: dict[str, int]) -> str | None:
    """`own_duty:3,assist:2,unknown:1`: the tasks by category in the vocabulary's order, zeros left
    out; None for a community with no task."""
    return ",".join(f"{c}:{counts[c]}" for c in CATEGORY_ORDER if counts.get(c)) or None


@kind("task_count", TaskCountParams)
def task_count(rule: RuleSpec, p: TaskCountParams, ctx: Context) -> pl.DataFrame:
    """The number of tasks handed to each community (`actual`), with their counts by category in
    `detail`; above `max`, if the pack sets one, the rule's over-max severity. Only when the roster
    carries tasks at all."""
    tasks = ctx.roster.tasks
    if tasks.is_empty():
        return no_findings()
    by_category = (tasks.group_by("community", pl.col("category").fill_null(UNCLASSIFIED)).len()
                   .with_columns(order=pl.col("category").replace_strict(
                       {c: i for i, c in enumerate(CATEGORY_ORDER)}, return_dtype=pl.Int64))
                   .sort("community", "order")
                   .group_by("community", maintain_order=True)
                   .agg(pl.col("len").sum().alias("actual"),
                        pl.format("{}:{}", "category", "len").str.join(",").alias("detail")))
    communities = scope(rule, ctx).select("community_id").join(
        by_category, left_on="community_id", right_on="community", how="left", maintain_order="left").with_columns(
        pl.col("actual").fill_null(0).cast(pl.Int64))
    over = pl.lit(False) if p.max is None else pl.col("actual") > p.max
    return pl.concat([
        findings(communities.filter(~over), severity=rule.severity, measure="tasks", required_max=p.max, shortfall=0,
                 message_expr=message(TASKS_HANDED)),
        findings(communities.filter(over), severity=rule.over_max_severity, measure="tasks", required_max=p.max,
                 shortfall=0, message_expr=message(TASKS_OVER, required_max=p.max)),
    ])


@per_community("task_count")
def task_count_one(rule: RuleSpec, p: TaskCountParams, world: World) -> list[Finding]:
    if not any(c.tasks for c in world.document.communities):
        return []
    out = []
    for s in world.scope(rule.applies_to):
        counts: dict[str, int] = {}
        for task in s.community.tasks:
            category = task.category or UNCLASSIFIED
            counts[category] = counts.get(category, 0) + 1
        actual = len(s.community.tasks)
        over = p.max is not None and actual > p.max
        template = TASKS_OVER if over else TASKS_HANDED
        out.append(finding(rule.over_max_severity if over else rule.severity,
                           texts.fill(template, {"actual": actual, "required_max": p.max}), s.community.id,
                           measure="tasks", required_max=p.max, actual=actual, detail=breakdown(counts)))
    return out
