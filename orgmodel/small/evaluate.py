"""The kinds of rule for a small roster, one community at a time, in plain Python.

Each function is the counterpart of the kind of the same name in `orgmodel.rules.kinds`: the
same parameters (the pack's validated models), the same findings with the same fields and
texts (`orgmodel.rules.messages`), produced in the same order, so that sorting them as
`orgmodel.check` does gives the same list. A kind's numbers always come from the pack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from orgmodel import vocabulary
from orgmodel.rules import kinds as columnar
from orgmodel.rules import messages as texts
from orgmodel.rules.kinds import RuleSpec
from orgmodel.small.document import Task
from orgmodel.small.staffing import World


class Finding(NamedTuple):
    """The fields of `kinds.FINDING_SCHEMA`, in its order (figures as read, unrounded)."""

    severity: str
    community_id: str | None
    region_id: str | None
    unit: str | None
    role: str | None
    person_id: str | None
    measure: str | None
    required_min: float | None
    required_max: float | None
    actual: float | None
    shortfall: int
    missing_field: str | None
    detail: str | None
    message: str | None


def finding(severity: str, message: str | None, community: str | None = None, *, region: str | None = None,
            unit: str | None = None, role: str | None = None, person: str | None = None, measure: str | None = None,
            required_min: float | None = None, required_max: float | None = None, actual: float | None = None,
            shortfall: int = 0, missing_field: str | None = None, detail: str | None = None) -> Finding:
    return Finding(severity, community, region, unit, role, person, measure, required_min, required_max, actual,
                   shortfall, missing_field, detail, message)


Evaluate = Callable[[RuleSpec, Any, World], list[Finding]]


class Kind(NamedTuple):
    evaluate: Evaluate
    supports: Callable[[Any], bool]  # parameters this engine reproduces exactly


KINDS: dict[str, Kind] = {}


def kind(name: str, supports: Callable[[Any], bool] = lambda params: True) -> Callable[[Evaluate], Evaluate]:
    if name not in columnar.KINDS:
        raise ValueError(f"{name} is not a kind of orgmodel.rules.kinds")

    def register(fn: Evaluate) -> Evaluate:
        KINDS[name] = Kind(fn, supports)
        return fn
    return register


def _name(world: World, person: str) -> str | None:
    return world.document.people[person].name


def _header(attribute: str) -> str:
    return vocabulary.header_label("appointments", attribute)


# --- the kinds ---------------------------------------------------------------------------------

@kind("unit_exists")
def unit_exists(rule: RuleSpec, p: columnar.UnitExistsParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(texts.UNIT_MISSING, {"label": vocabulary.unit_label(unit)}),
                    s.community.id, unit=unit, measure="units", required_min=1, actual=0)
            for unit in p.units for s in world.scope(rule.applies_to) if unit not in s.units]


@kind("body_size")
def body_size(rule: RuleSpec, p: columnar.BodySizeParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    counted = [(p.unit, role) for role in p.counted_roles]
    short, over = [], []
    for s in world.scope(rule.applies_to):
        size = p.sizes.get(s.community.kind)  # type: ignore[call-overload]
        if size is None:
            continue
        actual = len(s.holders(counted))
        figures: dict[str, object] = {"label": label, "required_min": size.min, "required_max": size.max,
                                      "actual": actual}
        common: dict[str, Any] = {"unit": p.unit, "role": p.booked_role, "measure": "persons",
                                  "required_min": size.min, "required_max": size.max, "actual": actual}
        if actual < size.min:
            figures["shortfall"] = size.min - actual
            short.append(finding(rule.severity, texts.fill(texts.BODY_SHORT, figures), s.community.id,
                                 shortfall=size.min - actual, **common))
        if size.max is not None and actual > size.max:
            figures["over"] = actual - size.max
            over.append(finding(rule.over_max_severity, texts.fill(texts.BODY_OVER, figures), s.community.id,
                                detail="over_max", **common))
    return short + over


@kind("role_holders")
def role_holders(rule: RuleSpec, p: columnar.RoleHoldersParams, world: World) -> list[Finding]:
    out = []
    template = texts.HOLDERS_EXACT if p.max == p.min else texts.HOLDERS_AT_LEAST
    if p.book_shortfall:
        template += texts.HOLDERS_SHORTFALL
    for post in p.posts:
        unit, _, role = post.partition(".")
        label = vocabulary.post_label(unit, role)
        scope = world.scope(rule.applies_to)
        if p.only_if_unit_exists:
            scope = [s for s in scope if unit in s.units]
        common: dict[str, Any] = {"unit": unit, "role": role, "measure": "persons", "required_min": p.min,
                                  "required_max": p.max}
        short, over, part_time = [], [], []
        for s in scope:
            held = s.posts.get((unit, role), {})
            actual = sum(held.values()) if p.full_time else len(held)
            if actual < p.min:
                shortfall = p.min - actual if p.book_shortfall else 0
                figures = {"label": label, "required_min": p.min, "actual": actual, "shortfall": shortfall}
                short.append(finding(rule.severity, texts.fill(template, figures), s.community.id, actual=actual,
                                     shortfall=shortfall, **common))
            if p.max is not None and actual > p.max:
                figures = {"label": label, "required_max": p.max, "actual": actual}
                over.append(finding(rule.over_max_severity, texts.fill(texts.HOLDERS_OVER, figures), s.community.id,
                                    actual=actual, **common))
            if p.full_time and p.part_time_warning:
                part_time += [
                    finding("warning", texts.fill(texts.HOLDER_PART_TIME, {"label": label, "name": _name(world, person)}),
                            s.community.id, person=person, detail="part_time", **common)
                    for person, full_time in held.items() if not full_time]
        out += short + over + part_time
    return out


@kind("households_ratio")
def households_ratio(rule: RuleSpec, p: columnar.HouseholdsRatioParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    common: dict[str, Any] = {"unit": p.unit, "role": p.booked_role, "measure": "persons"}
    short, blank = [], []
    for s in world.scope(rule.applies_to):
        actual = len(s.members([p.unit], full_time=p.full_time))
        households = s.community.households
        if households is None:
            blank.append(finding("warning", texts.fill(texts.RATIO_NO_HOUSEHOLDS, {}), s.community.id, actual=actual,
                                 missing_field="households", **common))
            continue
        required = max(p.minimum, math.floor(households / p.households_per_worker + 0.5))
        if actual < required:
            figures = {"label": label, "households": households, "required_min": required, "actual": actual,
                       "shortfall": required - actual}
            short.append(finding(rule.severity, texts.fill(texts.RATIO_SHORT, figures), s.community.id,
                                 required_min=required, actual=actual, shortfall=required - actual, **common))
    return short + blank


@kind("qualification", supports=lambda p: p.attribute in ("police_officer", "political_legal_officer")
      or not any(isinstance(v, bool) for v in p.allowed))
def qualification(rule: RuleSpec, p: columnar.QualificationParams, world: World) -> list[Finding]:
    unit, _, role = p.post.partition(".")
    label = vocabulary.post_label(unit, role)
    blank_text = texts.qualification_blank(label, _header(p.attribute), p.requirement)
    common: dict[str, Any] = {"unit": unit, "role": role, "measure": "persons"}
    failed, blank = [], []
    for s in world.scope(rule.applies_to):
        for person_id in s.posts.get((unit, role), {}):
            person = world.document.people[person_id]
            value = getattr(person, p.attribute)
            if value is None:
                blank.append(finding("warning", texts.fill(blank_text, {"name": person.name}), s.community.id,
                                     person=person_id, missing_field=p.attribute, **common))
            elif value not in p.allowed:
                figures = {"label": label, "requirement": p.requirement, "name": person.name}
                failed.append(finding(rule.severity, texts.fill(texts.QUALIFICATION_FAILED, figures), s.community.id,
                                      person=person_id, detail=texts.cell_text(value), **common))
    return failed + blank


@kind("exclusive_full_time")
def exclusive_full_time(rule: RuleSpec, p: columnar.ExclusiveParams, world: World) -> list[Finding]:
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
                figures = {"name": _name(world, person), "actual": len(communities), "detail": detail}
                out.append(finding(rule.severity, texts.fill(texts.EXCLUSIVE, figures), s.community.id, person=person,
                                   measure="communities", required_max=p.max_communities, actual=len(communities),
                                   detail=detail))
    return out


@kind("cross_appointment")
def cross_appointment(rule: RuleSpec, p: columnar.CrossAppointmentParams, world: World) -> list[Finding]:
    label = vocabulary.UNIT_SHORT[p.unit]
    partner = texts.partner_label([vocabulary.UNIT_SHORT[u] for u in p.partner_units])
    some, none = [], []
    for s in world.scope(rule.applies_to):
        if p.unit not in s.units:
            continue
        actual = len(s.members([p.unit]) & s.members(p.partner_units))
        figures = {"label": label, "partner": partner, "actual": actual}
        if actual > 0:
            some.append(finding(rule.severity, texts.fill(texts.CROSSED, figures), s.community.id, unit=p.unit,
                                measure="persons", actual=actual))
        else:
            none.append(finding(p.zero_severity, texts.fill(texts.NOT_CROSSED, figures), s.community.id, unit=p.unit,
                                measure="persons", required_min=1, actual=0))
    return some + none


@kind("forbidden_relation", supports=lambda p: p.source == "government")
def forbidden_relation(rule: RuleSpec, p: columnar.ForbiddenRelationParams, world: World) -> list[Finding]:
    """Edges of the type from a government body into a unit of the community, in the order of
    `graph.forbidden_edges` (by the body's name, then the unit)."""
    edges = sorted((r.from_government, s.community.id, r.to_unit)
                   for s in world.scope(rule.applies_to) for r in s.community.relations
                   if r.type == p.type and r.from_government is not None and r.to_government is None
                   and r.to_unit is not None)
    relation = vocabulary.RELATION_TYPES[p.type]
    return [finding(rule.severity, texts.fill(texts.FORBIDDEN_RELATION, {
                        "detail": body, "label": vocabulary.UNIT_SHORT.get(unit, unit), "relation": relation}),
                    community, unit=unit, measure="relations", detail=body)
            for body, community, unit in edges]


@kind("funding_per_resident")
def funding_per_resident(rule: RuleSpec, p: columnar.FundingParams, world: World) -> list[Finding]:
    short, no_population, no_budget = [], [], []
    rate = f"{p.yuan_per_resident:g}"
    for s in world.scope(rule.applies_to):
        c = s.community
        population, actual = c.population, c.office_activity_yuan
        if population is not None and actual is not None:
            required = population * p.yuan_per_resident
            if actual < required:
                figures = {"actual": actual, "rate": rate, "population": population, "required_min": required}
                short.append(finding(rule.severity, texts.fill(texts.FUNDING_SHORT, figures), c.id, measure="yuan",
                                     required_min=required, actual=actual))
        if population is None:
            no_population.append(finding("warning", texts.fill(texts.FUNDING_NO_POPULATION, {}), c.id, measure="yuan",
                                         actual=actual, missing_field="population"))
        if actual is None:
            no_budget.append(finding("warning", texts.fill(texts.FUNDING_NO_BUDGET, {}), c.id, measure="yuan",
                                     missing_field="office_activity_yuan"))
    return short + no_population + no_budget


@kind("pay_floor")
def pay_floor(rule: RuleSpec, p: columnar.PayFloorParams, world: World) -> list[Finding]:
    below, blank, no_wage = [], [], []
    wages = world.region_min_wage
    for s in world.scope(rule.applies_to):
        c = s.community
        required = None if c.region is None else wages.get(c.region)
        if required is None:
            no_wage.append(finding("warning", texts.fill(texts.PAY_NO_MIN_WAGE, {}), c.id, measure="yuan",
                                   missing_field="min_wage_monthly_yuan"))
            continue
        workers = {person for (_, role), held in s.posts.items() if role not in p.exempt_roles
                   for person, full_time in held.items() if full_time}
        for person_id in workers:
            person = world.document.people[person_id]
            pay = person.monthly_pay_yuan
            if pay is None:
                blank.append(finding("warning", texts.fill(texts.PAY_BLANK, {"name": person.name}), c.id,
                                     person=person_id, measure="yuan", required_min=required,
                                     missing_field="monthly_pay_yuan"))
            elif pay < required:
                figures = {"name": person.name, "actual": pay, "required_min": required}
                below.append(finding(rule.severity, texts.fill(texts.PAY_BELOW, figures), c.id, person=person_id,
                                     measure="yuan", required_min=required, actual=pay))
    return below + blank + no_wage


def _tasks(rule: RuleSpec, world: World) -> list[tuple[str, Task, dict[str, object]]]:
    """(community, task, the task's message fields) for the rule's communities, in document order."""
    return [(s.community.id, t, {"detail": t.id, "name": t.name or "",
                                  "category_text": t.category_text or texts.BLANK_CATEGORY,
                                  "category_label": vocabulary.TASK_CATEGORIES.get(t.category or "")})
            for s in world.scope(rule.applies_to) for t in s.community.tasks]


@kind("task_category_known")
def task_category_known(rule: RuleSpec, p: columnar.TaskCategoriesParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(texts.TASK_CATEGORY_UNCLEAR, fields), community, measure="tasks",
                    detail=task.id)
            for community, task, fields in _tasks(rule, world) if task.category not in p.categories]


