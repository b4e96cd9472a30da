"""The structure graph: nodes, typed edges, as-of filtering, and the graph functions R1 and the charts use."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from orgmodel import graph, regions
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_document

EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "hongqiao.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 11, 25)
COMMUNITY = "320602001001"


def roster_of(doc: dict):
    roster, _ = normalize.load(read_document(doc, "case.json"))
    return roster


@pytest.fixture(scope="module")
def g():
    return graph.structure_graph(roster_of(EXAMPLE), AS_OF)


def test_regions_contain_each_other_and_the_community(g):
    tree = regions.region_tree(roster_of(EXAMPLE))  # the regions are a graph of their own
    assert tree.nodes["320602"]["level"] == "county"
    assert tree.has_edge("320600", "320602")
    assert g.nodes[("community", COMMUNITY)]["region"] == "320602001"
    assert tree.has_edge("320602", "320602001")


def test_the_four_core_units_and_their_standing_relations(g):
    unit = lambda code: graph.unit_node(COMMUNITY, code)  # noqa: E731
    leads = {(a, b) for a, b, _ in graph.edges_of_type(g, "leads")}
    assert leads == {(unit("party_org"), unit("residents_committee")), (unit("party_org"), unit("service_station")),
                     (unit("party_org"), unit("governance_office"))}
    assert {(a, b) for a, b, _ in graph.edges_of_type(g, "manages")} == {(unit("residents_committee"), unit("service_station"))}
    assert g.nodes[unit("owners_committee")]["label"] == "虹桥新村业主委员会"  # a declared unit with its own name


def test_government_guides_and_does_not_lead(g):
    guides = {(a, b) for a, b, _ in graph.edges_of_type(g, "guides")}
    assert guides == {(("government", "和平桥街道办事处"), graph.unit_node(COMMUNITY, "residents_committee"))}
    assert graph.forbidden_edges(g, "government", "leads") == []


def test_compound_post_gives_two_holds_edges_for_one_person(g):
    posts = sorted((unit, str(post["role"])) for unit in graph.units_of(g, COMMUNITY)
                   for person, post in graph.holders_of(g, unit) if person == ("person", "P001") and post["full_time"])
    assert posts == [(graph.unit_node(COMMUNITY, "party_org"), "secretary"),
                     (graph.unit_node(COMMUNITY, "residents_committee"), "director")]


def test_only_appointments_active_on_the_as_of_date_are_drawn(g):
    guards = graph.holders_of(g, graph.unit_node(COMMUNITY, "governance_office"), "security_guard")
    assert {person for person, _ in guards} == {("person", "P023"), ("person", "P026")}  # P027 left at the end of 2023
    earlier = graph.structure_graph(roster_of(EXAMPLE), dt.date(2023, 6, 1))
    guards = graph.holders_of(earlier, graph.unit_node(COMMUNITY, "governance_office"), "security_guard")
    assert {person for person, _ in guards} == {("person", "P023"), ("person", "P027")}  # P026 started in 2024


def test_a_unit_counts_a_person_once(g):
    members = {person for person, _ in graph.holders_of(g, graph.unit_node(COMMUNITY, "party_org"))}
    assert len(members) == 5


def test_forbidden_edges_finds_a_government_that_leads():
    doc = copy.deepcopy(EXAMPLE)
    doc["communities"][0]["relations"].append(
        {"from": {"government": "和平桥街道办事处"}, "to": "居委会", "type": "领导"})
    built = graph.structure_graph(roster_of(doc))
    assert graph.forbidden_edges(built, "government", "leads") == [
        (("government", "和平桥街道办事处"), graph.unit_node(COMMUNITY, "residents_committee"))]


def test_r1_and_the_chart_read_one_graph():
    """Without people the graph is the one R1 decides on; with them it is that graph plus the
    people, their posts and the units only their posts bring into being."""
    roster = roster_of(EXAMPLE)
    bare, full = graph.structure_graph(roster), graph.structure_graph(roster, AS_OF)
    typed = lambda g: {(a, b, d["type"]) for a, b, d in g.edges(data=True)}  # noqa: E731
    assert set(bare) < set(full) and typed(bare) < typed(full)
    staffed = {b for _, b, d in full.edges(data=True) if d["type"] == "holds"}
    assert all(n[0] == "person" or n in staffed for n in set(full) - set(bare))
    assert ("unit", COMMUNITY, "party_org") in staffed - set(bare)  # staffed, not declared
    assert not any(d["type"] == "holds" for _, _, d in bare.edges(data=True))


def test_the_regions_groups_are_region_group_post_official_and_no_community_sees_them():
    """With `groups` the district's graph gains 南通市's 领导小组: region → group → a post per
    post and office ← its official, one per roster row; R1 and the communities' units and
    holders are those of the graph without them."""
    roster, _ = normalize.load(readers.read_roster(Path(__file__).parent.parent / "examples" / "chongchuan"))
    bare, full = graph.structure_graph(roster, AS_OF), graph.structure_graph(roster, AS_OF, groups=True)
    assert not [n for n in bare if n[0] in ("region", "group", "group_post", "official")]
    rows = roster.leadership.filter(pl.col("region") == "320600")
    assert rows.height
    members = graph.group_members(full, "320600")
    assert len(members) == rows.height
    assert full.has_edge(("region", "320600"), graph.group_node("320600"))
    for official, post in members:
        assert full.has_edge(graph.group_node("320600"), post)
        assert full.nodes[post]["role"] == post[2] and full.nodes[official]["office"] == full.nodes[post]["office"]
    assert sorted((p[2], full.nodes[o]["name"]) for o, p in members) == sorted(
        rows.select("role", "name").iter_rows())
    assert [p[2] for _, p in members] == sorted((p[2] for _, p in members),
                                               key=["leader", "deputy_leader", "member"].index)
    added = set(full) - set(bare)
    assert {n[0] for n in added} == {"region", "group", "group_post", "official"}
    typed = lambda g: {(a, b, d["type"]) for a, b, d in g.edges(data=True)}  # noqa: E731
    assert all(a in added or b in added for a, b, _ in typed(full) - typed(bare))
    assert graph.forbidden_edges(full, "government", "leads") == graph.forbidden_edges(bare, "government", "leads")
    community = roster.communities["id"][0]
    for unit in graph.units_of(bare, community):
        assert graph.holders_of(full, unit) == graph.holders_of(bare, unit)
