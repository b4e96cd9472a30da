"""The kinds of rule. Code knows *how* to check; packs say *what* (units, roles, numbers).

Each kind is a parameter model (validated when a pack loads) and a function
`(rule, params, context) → findings frame`, working in columns over every community at
once. A kind never knows a city's numbers: those come from its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import polars as pl
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from orgmodel import vocabulary
from orgmodel.roster import KIND
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context, distinct_persons, role_index, unit_index

Severity = Literal["error", "warning", "info"]


def _unit(code: str) -> str:
    if code not in vocabulary.UNITS:
        raise ValueError(f"unknown unit {code!r}; known: {', '.join(vocabulary.UNITS)}")
    return code


def _role(code: str) -> str:
    if code not in vocabulary.ROLES:
        raise ValueError(f"unknown role {code!r}; known: {', '.join(vocabulary.ROLES)}")
    return code


def _post(text: str) -> str:
    unit, _, role = text.partition(".")
    _unit(unit)
    _role(role)
    if unit not in vocabulary.ROLE_UNITS[role]:
        raise ValueError(f"role {role!r} does not belong to unit {unit!r}")
    return text


UnitCode = Annotated[str, AfterValidator(_unit)]
RoleCode = Annotated[str, AfterValidator(_role)]
PostRef = Annotated[str, AfterValidator(_post)]  # "unit.role"
CommunityKind = Literal["urban", "rural"]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class RuleSpec:
    """The parts of a pack's rule a kind needs (kept free of the pack module to avoid a cycle)."""

    id: str
    severity: Severity
    over_max_severity: Severity
    applies_to: list[str] | None


Evaluate = Callable[[RuleSpec, Any, Context], pl.DataFrame]


@dataclass(frozen=True)
class RuleKind:
    name: str
    params: type[Params]
    evaluate: Evaluate
    doc: str


KINDS: dict[str, RuleKind] = {}


def kind(name: str, params: type[Params]) -> Callable[[Evaluate], Evaluate]:
    def register(fn: Evaluate) -> Evaluate:
        KINDS[name] = RuleKind(name, params, fn, (fn.__doc__ or "").strip())
        return fn
    return register


# --- building findings ---------------------------------------------------------------------

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "severity": pl.String(), "community_id": pl.String(), "region_id": pl.String(), "unit": pl.String(),
    "role": pl.String(), "person_id": pl.String(), "measure": pl.String(), "required_min": pl.Float64(),
    "required_max": pl.Float64(), "actual": pl.Float64(), "shortfall": pl.Int64(),
    "missing_field": pl.String(), "detail": pl.String(), "message": pl.String(),
}


def number_text(expr: pl.Expr) -> pl.Expr:
    """2 → "2", 2.5 → "2.5": how figures read in messages and JSON."""
    return (pl.when(expr == expr.round(0)).then(expr.cast(pl.Int64).cast(pl.String))
            .otherwise(expr.round(2).cast(pl.String)))


def message(template: str, **constants: object) -> pl.Expr:
    """A message per row: `{name}` takes a constant when given, else the row's column."""
    parts: list[pl.Expr] = []
    for i, piece in enumerate(texts.FIELD.split(template)):
        if i % 2 == 0:
            if piece:
                parts.append(pl.lit(piece))
        elif piece in constants:
            parts.append(pl.lit(str(constants[piece])))
        else:
            column = pl.col(piece)
            parts.append(number_text(column.cast(pl.Float64)) if piece in texts.NUMBER_FIELDS
                         else column.cast(pl.String).fill_null(""))
    return pl.concat_str(parts) if parts else pl.lit("")


def findings(frame: pl.DataFrame, *, message_expr: pl.Expr, **columns: object) -> pl.DataFrame:
    """Shape any frame into findings: constants for the given columns, null for the rest."""
    if frame.is_empty():
        return pl.DataFrame(schema=FINDING_SCHEMA)
    exprs = []
    for name, dtype in FINDING_SCHEMA.items():
        if name == "message":
            exprs.append(message_expr.alias(name))
        elif name in columns:
            value = columns[name]
            expr = value if isinstance(value, pl.Expr) else pl.lit(value)
            exprs.append(expr.cast(dtype).alias(name))
        elif name in frame.columns:
            exprs.append(pl.col(name).cast(dtype))
        else:
            exprs.append(pl.lit(None, dtype).alias(name))
    return frame.select(exprs)


