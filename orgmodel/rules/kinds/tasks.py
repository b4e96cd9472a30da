"""The work list (工作清单): task_category_known (T1), task_forbidden (T2), task_requirements (T3, T4).

The three kinds read the same tasks with the same message fields, so they share a module.
"""

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
    missing,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.records import Task
    from orgmodel.small.staffing import World

TASK_CATEGORY_UNCLEAR = "事项{detail}“{name}”类别“{category_text}”不明确"
TASK_FORBIDDEN = "事项{detail}“{name}”属于{category_label},不得转嫁给社区"
TASK_LACKS = "事项{detail}“{name}”缺少{item}"
TASK_FIELDS = {"approved": "准入批准", "funded": "经费", "authorization": "授权文号", "purchase_contract": "购买服务合同"}
BLANK_CATEGORY = "(空)"

Category = Literal["own_duty", "assist", "government_duty", "other"]


def task_blank(item: str) -> str:
    return f"事项{{detail}}“{{name}}”未填写{TASK_FIELDS[item]}"


class TaskCategoriesParams(Params):
    categories: list[Category] = Field(min_length=1)


class TaskRequirementsParams(Params):
    category: Category
    yes_no: list[Literal["approved", "funded"]] = Field([])
    documents: list[Literal["authorization", "purchase_contract"]] = Field([])


# --- columnar ---------------------------------------------------------------------------------

def _tasks(rule: RuleSpec, ctx: Context) -> pl.DataFrame:
    communities = scope(rule, ctx).select(pl.col("community_id").alias("community"))
    return ctx.roster.tasks.join(communities, on="community", how="semi").rename({"community": "community_id"}).with_columns(
        pl.col("id").alias("detail"), pl.col("name").fill_null(""), pl.col("category_text").fill_null(BLANK_CATEGORY),
        pl.col("category").replace_strict(vocabulary.TASK_CATEGORIES, default=None, return_dtype=pl.String)
        .alias("category_label"))


@kind("task_category_known", TaskCategoriesParams)
def task_category_known(rule: RuleSpec, p: TaskCategoriesParams, ctx: Context) -> pl.DataFrame:
    """Every task handed to the community has a known category (工作清单)."""
    tasks = _tasks(rule, ctx).filter(pl.col("category").is_null() | ~pl.col("category").is_in(p.categories))
    return findings(tasks, severity=rule.severity, measure="tasks", shortfall=0,
                    message_expr=message(TASK_CATEGORY_UNCLEAR))


@kind("task_forbidden", TaskCategoriesParams)
def task_forbidden(rule: RuleSpec, p: TaskCategoriesParams, ctx: Context) -> pl.DataFrame:
    """Tasks of these categories are never handed to a community."""
    tasks = _tasks(rule, ctx).filter(pl.col("category").is_in(p.categories))
    return findings(tasks, severity=rule.severity, measure="tasks", shortfall=0,
                    message_expr=message(TASK_FORBIDDEN))


@kind("task_requirements", TaskRequirementsParams)
def task_requirements(rule: RuleSpec, p: TaskRequirementsParams, ctx: Context) -> pl.DataFrame:
    """A task of the category has each required item: a yes/no item that is `false` is a
    finding and a blank one missing data; a document number that is blank is a finding."""
    tasks = _tasks(rule, ctx).filter(pl.col("category") == p.category)
    out = []
    common: dict[str, object] = {"measure": "tasks", "shortfall": 0}
    for item in p.yes_no:
        out.append(findings(tasks.filter(~pl.col(item).fill_null(True)), severity=rule.severity, **common,
                            message_expr=message(TASK_LACKS, item=TASK_FIELDS[item])))
        out.append(missing(tasks.filter(pl.col(item).is_null()), item, task_blank(item), **common))
    for document in p.documents:
        out.append(findings(tasks.filter(pl.col(document).is_null()), severity=rule.severity, **common,
                            message_expr=message(TASK_LACKS, item=TASK_FIELDS[document])))
    return pl.concat(out) if out else findings(tasks.clear(), message_expr=pl.lit(""))


# --- per community ----------------------------------------------------------------------------

def _tasks_of(rule: RuleSpec, world: World) -> list[tuple[str, Task, dict[str, object]]]:
    """(community, task, the task's message fields) for the rule's communities, in document order."""
    return [(s.community.id, t, {"detail": t.id, "name": t.name or "",
                                  "category_text": t.category_text or BLANK_CATEGORY,
                                  "category_label": vocabulary.TASK_CATEGORIES.get(t.category or "")})
            for s in world.scope(rule.applies_to) for t in s.community.tasks]


@per_community("task_category_known")
def task_category_known_one(rule: RuleSpec, p: TaskCategoriesParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(TASK_CATEGORY_UNCLEAR, fields), community, measure="tasks",
                    detail=task.id)
            for community, task, fields in _tasks_of(rule, world) if task.category not in p.categories]


@per_community("task_forbidden")
def task_forbidden_one(rule: RuleSpec, p: TaskCategoriesParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(TASK_FORBIDDEN, fields), community, measure="tasks",
                    detail=task.id)
            for community, task, fields in _tasks_of(rule, world) if task.category in p.categories]


@per_community("task_requirements")
def task_requirements_one(rule: RuleSpec, p: TaskRequirementsParams, world: World) -> list[Finding]:
    tasks = [(community, task, fields) for community, task, fields in _tasks_of(rule, world)
             if task.category == p.category]
    out = []
    for item in p.yes_no:
        out += [finding(rule.severity, texts.fill(TASK_LACKS, {**fields, "item": TASK_FIELDS[item]}),
                        community, measure="tasks", detail=task.id)
                for community, task, fields in tasks if getattr(task, item) is False]
        out += [finding("warning", texts.fill(task_blank(item), fields), community, measure="tasks",
                        missing_field=item, detail=task.id)
                for community, task, fields in tasks if getattr(task, item) is None]
    for document in p.documents:
        out += [finding(rule.severity, texts.fill(TASK_LACKS, {**fields, "item": TASK_FIELDS[document]}),
                        community, measure="tasks", detail=task.id)
                for community, task, fields in tasks if getattr(task, document) is None]
    return out
