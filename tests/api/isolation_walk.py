"""The region-isolation walk as plain functions: tests/api/test_isolation.py asserts on it and
scripts/isolation_matrix.py counts it for docs/reliability.md.

Every route of the OpenAPI document that addresses a stored object by id is called with every role
of a foreign region, once with the ids of the owner's objects and once with ids that do not exist;
the two answers must be the same (status, and body once the ids are scrubbed), a 403 or a 404, and
must not name the owner's community. Any difference is a leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from api.main import create_app
from api.services.jobs import check_params
from api.settings import Settings
from orgmodel.input.readers.json_yaml import read_json
from tests.api.conftest import CITY, COMMUNITY, COUNTY, EXAMPLE_PATH, OTHER_COUNTY, OTHER_STREET, ROLES, STREET, Service

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
MISSING = "no-such-object-0"
MISSING_KEY = "999999"
OPEN_ROUTES = {"/v1/check", "/v1/render", "/v1/rulesets", "/v1/rulesets/{ruleset_id}"}  # no stored object to reach
FOREIGN_REGIONS = (OTHER_COUNTY, OTHER_STREET)
PUT_BODIES = {  # valid, so that a refusal is the access check's and not the body's 422
    "/v1/regions/{region_id}": {"name": "改", "level": "street"},
    "/v1/regions/{region_id}/leadership-group": {"members": []},
    "/v1/communities/{community_id}/facilities": {"facilities": []},
}


def stock(engine: Engine) -> dict[tuple[str, str], str]:
    """Two counties of one city with a street each, the example community in COUNTY; a key for
    every (region, role), as tests/api/conftest.py's `service` fixture stocks its registry."""
    from api.registry import repository

    with sessionmaker(engine)() as session:
        repository.create_region(session, CITY, "setup", name="南通市", level="city")
        repository.create_region(session, COUNTY, "setup", parent_id=CITY, name="崇川区", level="county")
        repository.create_region(session, STREET, "setup", parent_id=COUNTY, name="和平桥街道", level="street")
        repository.create_region(session, OTHER_COUNTY, "setup", parent_id=CITY, name="通州区", level="county")
        repository.create_region(session, OTHER_STREET, "setup", parent_id=OTHER_COUNTY, name="金沙街道", level="street")
        repository.import_roster(session, COUNTY, json.loads(EXAMPLE_PATH.read_text(encoding="utf-8")), "setup")
        return {(region, role): repository.create_key(session, region, role)[0]  # type: ignore[arg-type]
                for region in (CITY, COUNTY, STREET, OTHER_COUNTY, OTHER_STREET) for role in ROLES}


@contextmanager
def serving(engine: Engine) -> Iterator[Service]:
    """The service (TestClient, whole ASGI stack) on a freshly stocked registry."""
    keys = stock(engine)
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(client, keys, engine.dialect.name)


def owned_ids(service: Service) -> dict[str, str]:
    """An id of COUNTY's own objects for each path parameter."""
    owner = service.as_(COUNTY, "admin")
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=owner).json()["items"][0]
    key = service.client.post("/v1/keys", json={"region": STREET, "role": "viewer"}, headers=owner).json()
    job = service.client.app.state.jobs.submit("check", COUNTY, EXAMPLE_PATH.read_bytes(),
                                               check_params(read_json, "roster.json", "nantong", None, False))
    return {"region_id": STREET, "community_id": COMMUNITY, "appointment_id": post["id"], "person_id": post["person"],
            "key_id": str(key["id"]), "job_id": job}


def missing_ids(owned: dict[str, str]) -> dict[str, str]:
    return dict.fromkeys(owned, MISSING) | {"key_id": MISSING_KEY}


def _body(method: str, template: str) -> Any:
    if template == "/v1/regions/{region_id}/roster":
        return EXAMPLE
    if template == "/v1/communities/{community_id}/appointments" and method == "POST":
        return {"person": MISSING, "unit": "社区居委会", "role": "委员"}
    if method == "PATCH":
        return {}
    if method == "PUT":
        return PUT_BODIES.get(template)
    return None


def routes(service: Service) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document that addresses a stored object by id."""
    paths = service.client.get("/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, operations in paths.items() if "{" in path and path not in OPEN_ROUTES
            for method in operations]


def call(service: Service, method: str, template: str, ids: dict[str, str], region: str, role: str) -> Any:
    path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)
    headers = {**service.as_(region, role), "If-Match": '"1"'}
    return service.client.request(method, path, json=_body(method, template), headers=headers)


def scrubbed(text: str, ids: dict[str, str]) -> str:
    for value in sorted(ids.values(), key=len, reverse=True):  # a community id starts with its street's
        text = text.replace(value, "<id>")
    return text.replace(MISSING, "<id>")


@dataclass
class Walk:
    """What a walk tried and what leaked: each leak as `METHOD /path as region role: why`."""

    foreign: str
    routes: int = 0
    roles: int = len(ROLES)
    pairs: int = 0  # (route, role) pairs, each two requests: the owner's ids and missing ones
    leaks: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return 2 * self.pairs


def walk(service: Service, foreign: str) -> Walk:
    """Every route with an id, every role of `foreign`: the owner's objects against missing ones."""
    owned = owned_ids(service)
    missing = missing_ids(owned)
    walked = routes(service)
    result = Walk(foreign, routes=len(walked))
    for method, template in walked:
        for role in ROLES:
            real = call(service, method, template, owned, foreign, role)
            absent = call(service, method, template, missing, foreign, role)
            where = f"{method} {template} as {foreign} {role}"
            if real.status_code != absent.status_code:
                result.leaks.append(f"{where}: {real.status_code} vs {absent.status_code}")
            elif real.status_code not in (403, 404):
                result.leaks.append(f"{where}: {real.status_code} {real.text[:200]}")
            elif scrubbed(real.text, owned) != scrubbed(absent.text, missing):
                result.leaks.append(f"{where}: the bodies differ")
            elif "虹桥" in real.text:
                result.leaks.append(f"{where}: names the owner's community")
            result.pairs += 1
    return result
