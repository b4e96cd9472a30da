"""What every kind of rule shares: parameters, the registry, and how findings are written.

A kind lives in one module of this package (`body_size.py`, `role_holders.py` …) and holds,
side by side, everything that must agree about it: its parameter model (validated when a
pack loads), its message texts, its columnar evaluation over every community at once
(`(rule, params, Context) → findings frame`), its per-community evaluation for the small
engine (`(rule, params, World) → [Finding]`), what it adds to the report's community detail,
and why the per-community evaluation may decline some parameters. A kind never knows a
city's numbers: those come from its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

import polars as pl
from pydantic import AfterValidator, BaseModel, ConfigDict

from orgmodel import vocabulary
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context, unit_index

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

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


class Finding(NamedTuple):
    """One finding of the small engine: the fields of `FINDING_SCHEMA`, in its order (figures
    as read, unrounded)."""

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


class DetailColumns(NamedTuple):
    """The columns of the report's community detail a kind's counts may read (as expressions)."""

    c: pl.Expr  # the community's index
    kind: pl.Expr  # urban / rural, as text
    households: pl.Expr


class DetailCount(NamedTuple):
    """One count of the community detail (社区明细) a kind contributes."""

    label: str
    counts: pl.DataFrame  # c, actual
    minimum: pl.Expr  # the required minimum per community; null where the count does not apply
    required: pl.Expr  # what is required, as text (5-9, ≥2, =1)


Evaluate = Callable[[RuleSpec, Any, Context], pl.DataFrame]
EvaluateOne = Callable[[RuleSpec, Any, "World"], list[Finding]]
Detail = Callable[[Context, Any, DetailColumns], list[DetailCount]]
Declines = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class RuleKind:
    name: str
    params: type[Params]
    evaluate: Evaluate  # columnar, over every community
    doc: str
    per_community: EvaluateOne | None = None  # the small engine's, for a few communities
    detail: Detail | None = None  # counts of the community detail table
    declines: Declines | None = None  # why the per-community evaluation may not reproduce `evaluate`

    def small_declines(self, params: Params) -> str | None:
        """Why the small engine leaves these parameters to the columnar one, or None when it
        reproduces them exactly."""
        if self.per_community is None:
            return f"{self.name} has no per-community evaluation"
        return (self.declines(params) if self.declines else None) or braces_in_texts(params)


KINDS: dict[str, RuleKind] = {}


def kind(name: str, params: type[Params]) -> Callable[[Evaluate], Evaluate]:
    """Register a kind by its columnar evaluation; its docstring documents the kind."""
    def register(fn: Evaluate) -> Evaluate:
        KINDS[name] = RuleKind(name, params, fn, (fn.__doc__ or "").strip())
        return fn
    return register


def per_community(name: str, declines: Declines | None = None) -> Callable[[EvaluateOne], EvaluateOne]:
    """Register the small engine's evaluation of a kind, and why it may decline some parameters."""
    def register(fn: EvaluateOne) -> EvaluateOne:
        KINDS[name] = replace(KINDS[name], per_community=fn, declines=declines)
        return fn
    return register


def detail_counts(name: str) -> Callable[[Detail], Detail]:
    """Register what a kind counts in the report's community detail."""
    def register(fn: Detail) -> Detail:
        KINDS[name] = replace(KINDS[name], detail=fn)
        return fn
    return register


# --- building findings, in columns ---------------------------------------------------------

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


def braces_in_texts(params: Params) -> str | None:
    """`message` reads `{x}` in a template as a column of the finding; a kind that writes a
    parameter's text into its template (a `requirement`) would print that column there, which
    the small engine does not reproduce. So parameters with braces in any text are declined."""
    def plain(value: Any) -> bool:
        if isinstance(value, str):
            return "{" not in value and "}" not in value
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return True
    return None if plain(params.model_dump()) else "a text of the parameters has braces, which `message` reads as fields"


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


def no_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def scope(rule: RuleSpec, ctx: Context, *columns: str) -> pl.DataFrame:
    """The communities a rule applies to: index `c`, `community_id`, and any other columns asked."""
    return ctx.communities_of(rule.applies_to).select("c", pl.col("id").alias("community_id"), "kind", *columns)


def counts(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("c").agg(pl.len().alias("actual"))


def with_counts(scope: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    return scope.join(counts, on="c", how="left").with_columns(pl.col("actual").fill_null(0))


def unit_filter(ctx: Context, scope: pl.DataFrame, unit: str) -> pl.DataFrame:
    present = ctx.units_present.filter(pl.col("u") == unit_index(unit)).select("c")
    return scope.join(present, on="c", how="semi")


def in_scope(frame: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    """Rows of (c, p, …) in the rule's communities, with their community_id."""
    return frame.join(scope.select("c", "community_id"), on="c", how="inner")


def missing(frame: pl.DataFrame, field: str, text: str, **columns: object) -> pl.DataFrame:
    """A warning that a rule could not be evaluated: the community is incomplete, never compliant."""
    columns.setdefault("shortfall", 0)
    return findings(frame, severity="warning", missing_field=field, message_expr=message(text), **columns)


def header(attribute: str) -> str:
    """学历, 民警, 性别 …: how the roster heads a person attribute, for messages."""
    return vocabulary.header_label("appointments", attribute)


def named(ctx: Context, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Attach person_id and name (and other person columns) for findings about persons."""
    return ctx.with_people(frame, "person", "name", *columns).rename({"person": "person_id"})


def counted(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows per `c` as the community detail counts them."""
    return frame.group_by("c").agg(pl.len().cast(pl.Int64).alias("actual"))


# --- building findings, one at a time (the small engine) -----------------------------------

def finding(severity: str, message: str | None, community: str | None = None, *, region: str | None = None,
            unit: str | None = None, role: str | None = None, person: str | None = None, measure: str | None = None,
            required_min: float | None = None, required_max: float | None = None, actual: float | None = None,
            shortfall: int = 0, missing_field: str | None = None, detail: str | None = None) -> Finding:
    return Finding(severity, community, region, unit, role, person, measure, required_min, required_max, actual,
                   shortfall, missing_field, detail, message)


def person_name(world: World, person: str) -> str | None:
    return world.document.people[person].name
