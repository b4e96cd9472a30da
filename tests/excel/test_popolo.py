"""`orgmodel export --format popolo` (issue 3 §6): the roster as Popolo JSON whose references all
resolve, with every appointment a membership and resident ID numbers masked."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from orgmodel import normalize, readers
from orgmodel.cli import main
from orgmodel.popolo import to_popolo

from ._workbooks import DISTRICT_CSV, FIXTURES, PEOPLE_HEADER, person, small_roster


def test_district_references_resolve() -> None:
    roster, _ = normalize.load(readers.read_roster(DISTRICT_CSV))
    doc = to_popolo(roster)
    assert list(doc) == ["format", "areas", "organizations", "posts", "persons", "memberships"]
    areas = {a["id"] for a in doc["areas"]}
    organizations = {o["id"]: o for o in doc["organizations"]}
    posts = {p["id"]: p for p in doc["posts"]}
    persons = {p["id"] for p in doc["persons"]}
    assert len(persons) == roster.people.height
    assert len(doc["memberships"]) == roster.appointments.height
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
