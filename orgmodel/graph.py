"""The structure graph: communities, their units, the relations between them and with
outside bodies, and the people holding posts.

One definition (`structure_of`), built per community (or per region) on demand from plain
rows, which a roster's tables (`structure_graph`) and the small engine's records both give: R1
decides on it in either engine, the org charts draw it; national counting runs in columns
instead (`orgmodel.rules`). Regions are a graph of their own (`orgmodel.regions`); a
community names its region in its node's `region`. Questions about the graph are plain
functions of it, in the manner of networkx's algorithms.

Nodes are tuples: ("community", id), ("unit", community, unit), ("person", id),
("government", name). Every edge has a `type`: contains, leads, manages, supervises, decides,
guides, assists, holds.

With `groups=True` the graph also holds the regions' leadership groups (领导小组, §三(一)):
("region", id) —has_group→ ("group", region) —has_post→ ("group_post", region, role, office)
←holds— ("official", region, name, office title). No community edge touches them, so no
community rule (R1, the counts) and no community chart ever sees an official.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple, Protocol

import networkx as nx

from orgmodel import vocabulary
from orgmodel.roster import Roster, active_appointments

Node = tuple[str, ...]

# The relations every community has by its constitution (domain.md §2).
STANDING_RELATIONS = (
    ("party_org", "residents_committee", "leads"),
    ("party_org", "service_station", "leads"),
    ("party_org", "governance_office", "leads"),
    ("residents_committee", "service_station", "manages"),
    ("supervisory_committee", "residents_committee", "supervises"),
    ("assembly", "residents_committee", "decides"),
)


def unit_node(community: str, unit: str) -> Node:
    return ("unit", community, unit)


def _add_unit(g: nx.MultiDiGraph, community: str, unit: str, rural: bool, name: str | None = None) -> Node:
    node = unit_node(community, unit)
    if node not in g:
        g.add_node(node, kind="unit", unit=unit, community=community,
                   label=name or vocabulary.unit_label(unit, rural))
        g.add_edge(("community", community), node, type="contains")
    return node


def _end(g: nx.MultiDiGraph, community: str, unit: object, government: object, rural: bool) -> Node | None:
    if government is not None:
        node: Node = ("government", str(government))
        g.add_node(node, kind="government", label=str(government))
        return node
    if unit is not None:
        return _add_unit(g, community, str(unit), rural)
    return None


class DeclaredUnit(Protocol):
    """A unit a community declares (机构表): a row of `Roster.units`, or the small engine's
    `orgmodel.small.records.Unit`."""

    @property
    def unit(self) -> str: ...
    @property
    def name(self) -> str | None: ...


class DeclaredRelation(Protocol):
    """A relation a community declares (关系表): a row of `Roster.relations`, or the small
    engine's `orgmodel.small.records.Relation`. Each end is a unit or a government body."""

    @property
    def from_unit(self) -> str | None: ...
    @property
    def from_government(self) -> str | None: ...
    @property
    def to_unit(self) -> str | None: ...
    @property
    def to_government(self) -> str | None: ...
    @property
    def type(self) -> str: ...


class CommunityRows(Protocol):
    """What the structure graph reads of one community, as plain rows: both a roster's tables
    (`structure_graph`) and the small engine's records (`orgmodel.small.records.Community`)
    give it, so both engines decide R1 on one graph."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def households(self) -> float | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def units(self) -> Sequence[DeclaredUnit]: ...
    @property
    def relations(self) -> Sequence[DeclaredRelation]: ...


class _Unit(NamedTuple):
    unit: str
    name: str | None


class _Relation(NamedTuple):
    from_unit: str | None
    from_government: str | None
    to_unit: str | None
    to_government: str | None
    type: str


class _Community(NamedTuple):
    id: str
    name: str | None
    kind: str
    households: float | None
    region: str | None
    units: list[_Unit]
    relations: list[_Relation]


def _community_rows(roster: Roster) -> list[_Community]:
    """The roster's communities with their declared units and relations, in roster order."""
    units: dict[str, list[_Unit]] = {}
    for community, *unit in roster.units.select("community", *_Unit._fields).iter_rows():
        units.setdefault(community, []).append(_Unit._make(unit))
    relations: dict[str, list[_Relation]] = {}
    for community, *relation in roster.relations.select("community", *_Relation._fields).iter_rows():
        relations.setdefault(community, []).append(_Relation._make(relation))
    return [_Community(cid, name, kind, households, region, units.get(cid, []), relations.get(cid, []))
            for cid, name, kind, households, region
            in roster.communities.select("id", "name", "kind", "households", "region").iter_rows()]


def _add_community(g: nx.MultiDiGraph, c: CommunityRows) -> None:
    rural = c.kind == "rural"
    g.add_node(("community", c.id), kind="community", label=c.name or c.id,
               rural=rural, households=c.households, region=c.region)
    for unit in c.units:
        _add_unit(g, c.id, unit.unit, rural, unit.name)
    for r in c.relations:
        source = _end(g, c.id, r.from_unit, r.from_government, rural)
        target = _end(g, c.id, r.to_unit, r.to_government, rural)
        if source is not None and target is not None:
            g.add_edge(source, target, type=r.type, declared=True)


def _add_standing_relations(g: nx.MultiDiGraph, community: str) -> None:
    for source, target, kind in STANDING_RELATIONS:
        a, b = unit_node(community, source), unit_node(community, target)
        if a in g and b in g and not any(d["type"] == kind for d in g.get_edge_data(a, b, default={}).values()):
            g.add_edge(a, b, type=kind)