@kind("task_forbidden")
def task_forbidden(rule: RuleSpec, p: columnar.TaskCategoriesParams, world: World) -> list[Finding]:
    return [finding(rule.severity, texts.fill(texts.TASK_FORBIDDEN, fields), community, measure="tasks",
                    detail=task.id)
            for community, task, fields in _tasks(rule, world) if task.category in p.categories]


@kind("task_requirements")
def task_requirements(rule: RuleSpec, p: columnar.TaskRequirementsParams, world: World) -> list[Finding]:
    tasks = [(community, task, fields) for community, task, fields in _tasks(rule, world) if task.category == p.category]
    out = []
    for item in p.yes_no:
        out += [finding(rule.severity, texts.fill(texts.TASK_LACKS, {**fields, "item": texts.TASK_FIELDS[item]}),
                        community, measure="tasks", detail=task.id)
                for community, task, fields in tasks if getattr(task, item) is False]
        out += [finding("warning", texts.fill(texts.task_blank(item), fields), community, measure="tasks",
                        missing_field=item, detail=task.id)
                for community, task, fields in tasks if getattr(task, item) is None]
    for document in p.documents:
        out += [finding(rule.severity, texts.fill(texts.TASK_LACKS, {**fields, "item": texts.TASK_FIELDS[document]}),
                        community, measure="tasks", detail=task.id)
                for community, task, fields in tasks if getattr(task, document) is None]
    return out


