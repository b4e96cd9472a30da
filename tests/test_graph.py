"""The structure graph: nodes, typed edges, as-of filtering, and the graph functions rules use."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from orgmodel import graph, normalize
from orgmodel.readers.document import read_document

EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "hongqiao.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 11, 25)
COMMUNITY = "320602001001"


def roster_of(doc: dict):
    roster, _ = normalize.load(read_document(doc, "case.json"))
    return roster


@pytest.fixture(scope="module")
def g():
    return graph.build_graph(roster_of(EXAMPLE), AS_OF)


def test_regions_contain_each_other_and_the_community(g):
    assert g.nodes[("region", "320602")]["level"] == "county"
    contains = {(a, b) for a, b, _ in graph.edges_of_type(g, "contains")}
    assert (("region", "320600"), ("region", "320602")) in contains
    assert (("region", "320602001"), ("community", COMMUNITY)) in contains


def test_the_four_core_units_and_their_standing_relations(g):
    unit = lambda code: graph.unit_node(COMMUNITY, code)  # noqa: E731
    leads = {(a, b) for a, b, _ in graph.edges_of_type(g, "leads")}
    assert leads == {(unit("party_org"), unit("residents_committee")), (unit("party_org"), unit("service_station")),
                     (unit("party_org"), unit("governance_office"))}
    assert {(a, b) for a, b, _ in graph.edges_of_type(g, "manages")} == {(unit("residents_committee"), unit("service_station"))}
    assert g.nodes[unit("owners_committee")]["label"] == "虹桥新村业主委员会"  # a declared unit with its own name


def test_government_guides_and_does_not_lead(g):
    assert graph.guiding_bodies(g, COMMUNITY) == [("government", "和平桥街道办事处")]
    assert graph.forbidden_edges(g, "government", "leads") == []


def test_compound_post_gives_two_holds_edges_for_one_person(g):
    posts = graph.full_time_posts(g, ("person", "P001"))
    assert posts == [(graph.unit_node(COMMUNITY, "party_org"), "secretary"),
                     (graph.unit_node(COMMUNITY, "residents_committee"), "director")]


def test_only_appointments_active_on_the_as_of_date_are_drawn(g):
    guards = graph.holders_of(g, graph.unit_node(COMMUNITY, "governance_office"), "security_guard")
    assert {person for person, _ in guards} == {("person", "P023"), ("person", "P026")}  # P027 left at the end of 2023
    earlier = graph.build_graph(roster_of(EXAMPLE), dt.date(2023, 6, 1))
    guards = graph.holders_of(earlier, graph.unit_node(COMMUNITY, "governance_office"), "security_guard")
    assert {person for person, _ in guards} == {("person", "P023"), ("person", "P027")}  # P026 started in 2024


def test_members_of_counts_a_person_once(g):
    members = graph.members_of(g, graph.unit_node(COMMUNITY, "party_org"))
    assert len(members) == 5


def test_forbidden_edges_finds_a_government_that_leads():
    doc = copy.deepcopy(EXAMPLE)
    doc["communities"][0]["relations"].append(
        {"from": {"government": "和平桥街道办事处"}, "to": "居委会", "type": "领导"})
    built = graph.structure_graph(roster_of(doc))
    assert graph.forbidden_edges(built, "government", "leads") == [
        (("government", "和平桥街道办事处"), graph.unit_node(COMMUNITY, "residents_committee"))]
