"""The region's leadership group (领导小组, §三(一)): group_exists (LG1) and group_offices
(LG2–LG4). Region-level findings: `region_id`, no community.

Both kinds read the same members and write the same region names, so they share a module.
A group's members are officials recorded by their office (本职, `vocabulary.OFFICES`); they
are never counted by community rules or the hiring plan.
"""

from __future__ import annotations

from collections.abc import Sequence
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
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

GROUP_MISSING = "{name}未组建领导小组"
LEADER_NOT = "{group}{role_label}应由{office_label}担任,现为{holder_label}"
OFFICE_MISSING = "{group}{role_label}中缺少{office_label}"
VACANT = "vacant"  # LG2's `detail` when nobody holds the post

Level = Literal["province", "city", "county", "street"]
Role = Literal["leader", "deputy_leader", "member"]
Office = Literal["party_secretary", "government_head", "deputy_party_secretary", "political_legal_secretary",
                 "rule_of_law_office_head", "civil_affairs_head", "legal_affairs_head"]


class GroupExistsParams(Params):
    level: Level  # every region of this level should have its group


class GroupOfficesParams(Params):
    roles: list[Role] = Field(min_length=1)  # the posts of the group the offices are looked for among
    offices: list[Office] = Field(min_length=1)
    # sole: the post is one person's (组长), and `detail` names the office that person holds instead
    sole: bool = False


def _label(office: str | None) -> str:
    return "空缺" if office is None else vocabulary.OFFICES.get(office, office)


def _role_label(roles: Sequence[str]) -> str:
    """副组长; 成员 for the whole group."""
    if set(roles) == set(vocabulary.LEADERSHIP_ROLES):
        return vocabulary.LEADERSHIP_ROLES["member"]
    return "、".join(vocabulary.LEADERSHIP_ROLES[r] for r in roles)


Groups = dict[str, tuple[str | None, list[tuple[str, str | None]]]]  # region → (group name, [(role, office)])


def _groups(ctx: Context) -> Groups:
    """Each region's group as the roster lists it: its name (the first row's) and members in order."""
    groups: Groups = {}
    for region, name, role, office in ctx.roster.leadership.select("region", "group_name", "role", "office").iter_rows():
        groups.setdefault(region, (name, []))[1].append((role, office))
    return groups


def _small_groups(world: World) -> Groups:
    """The same from the small engine's records (a group without members is no group, as in columns)."""
    return {r.id: (r.leadership_name, [(m.role, m.office) for m in r.leadership])
            for r in world.document.regions.values() if r.leadership}


def _region_names(names: dict[str, str | None]) -> dict[str, str]:
    return {region: name or region for region, name in names.items()}


def exists_findings(p: GroupExistsParams, levels: dict[str, str | None], names: dict[str, str],
                    groups: Groups) -> list[dict[str, object]]:
    """LG1's findings as records, for both engines: only when some region has a group."""
    if not groups:
        return []
    return [{"region_id": region, "name": names[region]}
            for region in sorted(levels) if levels[region] == p.level and region not in groups]


def offices_findings(p: GroupOfficesParams, names: dict[str, str], groups: Groups) -> list[dict[str, object]]:
    """LG2–LG4's findings as records, for both engines."""
    out: list[dict[str, object]] = []
    for region in sorted(groups):
        group_name, members = groups[region]
        held = [office for role, office in members if role in p.roles]
        name = names.get(region, region)
        base = {"region_id": region, "name": name, "group": group_name or f"{name}领导小组",
                "role_label": _role_label(p.roles)}
        if p.sole:
            holder = held[0] if held else None
            if holder not in p.offices:
                out.append({**base, "detail": holder or VACANT, "office_label": "或".join(_label(o) for o in p.offices),
                            "holder_label": _label(holder)})
            continue
        out.extend({**base, "detail": office, "office_label": _label(office)} for office in p.offices if office not in held)
    return out


_SCHEMA = {"region_id": pl.String, "name": pl.String, "group": pl.String, "role_label": pl.String,
           "detail": pl.String, "office_label": pl.String, "holder_label": pl.String}


def _frame(records: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=_SCHEMA)


@kind("group_exists", GroupExistsParams)
def group_exists(rule: RuleSpec, p: GroupExistsParams, ctx: Context) -> pl.DataFrame:
    """Every region of `level` has its leadership group; only when the roster carries
    leadership-group data for some region."""
    regions = ctx.roster.regions
    if ctx.roster.leadership.is_empty():
        return no_findings()
    levels = dict(regions.select("id", pl.col("level").cast(pl.String)).iter_rows())
    names = _region_names(dict(regions.select("id", "name").iter_rows()))
    records = exists_findings(p, levels, names, _groups(ctx))
    return findings(_frame(records), severity=rule.severity, measure="groups", required_min=1, actual=0,
                    shortfall=0, message_expr=message(GROUP_MISSING))


@kind("group_offices", GroupOfficesParams)
def group_offices(rule: RuleSpec, p: GroupOfficesParams, ctx: Context) -> pl.DataFrame:
    """Among the group's posts `roles`, each of `offices` is held (one finding per office
    missing, `detail` the office); with `sole`, the post's one holder holds one of `offices`
    (`detail` the office the holder has instead, or `vacant`)."""
    if ctx.roster.leadership.is_empty():
        return no_findings()
    names = _region_names(dict(ctx.roster.regions.select("id", "name").iter_rows()))
    template = LEADER_NOT if p.sole else OFFICE_MISSING
    return findings(_frame(offices_findings(p, names, _groups(ctx))), severity=rule.severity, measure="officials",
                    shortfall=0, message_expr=message(template))


@per_community("group_exists")
def group_exists_one(rule: RuleSpec, p: GroupExistsParams, world: World) -> list[Finding]:
    regions = world.document.regions
    names = _region_names({r.id: r.name for r in regions.values()})
    records = exists_findings(p, {r.id: r.level for r in regions.values()}, names, _small_groups(world))
    return [finding(rule.severity, texts.fill(GROUP_MISSING, r), region=str(r["region_id"]), measure="groups",
                    required_min=1, actual=0) for r in records]


@per_community("group_offices")
def group_offices_one(rule: RuleSpec, p: GroupOfficesParams, world: World) -> list[Finding]:
    names = _region_names({r.id: r.name for r in world.document.regions.values()})
    template = LEADER_NOT if p.sole else OFFICE_MISSING
    return [finding(rule.severity, texts.fill(template, r), region=str(r["region_id"]), measure="officials",
                    detail=str(r["detail"])) for r in offices_findings(p, names, _small_groups(world))]
