"""Issue 14, identity over HTTP (SQLite and PostgreSQL): people keyed by resident ID numbers that
mask alike (320602********1234) are two people with two ids, each can be opened, and the stored
roster sent back to /v1/check gives the registry's own findings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from api.settings import Settings
from orgmodel import identity
from orgmodel.cli import main
from tests.api.conftest import COUNTY, OTHER_COUNTY, Service
from tests.registry.test_identity import ID_A, ID_B, MASKED, keyed_by_id_numbers

AS_OF = {"as_of": "2026-11-25"}


def _import(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(f"/v1/regions/{COUNTY}/roster", json=keyed_by_id_numbers(), headers=headers)
    assert response.status_code == 200, response.text


def _numbered_people(client: TestClient, headers: dict[str, str]) -> list[dict]:
    people = client.get("/v1/people", params={"limit": 1000}, headers=headers).json()["items"]
    return [p for p in people if p["masked_id"] == MASKED]


def test_people_whose_numbers_mask_alike_can_each_be_opened(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    _import(service.client, editor)
    both = _numbered_people(service.client, editor)
    assert len(both) == 2 and both[0]["id"] != both[1]["id"]
    for person in both:
        opened = service.client.get(f"/v1/people/{person['id']}", headers=editor)
        assert opened.status_code == 200 and opened.json() == person
        patched = service.client.patch(f"/v1/people/{person['id']}", json={"monthly_pay_yuan": 4444},
                                       headers={**editor, "If-Match": opened.headers["etag"]})
        assert patched.status_code == 200 and patched.json()["id"] == person["id"]
    for asked in (ID_A, MASKED, "320602%2A%2A%2A%2A%2A%2A%2A%2A1234"):
        assert service.client.get(f"/v1/people/{asked}", headers=editor).status_code == 404
    assert service.client.get(f"/v1/people/{both[0]['id']}", headers=service.as_(OTHER_COUNTY, "admin")).status_code == 404


def test_posts_name_their_holders_by_id_and_a_post_can_be_handed_over(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    _import(service.client, editor)
    a, b = (p["id"] for p in _numbered_people(service.client, editor))
    posts = service.client.get("/v1/communities/320602001001/appointments", params={"limit": 1000},
                               headers=editor).json()["items"]
    holders = {post["person"] for post in posts}
    assert {a, b} <= holders and not holders & {ID_A, ID_B, MASKED}
    post = next(p for p in posts if p["person"] == a)
    moved = service.client.patch(f"/v1/appointments/{post['id']}", json={"person": b},
                                 headers={**editor, "If-Match": f'"{post["version"]}"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["person"] == b


def test_the_stored_roster_round_trips_through_check_with_identical_findings(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    _import(service.client, editor)
    stored = service.client.get(f"/v1/regions/{COUNTY}/roster", headers=editor)
    assert stored.status_code == 200
    assert ID_A not in stored.text and ID_B not in stored.text and stored.text.count(MASKED) == 2
    checked = service.client.post("/v1/check", json=stored.json(), params=AS_OF, headers=editor)
    assert checked.status_code == 200, checked.text  # no duplicate_id
    registry = service.client.get(f"/v1/regions/{COUNTY}/report", params=AS_OF, headers=editor)
    assert registry.status_code == 200
    assert checked.json()["findings"] == registry.json()["findings"]
    assert checked.json()["summary"] == registry.json()["summary"]
    a = next(p["id"] for p in _numbered_people(service.client, editor)
             if any(f["person_id"] == p["id"] for f in registry.json()["findings"]))
    assert a.startswith(identity.PSEUDONYM_PREFIX)


def test_orgmodel_id_secret_keys_the_pseudonyms_as_the_cli_export_does(service: Service, engine: Engine,
                                                                        tmp_path: Path, monkeypatch) -> None:
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0, id_secret="the one secret"))
    editor = service.as_(COUNTY, "editor")
    with TestClient(app) as client:
        _import(client, editor)
        ids = {p["id"] for p in _numbered_people(client, editor)}
    assert ids == {identity.pseudonym(ID_A, b"the one secret"), identity.pseudonym(ID_B, b"the one secret")}
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps(keyed_by_id_numbers(), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("ORGMODEL_ID_SECRET", "the one secret")
    exported = json.loads(CliRunner().invoke(main, ["export", str(roster)]).stdout)
    assert {p["id"] for p in exported["persons"]} >= {f"person/{i}" for i in ids}
