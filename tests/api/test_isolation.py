"""Region isolation over HTTP: every route that takes an id, walked with every role of a
foreign region, answers exactly as it does for an id that does not exist — by path, by query
and by an id inside a body — on SQLite and PostgreSQL.

The walk reads the service's OpenAPI document, so a route added later is walked too (or fails the test
until it says how to address its objects).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from api.services.jobs import check_params
from orgmodel.readers.document import read_json
from tests.api.conftest import CITY, COMMUNITY, COUNTY, EXAMPLE_PATH, OTHER_COUNTY, OTHER_STREET, ROLES, STREET, Service

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
MISSING = "no-such-object-0"
OPEN_ROUTES = {"/v1/check", "/v1/render", "/v1/rulesets", "/v1/rulesets/{ruleset_id}"}  # no stored object to reach


def _owned_ids(service: Service) -> dict[str, str]:
    """An id of COUNTY's own objects for each path parameter."""
    owner = service.as_(COUNTY, "admin")
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=owner).json()["items"][0]
    key = service.client.post("/v1/keys", json={"region": STREET, "role": "viewer"}, headers=owner).json()
    job = service.client.app.state.jobs.submit("check", COUNTY, EXAMPLE_PATH.read_bytes(),
                                               check_params(read_json, "roster.json", "nantong", None, False))
    return {"region_id": STREET, "community_id": COMMUNITY, "appointment_id": post["id"], "person_id": post["person"],
            "key_id": str(key["id"]), "job_id": job}


def _body(method: str, template: str) -> Any:
    if template == "/v1/regions/{region_id}/roster":
        return EXAMPLE
    if template == "/v1/communities/{community_id}/appointments" and method == "POST":
        return {"person": MISSING, "unit": "社区居委会", "role": "委员"}
    if method == "PATCH":
        return {}
    return None


def _routes(service: Service) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document that addresses a stored object by id."""
    paths = service.client.get("/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, operations in paths.items() if "{" in path and path not in OPEN_ROUTES
            for method in operations]


def _call(service: Service, method: str, template: str, ids: dict[str, str], region: str, role: str) -> Any:
    path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)
    headers = {**service.as_(region, role), "If-Match": '"1"'}
    return service.client.request(method, path, json=_body(method, template), headers=headers)


def _scrubbed(text: str, ids: dict[str, str]) -> str:
    for value in sorted(ids.values(), key=len, reverse=True):  # a community id starts with its street's
        text = text.replace(value, "<id>")
    return text.replace(MISSING, "<id>")


@pytest.mark.parametrize("foreign", [OTHER_COUNTY, OTHER_STREET])
def test_a_foreign_regions_objects_answer_as_missing_ones_on_every_route(service: Service, foreign: str) -> None:
    owned = _owned_ids(service)
    missing = dict.fromkeys(owned, MISSING) | {"key_id": "999999"}
    walked = 0
    for method, template in _routes(service):
        for role in ROLES:
            real = _call(service, method, template, owned, foreign, role)
            absent = _call(service, method, template, missing, foreign, role)
            where = f"{method} {template} as {foreign} {role}"
            assert real.status_code == absent.status_code, f"{where}: {real.status_code} vs {absent.status_code}"
            assert real.status_code in (403, 404), f"{where}: {real.status_code} {real.text[:200]}"
            assert _scrubbed(real.text, owned) == _scrubbed(absent.text, missing | {"key_id": "999999"}), where
            assert "虹桥" not in real.text, where
            walked += 1
    assert walked >= 3 * 14  # every route with an id, every role


def test_the_owner_and_its_ancestors_reach_the_same_objects(service: Service) -> None:
    owned = _owned_ids(service)
    for region in (CITY, COUNTY):
        for path in (f"/v1/communities/{COMMUNITY}", f"/v1/appointments/{owned['appointment_id']}",
                     f"/v1/regions/{STREET}", f"/v1/people/{owned['person_id']}", f"/v1/jobs/{owned['job_id']}"):
            response = service.client.get(path, headers=service.as_(region, "viewer"))
            assert response.status_code == 200, f"{region} {path}: {response.text}"


@pytest.mark.parametrize("role", ROLES)
def test_ids_in_queries_and_bodies_are_isolated_too(service: Service, role: str) -> None:
    key = service.as_(OTHER_COUNTY, role)
    lists = [service.client.get("/v1/communities", headers=key).json(), service.client.get("/v1/people", headers=key).json()]
    assert lists == [{"items": [], "total": 0, "next": None}] * 2
    by_query = service.client.get("/v1/communities", params={"region": STREET}, headers=key)
    assert by_query.status_code == 404
    if role == "admin":
        new_key = service.client.post("/v1/keys", json={"region": COUNTY, "role": "admin"}, headers=key)
        new_region = service.client.post("/v1/regions", json={"id": "32060200199", "parent": STREET, "level": "street"},
                                         headers=key)
        assert (new_key.status_code, new_region.status_code) == (404, 404)
        audit = service.client.get("/v1/audit", headers=key).json()["items"]
        assert all(entry["region"] in (OTHER_COUNTY, OTHER_STREET) for entry in audit)
    if role in ("editor", "admin"):
        # a roster naming COUNTY's community cannot be imported into the other county
        stolen = service.client.post(f"/v1/regions/{OTHER_COUNTY}/roster", json=EXAMPLE, headers=key)
        assert stolen.status_code == 422
        assert service.client.get(f"/v1/communities/{COMMUNITY}", headers=service.as_(COUNTY, "viewer")).json()[
            "region"] == STREET


@pytest.mark.parametrize("role", ROLES)
def test_a_scope_in_the_query_is_isolated_and_a_person_kept_above_is_read_only(service: Service, role: str) -> None:
    foreign = service.as_(OTHER_COUNTY, role)
    named = service.client.get("/v1/people/P001", params={"scope": COUNTY}, headers=foreign)
    unknown = service.client.get("/v1/people/P001", params={"scope": "999999"}, headers=foreign)
    assert named.status_code == unknown.status_code == 404
    assert named.json()["detail"] == unknown.json()["detail"]
    street = {**service.as_(STREET, role), "If-Match": '"1"'}
    edit = service.client.patch("/v1/people/P001", json={"name": "改"}, headers=street)
    assert edit.status_code == 403  # the county's roster keeps P001: read below, changed only by the county
    assert service.client.get("/v1/people/P001", headers=service.as_(COUNTY, "viewer")).json()["name"] != "改"