@kind("pilot_count")
def pilot_count(rule: RuleSpec, p: columnar.PilotCountParams, world: World) -> list[Finding]:
    scope = world.scope(rule.applies_to)
    if not any(s.community.pilot for s in scope):
        return []
    regions = world.document.regions
    at_level = {region: next((a for a in chain if regions[a].level == p.level), None)
                for region, chain in world.region_ancestors.items()}
    tally: dict[str, int] = {}
    for s in scope:
        region = None if s.community.region is None else at_level.get(s.community.region)
        if region is not None:
            tally[region] = tally.get(region, 0) + s.community.pilot
    out = []
    for region, count in sorted(tally.items()):
        if not p.min <= count <= p.max:
            figures = {"name": regions[region].name or region, "lo": p.min, "hi": p.max, "actual": count}
            out.append(finding(rule.severity, texts.fill(texts.PILOTS, figures), region=region, measure="communities",
                               required_min=p.min, required_max=p.max, actual=count))
    return out


@kind("holder_attribute")
def holder_attribute(rule: RuleSpec, p: columnar.HolderAttributeParams, world: World) -> list[Finding]:
    posts = [(post.split(".", 1)[0], post.split(".", 1)[1]) for post in p.posts]
    unit = posts[0][0]
    label = vocabulary.UNIT_SHORT[unit]
    blank_text = texts.holder_attribute_blank(label, _header(p.attribute), p.requirement)
    short, blank = [], []
    for s in world.scope(rule.applies_to):
        values = [getattr(world.document.people[person], p.attribute) for person in s.holders(posts)]
        actual = sum(value == p.value for value in values)
        if actual >= p.min:
            continue
        if actual + values.count(None) < p.min:
            figures = {"label": label, "requirement": p.requirement, "actual": actual}
            short.append(finding(rule.severity, texts.fill(texts.HOLDER_ATTRIBUTE_SHORT, figures), s.community.id,
                                 unit=unit, measure="persons", required_min=p.min, actual=actual))
        else:
            blank.append(finding("warning", texts.fill(blank_text, {}), s.community.id, unit=unit, measure="persons",
                                 actual=actual, missing_field=p.attribute))
    return short + blank