def structure_of(communities: Sequence[CommunityRows],
                 staff: Callable[[nx.MultiDiGraph], None] | None = None) -> nx.MultiDiGraph:
    """The structure of communities given as plain rows: their declared units, the relations
    declared and standing, and the outside bodies. The one definition both engines' R1 and the
    charts read. `staff` adds the people before the standing relations, since a unit only a
    post brings into being takes part in them too."""
    g = nx.MultiDiGraph()
    for community in communities:
        _add_community(g, community)
    if staff is not None:
        staff(g)
    for community in communities:
        _add_standing_relations(g, community.id)
    return g


def structure_graph(roster: Roster, as_of: dt.date | None = None,
                    communities: list[str] | None = None, *, groups: bool = False) -> nx.MultiDiGraph:
    """The structure of some communities (all, by default): their units, the relations declared
    and standing, and the outside bodies; with `as_of`, also the people and the posts they hold
    on that day. R1 decides on it without people, the org charts draw it with them. Use
    `roster.restricted` or `communities` to keep it small. `groups`: also the regions'
    leadership groups, their posts by office and their members."""
    if communities is not None:
        roster = roster.restricted(communities)
    staff = None if as_of is None else functools.partial(_add_people, roster=roster, as_of=as_of)
    g = structure_of(_community_rows(roster), staff)
    if groups:
        _add_groups(g, roster)
    return g


def group_node(region: str) -> Node:
    return ("group", region)


def _add_groups(g: nx.MultiDiGraph, roster: Roster) -> None:
    """region → group → post (a role and an office) ← official, for each row of the groups."""
    names = dict(roster.regions.select("id", "name").iter_rows())
    for row in roster.leadership.iter_rows(named=True):
        region, role, office = str(row["region"]), row["role"] or "member", row["office"] or "other"
        title = row["office_title"] or vocabulary.OFFICES.get(office, office)
        group = group_node(region)
        if group not in g:
            g.add_node(("region", region), kind="region", label=names.get(region) or region)
            g.add_node(group, kind="leadership_group", region=region,
                       label=row["group_name"] or f"{names.get(region) or region}领导小组")
            g.add_edge(("region", region), group, type="has_group")
        post: Node = ("group_post", region, role, office if office != "other" else f"other:{title}")
        if post not in g:
            g.add_node(post, kind="group_post", role=role, office=office,
                       label=f"{vocabulary.LEADERSHIP_ROLES.get(role, role)}({title})")
            g.add_edge(group, post, type="has_post")
        official: Node = ("official", region, str(row["name"] or ""), str(title))
        g.add_node(official, kind="official", name=row["name"], office=office, office_title=title)
        g.add_edge(official, post, type="holds", role=role, office=office)


def group_members(g: nx.MultiDiGraph, region: str) -> list[tuple[Node, Node]]:
    """(official, post) pairs of a region's leadership group, in post order (组长, 副组长, 成员)."""
    group = group_node(region)
    if group not in g:
        return []
    order = list(vocabulary.LEADERSHIP_ROLES)
    posts = [b for _, b, d in g.out_edges(group, data=True) if d["type"] == "has_post"]
    pairs = [(a, post) for post in posts for a, _, d in g.in_edges(post, data=True) if d["type"] == "holds"]
    return sorted(pairs, key=lambda pair: (order.index(str(pair[1][2])) if pair[1][2] in order else len(order), pair))


build_graph = structure_graph  # the name the book's charts import


def _add_people(g: nx.MultiDiGraph, roster: Roster, as_of: dt.date) -> None:
    rural = {c: k == "rural" for c, k in roster.communities.select("id", "kind").iter_rows()}
    active = active_appointments(roster, as_of)
    people = roster.people.join(active.select("person").unique(), on="person", how="semi")
    for p in people.iter_rows(named=True):
        g.add_node(("person", p["person"]), kind="person", **{k: v for k, v in p.items() if k != "person"})
    for a in active.iter_rows(named=True):
        unit = _add_unit(g, a["community"], a["unit"], rural.get(a["community"], False))
        g.add_edge(("person", a["person"]), unit, type="holds", role=a["role"], full_time=a["full_time"],
                   label=a["label"] or vocabulary.role_label(a["role"]))


# --- questions about the graph ---------------------------------------------------------------

def edges_of_type(g: nx.MultiDiGraph, kind: str) -> Iterator[tuple[Node, Node, dict[str, object]]]:
    for source, target, data in g.edges(data=True):
        if data["type"] == kind:
            yield source, target, data


def forbidden_edges(g: nx.MultiDiGraph, source: str, kind: str) -> list[tuple[Node, Node]]:
    """Edges of `kind` into a community unit from a government body (`source="government"`) or
    from a given unit; e.g. R1: a government body that *leads* a community unit."""
    found = []
    for a, b, _ in edges_of_type(g, kind):
        if g.nodes[b].get("kind") != "unit":
            continue
        if (source == "government" and g.nodes[a].get("kind") == "government") or g.nodes[a].get("unit") == source:
            found.append((a, b))
    return sorted(found)


def units_of(g: nx.MultiDiGraph, community: str) -> list[Node]:
    return sorted(b for _, b, d in g.out_edges(("community", community), data=True) if d["type"] == "contains")


def holders_of(g: nx.MultiDiGraph, unit: Node, role: str | None = None) -> list[tuple[Node, dict[str, object]]]:
    """(person, post) pairs of a unit, optionally of one role."""
    return sorted(
        ((a, d) for a, _, d in g.in_edges(unit, data=True) if d["type"] == "holds" and (role is None or d["role"] == role)),
        key=lambda pair: (str(pair[1]["role"]), pair[0]),
    )
