"""holder_attribute: at least `min` holders of some posts have an attribute's value (L1)."""

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
    PostRef,
    RuleSpec,
    finding,
    findings,
    header,
    kind,
    message,
    missing,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

HOLDER_ATTRIBUTE_SHORT = "{label}应有{requirement},现有{actual}名"


def holder_attribute_blank(label: str, header: str, requirement: str) -> str:
    return f"{label}成员未填写{header},无法核实是否有{requirement}"


class HolderAttributeParams(Params):
    posts: list[PostRef] = Field(min_length=1)
    attribute: Literal["gender", "education"]
    value: str
    min: int = Field(1, ge=1)
    requirement: str


def _posts(p: HolderAttributeParams) -> list[tuple[str, str]]:
    return [(post.split(".", 1)[0], post.split(".", 1)[1]) for post in p.posts]


@kind("holder_attribute", HolderAttributeParams)
def holder_attribute(rule: RuleSpec, p: HolderAttributeParams, ctx: Context) -> pl.DataFrame:
    """At least `min` holders of the posts have `attribute` = `value` (e.g. a woman member of
    the villagers' committee); blank values that could make up the number are missing data."""
    holders = ctx.with_people(ctx.holders(_posts(p)), p.attribute)
    tally = holders.group_by("c").agg(
        (pl.col(p.attribute) == p.value).sum().alias("actual"), pl.col(p.attribute).is_null().sum().alias("blank"),
    )
    table = scope(rule, ctx).join(tally, on="c", how="left").with_columns(
        pl.col("actual").fill_null(0), pl.col("blank").fill_null(0))
    short = table.filter(pl.col("actual") < p.min)
    unit = p.posts[0].split(".")[0]
    return pl.concat([
        findings(short.filter(pl.col("actual") + pl.col("blank") < p.min), severity=rule.severity, unit=unit,
                 measure="persons", required_min=p.min, shortfall=0,
                 message_expr=message(HOLDER_ATTRIBUTE_SHORT, label=vocabulary.UNIT_SHORT[unit],
                                      requirement=p.requirement)),
        missing(short.filter(pl.col("actual") + pl.col("blank") >= p.min), p.attribute,
                holder_attribute_blank(vocabulary.UNIT_SHORT[unit], header(p.attribute), p.requirement),
                unit=unit, measure="persons"),
    ])


@per_community("holder_attribute")
def holder_attribute_one(rule: RuleSpec, p: HolderAttributeParams, world: World) -> list[Finding]:
    posts = _posts(p)
    unit = posts[0][0]
    label = vocabulary.UNIT_SHORT[unit]
    blank_text = holder_attribute_blank(label, header(p.attribute), p.requirement)
    short, blank = [], []
    for s in world.scope(rule.applies_to):
        values = [getattr(world.document.people[person], p.attribute) for person in s.holders(posts)]
        actual = sum(value == p.value for value in values)
        if actual >= p.min:
            continue
        if actual + values.count(None) < p.min:
            figures = {"label": label, "requirement": p.requirement, "actual": actual}
            short.append(finding(rule.severity, texts.fill(HOLDER_ATTRIBUTE_SHORT, figures), s.community.id,
                                 unit=unit, measure="persons", required_min=p.min, actual=actual))
        else:
            blank.append(finding("warning", texts.fill(blank_text, {}), s.community.id, unit=unit, measure="persons",
                                 actual=actual, missing_field=p.attribute))
    return short + blank
