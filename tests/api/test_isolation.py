"""Region isolation over HTTP: every route that takes an id, walked with every role of a
foreign region, answers exactly as it does for an id that does not exist — by path, by query
and by an id inside a body — on SQLite and PostgreSQL.

The walk reads the service's OpenAPI document, so a route added later is walked too (or fails the test
until it says how to address its objects).
"""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import CITY, COMMUNITY, COUNTY, EXAMPLE_PATH, OTHER_COUNTY, OTHER_STREET, ROLES, STREET, Service
from tests.api.isolation_walk import FOREIGN_REGIONS, owned_ids, walk

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("foreign", FOREIGN_REGIONS)
def test_a_foreign_regions_objects_answer_as_missing_ones_on_every_route(service: Service, foreign: str) -> None:
    walked = walk(service, foreign)  # the walk of tests/api/isolation_walk.py, counted by scripts/isolation_matrix.py
    assert walked.leaks == []
    assert walked.pairs >= 3 * 14  # every route with an id, every role


def test_the_owner_and_its_ancestors_reach_the_same_objects(service: Service) -> None:
    owned = owned_ids(service)
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