def _scope(rule: RuleSpec, ctx: Context, *columns: str) -> pl.DataFrame:
    """The communities a rule applies to: index `c`, `community_id`, and any other columns asked."""
    return ctx.communities_of(rule.applies_to).select("c", pl.col("id").alias("community_id"), "kind", *columns)


def _counts(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("c").agg(pl.len().alias("actual"))


def _with_counts(scope: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    return scope.join(counts, on="c", how="left").with_columns(pl.col("actual").fill_null(0))


def _unit_filter(ctx: Context, scope: pl.DataFrame, unit: str) -> pl.DataFrame:
    present = ctx.units_present.filter(pl.col("u") == unit_index(unit)).select("c")
    return scope.join(present, on="c", how="semi")


def _in_scope(frame: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    """Rows of (c, p, …) in the rule's communities, with their community_id."""
    return frame.join(scope.select("c", "community_id"), on="c", how="inner")


def _missing(frame: pl.DataFrame, field: str, text: str, **columns: object) -> pl.DataFrame:
    """A warning that a rule could not be evaluated: the community is incomplete, never compliant."""
    columns.setdefault("shortfall", 0)
    return findings(frame, severity="warning", missing_field=field, message_expr=message(text), **columns)


def _header(attribute: str) -> str:
    """学历, 民警, 性别 …: how the roster heads a person attribute, for messages."""
    return vocabulary.header_label("appointments", attribute)


def _named(ctx: Context, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Attach person_id and name (and other person columns) for findings about persons."""
    return ctx.with_people(frame, "person", "name", *columns).rename({"person": "person_id"})


# --- the kinds -----------------------------------------------------------------------------

class UnitExistsParams(Params):
    units: list[UnitCode] = Field(min_length=1)


@kind("unit_exists", UnitExistsParams)
def unit_exists(rule: RuleSpec, p: UnitExistsParams, ctx: Context) -> pl.DataFrame:
    """Each listed unit exists: declared, or with an appointment active on the as-of date."""
    scope = _scope(rule, ctx)
    out = []
    for unit in p.units:
        missing = scope.join(_unit_filter(ctx, scope, unit), on="community_id", how="anti")
        out.append(findings(
            missing, severity=rule.severity, unit=unit, measure="units", required_min=1, actual=0, shortfall=0,
            message_expr=message(texts.UNIT_MISSING, label=vocabulary.unit_label(unit)),
        ))
    return pl.concat(out)


class SizeRange(Params):
    min: int = Field(ge=0)
    max: int | None = Field(None, ge=0)


class BodySizeParams(Params):
    unit: UnitCode
    counted_roles: list[RoleCode] = Field(min_length=1)
    sizes: dict[CommunityKind, SizeRange]
    booked_role: RoleCode = "member"


@kind("body_size", BodySizeParams)
def body_size(rule: RuleSpec, p: BodySizeParams, ctx: Context) -> pl.DataFrame:
    """A body has between min and max members (distinct persons holding the counted posts),
    by community kind. Below min: seats missing, booked as `unit.booked_role`. Above max:
    `over_max_severity`, no shortfall."""
    holders = ctx.holders([(p.unit, r) for r in p.counted_roles])
    sizes = pl.DataFrame(
        {"kind": list(p.sizes), "required_min": [s.min for s in p.sizes.values()],
         "required_max": [s.max for s in p.sizes.values()]},
        schema={"kind": KIND, "required_min": pl.Int64, "required_max": pl.Int64},
    )
    table = _with_counts(_scope(rule, ctx), _counts(holders)).join(sizes, on="kind", how="inner")
    label = vocabulary.UNIT_SHORT[p.unit]
    short = table.filter(pl.col("actual") < pl.col("required_min")).with_columns(
        shortfall=pl.col("required_min") - pl.col("actual"))
    over = table.filter(pl.col("actual") > pl.col("required_max")).with_columns(
        over=pl.col("actual") - pl.col("required_max"))
    return pl.concat([
        findings(short, severity=rule.severity, unit=p.unit, role=p.booked_role, measure="persons",
                 message_expr=message(texts.BODY_SHORT, label=label)),
        findings(over, severity=rule.over_max_severity, unit=p.unit, role=p.booked_role, measure="persons",
                 shortfall=0, detail="over_max",
                 message_expr=message(texts.BODY_OVER, label=label)),
    ])


class RoleHoldersParams(Params):
    posts: list[PostRef] = Field(min_length=1)
    min: int = Field(ge=0)
    max: int | None = Field(None, ge=0)
    full_time: bool = False
    part_time_warning: bool = False
    book_shortfall: bool = True
    only_if_unit_exists: bool = False


@kind("role_holders", RoleHoldersParams)
def role_holders(rule: RuleSpec, p: RoleHoldersParams, ctx: Context) -> pl.DataFrame:
    """Each listed post (`unit.role`) has at least `min` (and at most `max`) holders, counting
    full-time ones only when `full_time`; part-time holders may each give a warning."""
    out = []
    for post in p.posts:
        unit, _, role = post.partition(".")
        label = vocabulary.post_label(unit, role)
        holders = ctx.holders([(unit, role)])
        counted = holders.filter(pl.col("full_time")) if p.full_time else holders
        scope = _scope(rule, ctx)
        if p.only_if_unit_exists:
            scope = _unit_filter(ctx, scope, unit)
        table = _with_counts(scope, _counts(counted))
        common: dict[str, object] = {"unit": unit, "role": role, "measure": "persons", "required_min": p.min,
                                     "required_max": p.max}
        exact = p.max == p.min
        short = table.filter(pl.col("actual") < p.min)
        shortfall = (pl.lit(p.min) - pl.col("actual")) if p.book_shortfall else pl.lit(0)
        text = texts.HOLDERS_EXACT if exact else texts.HOLDERS_AT_LEAST
        if p.book_shortfall:
            text += texts.HOLDERS_SHORTFALL
        out.append(findings(short.with_columns(shortfall=shortfall), severity=rule.severity,
                            message_expr=message(text, label=label, required_min=p.min), **common))
        if p.max is not None:
            over = table.filter(pl.col("actual") > p.max)
            out.append(findings(over, severity=rule.over_max_severity, shortfall=0,
                                message_expr=message(texts.HOLDERS_OVER, label=label, required_max=p.max),
                                **common))
        if p.full_time and p.part_time_warning:
            part_time = _named(ctx, _in_scope(holders.filter(~pl.col("full_time")), scope))
            out.append(findings(part_time, severity="warning", shortfall=0, detail="part_time",
                                message_expr=message(texts.HOLDER_PART_TIME, label=label), **common))
    return pl.concat(out)


class HouseholdsRatioParams(Params):
    unit: UnitCode
    households_per_worker: int = Field(gt=0)
    minimum: int = Field(1, ge=0)
    full_time: bool = True
    booked_role: RoleCode = "staff"


@kind("households_ratio", HouseholdsRatioParams)
def households_ratio(rule: RuleSpec, p: HouseholdsRatioParams, ctx: Context) -> pl.DataFrame:
    """One worker per `households_per_worker` households: required = max(minimum,
    round-half-up(households / households_per_worker)); every (full-time) person of the unit counts."""
    staff = ctx.unit_posts([p.unit], full_time=p.full_time)
    table = _with_counts(_scope(rule, ctx, "households"), _counts(staff))
    label = vocabulary.UNIT_SHORT[p.unit]
    required = pl.max_horizontal(pl.lit(p.minimum), (pl.col("households") / p.households_per_worker + 0.5).floor())
    known = table.filter(pl.col("households").is_not_null()).with_columns(required_min=required.cast(pl.Int64))
    short = known.filter(pl.col("actual") < pl.col("required_min")).with_columns(
        shortfall=pl.col("required_min") - pl.col("actual"))
    return pl.concat([
        findings(short, severity=rule.severity, unit=p.unit, role=p.booked_role, measure="persons",
                 message_expr=message(texts.RATIO_SHORT, label=label)),
        _missing(table.filter(pl.col("households").is_null()), "households",
                 texts.RATIO_NO_HOUSEHOLDS, unit=p.unit, role=p.booked_role, measure="persons"),
    ])


class QualificationParams(Params):
    post: PostRef
    attribute: Literal["education", "police_officer", "political_legal_officer", "gender"]
    allowed: list[str | bool] = Field(min_length=1)
    requirement: str = Field(description="what the holder must be, in Chinese, for messages")

    @model_validator(mode="after")
    def _allowed_fit(self) -> QualificationParams:
        boolean = self.attribute in ("police_officer", "political_legal_officer")
        if boolean != all(isinstance(v, bool) for v in self.allowed):
            raise ValueError(f"allowed values must be {'true/false' if boolean else 'codes'} for {self.attribute}")
        return self


@kind("qualification", QualificationParams)
def qualification(rule: RuleSpec, p: QualificationParams, ctx: Context) -> pl.DataFrame:
    """Every holder of a post has an allowed value of an attribute; a blank value is a
    missing-data warning. A holder who fails still counts for the post's minimum."""
    unit, _, role = p.post.partition(".")
    label = vocabulary.post_label(unit, role)
    people = _named(ctx, _in_scope(ctx.holders([(unit, role)]), _scope(rule, ctx)), p.attribute)
    value = pl.col(p.attribute)
    common: dict[str, object] = {"unit": unit, "role": role, "measure": "persons", "shortfall": 0}
    return pl.concat([
        findings(people.filter(value.is_not_null() & ~value.is_in(p.allowed)), severity=rule.severity,
                 detail=pl.col(p.attribute).cast(pl.String),
                 message_expr=message(texts.QUALIFICATION_FAILED, label=label, requirement=p.requirement),
                 **common),
        _missing(people.filter(value.is_null()), p.attribute,
                 texts.qualification_blank(label, _header(p.attribute), p.requirement), **common),
    ])


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
    involved = _in_scope(spread, ctx.communities_of(None).select("c", community_id="id"))
    where = involved.group_by("p").agg(pl.col("community_id").sort().str.join("、").alias("detail"))
    involved = _named(ctx, _in_scope(involved.drop("community_id"), _scope(rule, ctx)).join(where, on="p"))
    return findings(involved, severity=rule.severity, measure="communities", required_max=p.max_communities,
                    shortfall=0, message_expr=message(texts.EXCLUSIVE))


class CrossAppointmentParams(Params):
    unit: UnitCode
    partner_units: list[UnitCode] = Field(min_length=1)
    zero_severity: Severity = "warning"


@kind("cross_appointment", CrossAppointmentParams)
def cross_appointment(rule: RuleSpec, p: CrossAppointmentParams, ctx: Context) -> pl.DataFrame:
    """Where the unit exists: how many of its members also hold a post in a partner unit
    (交叉任职); `zero_severity` when none does."""
    members = ctx.unit_posts([p.unit])
    partners = ctx.unit_posts(p.partner_units, among=members["p"].unique())
    crossed = members.join(partners, on=["c", "p"], how="semi")
    table = _with_counts(_unit_filter(ctx, _scope(rule, ctx), p.unit), _counts(crossed))
    label = vocabulary.UNIT_SHORT[p.unit]
    partner_label = texts.partner_label([vocabulary.UNIT_SHORT[u] for u in p.partner_units])
    common: dict[str, object] = {"unit": p.unit, "measure": "persons", "shortfall": 0}
    return pl.concat([
        findings(table.filter(pl.col("actual") > 0), severity=rule.severity, **common,
                 message_expr=message(texts.CROSSED, label=label, partner=partner_label)),
        findings(table.filter(pl.col("actual") == 0), severity=p.zero_severity, required_min=1, **common,
                 message_expr=message(texts.NOT_CROSSED, label=label, partner=partner_label)),
    ])


class ForbiddenRelationParams(Params):
    source: Literal["government"] | UnitCode
    type: Literal["leads", "manages", "supervises", "decides", "guides", "assists"]


@kind("forbidden_relation", ForbiddenRelationParams)
def forbidden_relation(rule: RuleSpec, p: ForbiddenRelationParams, ctx: Context) -> pl.DataFrame:
    """No edge of `type` from `source` (a government body, or a unit) to a community unit.
    Decided on each community's structure graph (`orgmodel.graph`), built only for the
    communities whose relations contain such an edge type at all."""
    from orgmodel import graph  # networkx loads only when some community has such a relation

    relations = ctx.roster.relations.filter(pl.col("type") == p.type)
    from_source = pl.col("from_government").is_not_null() if p.source == "government" else pl.col("from_unit") == p.source
    in_scope = _scope(rule, ctx).select(community="community_id")
    candidates = relations.filter(from_source).join(in_scope, on="community", how="semi")
    g = graph.structure_graph(ctx.roster.restricted(candidates["community"].unique()))
    rows = [{"community_id": g.nodes[target]["community"], "unit": g.nodes[target]["unit"],
             "detail": g.nodes[source]["label"], "relation": vocabulary.RELATION_TYPES[p.type]}
            for source, target in graph.forbidden_edges(g, p.source, p.type)]
    frame = pl.DataFrame(rows, schema={"community_id": pl.String, "unit": pl.String, "detail": pl.String,
                                       "relation": pl.String})
    frame = frame.with_columns(label=pl.col("unit").replace_strict(vocabulary.UNIT_SHORT, default=pl.col("unit")))
    return findings(frame, severity=rule.severity, measure="relations", shortfall=0,
                    message_expr=message(texts.FORBIDDEN_RELATION))


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
                 shortfall=0, message_expr=message(texts.FUNDING_SHORT, rate=f"{p.yuan_per_resident:g}")),
        _missing(table.filter(pl.col("population").is_null()), "population",
                 texts.FUNDING_NO_POPULATION, measure="yuan"),
        _missing(table.filter(pl.col("actual").is_null()), "office_activity_yuan",
                 texts.FUNDING_NO_BUDGET, measure="yuan"),
    ])


class PayFloorParams(Params):
    exempt_roles: list[RoleCode] = []


@kind("pay_floor", PayFloorParams)
def pay_floor(rule: RuleSpec, p: PayFloorParams, ctx: Context) -> pl.DataFrame:
    """A full-time worker's monthly pay ≥ the minimum wage of the community's region
    (inherited down the region tree); roles paid by their own agencies are exempt."""
    wages = ctx.region_min_wage
    scope = _scope(rule, ctx, "region").with_columns(
        pl.col("region").replace_strict(wages, default=None, return_dtype=pl.Float64).alias("required_min"))
    exempt = [role_index(r) for r in p.exempt_roles]
    workers = distinct_persons(ctx.posts.filter(pl.col("full_time") & ~pl.col("r").is_in(exempt)), ctx.person_bits)
    workers = ctx.with_people(workers, "monthly_pay_yuan").rename({"monthly_pay_yuan": "actual"}).with_columns(
        required_min=ctx.by_community(scope["c"], scope["required_min"]).gather(workers["c"]))
    below = workers.filter(pl.col("required_min").is_not_null()
                           & (pl.col("actual").is_null() | (pl.col("actual") < pl.col("required_min"))))
    workers = _named(ctx, _in_scope(below, scope))
    common: dict[str, object] = {"measure": "yuan", "shortfall": 0}
    return pl.concat([
        findings(workers.filter(pl.col("actual") < pl.col("required_min")), severity=rule.severity, **common,
                 message_expr=message(texts.PAY_BELOW)),
        _missing(workers.filter(pl.col("actual").is_null()), "monthly_pay_yuan",
                 texts.PAY_BLANK, **common),
        _missing(scope.filter(pl.col("required_min").is_null()), "min_wage_monthly_yuan",
                 texts.PAY_NO_MIN_WAGE, **common),
    ])


def _tasks(rule: RuleSpec, ctx: Context) -> pl.DataFrame:
    scope = _scope(rule, ctx).select(pl.col("community_id").alias("community"))
    return ctx.roster.tasks.join(scope, on="community", how="semi").rename({"community": "community_id"}).with_columns(
        pl.col("id").alias("detail"), pl.col("name").fill_null(""), pl.col("category_text").fill_null(texts.BLANK_CATEGORY),
        pl.col("category").replace_strict(vocabulary.TASK_CATEGORIES, default=None, return_dtype=pl.String)
        .alias("category_label"))


class TaskCategoriesParams(Params):
    categories: list[Literal["own_duty", "assist", "government_duty", "other"]] = Field(min_length=1)


@kind("task_category_known", TaskCategoriesParams)
def task_category_known(rule: RuleSpec, p: TaskCategoriesParams, ctx: Context) -> pl.DataFrame:
    """Every task handed to the community has a known category (工作清单)."""
    tasks = _tasks(rule, ctx).filter(pl.col("category").is_null() | ~pl.col("category").is_in(p.categories))
    return findings(tasks, severity=rule.severity, measure="tasks", shortfall=0,
                    message_expr=message(texts.TASK_CATEGORY_UNCLEAR))


@kind("task_forbidden", TaskCategoriesParams)
def task_forbidden(rule: RuleSpec, p: TaskCategoriesParams, ctx: Context) -> pl.DataFrame:
    """Tasks of these categories are never handed to a community."""
    tasks = _tasks(rule, ctx).filter(pl.col("category").is_in(p.categories))
    return findings(tasks, severity=rule.severity, measure="tasks", shortfall=0,
                    message_expr=message(texts.TASK_FORBIDDEN))


class TaskRequirementsParams(Params):
    category: Literal["own_duty", "assist", "government_duty", "other"]
    yes_no: list[Literal["approved", "funded"]] = []
    documents: list[Literal["authorization", "purchase_contract"]] = []


@kind("task_requirements", TaskRequirementsParams)
def task_requirements(rule: RuleSpec, p: TaskRequirementsParams, ctx: Context) -> pl.DataFrame:
    """A task of the category has each required item: a yes/no item that is `false` is a
    finding and a blank one missing data; a document number that is blank is a finding."""
    tasks = _tasks(rule, ctx).filter(pl.col("category") == p.category)
    out = []
    common: dict[str, object] = {"measure": "tasks", "shortfall": 0}
    for item in p.yes_no:
        out.append(findings(tasks.filter(~pl.col(item).fill_null(True)), severity=rule.severity, **common,
                            message_expr=message(texts.TASK_LACKS, item=texts.TASK_FIELDS[item])))
        out.append(_missing(tasks.filter(pl.col(item).is_null()), item, texts.task_blank(item), **common))
    for document in p.documents:
        out.append(findings(tasks.filter(pl.col(document).is_null()), severity=rule.severity, **common,
                            message_expr=message(texts.TASK_LACKS, item=texts.TASK_FIELDS[document])))
    return pl.concat(out) if out else findings(tasks.clear(), message_expr=pl.lit(""))


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
                    shortfall=0, message_expr=message(texts.PILOTS, lo=p.min, hi=p.max))


