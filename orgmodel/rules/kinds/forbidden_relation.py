"""forbidden_relation: no edge of a type from a source into a community unit (R1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from orgmodel import vocabulary
from orgmodel.rules import messages as texts
from orgmodel.rules.context import Context
from orgmodel.rules.kinds.base import (
    Finding,
    Params,
    RuleSpec,
    UnitCode,
    finding,
    findings,
    kind,
    message,
    per_community,
    scope,
)

if TYPE_CHECKING:
    from orgmodel.small.staffing import World

FORBIDDEN_RELATION = "{detail}与{label}的关系为“{relation}”,政府对社区应为指导与协助,不是领导"


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
    communities = scope(rule, ctx).select(community="community_id")
    candidates = relations.filter(from_source).join(communities, on="community", how="semi")
    g = graph.structure_graph(ctx.roster.restricted(candidates["community"].unique()))
    rows = [{"community_id": g.nodes[target]["community"], "unit": g.nodes[target]["unit"],
             "detail": g.nodes[source]["label"], "relation": vocabulary.RELATION_TYPES[p.type]}
            for source, target in graph.forbidden_edges(g, p.source, p.type)]
    frame = pl.DataFrame(rows, schema={"community_id": pl.String, "unit": pl.String, "detail": pl.String,
                                       "relation": pl.String})
    frame = frame.with_columns(label=pl.col("unit").replace_strict(vocabulary.UNIT_SHORT, default=pl.col("unit")))
    return findings(frame, severity=rule.severity, measure="relations", shortfall=0,
                    message_expr=message(FORBIDDEN_RELATION))


def _declines(p: ForbiddenRelationParams) -> str | None:
    """A unit as the source: the columnar engine decides on the structure graph, whose edges
    between a community's own units (and their labels) the small engine does not rebuild."""
    return None if p.source == "government" else f"source {p.source}: edges between units need the structure graph"


@per_community("forbidden_relation", declines=_declines)
def forbidden_relation_one(rule: RuleSpec, p: ForbiddenRelationParams, world: World) -> list[Finding]:
    """Edges of the type from a government body into a unit of the community, in the order of
    `graph.forbidden_edges` (by the body's name, then the unit)."""
    edges = sorted((r.from_government, s.community.id, r.to_unit)
                   for s in world.scope(rule.applies_to) for r in s.community.relations
                   if r.type == p.type and r.from_government is not None and r.to_government is None
                   and r.to_unit is not None)
    relation = vocabulary.RELATION_TYPES[p.type]
    return [finding(rule.severity, texts.fill(FORBIDDEN_RELATION, {
                        "detail": body, "label": vocabulary.UNIT_SHORT.get(unit, unit), "relation": relation}),
                    community, unit=unit, measure="relations", detail=body)
            for body, community, unit in edges]
