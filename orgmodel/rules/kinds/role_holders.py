"""role_holders: each listed post has at least `min` (at most `max`) holders (S4, G1–G6, A1, A2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import Field

from orgmodel import vocabulary
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context, unit_index
from orgmodel.rules.kinds.base import (
    DetailColumns,
    DetailCount,
    Finding,
    Params,
    PostRef,
    RuleSpec,
    counted,
    counts,
    detail_counts,
    finding,
    findings,
    in_scope,
    kind,
    message,
    named,
    per_community,
    person_name,
    scope,
    unit_filter,
    with_counts,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

HOLDERS_EXACT = "{label}应为{required_min}名,现有{actual}名"
HOLDERS_AT_LEAST = "{label}应不少于{required_min}名,现有{actual}名"
HOLDERS_SHORTFALL = ",缺{shortfall}名"
HOLDERS_OVER = "{label}应不多于{required_max}名,现有{actual}名"
HOLDER_PART_TIME = "{label}{name}非专职,不计入专职人数"


class RoleHoldersParams(Params):
    posts: list[PostRef] = Field(min_length=1)
    min: int = Field(ge=0)
    max: int | None = Field(None, ge=0)
    full_time: bool = False
    part_time_warning: bool = False
    book_shortfall: bool = True
    only_if_unit_exists: bool = False


def _short_text(p: RoleHoldersParams) -> str:
    text = HOLDERS_EXACT if p.max == p.min else HOLDERS_AT_LEAST
    return text + HOLDERS_SHORTFALL if p.book_shortfall else text


@kind("role_holders", RoleHoldersParams)
def role_holders(rule: RuleSpec, p: RoleHoldersParams, ctx: Context) -> pl.DataFrame:
    """Each listed post (`unit.role`) has at least `min` (and at most `max`) holders, counting
    full-time ones only when `full_time`; part-time holders may each give a warning."""
    out = []
    for post in p.posts:
        unit, _, role = post.partition(".")
        label = vocabulary.post_label(unit, role)
        holders = ctx.holders([(unit, role)])
        held = holders.filter(pl.col("full_time")) if p.full_time else holders
        communities = scope(rule, ctx)
        if p.only_if_unit_exists:
            communities = unit_filter(ctx, communities, unit)
        table = with_counts(communities, counts(held))
        common: dict[str, object] = {"unit": unit, "role": role, "measure": "persons", "required_min": p.min,
                                     "required_max": p.max}
        short = table.filter(pl.col("actual") < p.min)
        shortfall = (pl.lit(p.min) - pl.col("actual")) if p.book_shortfall else pl.lit(0)
        out.append(findings(short.with_columns(shortfall=shortfall), severity=rule.severity,
                            message_expr=message(_short_text(p), label=label, required_min=p.min), **common))
        if p.max is not None:
            over = table.filter(pl.col("actual") > p.max)
            out.append(findings(over, severity=rule.over_max_severity, shortfall=0,
                                message_expr=message(HOLDERS_OVER, label=label, required_max=p.max),
                                **common))
        if p.full_time and p.part_time_warning:
            part_time = named(ctx, in_scope(holders.filter(~pl.col("full_time")), communities))
            out.append(findings(part_time, severity="warning", shortfall=0, detail="part_time",
                                message_expr=message(HOLDER_PART_TIME, label=label), **common))
    return pl.concat(out)


@per_community("role_holders")
def role_holders_one(rule: RuleSpec, p: RoleHoldersParams, world: World) -> list[Finding]:
    out = []
    template = _short_text(p)
    for post in p.posts:
        unit, _, role = post.partition(".")
        label = vocabulary.post_label(unit, role)
        sites = world.scope(rule.applies_to)
        if p.only_if_unit_exists:
            sites = [s for s in sites if unit in s.units]
        common: dict[str, Any] = {"unit": unit, "role": role, "measure": "persons", "required_min": p.min,
                                  "required_max": p.max}
        short, over, part_time = [], [], []
        for s in sites:
            held = s.posts.get((unit, role), {})
            actual = sum(held.values()) if p.full_time else len(held)
            if actual < p.min:
                shortfall = p.min - actual if p.book_shortfall else 0
                figures = {"label": label, "required_min": p.min, "actual": actual, "shortfall": shortfall}
                short.append(finding(rule.severity, texts.fill(template, figures), s.community.id, actual=actual,
                                     shortfall=shortfall, **common))
            if p.max is not None and actual > p.max:
                figures = {"label": label, "required_max": p.max, "actual": actual}
                over.append(finding(rule.over_max_severity, texts.fill(HOLDERS_OVER, figures), s.community.id,
                                    actual=actual, **common))
            if p.full_time and p.part_time_warning:
                part_time += [
                    finding("warning", texts.fill(HOLDER_PART_TIME, {"label": label,
                                                                     "name": person_name(world, person)}),
                            s.community.id, person=person, detail="part_time", **common)
                    for person, full_time in held.items() if not full_time]
        out += short + over + part_time
    return out


@detail_counts("role_holders")
def role_holders_detail(ctx: Context, p: RoleHoldersParams, columns: DetailColumns) -> list[DetailCount]:
    """Each post's holders (full-time ones, when only they count) against the minimum."""
    out = []
    for post in p.posts:
        unit, _, role = post.partition(".")
        holders = ctx.holders([(unit, role)])
        if p.full_time:
            holders = holders.filter(pl.col("full_time"))
        text = f"{p.min}" if p.max == p.min else (f"{p.min}-{p.max}" if p.max is not None else f"≥{p.min}")
        minimum = pl.lit(p.min, pl.Int64)
        if p.only_if_unit_exists:
            present = ctx.units_present.filter(pl.col("u") == unit_index(unit))["c"]
            minimum = pl.when(columns.c.is_in(present.implode())).then(minimum)
        label = vocabulary.UNIT_SHORT[unit] + vocabulary.role_label(role)
        if p.full_time and "专职" not in label:
            label += "(专职)"
        out.append(DetailCount(label, counted(holders), minimum, pl.lit(text)))
    return out
