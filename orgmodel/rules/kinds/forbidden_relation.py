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
    import networkx as nx

    from orgmodel.small.records import Relation
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
    from orgmodel import graph  # imported where the graph is built, as in the small engine below

    relations = ctx.roster.relations.filter(pl.col("type") == p.type)
    from_source = pl.col("from_government").is_not_null() if p.source == "government" else pl.col("from_unit") == p.source
    communities = scope(rule, ctx).select(community="community_id")
    candidates = relations.filter(from_source).join(communities, on="community", how="semi")
    g = graph.structure_graph(ctx.roster.restricted(candidates["community"].unique()))
    frame = pl.DataFrame(_forbidden(g, p), schema={"community_id": pl.String, "unit": pl.String, "detail": pl.String},
                         orient="row")
    frame = frame.with_columns(label=pl.col("unit").replace_strict(vocabulary.UNIT_SHORT, default=pl.col("unit")),
                               relation=pl.lit(vocabulary.RELATION_TYPES[p.type]))
    return findings(frame, severity=rule.severity, measure="relations", shortfall=0,
                    message_expr=message(FORBIDDEN_RELATION))


def _forbidden(g: nx.MultiDiGraph, p: ForbiddenRelationParams) -> list[tuple[str, str, str]]:
    """(community, unit, the source's label) per forbidden edge, in `graph.forbidden_edges`'
    order (by the source, then the unit): what both engines report."""
    from orgmodel import graph

    return [(g.nodes[target]["community"], g.nodes[target]["unit"], g.nodes[source]["label"])
            for source, target in graph.forbidden_edges(g, p.source, p.type)]


def _from_source(relation: Relation, p: ForbiddenRelationParams) -> bool:
    """The small engine's twin of the columnar filter on the relations: an edge of the type from the source."""
    if relation.type != p.type:
        return False
    return relation.from_government is not None if p.source == "government" else relation.from_unit == p.source


@per_community("forbidden_relation")
def forbidden_relation_one(rule: RuleSpec, p: ForbiddenRelationParams, world: World) -> list[Finding]:
    """The same structure graph as the columnar engine's (`graph.structure_of`, from the
    records), built for the same communities: those with a relation of the type from the source."""
    candidates = [s.community for s in world.scope(rule.applies_to)
                  if any(_from_source(r, p) for r in s.community.relations)]
    if not candidates:
        return []
    from orgmodel import graph  # only when a community has such a relation: most small documents never build a graph

    relation = vocabulary.RELATION_TYPES[p.type]
    return [finding(rule.severity, texts.fill(FORBIDDEN_RELATION, {
                        "detail": detail, "label": vocabulary.UNIT_SHORT.get(unit, unit), "relation": relation}),
                    community, unit=unit, measure="relations", detail=detail)
            for community, unit, detail in _forbidden(graph.structure_of(candidates), p)]
