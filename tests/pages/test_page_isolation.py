"""The pages in the region-isolation walk (as tests/api/test_isolation.py walks the API): a key
of one county, signed in with any role, never sees the other county's communities, people,
jobs or keys on any page — every GET page of the app walked with every id of both counties,
the xlsx report read cell by cell — and the other county's objects answer as missing ones
(404), by URL and by form. Both directions.

The walk reads the app's routes, so a page added later is walked too (or fails the test until
it says how to address its objects)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from api.registry import repository
from api.services.jobs import import_params
from orgmodel.input import normalize, readers
from tests.pages.conftest import COUNTY, OTHER_COUNTY, STREET_COMMUNITIES, roster_zip, seed
from tests.pages.test_sessions import _app, csrf, sign_in

ROLES = ("viewer", "editor", "admin")
SKIPPED = ("/v1/", "/static", "/docs", "/redoc", "/openapi.json", "/problems")  # not pages, or the API's own walk
FORMATS = ("svg", "png", "pdf")
TEXT = ("text/html", "image/svg+xml", "application/json")


@dataclass
class Region:
    """What a county holds that the other must never see."""

    id: str
    communities: list[str]
    secrets: set[str]  # community ids, person ids, the jobs' ids, the keys' prefixes
    jobs: list[str]
    key_ids: list[int]


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return _app(tmp_path)


@pytest.fixture
def world(app: Any) -> tuple[dict[tuple[str, str], str], dict[str, Region]]:
    keys = seed(app.state.sessions)  # the other county's community is imported there
    roster, _ = normalize.load(readers.read_bytes(roster_zip(STREET_COMMUNITIES), "r.zip"))
    regions: dict[str, Region] = {}
    with app.state.sessions() as session:
        repository.import_roster(session, COUNTY, roster, "test")
        for county in (COUNTY, OTHER_COUNTY):
            document = repository.roster_as_of(session, county, None)
            ids = [c.id for c in document.communities]
            people = {p.id for c in document.communities for p in c.people}
            params = {"pages_preview": {"name": "x.zip", "region": county, "rules": "nantong", "as_of": "2026-06-30",
                                        "key_region": county, "key_id": 0},
                      "import": import_params(readers.read_bytes, "x.zip", county, f"key:{county}")}
            jobs = [app.state.jobs.store.create(kind, county, job_params, b"", f"key:{county}")
                    for kind, job_params in params.items()]
            key_ids = [k.id for k in repository.list_keys(session, county)]
            prefixes = {k.prefix for k in repository.list_keys(session, county)}
            regions[county] = Region(county, ids, set(ids) | people | set(jobs) | prefixes, jobs, key_ids)
    assert regions[COUNTY].communities and regions[OTHER_COUNTY].communities
    return keys, regions


@pytest.fixture
def client(app: Any, world: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def routes(app_routes: Any) -> Iterator[Route]:
    """The app's routes, those of its included routers too (FastAPI wraps each include)."""
    for route in app_routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from routes(included.routes)
        elif isinstance(route, Route):
            yield route


def page_paths(app: Any, regions: dict[str, Region]) -> list[str]:
    """Every GET page of the app, with every id of both counties put in."""
    values = {"community_id": [c for r in regions.values() for c in r.communities],
              "job_id": [j for r in regions.values() for j in r.jobs], "fmt": list(FORMATS)}
    paths: list[str] = []
    for route in routes(app.routes):
        if "GET" not in (route.methods or ()) or route.path.startswith(SKIPPED):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{route.path}: the walk does not know how to address {unknown}"
        filled = [route.path]
        for name in names:
            filled = [re.sub(rf"{{{name}(?::\w+)?}}", value, path) for path in filled for value in values[name]]
        paths += filled
    return paths


def shown_text(answer: Any) -> str:
    kind = answer.headers.get("content-type", "")
    if kind.startswith(TEXT):
        return str(answer.text)
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return ""


def owner_of(path: str, regions: dict[str, Region]) -> str | None:
    for region in regions.values():
        if any(f"/{item}" in path for item in [*region.communities, *region.jobs]):
            return region.id
    return None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mine,theirs", [(COUNTY, OTHER_COUNTY), (OTHER_COUNTY, COUNTY)])
def test_a_signed_in_key_sees_nothing_of_another_region_on_any_page(app: Any, client: TestClient, world: Any,
                                                                     role: str, mine: str, theirs: str) -> None:
    keys, regions = world
    sign_in(client, keys[(mine, role)])
    paths = page_paths(app, regions)
    leaks: list[str] = []
    reached = 0
    for path in paths:
        answer = client.get(path, follow_redirects=False)
        owner = owner_of(path, regions)
        if owner == theirs:
            if answer.status_code != 404:
                leaks.append(f"{path}: {answer.status_code}, not 404")
            continue
        if owner == mine and answer.status_code == 200:
            reached += 1
        text = shown_text(answer)
        leaks += [f"{path}: shows {secret}" for secret in regions[theirs].secrets if secret in text]
    assert leaks == []
    assert reached >= len(regions[mine].communities)  # its own pages do answer: the walk is not all 404s
    assert len(paths) >= 10


def test_forms_addressing_another_regions_objects_answer_as_missing(client: TestClient, world: Any) -> None:
    keys, regions = world
    sign_in(client, keys[(COUNTY, "admin")])
    token = csrf(client.get("/dashboard").text)
    theirs = regions[OTHER_COUNTY]
    posts = [*(f"/communities/{c}/{action}" for c in theirs.communities for action in ("vacate", "appoint")),
             *(f"/upload/jobs/{j}/cancel" for j in theirs.jobs),
             *(f"/admin/keys/{k}/revoke" for k in theirs.key_ids)]
    for path in posts:
        answer = client.post(path, data={"csrf": token, "post": "1", "end": "2026-01-01", "version": "1",
                                         "person": "x", "unit": "party_org", "role": "member", "start": "2026-01-01"},
                             follow_redirects=False)
        assert answer.status_code == 404, (path, answer.status_code)
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert [k.id for k in repository.list_keys(session, OTHER_COUNTY)] == theirs.key_ids  # none revoked
    sign_in(client, keys[(COUNTY, "editor")])
    token = csrf(client.get("/upload").text)
    answer = client.post("/upload", data={"csrf": token, "region": OTHER_COUNTY},
                         files={"file": ("r.zip", roster_zip(STREET_COMMUNITIES), "application/zip")})
    assert answer.status_code == 404