class HolderAttributeParams(Params):
    posts: list[PostRef] = Field(min_length=1)
    attribute: Literal["gender", "education"]
    value: str
    min: int = Field(1, ge=1)
    requirement: str


@kind("holder_attribute", HolderAttributeParams)
def holder_attribute(rule: RuleSpec, p: HolderAttributeParams, ctx: Context) -> pl.DataFrame:
    """At least `min` holders of the posts have `attribute` = `value` (e.g. a woman member of
    the villagers' committee); blank values that could make up the number are missing data."""
    holders = ctx.holders([(post.split(".", 1)[0], post.split(".", 1)[1]) for post in p.posts])
    holders = ctx.with_people(holders, p.attribute)
    tally = holders.group_by("c").agg(
        (pl.col(p.attribute) == p.value).sum().alias("actual"), pl.col(p.attribute).is_null().sum().alias("blank"),
    )
    table = _scope(rule, ctx).join(tally, on="c", how="left").with_columns(
        pl.col("actual").fill_null(0), pl.col("blank").fill_null(0))
    short = table.filter(pl.col("actual") < p.min)
    unit = p.posts[0].split(".")[0]
    return pl.concat([
        findings(short.filter(pl.col("actual") + pl.col("blank") < p.min), severity=rule.severity, unit=unit,
                 measure="persons", required_min=p.min, shortfall=0,
                 message_expr=message(texts.HOLDER_ATTRIBUTE_SHORT, label=vocabulary.UNIT_SHORT[unit],
                                      requirement=p.requirement)),
        _missing(short.filter(pl.col("actual") + pl.col("blank") >= p.min), p.attribute,
                 texts.holder_attribute_blank(vocabulary.UNIT_SHORT[unit], _header(p.attribute), p.requirement),
                 unit=unit, measure="persons"),
    ])
