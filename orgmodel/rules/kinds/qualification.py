"""qualification: every holder of a post has an allowed value of an attribute (Q1–Q3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import Field, model_validator

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
    in_scope,
    kind,
    message,
    missing,
    named,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

QUALIFICATION_FAILED = "{label}{name}不符合要求:应为{requirement}"
BOOLEAN_ATTRIBUTES = ("police_officer", "political_legal_officer")


def qualification_blank(label: str, header: str, requirement: str) -> str:
    return f"{label}{{name}}未填写{header},无法核实是否为{requirement}"


class QualificationParams(Params):
    post: PostRef
    attribute: Literal["education", "police_officer", "political_legal_officer", "gender"]
    allowed: list[str | bool] = Field(min_length=1)
    requirement: str = Field(description="what the holder must be, in Chinese, for messages")

    @model_validator(mode="after")
    def _allowed_fit(self) -> QualificationParams:
        boolean = self.attribute in BOOLEAN_ATTRIBUTES
        if boolean != all(isinstance(v, bool) for v in self.allowed):
            raise ValueError(f"allowed values must be {'true/false' if boolean else 'codes'} for {self.attribute}")
        return self


@kind("qualification", QualificationParams)
def qualification(rule: RuleSpec, p: QualificationParams, ctx: Context) -> pl.DataFrame:
    """Every holder of a post has an allowed value of an attribute; a blank value is a
    missing-data warning. A holder who fails still counts for the post's minimum."""
    unit, _, role = p.post.partition(".")
    label = vocabulary.post_label(unit, role)
    people = named(ctx, in_scope(ctx.holders([(unit, role)]), scope(rule, ctx)), p.attribute)
    value = pl.col(p.attribute)
    common: dict[str, object] = {"unit": unit, "role": role, "measure": "persons", "shortfall": 0}
    return pl.concat([
        findings(people.filter(value.is_not_null() & ~value.is_in(p.allowed)), severity=rule.severity,
                 detail=pl.col(p.attribute).cast(pl.String),
                 message_expr=message(QUALIFICATION_FAILED, label=label, requirement=p.requirement),
                 **common),
        missing(people.filter(value.is_null()), p.attribute,
                qualification_blank(label, header(p.attribute), p.requirement), **common),
    ])


def _declines(p: QualificationParams) -> str | None:
    """A text attribute whose allowed values mix codes with true/false: polars compares the
    column with such a list otherwise than Python's `in` does."""
    if p.attribute not in BOOLEAN_ATTRIBUTES and any(isinstance(v, bool) for v in p.allowed):
        return f"allowed values of {p.attribute} mix codes with true/false"
    return None


@per_community("qualification", declines=_declines)
def qualification_one(rule: RuleSpec, p: QualificationParams, world: World) -> list[Finding]:
    unit, _, role = p.post.partition(".")
    label = vocabulary.post_label(unit, role)
    blank_text = qualification_blank(label, header(p.attribute), p.requirement)
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
                failed.append(finding(rule.severity, texts.fill(QUALIFICATION_FAILED, figures), s.community.id,
                                      person=person_id, detail=texts.cell_text(value), **common))
    return failed + blank
