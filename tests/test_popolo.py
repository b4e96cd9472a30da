"""`orgmodel export --format popolo` (issue 3 §6, issue 14): the roster as Popolo JSON whose
references all resolve, with every appointment a membership and resident ID numbers masked;
membership ids that survive the removal of another appointment; valid against the Popolo
schemas; and JSON-LD whose links rdflib reads as W3C ORG edges."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from orgmodel import vocabulary
from orgmodel.cli import main
from orgmodel.input import normalize, readers
from orgmodel.popolo import CONTEXT_FILE, group_org, to_popolo
from orgmodel.roster import Roster
from tests.helpers.workbooks import DISTRICT_CSV, FIXTURES, PEOPLE_HEADER, ROOT, person, small_roster

ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
BASE = "https://example.org/popolo/"


def test_district_references_resolve() -> None:
    roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    doc = to_popolo(roster)
    assert list(doc) == ["@context", "format", "areas", "organizations", "posts", "persons", "memberships"]
    areas = {a["id"] for a in doc["areas"]}
    organizations = {o["id"]: o for o in doc["organizations"]}
    posts = {p["id"]: p for p in doc["posts"]}
    persons = {p["id"] for p in doc["persons"]}
    officials = roster.leadership.select("region", "name", "office_title").unique().height
    assert officials and len(persons) == roster.people.height + officials
    assert len(doc["memberships"]) == roster.appointments.height + roster.leadership.height
    assert all(a.get("parent_id") is None or a["parent_id"] in areas for a in doc["areas"])
    assert all(o.get("parent_id") is None or o["parent_id"] in organizations for o in organizations.values())
    assert all(o.get("area_id") is None or o["area_id"] in areas for o in organizations.values())
    assert all(p["organization_id"] in organizations for p in posts.values())
    for m in doc["memberships"]:
        assert m["person_id"] in persons and m["organization_id"] in organizations
        assert posts[m["post_id"]]["organization_id"] == m["organization_id"]
    communities = [o for o in organizations.values() if o["classification"].startswith("community:")]
    assert len(communities) == roster.communities.height
    assert any(o["classification"] == "government" for o in organizations.values())
    assert all(set(p["organization_ids"]) <= set(organizations) and set(p["post_ids"]) <= set(posts) for p in doc["persons"])
    mediators = [p for p in posts.values() if p["role"] == "mediator"]
    assert mediators and all(p["label"] == "专职调解员" for p in mediators)


def test_id_numbers_are_masked(tmp_path: Path) -> None:
    path = small_roster(tmp_path / "r.xlsx", [[*person(1)[:1], "320602198801012345", *person(1)[2:]]])
    assert PEOPLE_HEADER[1] == "人员编号"
    text = CliRunner().invoke(main, ["export", str(path)]).stdout
    assert "320602198801012345" not in text and "320602********2345" in text


def test_export_command_writes_a_file(tmp_path: Path) -> None:
    output = tmp_path / "popolo.json"
    result = CliRunner().invoke(main, ["export", str(FIXTURES / "chongchuan.xlsx"), "--format", "popolo", "-o", str(output)])
    assert result.exit_code == 0, result.output
    first = output.read_bytes()
    CliRunner().invoke(main, ["export", str(FIXTURES / "chongchuan.xlsx"), "-o", str(output)])
    assert output.read_bytes() == first
    assert json.loads(first)["format"] == "popolo"


def _district() -> Roster:
    roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    return roster


def _membership_ids(doc: dict[str, Any]) -> dict[tuple[str, str, str | None], str]:
    return {(m["post_id"], m["person_id"], m.get("start_date")): m["id"] for m in doc["memberships"]}


def test_the_leadership_group_is_an_organization_with_posts_by_office_and_memberships() -> None:
    """南通市's 领导小组: one organization (classification leadership_group, in the city's area,
    no parent: regions are areas), a post per seat (post and office), each member a person
    holding it; every roster row one membership, its post's role the row's post."""
    roster = _district()
    doc = to_popolo(roster)
    groups = [o for o in doc["organizations"] if o["classification"] == "leadership_group"]
    rows = roster.leadership
    assert [g["id"] for g in groups] == [group_org(r) for r in rows["region"].unique(maintain_order=True)]
    group = groups[0]
    assert group["name"] == rows["group_name"][0] and group["area_id"] == f"area/{rows['region'][0]}"
    assert "parent_id" not in group and group["area_id"] in {a["id"] for a in doc["areas"]}
    posts = {p["id"]: p for p in doc["posts"] if p["organization_id"] == group["id"]}
    memberships = [m for m in doc["memberships"] if m["organization_id"] == group["id"]]
    persons = {p["id"]: p for p in doc["persons"]}
    assert len(memberships) == rows.height
    for row, m in zip(rows.iter_rows(named=True), memberships, strict=True):
        post = posts[m["post_id"]]
        assert post["role"] == m["role"] == row["role"]
        seat = row["office"] if row["office"] != "other" else f"other:{row['office_title']}"
        assert m["post_id"] == f"{group['id']}/{row['role']}/{seat}"
        assert post["label"] == f"{vocabulary.LEADERSHIP_ROLES[row['role']]}({row['office_title']})"
        assert persons[m["person_id"]]["name"] == row["name"]
        assert m["post_id"] in persons[m["person_id"]]["post_ids"]
        assert persons[m["person_id"]]["organization_ids"] == [group["id"]]
    again = to_popolo(_district())
    assert [m["id"] for m in again["memberships"]] == [m["id"] for m in doc["memberships"]]
    fewer = to_popolo(replace(roster, leadership=rows.slice(1)))
    assert {m["id"] for m in memberships[1:]} <= {m["id"] for m in fewer["memberships"]}


def test_rdflib_reads_the_group_as_an_org_organization_with_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = to_popolo(_district())
    graph = _graph(doc, monkeypatch)
    group = next(o for o in doc["organizations"] if o["classification"] == "leadership_group")
    node = rdflib.URIRef(BASE + group["id"])
    assert (node, ORG.classification, rdflib.Literal("leadership_group")) in graph
    held = [m for m in doc["memberships"] if m["organization_id"] == group["id"]]
    assert held
    for m in held:
        assert (rdflib.URIRef(BASE + m["id"]), ORG.organization, node) in graph
        assert (rdflib.URIRef(BASE + m["post_id"]), ORG.postIn, node) in graph


@pytest.mark.parametrize("removed", [0, 1234, -1])
def test_removing_an_appointment_keeps_every_other_membership_id(removed: int) -> None:
    roster = _district()
    before = _membership_ids(to_popolo(roster))
    appointments = roster.appointments.with_row_index("row")
    gone = appointments.row(removed, named=True)["row"]
    after = _membership_ids(to_popolo(replace(roster, appointments=appointments.filter(pl.col("row") != gone).drop("row"))))
    assert len(after) == len(before) - 1
    assert all(before[key] == membership_id for key, membership_id in after.items())


def test_the_same_post_held_twice_from_two_dates_is_two_memberships() -> None:
    roster = _district()
    first = roster.appointments.head(1)
    again = first.with_columns(pl.lit(dt.date(2025, 6, 1)).alias("start"))
    doc = to_popolo(replace(roster, appointments=pl.concat([roster.appointments, again])))
    ids = [m["id"] for m in doc["memberships"]]
    assert len(set(ids)) == len(ids) == roster.appointments.height + roster.leadership.height + 1
    twice = [m for m in doc["memberships"] if m["post_id"] == doc["memberships"][0]["post_id"]
             and m["person_id"] == doc["memberships"][0]["person_id"]]
    assert sorted(m["start_date"] for m in twice) == [first["start"][0].isoformat(), "2025-06-01"]
    exact_repeat = to_popolo(replace(roster, appointments=pl.concat([roster.appointments, first])))
    assert len({m["id"] for m in exact_repeat["memberships"]}) == roster.appointments.height + roster.leadership.height + 1


def test_role_is_the_code_and_label_the_chinese_beside_it() -> None:
    doc = to_popolo(_district())
    posts = {p["id"]: p for p in doc["posts"]}
    for m in doc["memberships"]:
        assert m["role"] == posts[m["post_id"]]["role"] and m["label"] == posts[m["post_id"]]["label"]
    community = [m for m in doc["memberships"] if m["organization_id"].startswith("community/")]
    assert {m["role"] for m in community} <= {*vocabulary.ROLES, vocabulary.OTHER_ROLE}
    group = [m for m in doc["memberships"] if not m["organization_id"].startswith("community/")]
    assert group and {m["role"] for m in group} <= set(vocabulary.LEADERSHIP_ROLES)
    assert {(m["role"], m["label"]) for m in doc["memberships"] if m["role"] == "mediator"} == {("mediator", "专职调解员")}


def _graph(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch, **parse: Any) -> rdflib.Graph:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("rdflib reached for the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld", base=BASE, **parse)


def test_rdflib_finds_org_edges_for_every_membership_and_organization(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = to_popolo(_district())
    graph = _graph(doc, monkeypatch)
    assert doc["memberships"]
    for m in doc["memberships"]:
        membership, person, organization = (rdflib.URIRef(BASE + m[key]) for key in ("id", "person_id", "organization_id"))
        assert (membership, ORG.member, person) in graph
        assert (membership, ORG.organization, organization) in graph
        assert (person, ORG.memberOf, organization) in graph
        assert (person, ORG.holds, rdflib.URIRef(BASE + m["post_id"])) in graph
        assert (membership, ORG.role, rdflib.Literal(m["role"])) in graph
    units = [o for o in doc["organizations"] if "parent_id" in o]
    assert len(units) > len(doc["organizations"]) // 2
    for o in units:
        assert (rdflib.URIRef(BASE + o["id"]), ORG.subOrganizationOf, rdflib.URIRef(BASE + o["parent_id"])) in graph
    for p in doc["posts"]:
        assert (rdflib.URIRef(BASE + p["id"]), ORG.postIn, rdflib.URIRef(BASE + p["organization_id"])) in graph
    assert set(graph.subjects(ORG.subOrganizationOf, None)) == {rdflib.URIRef(BASE + o["id"]) for o in units}
    assert len(set(graph.subject_objects(ORG.member))) == len(doc["memberships"])


def test_the_context_is_the_packaged_file_and_works_when_given_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = to_popolo(_district())
    packaged = json.loads(resources.files("orgmodel.data").joinpath(CONTEXT_FILE).read_text(encoding="utf-8"))
    assert doc["@context"] == packaged["@context"]
    bare = {key: value for key, value in doc.items() if key != "@context"}
    assert not _graph(bare, monkeypatch)
    assert rdflib.compare.isomorphic(_graph(bare, monkeypatch, context=packaged), _graph(doc, monkeypatch))


# The Popolo schemas, copied unchanged into the repository (tests/fixtures/popolo/README.md says
# from where, and their licence), so that every clone validates against them.
SCHEMAS = ROOT / "tests" / "fixtures" / "popolo" / "schemas"
SCHEMA_OF = {"areas": "area", "organizations": "organization", "posts": "post", "persons": "person",
             "memberships": "membership"}


def _popolo_errors(document: dict[str, Any]) -> list[str]:
    """Every item of each list checked against its Popolo schema (draft-03), `$ref`s resolved
    from the local copies of the schemas only."""
    resources_ = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources_.append((contents["id"].rstrip("#"), Resource.from_contents(contents, default_specification=DRAFT3)))
    def refuse(uri: str) -> Resource[Any]:
        raise AssertionError(f"the schema {uri} is not local")

    registry: Registry[Any] = Registry(retrieve=refuse).with_resources(resources_)  # type: ignore[call-arg]
    errors = []
    for key, name in SCHEMA_OF.items():
        validator = Draft3Validator({"$ref": f"http://www.popoloproject.com/schemas/{name}.json#"}, registry=registry)
        for i, item in enumerate(document[key]):
            errors += [f"{key}[{i}].{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(item)]
    return errors


@pytest.mark.parametrize("example", ["chongchuan", "hongqiao.json"])
def test_the_examples_are_valid_popolo(example: str) -> None:
    roster, _ = normalize.load(readers.read_roster(ROOT / "examples" / example))
    doc = to_popolo(roster, "a secret")
    assert doc["memberships"] and doc["persons"] and doc["organizations"]
    assert _popolo_errors(doc) == []


BREAKAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "start_date not a date": lambda doc: doc["memberships"][0].update(start_date="2021/03/01"),
    "identifier without its value": lambda doc: doc["organizations"][0]["identifiers"][0].pop("identifier"),
    "role a number": lambda doc: doc["posts"][0].update(role=7),
    "other_label not a list": lambda doc: doc["posts"][0].update(other_label="书记"),
    "a person's name a list": lambda doc: doc["persons"][0].update(name=["朱华"]),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_export_is_not_valid_popolo(breakage: str) -> None:
    doc = to_popolo(normalize.load(readers.read_roster(ROOT / "examples" / "hongqiao.json"))[0])
    BREAKAGES[breakage](doc)
    assert len(_popolo_errors(doc)) == 1
